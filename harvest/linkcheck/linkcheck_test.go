package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"samband/catalog"
	"samband/catalog/sqlite"
)

// links is a test server of links that answer in every way the checker
// must tell apart. It counts the requests by method and path.
type links struct {
	*httptest.Server
	mu     sync.Mutex
	hits   map[string]int // "HEAD /ok"
	ranges map[string]string
	active atomic.Int32 // requests in progress
	most   atomic.Int32 // most requests in progress at once
	times  []time.Time  // arrival of every request
}

func newLinks(t *testing.T) *links {
	t.Helper()
	l := &links{hits: map[string]int{}, ranges: map[string]string{}}
	l.Server = httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(l.Close)
	return l
}

func (l *links) serve(w http.ResponseWriter, r *http.Request) {
	n := l.active.Add(1)
	defer l.active.Add(-1)
	for {
		m := l.most.Load()
		if n <= m || l.most.CompareAndSwap(m, n) {
			break
		}
	}
	l.mu.Lock()
	l.hits[r.Method+" "+r.URL.Path]++
	if r.Method == http.MethodGet {
		l.ranges[r.URL.Path] = r.Header.Get("Range")
	}
	l.times = append(l.times, time.Now())
	l.mu.Unlock()

	p := r.URL.Path
	switch {
	case p == "/ok" || strings.HasPrefix(p, "/host/"):
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("a,b\n1,2\n"))
	case p == "/missing":
		http.NotFound(w, r)
	case p == "/nohead":
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Range", "bytes 0-0/8")
		w.WriteHeader(http.StatusPartialContent)
		w.Write([]byte("a"))
	case p == "/big":
		// Ignores the range and would send 64 MiB.
		chunk := make([]byte, 64<<10)
		for i := 0; i < 1024; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case p == "/moved":
		http.Redirect(w, r, "/ok#part", http.StatusMovedPermanently)
	case p == "/loop-a":
		http.Redirect(w, r, "/loop-b", http.StatusFound)
	case p == "/loop-b":
		http.Redirect(w, r, "/loop-a", http.StatusFound)
	case strings.HasPrefix(p, "/chain/"):
		var n int
		fmt.Sscanf(p, "/chain/%d", &n)
		if n == 0 {
			w.Write([]byte("end"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusTemporaryRedirect)
	case p == "/to-file":
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	case p == "/slow":
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	case p == "/throttle":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	case p == "/error":
		w.WriteHeader(http.StatusServiceUnavailable)
	default:
		http.NotFound(w, r)
	}
}

func (l *links) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits[key]
}

func (l *links) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, v := range l.hits {
		n += v
	}
	return n
}

// testOptions are options for a checker of httptest servers: loopback
// allowed, short intervals and timeouts.
func testOptions() Options {
	return Options{AllowPrivate: true, PerHostInterval: time.Millisecond, Timeout: 300 * time.Millisecond, Concurrency: 4}
}

