package trust

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/prometheus/client_golang/prometheus"
)

// missingGauge reads samband_trust_keys_missing of the party from reg, as
// a scrape would; -1 when reg has no such series.
func missingGauge(t *testing.T, reg *prometheus.Registry, party string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "samband_trust_keys_missing" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "party" && l.GetValue() == party {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}

// TestFirstFetchBackground: in background mode a registry whose peer's
// key server is down starts; the peer's keys are unknown, and say why, and
// the missing gauge is 1; the set is tried again every Retry, and once the
// server is up the keys verify, the gauge is 0 and the log says so.
func TestFirstFetchBackground(t *testing.T) {
	pub, priv := edKey(t, "k1", zeroTime, zeroTime)
	srv := newJWKSServer(t, setJSON(t, pub))
	srv.Down.Store(true)
	cfg := urlConfig(srv)
	cfg.FirstFetch = FirstFetchBackground
	cfg.Retry = 20 * time.Millisecond
	reg := prometheus.NewRegistry()
	cfg.Registerer = reg
	logger, logs := newLogger()
	r, err := Open(context.Background(), cfg, nil, logger)
	if err != nil {
		t.Fatalf("Open with the key server down = %v, want a start in background mode", err)
	}
	defer r.Close()

	_, err = r.Key(context.Background(), gwSE, "k1", time.Now())
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "key set has not been fetched yet") {
		t.Errorf("Key before the first fetch = %v, want ErrUnknownKey saying the set is not fetched yet", err)
	}
	if _, err := r.PublicSet(gwSE); err == nil || !strings.Contains(err.Error(), "not fetched yet") {
		t.Errorf("PublicSet before the first fetch = %v, want an error saying so", err)
	}
	if g := missingGauge(t, reg, gwSE); g != 1 {
		t.Errorf("samband_trust_keys_missing{party=%q} = %v before the first fetch, want 1", gwSE, g)
	}
	if got := r.WithoutKeys(); !slices.Equal(got, []string{gwSE}) {
		t.Errorf("WithoutKeys() before the first fetch = %q, want [%s]", got, gwSE)
	}
	l := logs.String()
	for _, want := range []string{"level=WARN", "key set not fetched at start", "party=" + gwSE, "url=" + srv.URL + "/exchange/v1/keys", "503 Service Unavailable"} {
		if !strings.Contains(l, want) {
			t.Errorf("log = %s\nwant it to say %q", l, want)
		}
	}
	// The retries come every Retry, not every MinRefresh (5 minutes).
	waitFor(t, "two retries while the key server is down", func() bool { return srv.Requests.Load() >= 3 })
	keyIs(t, r, gwSE, "k1", time.Now(), ErrUnknownKey, nil)

	srv.Down.Store(false)
	waitFor(t, "the keys once the key server is up", func() bool {
		_, err := r.Key(context.Background(), gwSE, "k1", time.Now())
		return err == nil
	})
	key, err := r.Key(context.Background(), gwSE, "k1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := jws.Sign([]byte("a request"), jws.WithKey(jwa.EdDSA(), priv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(msg, jws.WithKey(jwa.EdDSA(), key)); err != nil {
		t.Errorf("a signature of %s does not verify with its fetched key: %v", gwSE, err)
	}
	if g := missingGauge(t, reg, gwSE); g != 0 {
		t.Errorf("samband_trust_keys_missing{party=%q} = %v after the fetch, want 0", gwSE, g)
	}
	if got := r.WithoutKeys(); got != nil {
		t.Errorf("WithoutKeys() after the fetch = %q, want none", got)
	}
	if l := logs.String(); !strings.Contains(l, "level=INFO msg=\"key set fetched; the party's requests are verified from now on\" party="+gwSE) {
		t.Errorf("log = %s\nwant the fetch announced at info level", l)
	}
	// The retries end with the first success.
	n := srv.Requests.Load()
	time.Sleep(10 * cfg.Retry)
	if got := srv.Requests.Load(); got != n {
		t.Errorf("%d requests after the first fetch succeeded, want none before MinRefresh", got-n)
	}
}

// TestFirstFetchWait: in wait mode the same start fails, naming the party,
// the URL and why.
func TestFirstFetchWait(t *testing.T) {
	pub, _ := edKey(t, "k1", zeroTime, zeroTime)
	srv := newJWKSServer(t, setJSON(t, pub))
	srv.Down.Store(true)
	cfg := urlConfig(srv)
	cfg.FirstFetch = FirstFetchWait
	r, err := Open(context.Background(), cfg, nil, nil)
	if err == nil {
		r.Close()
		t.Fatal("Open in wait mode succeeded with the key server down")
	}
	want := "first fetch: key set of " + gwSE + " from " + srv.URL + "/exchange/v1/keys: answered 503 Service Unavailable"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Open = %v\nwant it to say %q", err, want)
	}
}

