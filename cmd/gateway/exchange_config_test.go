package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/exchange"
	"samband/exchange/audit"
	"samband/exchange/trust"
)

// TestExchangeConfig: the exchange's configuration is read strictly and
// checked, every problem named with its key.
func TestExchangeConfig(t *testing.T) {
	good := `
policies:
  api_token_file: api.tokens
exchange:
  id: NO/991825827
  key_file: no.jwk
  parties:
    - id: FI/0245437-2
      kind: gateway
      scheme: FI:YTUNNUS
      base_url: http://127.0.0.1:8181
      jwks_file: fi.jwks
  services:
    - country: "NO"
      organisation: "974760673"
      name: death-records
      record: https://register.example.no/service/death-records
      endpoint: https://register.internal/api
      methods: [GET]
      paths: [/v1/deaths/*]
  classes:
    NO/974760673: [municipality]
  window: 2m
  jwks_first_fetch: wait
  jwks_retry: 3s
`
	cfg, err := parseConfig([]byte(good), "good.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	x := cfg.Exchange
	if !x.on() || x.ID != "NO/991825827" || len(x.Parties) != 1 || x.Parties[0].Kind != "gateway" ||
		len(x.Services) != 1 || x.Services[0].Paths[0] != "/v1/deaths/*" || x.Classes["NO/974760673"][0] != "municipality" ||
		x.JWKSFirstFetch != trust.FirstFetchWait || x.JWKSRetry != Duration(3*time.Second) {
		t.Errorf("exchange = %+v", x)
	}
	cfg, err = parseConfig([]byte(good), "good.yaml", func(k string) string {
		return map[string]string{"GATEWAY_EXCHANGE_KEY_FILE": "other.jwk", "GATEWAY_EXCHANGE_WINDOW": "90s",
			"GATEWAY_EXCHANGE_JWKS_FIRST_FETCH": "background"}[k]
	})
	if err != nil || cfg.Exchange.KeyFile != "other.jwk" || cfg.Exchange.Window != Duration(90e9) || cfg.Exchange.JWKSFirstFetch != trust.FirstFetchBackground {
		t.Errorf("environment overrides: %+v, %v", cfg.Exchange, err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "exchange:\n  id: NO/991825827\n  key_file: k\n  secret: x\n", "field secret not found"},
		{"services without id", "exchange:\n  services:\n    - name: x\n", "exchange.id: empty"},
		{"bad id", "exchange:\n  id: norway\n  key_file: k\n", "exchange.id"},
		{"no key", "exchange:\n  id: NO/991825827\n", "exchange.key_file: empty"},
		{"no API token", "exchange:\n  id: NO/991825827\n  key_file: k\n", "policies.api_token_file: empty, yet the exchange is on"},
		{"bad service", "exchange:\n  id: NO/991825827\n  key_file: k\n  services:\n    - country: NO\n      organisation: '1'\n      name: Bad Name\n      record: r\n      endpoint: ftp://x\n      paths: [v1]\n",
			"exchange.services[0]"},
		{"negative window", "exchange:\n  id: NO/991825827\n  key_file: k\n  window: -1m\n", "may not be negative"},
		{"unknown first fetch", "exchange:\n  id: NO/991825827\n  key_file: k\n  jwks_first_fetch: later\n",
			`exchange.jwks_first_fetch: "later" is neither background nor wait`},
		{"negative retry", "exchange:\n  id: NO/991825827\n  key_file: k\n  jwks_retry: -1s\n", "exchange.jwks_retry: at least 100ms"},
		{"retry too short", "exchange:\n  id: NO/991825827\n  key_file: k\n  jwks_retry: 1ms\n", "exchange.jwks_retry: at least 100ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tc.yaml), "bad.yaml", func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseConfig = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestAPITokens: the token file is read strictly, and a route guarded by
// it answers a caller without one, or with another, 401.
func TestAPITokens(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeFile(t, dir, name, text) }
	good := strings.Repeat("ab", 16)
	toks, err := loadAPITokens(write("good", "# operators\n\n"+good+"\n"+strings.Repeat("cd", 20)+"\n"), nil)
	if err != nil || len(toks) != 2 {
		t.Fatalf("loadAPITokens = %d tokens, %v", len(toks), err)
	}
	for name, text := range map[string]string{"short": "abc\n", "empty": "# none\n", "spaced": good + " x\n"} {
		if _, err := loadAPITokens(write(name, text), nil); err == nil {
			t.Errorf("loadAPITokens(%s) took it", name)
		}
	}
	s := newServer(nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	s.apiTokens = toks
	h := s.instrument("test", s.withToken(func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, "in")
	}))
	for auth, want := range map[string]int{"": 401, "Bearer " + strings.Repeat("ab", 17): 401, "Basic " + good: 401, "Bearer " + good: 200} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/mandates", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, rec.Code, want)
		}
	}
}