func TestCheck(t *testing.T) {
	l := newLinks(t)
	c := New(nil, nil, testOptions())
	cases := []struct {
		path     string
		result   string
		status   int
		final    string // path
		errWords string
	}{
		{"/ok", ResultAnswered, 200, "", ""},
		{"/missing", ResultHTTPError, 404, "", "HEAD 404 Not Found"},
		{"/nohead", ResultAnswered, 206, "", ""},
		{"/big", ResultAnswered, 200, "", ""},
		{"/moved", ResultAnswered, 200, "/ok", ""},
		{"/chain/5", ResultAnswered, 200, "/chain/0", ""},
		{"/chain/6", ResultRedirects, 307, "/chain/1", "stopped after 5 redirects"},
		{"/loop-a", ResultRedirects, 302, "/loop-b", "redirect loop"},
		{"/to-file", ResultRedirects, 302, "", "not an http or https URL"},
		{"/slow", ResultTimeout, 0, "", "no answer within 300ms"},
		{"/throttle", ResultThrottled, 429, "", "429 Too Many Requests"},
		{"/error", ResultHTTPError, 503, "", "HEAD 503 Service Unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			st, result := c.Check(context.Background(), l.URL+tc.path)
			if result != tc.result || st.Status != tc.status || st.Answered != (tc.result == ResultAnswered) {
				t.Errorf("Check(%s) = %s, status %d, answered %v (%q); want %s, %d", tc.path, result, st.Status, st.Answered, st.Error, tc.result, tc.status)
			}
			final := ""
			if tc.final != "" {
				final = l.URL + tc.final
			}
			if st.FinalURL != final {
				t.Errorf("Check(%s).FinalURL = %q, want %q", tc.path, st.FinalURL, final)
			}
			if !strings.Contains(st.Error, tc.errWords) || (tc.errWords == "") != (st.Error == "") {
				t.Errorf("Check(%s).Error = %q, want it to say %q", tc.path, st.Error, tc.errWords)
			}
			if st.Checked.IsZero() || st.URL != l.URL+tc.path {
				t.Errorf("Check(%s) = URL %q, checked %v", tc.path, st.URL, st.Checked)
			}
		})
	}
	// HEAD first; GET, of one byte, only where HEAD was refused or failed.
	if l.count("GET /ok") != 0 || l.count("HEAD /ok") == 0 {
		t.Errorf("/ok got GET %d, HEAD %d; want HEAD only", l.count("GET /ok"), l.count("HEAD /ok"))
	}
	if l.count("GET /missing") != 0 {
		t.Errorf("/missing got a GET after HEAD answered 404")
	}
	if l.count("GET /nohead") != 1 || l.ranges["/nohead"] != "bytes=0-0" {
		t.Errorf("/nohead got %d GETs with Range %q; want 1 with bytes=0-0", l.count("GET /nohead"), l.ranges["/nohead"])
	}
	if l.count("HEAD /slow") != 1 || l.count("GET /slow") != 1 {
		t.Errorf("/slow got HEAD %d, GET %d; want the GET fallback after the HEAD timed out", l.count("HEAD /slow"), l.count("GET /slow"))
	}
}

func TestCheckNotRequested(t *testing.T) {
	c := New(nil, nil, testOptions())
	for _, u := range []string{
		"ftp://ftp.example.org/data.csv",
		"mailto:data@example.org",
		"/relative/path",
		"https:///no-host",
		"http://[::1",
		"https://example.org/" + strings.Repeat("x", maxURLLength),
	} {
		st, result := c.Check(context.Background(), u)
		if result != ResultInvalid || st.Answered || st.Error == "" || st.Checked.IsZero() {
			t.Errorf("Check(%.40q) = %s, %+v; want invalid, not answered, with a reason", u, result, st)
		}
		if len(st.Error) > maxErrorText+len("…") {
			t.Errorf("Check(%.40q).Error is %d bytes long", u, len(st.Error))
		}
	}
}

// TestCheckRefusesPrivateByDefault: without AllowPrivate, the checker does
// not connect to the loopback test server, whether the URL names its
// address or a name that resolves to it, and the server sees nothing.
func TestCheckRefusesPrivateByDefault(t *testing.T) {
	l := newLinks(t)
	opts := testOptions()
	opts.AllowPrivate = false
	c := New(nil, nil, opts)
	_, port, err := net.SplitHostPort(l.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "localhost", "[::1]", "0.0.0.0", "[::ffff:127.0.0.1]"} {
		u := "http://" + host + ":" + port + "/ok"
		st, result := c.Check(context.Background(), u)
		if result != ResultRefused || st.Answered || !strings.Contains(st.Error, "refused to connect") {
			t.Errorf("Check(%s) = %s, %q; want refused", u, result, st.Error)
		}
	}
	if n := l.total(); n != 0 {
		t.Errorf("the loopback server got %d requests, want none", n)
	}
	opts.AllowPrivate = true
	if _, result := New(nil, nil, opts).Check(context.Background(), l.URL+"/ok"); result != ResultAnswered {
		t.Errorf("with AllowPrivate the same URL = %s, want answered", result)
	}
}

