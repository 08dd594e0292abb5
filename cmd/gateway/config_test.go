package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigFileAndEnv(t *testing.T) {
	yml := `db: /var/lib/samband/catalog.db
addr: 0.0.0.0:9000
log: {level: debug, format: json}
sources:
  - name: no-fdk
    country: "NO"
    kind: dcat
    url: https://fdk.example/catalogs
    schedule: 6h
    limits: {max_pages: 50, timeout: 10m}
  - name: fi-avoindata
    country: FI
    kind: ckan
    url: https://avoindata.example
`
	path := filepath.Join(t.TempDir(), "gateway.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GATEWAY_ADDR":                            "127.0.0.1:7000",
		"GATEWAY_SOURCES_NO_FDK_URL":              "https://fdk.example/v2/catalogs",
		"GATEWAY_SOURCES_NO_FDK_LIMITS_MAX_PAGES": "7",
		"GATEWAY_SOURCES_FI_AVOINDATA_SCHEDULE":   "90m",
		"GATEWAY_HARVEST_CONCURRENCY":             "3",
	}
	cfg, err := loadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DB != "/var/lib/samband/catalog.db" || cfg.Addr != "127.0.0.1:7000" || cfg.Log.Format != "json" || cfg.Harvest.Concurrency != 3 {
		t.Fatalf("config = %+v", cfg)
	}
	no, fi := cfg.Sources[0], cfg.Sources[1]
	if no.URL != "https://fdk.example/v2/catalogs" || no.Limits.MaxPages != 7 || time.Duration(no.Schedule) != 6*time.Hour || time.Duration(no.Limits.Timeout) != 10*time.Minute {
		t.Fatalf("no-fdk = %+v", no)
	}
	if time.Duration(fi.Schedule) != 90*time.Minute || fi.Kind != "ckan" {
		t.Fatalf("fi-avoindata = %+v", fi)
	}
}

