package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog/sqlite"
	"samband/exchange/trust"
	"samband/exchange/trust/trusttest"
)

// readyAnswer is what /readyz answers: the 200 body or the 503 problem.
type readyAnswer struct {
	code        int
	contentType string
	raw         string

	Status  any               `json:"status"` // "ready" in a 200, 503 in a problem
	Checks  map[string]string `json:"checks"`
	Type    string            `json:"type"`
	Detail  string            `json:"detail"`
	Failing []string          `json:"failing"`
}

func getReady(t *testing.T, base string) readyAnswer {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := readyAnswer{code: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), raw: string(raw)}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("GET /readyz = %d %s: %v", resp.StatusCode, raw, err)
	}
	return a
}

// isReady checks a 200 answer of status with the checks want.
func (a readyAnswer) isReady(t *testing.T, status string, want map[string]string) {
	t.Helper()
	if a.code != http.StatusOK || a.contentType != "application/json" || a.Status != status || !equalChecks(a.Checks, want) {
		t.Errorf("GET /readyz = %d %s %s\nwant 200 with status %q and checks %v", a.code, a.contentType, a.raw, status, want)
	}
}

// isNotReady checks a 503 problem naming the failing checks, with the
// checks want.
func (a readyAnswer) isNotReady(t *testing.T, failing []string, want map[string]string) {
	t.Helper()
	named := true
	for _, name := range failing {
		named = named && strings.Contains(a.Detail, name+" "+want[name])
	}
	if a.code != http.StatusServiceUnavailable || a.contentType != "application/problem+json" || a.Status != 503.0 ||
		a.Type != "urn:samband:problem:not-ready" || !slices.Equal(a.Failing, failing) || !named || !equalChecks(a.Checks, want) {
		t.Errorf("GET /readyz = %d %s %s\nwant a 503 not-ready problem naming %v in failing and detail, with checks %v",
			a.code, a.contentType, a.raw, failing, want)
	}
}