func TestPerHostRateLimit(t *testing.T) {
	l := newLinks(t)
	st := openStore(t)
	const n = 6
	const interval = 60 * time.Millisecond
	var recs []catalog.Dataset
	for i := 0; i < n; i++ {
		recs = append(recs, dataset(fmt.Sprintf("https://data.example/ds/%d", i), []string{fmt.Sprintf("%s/host/%d", l.URL, i)}, nil))
	}
	putRecords(t, st, recs...)
	opts := testOptions()
	opts.PerHostInterval = interval
	opts.Concurrency = 8
	c := New(st, nil, opts)
	start := time.Now()
	sum, err := c.Pass(context.Background())
	took := time.Since(start)
	if err != nil || sum.Checked != n {
		t.Fatalf("Pass = %+v, %v; want %d checked", sum, err, n)
	}
	if min := (n - 1) * interval; took < min {
		t.Errorf("%d requests to one host took %s, want at least %s at one per %s", n, took, min, interval)
	}
	if m := l.most.Load(); m != 1 {
		t.Errorf("the host had %d requests at once, want 1", m)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.times) != n {
		t.Errorf("%d requests, want %d", len(l.times), n)
	}
}

// TestHostLimits: the token bucket of a host, on a clock the test moves.
func TestHostLimits(t *testing.T) {
	now := time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)
	l := newHostLimits(2*time.Second, func() time.Time { return now })
	for i, want := range []time.Duration{0, 2 * time.Second, 4 * time.Second} {
		if got := l.reserve("data.example"); got != want {
			t.Errorf("reserve #%d = %s, want %s", i+1, got, want)
		}
	}
	if got := l.reserve("other.example"); got != 0 {
		t.Errorf("another host waits %s, want 0", got)
	}
	now = now.Add(5 * time.Second)
	if got := l.reserve("data.example"); got != time.Second {
		t.Errorf("after 5 s, reserve = %s, want 1 s (the third slot ends at 6 s)", got)
	}
	now = now.Add(time.Minute)
	if got := l.reserve("data.example"); got != 0 {
		t.Errorf("after a minute idle, reserve = %s, want 0: one token, no burst saved up", got)
	}
	if got := l.reserve("data.example"); got != 2*time.Second {
		t.Errorf("right after, reserve = %s, want 2 s", got)
	}
	l.hold("data.example", time.Minute)
	if got := l.readyAt("data.example"); !got.Equal(now.Add(time.Minute)) {
		t.Errorf("readyAt after hold = %v, want a minute on", got)
	}
	// Hosts whose bucket is full again are forgotten.
	for i := 0; i < 3000; i++ {
		l.reserve(fmt.Sprintf("h%d.example", i))
		now = now.Add(10 * time.Second)
	}
	if len(l.next) > 2048 {
		t.Errorf("%d hosts remembered, want the idle ones forgotten", len(l.next))
	}
}