// TestOutboundPolicyConfig: exchange.outbound_policy is read from the file
// or the environment; serve refuses to start on an outbound policy it
// cannot read or that is not one, and says at start when there is none.
func TestOutboundPolicyConfig(t *testing.T) {
	cfg, err := parseConfig([]byte("policies:\n  api_token_file: t\nexchange:\n  id: FI/0245437-2\n  key_file: k\n  outbound_policy: out.ttl\n"), "x.yaml",
		func(k string) string { return map[string]string{"GATEWAY_EXCHANGE_OUTBOUND_POLICY": "other.ttl"}[k] })
	if err != nil || cfg.Exchange.OutboundPolicy != "other.ttl" {
		t.Errorf("outbound_policy with an environment override = %q, %v", cfg.Exchange.OutboundPolicy, err)
	}
	if _, err := parseConfig([]byte("exchange:\n  outbound_policy: out.ttl\n"), "x.yaml", func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "exchange.id: empty") {
		t.Errorf("an outbound policy without exchange.id: %v", err)
	}

	dir := t.TempDir()
	write := func(name, text string) string { return writeFile(t, dir, name, text) }
	gw, err := exchange.GenerateKey("EdDSA", "fi-gw-1")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(gw)
	skey, vkey, err := audit.GenerateKey("samband.test.fi")
	if err != nil {
		t.Fatal(err)
	}
	config := func(name, outbound string) Config {
		cfg := defaultConfig()
		cfg.DB = filepath.Join(dir, name+".db")
		cfg.Addr, cfg.PublicURL = "127.0.0.1:0", "http://127.0.0.1"
		cfg.Policies.SubjectKeyFile = write("subject.key", strings.Repeat("ab", 32)+"\n")
		cfg.Policies.APITokenFile = write("api.tokens", strings.Repeat("cd", 32)+"\n")
		cfg.Audit.KeyFile = write("audit.key", skey+"\n"+vkey+"\n")
		cfg.Exchange.ID, cfg.Exchange.KeyFile = "FI/0245437-2", write("gw.jwk", string(raw))
		cfg.Exchange.OutboundPolicy = outbound
		return cfg
	}
	prefixes := "@prefix odrl: <http://www.w3.org/ns/odrl/2/> .\n"
	for _, tc := range []struct{ name, outbound, want string }{
		{"missing file", filepath.Join(dir, "nowhere.ttl"), "exchange.outbound_policy: open"},
		{"not RDF", write("garbage.ttl", "permit everything, please\n"), "garbage.ttl:1:"},
		{"no policy", write("empty.ttl", prefixes+"<urn:x> a <urn:y> .\n"), "holds no ODRL policy"},
		{"unknown operator", write("bad.ttl", prefixes+`<urn:p> a odrl:Set ; odrl:permission [ odrl:target "NO" ; odrl:action odrl:use ;
  odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:resembles ; odrl:rightOperand "x" ] ] .`+"\n"), "resembles"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ready := make(chan string, 1)
			err := serve(ctx, config(tc.name, tc.outbound), slog.New(slog.DiscardHandler), ready)
			if err == nil || !strings.Contains(err.Error(), "exchange.outbound_policy") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("serve = %v, want a refusal with %q", err, tc.want)
			}
			if len(ready) > 0 {
				t.Error("serve listened with a broken outbound policy")
			}
		})
	}

	// Without an outbound policy the gateway starts and says that
	// outbound requests are not restricted.
	var logs syncBuffer
	_, stop, done, err := serveInTest(t, config("open", ""), &logs)
	if err != nil {
		t.Fatalf("serve without an outbound policy: %v", err)
	}
	stop()
	<-done
	if out := logs.String(); !strings.Contains(out, "level=INFO") || !strings.Contains(out, "outbound requests are not restricted") {
		t.Errorf("no info line on unrestricted outbound requests; logs:\n%s", out)
	}
}

// writeFile writes text to the file name in dir, readable by its owner
// alone, and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