func equalChecks(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// waitReady polls /readyz until ok says its answer is the one awaited,
// for at most 10 s, and returns that answer.
func waitReady(t *testing.T, base, what string, ok func(readyAnswer) bool) readyAnswer {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := getReady(t, base)
		if ok(a) {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /readyz: no %s within 10 s; last answer %d %s", what, a.code, a.raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readyServer serves the API over a real store in a temporary file;
// configure may set the audit log and the exchange before the routes are
// built.
func readyServer(t *testing.T, configure func(*server)) (string, *server) {
	t.Helper()
	reg := prometheus.NewRegistry()
	s := newServer(openStore(t, "samband.db"), slog.New(slog.DiscardHandler), reg)
	if configure != nil {
		configure(s)
	}
	srv := httptest.NewServer(s.routes(reg))
	t.Cleanup(srv.Close)
	return srv.URL, s
}

// openTrust opens a trust registry of parties whose key set may be at
// keys: its sets are fetched in the background, retried every 20 ms.
func openTrust(t *testing.T, keys string, parties ...trust.PartyConfig) *trust.Registry {
	t.Helper()
	cfg := trust.Config{Parties: parties, AllowPrivate: true, FirstFetch: trust.FirstFetchBackground, Retry: 20 * time.Millisecond}
	if keys != "" {
		cfg.JWKSAllow = []string{keys + "/keys/"}
	}
	tr, err := trust.Open(context.Background(), cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// inlineAuthority is a party whose keys are in the configuration.
func inlineAuthority(t *testing.T) trust.PartyConfig {
	return trust.PartyConfig{ID: "SE/2021005448", Kind: trust.Authority, Scheme: "SE:ORGNR",
		JWKS: string(jwks(t, newECSigner(t, "se-1")))}
}

// TestReadyzReady: with the store, the audit log and the exchange's trust
// registry working, /readyz answers 200 ready with every check ok; with
// the audit log and the exchange off it says so, and is ready; /healthz
// stays liveness.
func TestReadyzReady(t *testing.T) {
	a := openTestAudit(t)
	tr := openTrust(t, "", inlineAuthority(t))
	if _, err := a.log.Append(context.Background(), decision(0, subjectFor(t, "NO", noKari), "")); err != nil {
		t.Fatal(err)
	}
	base, _ := readyServer(t, func(s *server) {
		s.audit, s.auditKey = a.log, a.vkey
		s.exchange = &exchangeSide{trust: tr}
	})
	getReady(t, base).isReady(t, "ready", map[string]string{"serving": "ok", "store": "ok", "audit": "ok", "trust": "ok"})

	base, _ = readyServer(t, nil)
	getReady(t, base).isReady(t, "ready", map[string]string{"serving": "ok", "store": "ok", "audit": "off", "trust": "off"})
	var h map[string]string
	getJSON(t, base+"/healthz", 200, &h)
	if h["status"] != "ok" {
		t.Errorf("GET /healthz = %v, want status ok", h)
	}
}

// TestReadyzAuditCommitFails: while the audit log cannot store its
// entries (a real SQLite failure of the applier's transaction: a trigger,
// added through a connection of the test's own, aborts every insert of an
// entry), appends go on, durable in the log's journal, and /readyz
// answers 503 naming the audit log; once the journal is full the appends
// fail too. Once the trigger is gone the applier catches up, but the
// failed commits' state lasts until a commit succeeds: after
// auditFailHold the gateway is degraded, and once an append succeeds, it
// is ready again.
func TestReadyzAuditCommitFails(t *testing.T) {
	ctx := context.Background()
	a := openTestAudit(t)
	var later atomic.Int64 // how far the probe's clock is ahead
	base, _ := readyServer(t, func(s *server) {
		s.audit, s.auditKey = a.log, a.vkey
		s.now = func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
	})
	ready := map[string]string{"serving": "ok", "store": "ok", "audit": "ok", "trust": "off"}
	getReady(t, base).isReady(t, "ready", ready)

	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: a.path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER readyz_test_fail BEFORE INSERT ON audit_entries
		BEGIN SELECT RAISE(ABORT, 'disk failing (readyz test)'); END`); err != nil {
		t.Fatal(err)
	}
	subject := subjectFor(t, "NO", noKari)
	if _, err := a.log.Append(ctx, decision(0, subject, "")); err != nil {
		t.Fatalf("Append with the trigger = %v, want it durable in the journal", err)
	}
	failing := map[string]string{"serving": "ok", "store": "ok", "audit": "failing", "trust": "off"}
	waitReady(t, base, "503 for the failing store", func(a readyAnswer) bool { return a.code == http.StatusServiceUnavailable }).
		isNotReady(t, []string{"audit"}, failing)
	var appendErr error
	for i := 0; i < 10_000 && appendErr == nil; i++ {
		_, appendErr = a.log.Append(ctx, decision(0, subject, ""))
	}
	if appendErr == nil || !strings.Contains(appendErr.Error(), "journal is full") || !strings.Contains(appendErr.Error(), "disk failing") {
		t.Fatalf("Append with the trigger, the journal filling = %v, want the journal is full, and the trigger's abort", appendErr)
	}

	if _, err := db.ExecContext(ctx, `DROP TRIGGER readyz_test_fail`); err != nil {
		t.Fatal(err)
	}
	// The applier catches up on its own, but the failed state lasts until
	// a commit succeeds, and an unready gateway gets no requests to
	// append: after auditFailHold it is degraded and takes requests again.
	size := a.log.Size()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := a.log.InclusionProof(ctx, size-1, size); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("10 s after the trigger went, the log's last entry: %v", err)
		}
	}
	getReady(t, base).isNotReady(t, []string{"audit"}, failing)
	later.Store(int64(auditFailHold + 2*time.Second))
	if a := getReady(t, base); a.code != http.StatusOK || a.Status != "degraded" ||
		!strings.HasPrefix(a.Checks["audit"], "degraded: the last commit failed 1") || !strings.Contains(a.Checks["audit"], "s ago; taking requests again") {
		t.Errorf("GET /readyz %v after the failed commit = %d %s; want 200 degraded, the audit log's commit failed some 12s ago", auditFailHold+2*time.Second, a.code, a.raw)
	}
	later.Store(0)
	if _, err := a.log.Append(ctx, decision(0, subject, "")); err != nil {
		t.Fatalf("Append once the trigger is gone: %v", err)
	}
	getReady(t, base).isReady(t, "ready", ready)
}

// TestReadyzTrustDegraded: a party whose key server is down at start (the
// trust registry's background first fetch) makes the gateway degraded, not
// unready: 200, naming the party; once its set is fetched, trust is ok.
func TestReadyzTrustDegraded(t *testing.T) {
	keys := trusttest.NewKeyServer(t, jwks(t, newECSigner(t, "no-1")))
	keys.Down.Store(true)
	tr := openTrust(t, keys.URL, inlineAuthority(t),
		trust.PartyConfig{ID: "NO/991825827", Kind: trust.Gateway, Scheme: "NO:ORGNR", BaseURL: "https://samband.example.no",
			JWKSURL: keys.URL + "/keys/no.json"})
	a := openTestAudit(t)
	base, _ := readyServer(t, func(s *server) {
		s.audit, s.auditKey = a.log, a.vkey
		s.exchange = &exchangeSide{trust: tr}
	})
	getReady(t, base).isReady(t, "degraded",
		map[string]string{"serving": "ok", "store": "ok", "audit": "ok", "trust": "degraded: no keys yet for NO/991825827"})

	keys.Down.Store(false)
	waitReady(t, base, "trust ok once the key server is up", func(a readyAnswer) bool { return a.Checks["trust"] == "ok" }).
		isReady(t, "ready", map[string]string{"serving": "ok", "store": "ok", "audit": "ok", "trust": "ok"})
}

// TestReadyzShutdown: once serve is told to stop, /readyz answers 503
// (serving: stopping) while the gateway still takes requests for
// shutdown_delay, so that a load balancer drains it; then serve stops.
func TestReadyzShutdown(t *testing.T) {
	base, cancel, done, logs := serveDraining(t, "3s")
	getReady(t, base).isReady(t, "ready", map[string]string{"serving": "ok", "store": "ok", "audit": "off", "trust": "off"})

	cancel()
	waitReady(t, base, "503 once shutdown has begun", func(a readyAnswer) bool { return a.code != http.StatusOK }).
		isNotReady(t, []string{"serving"}, map[string]string{"serving": "stopping", "store": "ok", "audit": "off", "trust": "off"})
	var h map[string]string
	getJSON(t, base+"/healthz", 200, &h) // still taking requests while draining
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve = %v, want nil after draining", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s")
	}
	if l := logs.String(); !strings.Contains(l, "gateway draining") || !strings.Contains(l, "shutdown_delay=3s") {
		t.Errorf("log = %s\nwant the drain announced with its delay", l)
	}
}

// serveDraining runs serve on a fresh store with shutdown_delay set to
// delay; it returns what serveInTest does and serve's log.
func serveDraining(t *testing.T, delay string) (base string, stop context.CancelFunc, done <-chan error, logs *syncBuffer) {
	t.Helper()
	cfg, err := parseConfig([]byte("db: "+filepath.Join(t.TempDir(), "samband.db")+"\nshutdown_delay: "+delay+"\n"), "readyz", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	logs = &syncBuffer{}
	base, stop, done, err = serveInTest(t, cfg, logs)
	if err != nil {
		t.Fatalf("serve = %v before listening", err)
	}
	return base, stop, done, logs
}

// TestShutdownSecondSignal: while serve drains (a minute's
// shutdown_delay), a second interrupt ends the drain and serve stops at
// once.
func TestShutdownSecondSignal(t *testing.T) {
	base, cancel, done, logs := serveDraining(t, "1m")
	cancel() // the first signal
	waitReady(t, base, "503 once shutdown has begun", func(a readyAnswer) bool { return a.code != http.StatusOK })
	// serve listens for the second signal before /readyz says 503, so the
	// interrupt reaches it, not the test process's default action.
	start := time.Now()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve = %v, want nil", err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("serve stopped %v after the second signal", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of the second signal (its drain is a minute)")
	}
	if l := logs.String(); !strings.Contains(l, "draining cut short") {
		t.Errorf("log = %s\nwant the drain cut short", l)
	}
}

// wedgedStore is the real store whose Ping blocks until release is closed,
// as a read does on a disk that stopped answering (which real parts cannot
// make happen in a test); it counts the Pings under way.
type wedgedStore struct {
	*sqlite.Store
	release chan struct{}
	inside  atomic.Int32
	most    atomic.Int32
}

func (w *wedgedStore) Ping(ctx context.Context) error {
	n := w.inside.Add(1)
	defer w.inside.Add(-1)
	for m := w.most.Load(); n > m && !w.most.CompareAndSwap(m, n); m = w.most.Load() {
	}
	<-w.release
	return w.Store.Ping(ctx)
}

// TestReadyzStoreWedged: a store read that does not return makes /readyz
// answer 503 "store timeout" within about a second, not hang; probes while
// reads are stuck start no more than maxPings of them; once the disk
// answers, the gateway is ready again.
func TestReadyzStoreWedged(t *testing.T) {
	st := &wedgedStore{Store: openStore(t, "samband.db"), release: make(chan struct{})}
	reg := prometheus.NewRegistry()
	s := newServer(st, slog.New(slog.DiscardHandler), reg)
	srv := httptest.NewServer(s.routes(reg))
	t.Cleanup(srv.Close)

	start := time.Now()
	getReady(t, srv.URL).isNotReady(t, []string{"store"}, map[string]string{"serving": "ok", "store": "timeout", "audit": "off", "trust": "off"})
	if d := time.Since(start); d > readyTimeout+2*time.Second {
		t.Errorf("a probe of a wedged store took %v", d)
	}
	var wg sync.WaitGroup
	for range 3 * maxPings {
		wg.Go(func() {
			if a := getReady(t, srv.URL); a.code != http.StatusServiceUnavailable || a.Checks["store"] != "timeout" {
				t.Errorf("a probe while the store is wedged: %d %s", a.code, a.raw)
			}
		})
	}
	wg.Wait()
	if most := st.most.Load(); most > maxPings {
		t.Errorf("%d store reads were under way at once; want at most %d", most, maxPings)
	}
	close(st.release)
	waitReady(t, srv.URL, "answer ready once the store answers", func(a readyAnswer) bool { return a.code == http.StatusOK })
}
