package exchange_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"samband/exchange"
)

// TestStageMetrics: an answered request's time is split into its stages,
// each within the request's whole time; a denied request reaches no
// upstream stage; a consumer gateway times the peer, the peer's receipt
// and its own log; a refused request is timed as a whole only.
func TestStageMetrics(t *testing.T) {
	keys := newKeyring(t)
	reg := prometheus.NewRegistry()
	f := newFixture(t, keys, withOutbound(t), func(o *exchange.Options) { o.Metrics = exchange.NewMetrics(reg) })
	f.startPeer(t, nil)
	send := func(hr *http.Request, want int) {
		t.Helper()
		resp := f.do(t, hr)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("answer %d %s, want %d", resp.StatusCode, body, want)
		}
	}

	send(f.signed(t, f.estate(), nil, fiAuthority, keys.kela), http.StatusOK)
	stages := []string{"checks", "decide", "upstream", "audit", "receipt"}
	var sum float64
	for _, s := range stages {
		n, v := histogram(t, reg, "samband_exchange_stage_seconds", map[string]string{"role": "provider", "stage": s})
		if n != 1 || v <= 0 {
			t.Errorf("provider stage %s: %d observations, %v s; want one, above 0", s, n, v)
		}
		sum += v
	}
	if n, whole := histogram(t, reg, "samband_exchange_duration_seconds", map[string]string{"role": "provider"}); n != 1 || sum > whole {
		t.Errorf("the provider's stages took %v s of a request of %v s (%d observed)", sum, whole, n)
	}

	r := f.estate()
	r.Representative = "SE" + stranger // holds no mandate: denied
	send(f.signed(t, r, nil, fiAuthority, keys.kela), http.StatusForbidden)
	for s, want := range map[string]uint64{"checks": 2, "decide": 2, "upstream": 1, "audit": 2, "receipt": 2} {
		if n, _ := histogram(t, reg, "samband_exchange_stage_seconds", map[string]string{"role": "provider", "stage": s}); n != want {
			t.Errorf("after a denied request, provider stage %s observed %d times, want %d", s, n, want)
		}
	}

	send(f.signed(t, f.pension(), nil, noAuthority, keys.skatt), http.StatusOK)
	for _, s := range stages {
		if n, v := histogram(t, reg, "samband_exchange_stage_seconds", map[string]string{"role": "consumer", "stage": s}); n != 1 || v <= 0 {
			t.Errorf("consumer stage %s: %d observations, %v s; want one, above 0", s, n, v)
		}
	}

	bad := f.signed(t, f.estate(), nil, fiAuthority, keys.skatt) // a key not the signer's
	send(bad, http.StatusUnauthorized)
	if n, _ := histogram(t, reg, "samband_exchange_duration_seconds", map[string]string{"role": "refused"}); n != 1 {
		t.Errorf("the refused request was timed %d times, want once", n)
	}
	if n, _ := histogram(t, reg, "samband_exchange_stage_seconds", map[string]string{"role": "refused"}); n != 0 {
		t.Errorf("a refused request's stages were observed %d times, want none", n)
	}
}

// histogram reads the count and sum of the histograms of reg named name
// whose labels include labels, added over every such series.
func histogram(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (n uint64, sum float64) {
	t.Helper()
	for _, m := range series(t, reg, name, labels) {
		n += m.GetHistogram().GetSampleCount()
		sum += m.GetHistogram().GetSampleSum()
	}
	return n, sum
}

// counterValue reads one counter of reg by its labels; 0 when absent.
func counterValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	if ms := series(t, reg, name, labels); len(ms) > 0 {
		return ms[0].GetCounter().GetValue()
	}
	return 0
}

// series returns the series of reg named name whose labels include labels.
func series(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) []*dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []*dto.Metric
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue metrics
				}
			}
			out = append(out, m)
		}
	}
	return out
}