// TestPass: a pass over a real store checks each URL once, stores what it
// found, and re-scores the records, whose reachability checks then say
// passed or failed, not "not checked", with a new change sequence number
// and no new version.
func TestPass(t *testing.T) {
	ctx := context.Background()
	l := newLinks(t)
	st := openStore(t)
	a := dataset("https://data.example/ds/a", []string{l.URL + "/ok"}, []string{l.URL + "/missing"})
	b := dataset("https://data.example/ds/b", []string{l.URL + "/nohead"}, nil)
	svc := catalog.Dataset{IRI: "https://data.example/api", Kind: catalog.KindDataService,
		Title: catalog.Text{"en": {"API"}}, EndpointURLs: []string{l.URL + "/ok"}}
	ftp := dataset("https://data.example/ds/ftp", []string{"ftp://ftp.example.org/data.csv"}, nil)
	none := catalog.Dataset{IRI: "https://data.example/ds/none", Title: catalog.Text{"en": {"No links"}}}
	putRecords(t, st, a, b, svc, ftp, none)
	before := map[string]catalog.Dataset{}
	for _, r := range []catalog.Dataset{a, b, svc, ftp, none} {
		before[r.IRI] = mustDataset(t, st, r.IRI)
		if c := check(before[r.IRI], "accessUrlStatusCode"); r.IRI != none.IRI && c.Note != catalog.NoteNotChecked {
			t.Fatalf("%s before the pass: accessUrlStatusCode %+v, want not checked", r.IRI, c)
		}
	}

	reg := prometheus.NewRegistry()
	opts := testOptions()
	opts.Registerer = reg
	var progressed atomic.Int32
	opts.Progress = func(Summary) { progressed.Add(1) }
	c := New(st, nil, opts)
	sum, err := c.Pass(ctx)
	if err != nil {
		t.Fatalf("Pass = %v", err)
	}
	if sum.Records != 5 || sum.Checked != 4 || sum.Answered != 2 || sum.Failed != 2 || sum.Rescored != 4 || sum.Deferred != 0 {
		t.Errorf("Pass = %+v; want 5 records, 4 URLs checked, 2 answered, 2 failed, 4 records re-scored", sum)
	}
	if sum.Results[ResultAnswered] != 2 || sum.Results[ResultHTTPError] != 1 || sum.Results[ResultInvalid] != 1 {
		t.Errorf("Pass results = %v", sum.Results)
	}
	if n := l.count("HEAD /ok"); n != 1 {
		t.Errorf("/ok, the URL of two records, was asked %d times, want once", n)
	}
	if progressed.Load() == 0 {
		t.Errorf("Progress was never called")
	}

	statuses, err := st.LinkStatuses(ctx, []string{l.URL + "/ok", l.URL + "/missing", l.URL + "/nohead", "ftp://ftp.example.org/data.csv"})
	if err != nil || len(statuses) != 4 {
		t.Fatalf("stored statuses = %v, %v; want 4", statuses, err)
	}
	if s := statuses[l.URL+"/missing"]; s.Answered || s.Status != 404 || s.Error == "" {
		t.Errorf("stored status of /missing = %+v", s)
	}

	after := func(iri string) catalog.Dataset { return mustDataset(t, st, iri) }
	da := after(a.IRI)
	if c := check(da, "accessUrlStatusCode"); !c.Passed {
		t.Errorf("a: accessUrlStatusCode = %+v, want passed", c)
	}
	if c := check(da, "downloadUrlStatusCode"); c.Passed || c.Note != catalog.NoteNoAnswer {
		t.Errorf("a: downloadUrlStatusCode = %+v, want failed: no answer", c)
	}
	if da.Quality.Unchecked != 0 || da.Quality.Score != before[a.IRI].Quality.Score+50 {
		t.Errorf("a: score %d (unchecked %d), want %d + 50, none unchecked", da.Quality.Score, da.Quality.Unchecked, before[a.IRI].Quality.Score)
	}
	if c := check(after(b.IRI), "accessUrlStatusCode"); !c.Passed {
		t.Errorf("b (HEAD refused, GET answered): accessUrlStatusCode = %+v, want passed", c)
	}
	if c := check(after(svc.IRI), "accessUrlStatusCode"); !c.Passed {
		t.Errorf("data service: endpoint check = %+v, want passed", c)
	}
	if c := check(after(ftp.IRI), "accessUrlStatusCode"); c.Passed || c.Note != catalog.NoteNoAnswer {
		t.Errorf("ftp: accessUrlStatusCode = %+v, want failed: no answer", c)
	}
	for _, iri := range []string{a.IRI, b.IRI, svc.IRI, ftp.IRI} {
		d := after(iri)
		if d.Seq <= before[iri].Seq {
			t.Errorf("%s: seq %d after the pass, want more than %d", iri, d.Seq, before[iri].Seq)
		}
		if h, err := st.History(ctx, iri); err != nil || len(h) != 0 {
			t.Errorf("%s: %d versions in history (%v), want none", iri, len(h), err)
		}
	}
	if d := after(none.IRI); d.Seq != before[none.IRI].Seq {
		t.Errorf("a record without links was rewritten: seq %d, want %d", d.Seq, before[none.IRI].Seq)
	}

	got := gather(t, reg)
	for name, want := range map[string]float64{
		`samband_linkcheck_checks_total{result="answered"}`:   2,
		`samband_linkcheck_checks_total{result="http_error"}`: 1,
		`samband_linkcheck_checks_total{result="invalid"}`:    1,
		`samband_linkcheck_check_duration_seconds`:            4, // observations
		`samband_linkcheck_urls_due`:                          0,
		`samband_linkcheck_passes_total{status="complete"}`:   1,
		`samband_linkcheck_records_rescored_total`:            4,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("metric %s = %v (exported: %v), want %v", name, v, ok, want)
		}
	}

	// At once again: nothing is due, nothing changes.
	hits := l.total()
	sum, err = c.Pass(ctx)
	if err != nil || sum.Checked != 0 || sum.Fresh != 4 || sum.Rescored != 0 {
		t.Errorf("second Pass = %+v, %v; want nothing checked, the 4 URLs fresh, nothing re-scored", sum, err)
	}
	if l.total() != hits {
		t.Errorf("second pass made %d requests, want none", l.total()-hits)
	}
	if d := after(a.IRI); d.Seq != da.Seq {
		t.Errorf("second pass rewrote a record: seq %d, want %d", d.Seq, da.Seq)
	}
}

