package main

import (
	"strings"
	"testing"
)

// TestExchangeConfig: the exchange's configuration is read strictly and
// checked, every problem named with its key.
func TestExchangeConfig(t *testing.T) {
	good := `
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
`
	cfg, err := parseConfig([]byte(good), "good.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	x := cfg.Exchange
	if !x.on() || x.ID != "NO/991825827" || len(x.Parties) != 1 || x.Parties[0].Kind != "gateway" ||
		len(x.Services) != 1 || x.Services[0].Paths[0] != "/v1/deaths/*" || x.Classes["NO/974760673"][0] != "municipality" {
		t.Errorf("exchange = %+v", x)
	}
	cfg, err = parseConfig([]byte(good), "good.yaml", func(k string) string {
		return map[string]string{"GATEWAY_EXCHANGE_KEY_FILE": "other.jwk", "GATEWAY_EXCHANGE_WINDOW": "90s"}[k]
	})
	if err != nil || cfg.Exchange.KeyFile != "other.jwk" || cfg.Exchange.Window != Duration(90e9) {
		t.Errorf("environment overrides: %+v, %v", cfg.Exchange, err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "exchange:\n  id: NO/991825827\n  key_file: k\n  secret: x\n", "field secret not found"},
		{"services without id", "exchange:\n  services:\n    - name: x\n", "exchange.id: empty"},
		{"bad id", "exchange:\n  id: norway\n  key_file: k\n", "exchange.id"},
		{"no key", "exchange:\n  id: NO/991825827\n", "exchange.key_file: empty"},
		{"bad service", "exchange:\n  id: NO/991825827\n  key_file: k\n  services:\n    - country: NO\n      organisation: '1'\n      name: Bad Name\n      record: r\n      endpoint: ftp://x\n      paths: [v1]\n",
			"exchange.services[0]"},
		{"negative window", "exchange:\n  id: NO/991825827\n  key_file: k\n  window: -1m\n", "may not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tc.yaml), "bad.yaml", func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseConfig = %v, want an error with %q", err, tc.want)
			}
		})
	}
}
