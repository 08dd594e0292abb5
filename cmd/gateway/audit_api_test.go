package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"samband/exchange/audit"
	"samband/policies"
)

// testAudit is a real audit log in a temporary file, with its keys.
type testAudit struct {
	log      *audit.Log
	path     string // the log's SQLite file
	vkey     string
	verifier note.Verifier
}

func openTestAudit(t *testing.T) testAudit {
	t.Helper()
	skey, vkey, err := audit.GenerateKey("samband.test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "samband.db.audit")
	l, err := audit.Open(context.Background(), path, signer, verifier)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return testAudit{log: l, path: path, vkey: vkey, verifier: verifier}
}

// auditTestServer serves the routes with the log a (none: nil), the
// subject key of the consent tests and the embargo rules; configure may
// set more before the routes are built. It returns the base URL and the
// server.
func auditTestServer(t *testing.T, a *testAudit, embargo []EmbargoConfig, configure func(*server)) (string, *server) {
	t.Helper()
	reg := prometheus.NewRegistry()
	s := newServer(nil, slog.New(slog.DiscardHandler), reg)
	s.registry = &registryAPI{key: apiTestKey}
	s.embargo = embargo
	if a != nil {
		s.audit, s.auditKey = a.log, a.vkey
	}
	if configure != nil {
		configure(s)
	}
	srv := httptest.NewServer(s.routes(reg))
	t.Cleanup(srv.Close)
	return srv.URL, s
}

// decision is an entry of the tests: entry i, naming subject and
// representative.
func decision(i int, subject, representative policies.Subject) audit.Entry {
	return audit.Entry{
		Time:           time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		RequestID:      "req-" + strconv.Itoa(i),
		Requester:      "SE:202100-3484",
		Service:        "https://data.example.no/service/population",
		Purpose:        "inheritance-settlement",
		LegalBasis:     "EU 650/2012 art. 66",
		Decision:       "permit",
		Rule:           "policy-1#permission-0",
		Subject:        subject,
		Representative: representative,
		Status:         200,
		ReceiptHash:    tlog.RecordHash([]byte{byte(i)}),
	}
}

// auditGet GETs u with header h and decodes a 200 answer into v; it
// returns the status and the body.
func auditGet(t *testing.T, u string, h http.Header, v any) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("GET %s: %v in %s", u, err, raw)
		}
	}
	return resp.StatusCode, raw
}

// openCheckpoint checks a checkpoint answer: its note verifies with its
// verifier key, which is want's, and says its size and root.
func openCheckpoint(t *testing.T, cp checkpointView, want string) tlog.Tree {
	t.Helper()
	if cp.VerifierKey != want {
		t.Fatalf("verifier_key = %q, want %q", cp.VerifierKey, want)
	}
	v, err := note.NewVerifier(cp.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Open([]byte(cp.Checkpoint), note.VerifierList(v))
	if err != nil {
		t.Fatalf("the checkpoint does not verify: %v", err)
	}
	tree, err := tlog.ParseTree([]byte(msg.Text))
	if err != nil {
		t.Fatal(err)
	}
	if tree.N != cp.Size || tree.Hash.String() != cp.Root {
		t.Fatalf("checkpoint says size %d root %s; the answer %d %s", tree.N, tree.Hash, cp.Size, cp.Root)
	}
	return tree
}

func parseHash(t *testing.T, s string) tlog.Hash {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		t.Fatalf("hash %q: %v", s, err)
	}
	return tlog.Hash(b)
}

func parseProof(t *testing.T, ss []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		out[i] = parseHash(t, s)
	}
	return out
}

type inclusionAnswer struct {
	Index    int64           `json:"index"`
	Size     int64           `json:"size"`
	LeafHash string          `json:"leaf_hash"`
	Entry    *map[string]any `json:"entry"`
	Proof    []string        `json:"proof"`
}