// TestFirstFetchMode: the mode is background by default, and a mode that
// is neither is a configuration error.
func TestFirstFetchMode(t *testing.T) {
	if got := withDefaults(Config{}); got.FirstFetch != FirstFetchBackground || got.Retry != DefaultRetry {
		t.Errorf("default mode and retry = %q, %v; want background, %v", got.FirstFetch, got.Retry, DefaultRetry)
	}
	pub, _ := edKey(t, "k1", zeroTime, zeroTime)
	for _, mode := range []FirstFetch{"later", "Wait", " background"} {
		_, err := Open(context.Background(), Config{FirstFetch: mode,
			Parties: []PartyConfig{{ID: authN, Kind: Authority, Scheme: "NO:ORGNR", JWKS: string(setJSON(t, pub))}}}, nil, nil)
		if want := "first_fetch: \"" + string(mode) + "\" is neither background nor wait"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open with first_fetch %q = %v, want %q", mode, err, want)
		}
	}
}

// TestPeersNamingEachOther: two gateways that name each other's jwks_url
// and start at the same moment, each serving its keys only once its
// registry is open (as a gateway does), both start in background mode and
// soon hold each other's keys; in wait mode neither starts.
func TestPeersNamingEachOther(t *testing.T) {
	const gwFI, gwNO = "FI/0245437-2", "NO/991825827"
	fiPub, fiPriv := edKey(t, "fi-1", zeroTime, zeroTime)
	noPub, noPriv := edKey(t, "no-1", zeroTime, zeroTime)
	fiSrv, noSrv := newJWKSServer(t, setJSON(t, fiPub)), newJWKSServer(t, setJSON(t, noPub))
	peer := func(id, scheme string, srv *jwksServer) Config {
		return Config{
			Parties: []PartyConfig{{ID: id, Kind: Gateway, Scheme: scheme, BaseURL: srv.URL,
				JWKSURL: srv.URL + "/api/v1/exchange/keys"}},
			JWKSAllow:    []string{srv.URL + "/api/v1/"},
			AllowPrivate: true,
			Retry:        20 * time.Millisecond,
		}
	}
	fiCfg := peer(gwNO, "NO:ORGNR", noSrv) // Finland's gateway trusts Norway's
	noCfg := peer(gwFI, "FI:YTUNNUS", fiSrv)

	// start opens both registries at once, each from a server that is
	// down until its own registry is open.
	start := func(mode FirstFetch) (fi, no *Registry, fiErr, noErr error) {
		fiSrv.Down.Store(true)
		noSrv.Down.Store(true)
		fiCfg.FirstFetch, noCfg.FirstFetch = mode, mode
		var wg sync.WaitGroup
		wg.Go(func() {
			if fi, fiErr = Open(context.Background(), fiCfg, nil, nil); fiErr == nil {
				fiSrv.Down.Store(false)
			}
		})
		wg.Go(func() {
			if no, noErr = Open(context.Background(), noCfg, nil, nil); noErr == nil {
				noSrv.Down.Store(false)
			}
		})
		wg.Wait()
		return fi, no, fiErr, noErr
	}

	fi, no, fiErr, noErr := start(FirstFetchWait)
	for _, r := range []*Registry{fi, no} {
		if r != nil {
			r.Close()
		}
	}
	if fiErr == nil || noErr == nil {
		t.Errorf("in wait mode Open = %v (FI), %v (NO); want both to fail", fiErr, noErr)
	}

	fi, no, fiErr, noErr = start(FirstFetchBackground)
	if fiErr != nil || noErr != nil {
		t.Fatalf("in background mode Open = %v (FI), %v (NO); want both to start", fiErr, noErr)
	}
	defer fi.Close()
	defer no.Close()
	for _, tc := range []struct {
		name, signer, kid string
		at                *Registry
		priv              any
	}{{"Norway's gateway verifies Finland's", gwFI, "fi-1", no, fiPriv}, {"Finland's gateway verifies Norway's", gwNO, "no-1", fi, noPriv}} {
		waitFor(t, tc.name+" key", func() bool {
			_, err := tc.at.Key(context.Background(), tc.signer, tc.kid, time.Now())
			return err == nil
		})
		key, _ := tc.at.Key(context.Background(), tc.signer, tc.kid, time.Now())
		msg, err := jws.Sign([]byte("a request"), jws.WithKey(jwa.EdDSA(), tc.priv))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(msg, jws.WithKey(jwa.EdDSA(), key)); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestFirstFetchSlow: in background mode Open waits for a key server that
// does not answer no longer than Retry, and says so; the answer that comes
// later is installed.
func TestFirstFetchSlow(t *testing.T) {
	pub, _ := edKey(t, "k1", zeroTime, zeroTime)
	body := setJSON(t, pub)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
			w.Write(body)
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	cfg := Config{Parties: []PartyConfig{{ID: gwSE, Kind: Gateway, Scheme: "SE:ORGNR", BaseURL: "https://x.example", JWKSURL: slow.URL + "/k"}},
		JWKSAllow: []string{slow.URL + "/"}, AllowPrivate: true, FirstFetch: FirstFetchBackground, Retry: 50 * time.Millisecond}
	logger, logs := newLogger()
	r, err := Open(context.Background(), cfg, nil, logger)
	close(release)
	if err != nil {
		t.Fatalf("Open with a key server that does not answer = %v, want a start in background mode", err)
	}
	defer r.Close()
	if l := logs.String(); !strings.Contains(l, "no answer within 50ms") {
		t.Errorf("log = %s\nwant it to say how long the start waited", l)
	}
	waitFor(t, "the keys once the server answers", func() bool {
		_, err := r.Key(context.Background(), gwSE, "k1", time.Now())
		return err == nil
	})
}