// TestPassRecheck: URLs are checked again after RecheckAfter, those that
// did not answer after a day; a URL that starts answering lifts the score.
func TestPassRecheck(t *testing.T) {
	ctx := context.Background()
	l := newLinks(t)
	st := openStore(t)
	rec := dataset("https://data.example/ds/a", []string{l.URL + "/ok"}, []string{l.URL + "/missing"})
	putRecords(t, st, rec)
	var offset atomic.Int64
	opts := testOptions()
	opts.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	c := New(st, nil, opts)
	if sum, err := c.Pass(ctx); err != nil || sum.Checked != 2 {
		t.Fatalf("first Pass = %+v, %v", sum, err)
	}
	offset.Store(int64(25 * time.Hour))
	sum, err := c.Pass(ctx)
	if err != nil || sum.Checked != 1 || sum.Fresh != 1 || l.count("HEAD /missing") != 2 || l.count("HEAD /ok") != 1 {
		t.Errorf("Pass a day later = %+v, %v; want only the failed URL checked again", sum, err)
	}
	offset.Store(int64(8 * 24 * time.Hour))
	if sum, err := c.Pass(ctx); err != nil || sum.Checked != 2 {
		t.Errorf("Pass 8 days later = %+v, %v; want both checked again", sum, err)
	}

	// Force checks again at once; a pass never checks a URL twice.
	opts.Force = true
	if sum, err := New(st, nil, opts).Pass(ctx); err != nil || sum.Checked != 2 || l.count("HEAD /ok") != 3 {
		t.Errorf("forced Pass = %+v, %v; want both checked again, once each", sum, err)
	}
}

func TestPassThrottledAndDeferred(t *testing.T) {
	ctx := context.Background()
	l := newLinks(t)
	st := openStore(t)
	var recs []catalog.Dataset
	for i := 0; i < 10; i++ {
		recs = append(recs, dataset(fmt.Sprintf("https://data.example/ds/%d", i), []string{fmt.Sprintf("%s/host/%d", l.URL, i)}, nil))
	}
	recs = append(recs, dataset("https://data.example/ds/throttled", []string{
		strings.Replace(l.URL, "127.0.0.1", "localhost", 1) + "/throttle"}, nil))
	putRecords(t, st, recs...)
	opts := testOptions()
	// Slow enough that the walk queues all ten URLs long before the host
	// may be asked a second time.
	opts.PerHostInterval = 200 * time.Millisecond
	c := New(st, nil, opts)
	c.hostDrain = time.Millisecond // a host's queue holds minHostQueue URLs
	sum, err := c.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Throttled != 1 || sum.Deferred == 0 || sum.Checked+sum.Deferred != 10 || sum.Due != 11 {
		t.Errorf("Pass = %+v; want 1 throttled, the rest checked or deferred", sum)
	}
	got, err := st.LinkStatuses(ctx, []string{strings.Replace(l.URL, "127.0.0.1", "localhost", 1) + "/throttle"})
	if err != nil || len(got) != 0 {
		t.Errorf("a throttled URL's status was stored: %v, %v", got, err)
	}
	var m dto.Metric
	if err := c.metrics.due.Write(&m); err != nil || m.GetGauge().GetValue() != float64(sum.Deferred+sum.Throttled) {
		t.Errorf("urls_due = %v after the pass, want the %d left for later", m.GetGauge().GetValue(), sum.Deferred+sum.Throttled)
	}
}