func TestLinkCheckConfig(t *testing.T) {
	// Off by default, with the checker's defaults.
	cfg, err := parseConfig(nil, "none", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	lc := cfg.LinkCheck
	if lc.Enabled || lc.AllowPrivate || time.Duration(lc.PerHostInterval) != 2*time.Second ||
		time.Duration(lc.RecheckAfter) != 7*24*time.Hour || lc.Concurrency != 8 {
		t.Errorf("default linkcheck = %+v; want off, private refused, 2s per host, 7 days", lc)
	}
	yml := "linkcheck:\n  enabled: true\n  per_host_interval: 5s\n  recheck_after: 72h\n  timeout: 20s\n  concurrency: 4\n  max_redirects: 3\n  every: 6h\n"
	env := map[string]string{"GATEWAY_LINKCHECK_ALLOW_PRIVATE": "true", "GATEWAY_LINKCHECK_CONCURRENCY": "2"}
	cfg, err = parseConfig([]byte(yml), "test.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.LinkCheck.options()
	if !cfg.LinkCheck.Enabled || !opts.AllowPrivate || opts.PerHostInterval != 5*time.Second || opts.RecheckAfter != 72*time.Hour ||
		opts.Timeout != 20*time.Second || opts.Concurrency != 2 || opts.MaxRedirects != 3 || opts.Every != 6*time.Hour {
		t.Errorf("linkcheck from file and environment = %+v, options %+v", cfg.LinkCheck, opts)
	}
	keys := strings.Join(envKeys(cfg), " ")
	for _, k := range []string{"GATEWAY_LINKCHECK_ENABLED", "GATEWAY_LINKCHECK_PER_HOST_INTERVAL", "GATEWAY_LINKCHECK_ALLOW_PRIVATE"} {
		if !strings.Contains(keys, k) {
			t.Errorf("envKeys lacks %s", k)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ name, yml, env, want string }{
		{"unknown key", "dbb: x\n", "", "field dbb not found"},
		{"bad kind", "sources: [{name: a, kind: ftp, url: x}]\n", "", "is not dcat, ckan or file"},
		{"twice", "sources: [{name: a, kind: dcat, url: x}, {name: a, kind: dcat, url: y}]\n", "", "named twice"},
		{"no url", "sources: [{name: a, kind: dcat}]\n", "", "url: empty"},
		{"country", "sources: [{name: a, kind: dcat, url: x, country: Norway}]\n", "", "ISO 3166-1"},
		{"duration", "sources: [{name: a, kind: dcat, url: x, schedule: soon}]\n", "", "line 1"},
		{"bad env", "", "GATEWAY_HARVEST_CONCURRENCY=many", "GATEWAY_HARVEST_CONCURRENCY"},
		{"zero concurrency", "harvest: {concurrency: 0}\n", "", "at least 1"},
		{"linkcheck key", "linkcheck: {enable: true}\n", "", "field enable not found"},
		{"linkcheck interval", "linkcheck: {per_host_interval: 0s}\n", "", "linkcheck.per_host_interval: must be more than 0"},
		{"linkcheck concurrency", "", "GATEWAY_LINKCHECK_CONCURRENCY=0", "linkcheck.concurrency: must be at least 1"},
		{"linkcheck bool", "", "GATEWAY_LINKCHECK_ENABLED=yes please", "GATEWAY_LINKCHECK_ENABLED"},
		{"negative shutdown delay", "", "GATEWAY_SHUTDOWN_DELAY=-1s", "shutdown_delay: may not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if k, v, ok := strings.Cut(tc.env, "="); ok {
				env[k] = v
			}
			_, err := parseConfig([]byte(tc.yml), "test.yaml", func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseConfig(%q) = %v, want an error with %q", tc.yml, err, tc.want)
			}
		})
	}
}

func TestDemoConfig(t *testing.T) {
	raw, err := demoConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(raw, "demo", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	countries := map[string]bool{}
	for _, s := range cfg.Sources {
		countries[s.Country] = true
		name := strings.TrimPrefix(s.URL, "demo:/")
		if _, err := demoFiles.ReadFile("demo/" + name); err != nil {
			t.Errorf("source %s: %v", s.Name, err)
		}
	}
	if len(countries) < 4 || !cfg.Harvest.Demo {
		t.Fatalf("demo covers %v (demo=%v), want at least four directories", countries, cfg.Harvest.Demo)
	}
	if keys := envKeys(cfg); len(keys) < 8 {
		t.Fatalf("envKeys = %v", keys)
	}
}

func TestConfigLifeEvents(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "life-events.yaml")
	if err := os.WriteFile(good, []byte("concepts:\n  - id: retiring\n    iri: urn:x:retiring\n    labels: {en: Retiring}\n    terms:\n      en: [retire*]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("concepts:\n  - id: retiring\n    iri: urn:x:retiring\n    labels: {en: Retiring}\n    themes: [PENSIONS]\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg, err := parseConfig([]byte("life_events: "+good+"\n"), "test.yaml", func(string) string { return "" })
	if err != nil || cfg.LifeEvents != good {
		t.Fatalf("parseConfig(life_events) = %+v, %v", cfg, err)
	}
	rules, err := lifeEventRules(cfg.LifeEvents)
	if err != nil {
		t.Fatalf("lifeEventRules(%s) = %v", good, err)
	}
	if _, ok := rules.Concept("retiring"); !ok {
		t.Errorf("the file's rules were not read: %v", rules.Concepts())
	}
	// GATEWAY_LIFE_EVENTS overrides the file's key; empty means the built-in rules.
	cfg, _ = parseConfig([]byte("life_events: "+good+"\n"), "test.yaml", func(k string) string {
		return map[string]string{"GATEWAY_LIFE_EVENTS": bad}[k]
	})
	if cfg.LifeEvents != bad {
		t.Errorf("GATEWAY_LIFE_EVENTS: life_events = %q, want %q", cfg.LifeEvents, bad)
	}
	if rules, err := lifeEventRules(""); err != nil || len(rules.Concepts()) != 7 {
		t.Errorf("lifeEventRules(\"\") = %v, want the seven built in", err)
	}

	// serve and harvest refuse a broken file before they do anything.
	yml := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(yml, []byte("db: "+filepath.Join(dir, "g.db")+"\naddr: 127.0.0.1:0\nlife_events: "+bad+"\n"+
		"sources: [{name: a, kind: file, url: file:///nonexistent.ttl}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "harvest"} {
		_, _, err := gateway(t, nil, cmd, "--config", yml)
		if err == nil || !strings.Contains(err.Error(), "life_events "+bad) || !strings.Contains(err.Error(), `line 5: concept retiring: themes: "PENSIONS"`) {
			t.Errorf("gateway %s with a broken life_events file = %v, want the file and line", cmd, err)
		}
	}
	_, _, err = gateway(t, map[string]string{"GATEWAY_LIFE_EVENTS": filepath.Join(dir, "missing.yaml")}, "harvest", "--db", filepath.Join(dir, "g.db"), "x.ttl")
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("harvest with GATEWAY_LIFE_EVENTS naming no file = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "g.db")); err == nil {
		t.Error("a store was created before the life-event rules were read")
	}
}