func TestAuditRoutes(t *testing.T) {
	ctx := context.Background()
	a := openTestAudit(t)
	kari, sven := subjectFor(t, "NO", noKari), subjectFor(t, "SE", seSven)
	for i := range 37 {
		if _, err := a.log.Append(ctx, decision(i, kari, "")); err != nil {
			t.Fatal(err)
		}
	}
	oldSigned, oldSize, err := a.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 37; i < 57; i++ {
		e := decision(i, sven, kari)
		if i == 50 {
			e.Purpose = "criminal-investigation"
		}
		if _, err := a.log.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := a.log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	embargo := []EmbargoConfig{{Purpose: "criminal-investigation", For: Duration(365 * 24 * time.Hour)}}
	base, s := auditTestServer(t, &a, embargo, nil)
	s.now = func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }

	// The checkpoint, as JSON and as the note alone.
	var cp checkpointView
	if code, raw := auditGet(t, base+"/api/v1/audit/checkpoint", nil, &cp); code != 200 {
		t.Fatalf("GET checkpoint = %d %s", code, raw)
	}
	tree := openCheckpoint(t, cp, a.vkey)
	if tree.N != 57 {
		t.Fatalf("checkpoint size %d, want 57", tree.N)
	}
	code, raw := auditGet(t, base+"/api/v1/audit/checkpoint", http.Header{"Accept": {"text/plain"}}, nil)
	if code != 200 || string(raw) != cp.Checkpoint {
		t.Errorf("GET checkpoint as text/plain = %d %q, want the note", code, raw)
	}
	if code, raw := auditGet(t, base+"/api/v1/audit/checkpoint", http.Header{"Accept": {"text/plain;q=0.5, application/json"}}, nil); code != 200 || !strings.HasPrefix(string(raw), "{") {
		t.Errorf("GET checkpoint preferring JSON = %d %q", code, raw)
	}

	// Inclusion proofs against the latest checkpoint (by default) and an
	// older one.
	oldTree := a.tree(t, oldSigned)
	if oldTree.N != oldSize {
		t.Fatalf("old checkpoint size %d, want %d", oldTree.N, oldSize)
	}
	for _, tc := range []struct {
		index int64
		size  string
		tree  tlog.Tree
	}{{0, "", tree}, {36, "", tree}, {56, "", tree}, {5, "37", oldTree}, {36, "37", oldTree}} {
		u := base + "/api/v1/audit/proof/inclusion?index=" + strconv.FormatInt(tc.index, 10)
		if tc.size != "" {
			u += "&size=" + tc.size
		}
		var ans inclusionAnswer
		if code, raw := auditGet(t, u, nil, &ans); code != 200 {
			t.Fatalf("GET %s = %d %s", u, code, raw)
		}
		e, err := a.log.Entry(ctx, tc.index)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := e.Hash()
		leaf := parseHash(t, ans.LeafHash)
		if leaf != want || ans.Index != tc.index || ans.Size != tc.tree.N {
			t.Errorf("GET %s: index %d size %d leaf %s; want %d %d %s", u, ans.Index, ans.Size, leaf, tc.index, tc.tree.N, want)
		}
		if err := tlog.CheckRecord(parseProof(t, ans.Proof), tc.tree.N, tc.tree.Hash, tc.index, leaf); err != nil {
			t.Errorf("GET %s: the proof does not check against the checkpoint: %v", u, err)
		}
		if err := tlog.CheckRecord(parseProof(t, ans.Proof), tc.tree.N, tc.tree.Hash, tc.index+1, leaf); err == nil && tc.index+1 < tc.tree.N {
			t.Errorf("GET %s: the proof checks for another index too", u)
		}
		if ans.Entry == nil {
			t.Fatalf("GET %s: no entry", u)
		}
		got := *ans.Entry
		if got["request_id"] != e.RequestID || got["subject"] != string(e.Subject[:12]) || got["purpose"] != e.Purpose ||
			got["receipt_hash"] != e.ReceiptHash.String() || got["status"] != float64(200) {
			t.Errorf("GET %s: entry %v, want %+v with the subject shortened", u, got, e)
		}
		if _, ok := got["representative"]; ok != (e.Representative != "") {
			t.Errorf("GET %s: representative %v", u, got["representative"])
		}
		if strings.Contains(mustJSON(t, got), string(e.Subject)) {
			t.Errorf("GET %s: the whole subject hash is shown", u)
		}
	}
	// An entry under embargo: its proof, not its content.
	var hidden inclusionAnswer
	if code, raw := auditGet(t, base+"/api/v1/audit/proof/inclusion?index=50", nil, &hidden); code != 200 || hidden.Entry != nil || hidden.LeafHash == "" {
		t.Errorf("inclusion of an embargoed entry = %d %s, want the proof without the entry", code, raw)
	}

	// A consistency proof between the two checkpoints.
	var cons struct {
		Old, New int64
		Proof    []string
	}
	if code, raw := auditGet(t, base+"/api/v1/audit/proof/consistency?old=37", nil, &cons); code != 200 {
		t.Fatalf("GET consistency = %d %s", code, raw)
	}
	if cons.Old != 37 || cons.New != 57 {
		t.Errorf("consistency old %d new %d, want 37, 57", cons.Old, cons.New)
	}
	if err := tlog.CheckTree(parseProof(t, cons.Proof), tree.N, tree.Hash, oldTree.N, oldTree.Hash); err != nil {
		t.Errorf("CheckTree: %v", err)
	}
	if err := tlog.CheckTree(parseProof(t, cons.Proof), tree.N, tree.Hash, oldTree.N, tree.Hash); err == nil {
		t.Error("the consistency proof checks against a wrong old root")
	}

	// Bad parameters.
	for _, tc := range []struct {
		query  string
		status int
		detail string
	}{
		{"inclusion", 400, "index: required"},
		{"inclusion?index=abc", 400, "index="},
		{"inclusion?index=-1", 400, "index="},
		{"inclusion?index=99999999999999999999", 400, "index="},
		{"inclusion?index=57", 404, "holds entries 0 to 56"},
		{"inclusion?index=40&size=37", 404, "holds entries 0 to 36"},
		{"inclusion?index=1&size=58", 404, "the audit log has 57 entries"},
		{"inclusion?index=1&size=0", 400, "size="},
		{"consistency", 400, "old: required"},
		{"consistency?old=0", 400, "old="},
		{"consistency?old=40&new=37", 400, "more than new"},
		{"consistency?old=1&new=58", 404, "the audit log has 57 entries"},
		{"consistency?old=x", 400, "old="},
	} {
		problemIs(t, "GET", base+"/api/v1/audit/proof/"+tc.query, "", tc.status, tc.detail)
	}

	// The gauges.
	_, metrics := auditGet(t, base+"/metrics", nil, nil)
	for _, want := range []string{"samband_audit_log_size 57", "samband_audit_checkpoint_age_seconds 0"} {
		if !strings.Contains(string(metrics), want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	if _, err := a.log.Append(ctx, decision(57, kari, "")); err != nil {
		t.Fatal(err)
	}
	_, metrics = auditGet(t, base+"/metrics", nil, nil)
	if !strings.Contains(string(metrics), "samband_audit_log_size 58\n") || strings.Contains(string(metrics), "samband_audit_checkpoint_age_seconds 0\n") {
		t.Errorf("metrics after an append without a checkpoint:\n%s", grepLines(string(metrics), "samband_audit"))
	}
}

// tree opens a checkpoint of the log and returns its tree.
func (a testAudit) tree(t *testing.T, signed []byte) tlog.Tree {
	t.Helper()
	msg, err := note.Open(signed, note.VerifierList(a.verifier))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.ParseTree([]byte(msg.Text))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Without a log the routes say how to turn it on, and the gauges are
// absent.
func TestAuditRoutesOff(t *testing.T) {
	base, _ := auditTestServer(t, nil, nil, nil)
	for _, path := range []string{"/api/v1/audit/checkpoint", "/api/v1/audit/proof/inclusion?index=0",
		"/api/v1/audit/proof/consistency?old=1", "/api/v1/me/accesses"} {
		problemIs(t, "GET", base+path, "", 503, "audit.key_file")
	}
	_, metrics := auditGet(t, base+"/metrics", nil, nil)
	if strings.Contains(string(metrics), "samband_audit") {
		t.Errorf("metrics of a gateway without an audit log:\n%s", grepLines(string(metrics), "samband_audit"))
	}
}

// A log that has signed no checkpoint yet signs one when asked for it.
func TestAuditCheckpointOfNewLog(t *testing.T) {
	a := openTestAudit(t)
	if _, err := a.log.Append(context.Background(), decision(1, "", "")); err != nil {
		t.Fatal(err)
	}
	base, _ := auditTestServer(t, &a, nil, nil)
	var cp checkpointView
	if code, raw := auditGet(t, base+"/api/v1/audit/checkpoint", nil, &cp); code != 200 {
		t.Fatalf("GET checkpoint = %d %s", code, raw)
	}
	if tree := openCheckpoint(t, cp, a.vkey); tree.N != 1 {
		t.Errorf("checkpoint of a log of one entry has size %d", tree.N)
	}
	if _, n := a.log.Latest(); n != 1 {
		t.Errorf("Latest() after the route = %d, want the checkpoint stored", n)
	}

	empty := openTestAudit(t)
	base, _ = auditTestServer(t, &empty, nil, nil)
	problemIs(t, "GET", base+"/api/v1/audit/proof/inclusion?index=0", "", 404, "no entries yet")
}

// runCheckpoints stores checkpoints while the log grows and a last one
// when stopped, so that none of the entries is left without one.
func TestRunCheckpoints(t *testing.T) {
	ctx := context.Background()
	a := openTestAudit(t)
	var logs syncBuffer
	stop := runCheckpoints(a.log, 5*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	for i := range 10 {
		if _, err := a.log.Append(ctx, decision(i, "", "")); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if n, _ := a.log.Pending(); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint stored within 10 s while the log grew")
		}
	}
	stop()
	if _, err := a.log.Append(ctx, decision(10, "", "")); err != nil {
		t.Fatal(err)
	}
	stop = runCheckpoints(a.log, time.Hour, slog.New(slog.NewTextHandler(&logs, nil)))
	stop()
	if n, _ := a.log.Pending(); n != 0 {
		t.Errorf("%d entries without a stored checkpoint after stop", n)
	}
	if signed, size := a.log.Latest(); size != 11 || a.tree(t, signed).N != 11 {
		t.Errorf("latest checkpoint at %d after stop, want 11", size)
	}
	if !strings.Contains(logs.String(), "checkpoint at shutdown") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logs:\n%s", logs.String())
	}
	runCheckpoints(nil, time.Second, slog.New(slog.DiscardHandler))() // no log, nothing to do
}

// serve keeps the audit log with the configured key; without one its
// routes answer 503 and the log says so; the demo makes a key and a log
// for the run, and removes the log when it stops; a key file it cannot
// read stops it.
func TestServeAudit(t *testing.T) {
	dir := t.TempDir()
	out, _, err := gateway(t, nil, "audit", "keygen", "--name", "samband.test")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	vkey := strings.Fields(out)[1]
	subjectKey := filepath.Join(dir, "subject.key")
	if err := os.WriteFile(subjectKey, []byte(strings.Repeat("c3", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := func(name string, env map[string]string) Config {
		cfg, err := parseConfig([]byte("db: "+filepath.Join(dir, name, "samband.db")+"\n"), name, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}

	t.Run("key", func(t *testing.T) {
		var logs syncBuffer
		cfg := config("key", map[string]string{"GATEWAY_AUDIT_KEY_FILE": keyFile, "GATEWAY_AUDIT_CHECKPOINT_EVERY": "50ms",
			"GATEWAY_POLICIES_SUBJECT_KEY_FILE": subjectKey})
		base, err := startServe(t, cfg, &logs)
		if err != nil {
			t.Fatal(err)
		}
		var cp checkpointView
		if code, raw := auditGet(t, base+"/api/v1/audit/checkpoint", nil, &cp); code != 200 {
			t.Fatalf("GET checkpoint = %d %s", code, raw)
		}
		if tree := openCheckpoint(t, cp, vkey); tree.N != 0 {
			t.Errorf("checkpoint of a new log at size %d", tree.N)
		}
		if _, err := os.Stat(filepath.Join(dir, "key", "samband.db.audit")); err != nil {
			t.Errorf("audit log file: %v", err)
		}
		_, metrics := auditGet(t, base+"/metrics", nil, nil)
		if !strings.Contains(string(metrics), "samband_audit_log_size 0\n") {
			t.Errorf("metrics lack the log's size:\n%s", grepLines(string(metrics), "samband_audit"))
		}
		// Without a provider the citizen's view says how to add one.
		problemIs(t, "GET", base+"/api/v1/me/accesses", "", 503, "citizen.providers")
	})
	t.Run("none", func(t *testing.T) {
		var logs syncBuffer
		base, err := startServe(t, config("none", nil), &logs)
		if err != nil {
			t.Fatal(err)
		}
		problemIs(t, "GET", base+"/api/v1/audit/checkpoint", "", 503, "gateway audit keygen")
		if !strings.Contains(logs.String(), "exchange audit log off") {
			t.Errorf("the log does not say the audit log is off:\n%s", logs.String())
		}
	})
	t.Run("demo", func(t *testing.T) {
		var logs syncBuffer
		var demoDB string
		t.Cleanup(func() { // after serve has stopped
			if demoDB == "" {
				return
			}
			if _, err := os.Stat(demoDB); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the demo's audit log %s is left behind: %v", demoDB, err)
			}
		})
		cfg := config("demo", nil)
		cfg.Audit.demoKey = true
		base, err := startServe(t, cfg, &logs)
		if err != nil {
			t.Fatal(err)
		}
		var cp checkpointView
		if code, raw := auditGet(t, base+"/api/v1/audit/checkpoint", nil, &cp); code != 200 {
			t.Fatalf("GET checkpoint = %d %s", code, raw)
		}
		openCheckpoint(t, cp, cp.VerifierKey)
		if !strings.Contains(logs.String(), "made an audit key in memory") {
			t.Errorf("the log does not say a key was made:\n%s", logs.String())
		}
		for _, f := range strings.Fields(logs.String()) {
			if v, ok := strings.CutPrefix(f, "db="); ok && strings.HasSuffix(v, "audit.db") {
				demoDB = v
			}
		}
		if _, err := os.Stat(demoDB); err != nil {
			t.Errorf("the demo's audit log: %v", err)
		}
	})
	t.Run("unreadable key", func(t *testing.T) {
		var logs syncBuffer
		_, err := startServe(t, config("bad", map[string]string{"GATEWAY_AUDIT_KEY_FILE": filepath.Join(dir, "missing.key")}), &logs)
		if err == nil || !strings.Contains(err.Error(), "audit.key_file") {
			t.Fatalf("serve with a missing key file = %v", err)
		}
	})
	t.Run("unreadable provider keys", func(t *testing.T) {
		var logs syncBuffer
		cfg := config("provider", nil)
		cfg.Citizen.Providers = []OIDCProvider{{Name: "idporten", Issuer: idportenIssuer, Audience: clientID,
			JWKSFile: filepath.Join(dir, "missing.jwks"), Country: "NO", IDClaim: "pid", Algorithms: []string{"RS256"}}}
		_, err := startServe(t, cfg, &logs)
		if err == nil || !strings.Contains(err.Error(), "jwks_file") {
			t.Fatalf("serve with a missing key set file = %v", err)
		}
	})
}