// TestPassCancelled: a pass stops when its context ends, stores no
// verdict for the checks it cut short, and re-scores nothing.
func TestPassCancelled(t *testing.T) {
	l := newLinks(t)
	st := openStore(t)
	putRecords(t, st, dataset("https://data.example/ds/slow", []string{l.URL + "/slow"}, nil))
	opts := testOptions()
	opts.Timeout = 10 * time.Second
	c := New(st, nil, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Pass(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled Pass = %v after %s, want the context's error at once", err, time.Since(start))
	}
	if got, _ := st.LinkStatuses(context.Background(), []string{l.URL + "/slow"}); len(got) != 0 {
		t.Errorf("a check cut short was stored: %v", got)
	}
}

// TestRun: Run makes a pass at once and stops when its context ends.
func TestRun(t *testing.T) {
	l := newLinks(t)
	st := openStore(t)
	putRecords(t, st, dataset("https://data.example/ds/a", []string{l.URL + "/ok"}, nil))
	c := New(st, nil, testOptions())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.Run(ctx)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for l.count("HEAD /ok") == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if l.count("HEAD /ok") != 1 {
		t.Errorf("Run checked /ok %d times, want once", l.count("HEAD /ok"))
	}
}

// openStore opens a SQLite store in a file of the test's own.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// dataset returns a record with one distribution of the given URLs.
func dataset(iri string, access, download []string) catalog.Dataset {
	return catalog.Dataset{
		IRI:           iri,
		Kind:          catalog.KindDataset,
		Title:         catalog.Text{"nb": {"Datasett " + iri}},
		Description:   catalog.Text{"nb": {"Testdata"}},
		Distributions: []catalog.Distribution{{AccessURLs: access, DownloadURLs: download, Format: "CSV", FormatEU: "CSV"}},
	}
}

// putRecords stores recs as one complete harvest run would, scored as a
// harvest scores them before any link was checked.
func putRecords(t *testing.T, st *sqlite.Store, recs ...catalog.Dataset) {
	t.Helper()
	ctx := context.Background()
	if err := st.UpsertSource(ctx, catalog.Source{Name: "test", Kind: "dcat", URL: "https://data.example/catalog"}); err != nil {
		t.Fatal(err)
	}
	run, err := st.StartRun(ctx, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		q := catalog.Score(r)
		r.Quality = &q
		r.Sources = []catalog.SourceRecord{{Source: "test", Hash: "hash of " + r.IRI}}
		if _, err := st.Put(ctx, run, r, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete}); err != nil {
		t.Fatal(err)
	}
}

func mustDataset(t *testing.T, st *sqlite.Store, iri string) catalog.Dataset {
	t.Helper()
	d, err := st.Dataset(context.Background(), iri)
	if err != nil {
		t.Fatal(err)
	}
	if d.Quality == nil {
		t.Fatalf("%s has no quality", iri)
	}
	return d
}

// gather returns the values of reg's metrics by name and labels; a
// histogram's value is its count of observations.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[name] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[name] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[name] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// check returns the quality check of d with the given id.
func check(d catalog.Dataset, id string) catalog.Check {
	for _, c := range d.Quality.Checks {
		if c.ID == id {
			return c
		}
	}
	return catalog.Check{}
}
