package harvest

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
)

// TestSchedule runs three sources on a short interval with at most two at
// once and one run per source at a time, until the context ends; runs cut
// by the end are recorded, none is left running.
func TestSchedule(t *testing.T) {
	body := readCorpus(t, "dk-dcat-ap-dk/basic-example1.ttl")
	var mu sync.Mutex
	inFlight, maxInFlight := 0, 0
	perSource := map[string]int{}
	calls := map[string]int{}
	srv := newSite(t)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src := strings.TrimPrefix(r.URL.Path, "/")
		mu.Lock()
		inFlight++
		perSource[src]++
		maxInFlight = max(maxInFlight, inFlight)
		if perSource[src] > 1 {
			t.Errorf("source %s fetched by two runs at once", src)
		}
		calls[src]++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		perSource[src]--
		mu.Unlock()
		w.Header().Set("Content-Type", "text/turtle")
		w.Write(body)
	})
	st := newStore(t)
	reg := prometheus.NewRegistry()
	h := newTestHarvester(st, Options{Concurrency: 2, Registerer: reg})
	var sources []Config
	for _, name := range []string{"a", "b", "c"} {
		sources = append(sources, Config{Name: name, Kind: KindDCAT, URL: srv.URL + "/" + name, Every: 50 * time.Millisecond, Aggregator: true})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	h.Schedule(ctx, sources) // blocks until ctx ends

	mu.Lock()
	defer mu.Unlock()
	if maxInFlight > 2 {
		t.Errorf("%d sources at once, want at most 2", maxInFlight)
	}
	for _, s := range sources {
		if calls[s.Name] < 2 {
			t.Errorf("source %s ran %d times in 700 ms at a 50 ms interval", s.Name, calls[s.Name])
		}
	}
	all, err := st.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.LastRun == nil || s.LastRun.Status == catalog.StatusRunning {
			t.Errorf("source %s left with last run %+v", s.Name, s.LastRun)
		}
	}
	if n := gathered(t, reg)[`samband_harvest_runs_total{source="a",status="complete"}`]; n < 2 {
		t.Errorf("runs_total{source=a,status=complete} = %v", n)
	}
}

// TestMetrics: the counters of a run reach the registry.
func TestMetrics(t *testing.T) {
	s := newSite(t)
	s.set("/c", page{body: readCorpus(t, "no-fdk-legacy/export-oslokommune.ttl"), contentType: "text/turtle"})
	reg := prometheus.NewRegistry()
	st := newStore(t)
	h := newTestHarvester(st, Options{Registerer: reg})
	mustRun(t, h, Config{Name: "oslo", Kind: KindDCAT, URL: s.URL + "/c"})
	mustRun(t, h, Config{Name: "oslo", Kind: KindDCAT, URL: s.URL + "/c"})
	// A second harvester on the same registry shares the metrics.
	New(st, nil, nil, Options{Registerer: reg})

	want := map[string]float64{
		`samband_harvest_runs_total{source="oslo",status="complete"}`:      2,
		`samband_harvest_records_total{outcome="added",source="oslo"}`:     5,
		`samband_harvest_records_total{outcome="unchanged",source="oslo"}`: 5,
		`samband_harvest_pages_total{source="oslo"}`:                       2,
	}
	got := gathered(t, reg)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if got[`samband_harvest_last_success_timestamp_seconds{source="oslo"}`] == 0 ||
		got[`samband_harvest_run_duration_seconds{source="oslo"}`] != 2 ||
		got[`samband_harvest_bytes_total{source="oslo"}`] == 0 {
		t.Errorf("last success, duration or bytes missing: %v", got)
	}
}

// gathered reads a registry as "name{label=\"value\",...}" to value
// (a histogram's sample count).
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				got[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				got[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				got[key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return got
}
