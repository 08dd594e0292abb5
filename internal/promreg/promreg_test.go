package promreg

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// A second collector of the same metric gets the first; another kind
// under the same name panics.
func TestRegister(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "samband_test_total", Help: "A test counter."}
	a := Register(reg, prometheus.NewCounterVec(opts, []string{"x"}))
	b := Register(reg, prometheus.NewCounterVec(opts, []string{"x"}))
	if a != b {
		t.Fatal("the second registration did not return the first collector")
	}
	b.WithLabelValues("1").Inc()
	if got := testValue(t, a); got != 1 {
		t.Fatalf("the shared counter reads %v, want 1", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("a gauge under a counter's name did not panic")
		}
	}()
	Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: "samband_test_total", Help: "A test counter."}))
}

func testValue(t *testing.T, c *prometheus.CounterVec) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var pb dto.Metric
	if err := (<-ch).Write(&pb); err != nil {
		t.Fatal(err)
	}
	return pb.GetCounter().GetValue()
}
