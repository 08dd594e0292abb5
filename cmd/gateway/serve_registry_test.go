package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log that serve's goroutines may write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs serve with cfg until the test ends and returns its base
// URL, or the error serve returned before listening.
func startServe(t *testing.T, cfg Config, logs *syncBuffer) (string, error) {
	t.Helper()
	base, stop, done, err := serveInTest(t, cfg, logs)
	if err != nil {
		return "", err
	}
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop within 20 s")
		}
	})
	return base, nil
}

// serveInTest runs serve with cfg on a free loopback port, logging to logs,
// and returns its base URL once it listens, stop (the first signal), and
// where serve's result comes; or the error serve returned before
// listening. serve is stopped when the test ends, if not before.
func serveInTest(t *testing.T, cfg Config, logs *syncBuffer) (base string, stop context.CancelFunc, done <-chan error, err error) {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ready := make(chan string, 1)
	result := make(chan error, 1)
	go func() { result <- serve(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)), ready) }()
	select {
	case addr := <-ready:
		return "http://" + addr, cancel, result, nil
	case err := <-result:
		return "", cancel, result, err
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not listen within 10 s")
	}
	return "", cancel, result, nil
}

// serve with a subject key file serves the consent and mandate API; without
// one it answers 503 and says so in the log; in the demo it makes a key;
// with a key file it cannot use it does not start.
func TestServeSubjectKey(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "subject.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("c3", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	shortKey := filepath.Join(dir, "short.key")
	if err := os.WriteFile(shortKey, []byte(strings.Repeat("c3", 16)), 0o600); err != nil {
		t.Fatal(err)
	}
	config := func(name string, env map[string]string) Config {
		cfg, err := parseConfig([]byte("db: "+filepath.Join(dir, name, "samband.db")+"\n"), name, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	grant := `{"subject": {"country": "SE", "national_id": "` + seSven + `"}, "recipient": "2021005448",
		"purposes": ["*"], "targets": ["*"], "until": "2099-01-01"}`

	t.Run("key", func(t *testing.T) {
		var logs syncBuffer
		cfg := config("key", map[string]string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE": keyFile})
		cfg.Policies.DB = filepath.Join(dir, "key", "policies.db") // a file of its own
		base, err := startServe(t, cfg, &logs)
		if err != nil {
			t.Fatal(err)
		}
		var c consentView
		if code, body := post(t, base+"/api/v1/consents", grant, &c); code != 201 || c.Status != "active" {
			t.Fatalf("POST /api/v1/consents = %d %s", code, body)
		}
		if _, err := os.Stat(cfg.Policies.DB); err != nil {
			t.Errorf("policies.db: %v", err)
		}
		if strings.Contains(logs.String(), "750623") {
			t.Errorf("the log holds the number:\n%s", logs.String())
		}
	})
	t.Run("none", func(t *testing.T) {
		var logs syncBuffer
		base, err := startServe(t, config("none", nil), &logs)
		if err != nil {
			t.Fatal(err)
		}
		problemIs(t, "POST", base+"/api/v1/consents", grant, 503, "no subject key")
		if !strings.Contains(logs.String(), "consent and mandate API off") {
			t.Errorf("the log does not say the API is off:\n%s", logs.String())
		}
	})
	t.Run("demo", func(t *testing.T) {
		var logs syncBuffer
		cfg := config("demo", nil)
		cfg.Policies.demoKey = true
		base, err := startServe(t, cfg, &logs)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := post(t, base+"/api/v1/consents", grant, nil); code != 201 {
			t.Fatalf("POST /api/v1/consents = %d %s", code, body)
		}
		if !strings.Contains(logs.String(), "made a subject key in memory") {
			t.Errorf("the log does not say a key was made:\n%s", logs.String())
		}
	})
	t.Run("short key", func(t *testing.T) {
		var logs syncBuffer
		_, err := startServe(t, config("short", map[string]string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE": shortKey}), &logs)
		if err == nil || !strings.Contains(err.Error(), "shorter than 32 bytes") {
			t.Fatalf("serve with a 16-byte key = %v", err)
		}
	})
	// serve --demo sets demoKey; --config does not.
	e := env{getenv: func(string) string { return "" }}
	if cfg, err := serveConfig(e, "", true); err != nil || !cfg.Policies.demoKey {
		t.Errorf("serveConfig(demo) = %+v, %v", cfg.Policies, err)
	}
	if cfg, err := serveConfig(e, "", false); err != nil || cfg.Policies.demoKey {
		t.Errorf("serveConfig() = %+v, %v", cfg.Policies, err)
	}
}

func TestPoliciesConfig(t *testing.T) {
	yml := "db: /var/lib/samband/catalog.db\npolicies:\n  subject_key_file: /etc/samband/subject.key\n"
	cfg, err := parseConfig([]byte(yml), "test.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Policies.SubjectKeyFile != "/etc/samband/subject.key" || cfg.policiesDB() != "/var/lib/samband/catalog.db" || cfg.Policies.demoKey {
		t.Fatalf("policies = %+v, db %s", cfg.Policies, cfg.policiesDB())
	}
	env := map[string]string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE": "/run/secrets/key", "GATEWAY_POLICIES_DB": "/var/lib/samband/policies.db"}
	if cfg, err = parseConfig([]byte(yml), "test.yaml", func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.Policies.SubjectKeyFile != "/run/secrets/key" || cfg.policiesDB() != "/var/lib/samband/policies.db" {
		t.Fatalf("policies from the environment = %+v", cfg.Policies)
	}
	// The demo's key is not a key of the file.
	if _, err := parseConfig([]byte("policies:\n  demoKey: true\n"), "test.yaml", func(string) string { return "" }); err == nil {
		t.Error("policies.demoKey accepted from a file")
	}
	keys := strings.Join(envKeys(cfg), " ")
	for _, k := range []string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE", "GATEWAY_POLICIES_DB"} {
		if !strings.Contains(keys, k) {
			t.Errorf("envKeys lacks %s", k)
		}
	}
	for _, k := range envKeys(cfg) {
		if strings.HasSuffix(k, "_") {
			t.Errorf("envKeys lists %q", k)
		}
	}
}
