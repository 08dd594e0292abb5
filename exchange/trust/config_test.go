package trust

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigErrors(t *testing.T) {
	pub, _ := edKey(t, "k1", zeroTime, zeroTime)
	jwks := string(setJSON(t, pub))
	file := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(file, []byte(jwks), 0o600); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badFile, []byte(`{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	auth := func(id string) PartyConfig {
		return PartyConfig{ID: id, Kind: Authority, Scheme: "NO:ORGNR", Name: "Skatteetaten", JWKS: jwks}
	}
	gw := func(id string) PartyConfig {
		return PartyConfig{ID: id, Kind: Gateway, Scheme: "0007", BaseURL: "https://samband.example.se", JWKS: jwks}
	}
	edit := func(p PartyConfig, f func(*PartyConfig)) PartyConfig { f(&p); return p }
	cases := []struct {
		name    string
		parties []PartyConfig
		allow   []string
		want    []string
	}{
		{"bad id", []PartyConfig{auth("NO:974760673")}, nil,
			[]string{`party 0 (NO:974760673): id: party id "NO:974760673": want COUNTRY/ORGANISATION`}},
		{"unknown country", []PartyConfig{auth("XX/1")}, nil,
			[]string{`party 0 (XX/1): id:`, `not an ISO 3166-1 alpha-2`}},
		{"no id", []PartyConfig{auth("")}, nil, []string{`party 0: id:`}},
		{"unknown kind", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.Kind = "ministry" })}, nil,
			[]string{`party 0 (NO/1): kind: "ministry" is neither authority nor gateway`}},
		{"no kind", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.Kind = "" })}, nil,
			[]string{`party 0 (NO/1): kind: missing`}},
		{"gateway without base_url", []PartyConfig{edit(gw("SE/1"), func(p *PartyConfig) { p.BaseURL = "" })}, nil,
			[]string{`party 0 (SE/1): base_url: a gateway needs the URL`}},
		{"gateway with an ftp base_url", []PartyConfig{edit(gw("SE/1"), func(p *PartyConfig) { p.BaseURL = "ftp://x.example/" })}, nil,
			[]string{`party 0 (SE/1): base_url: "ftp://x.example/": want an http or https URL`}},
		{"authority with base_url", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.BaseURL = "https://x.example" })}, nil,
			[]string{`party 0 (NO/1): base_url: only a gateway has one`}},
		{"no scheme", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.Scheme = "" })}, nil,
			[]string{`party 0 (NO/1): scheme: missing`}},
		{"jwks and jwks_file", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKSFile = file })}, nil,
			[]string{`party 0 (NO/1): jwks: give exactly one of jwks, jwks_file and jwks_url`}},
		{"jwks and jwks_url", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKSURL = "https://keys.example/" })}, []string{"https://keys.example/"},
			[]string{`party 0 (NO/1): jwks: give exactly one`}},
		{"no keys", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKS = "" })}, nil,
			[]string{`party 0 (NO/1): jwks: missing`}},
		{"bad inline set", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKS = `{"keys":[]}` })}, nil,
			[]string{`party 0 (NO/1): jwks: key set holds no key`}},
		{"bad file set", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKS, p.JWKSFile = "", badFile })}, nil,
			[]string{`party 0 (NO/1): jwks_file: ` + badFile + `: key 0 (kid "s"): a symmetric (oct) key`}},
		{"missing file", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKS, p.JWKSFile = "", file+".missing" })}, nil,
			[]string{`party 0 (NO/1): jwks_file: open`}},
		{"jwks_url outside the allow-list", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKS, p.JWKSURL = "", "https://evil.example/keys" })},
			[]string{"https://keys.example/"},
			[]string{`party 0 (NO/1): jwks_url: https://evil.example/keys is under no prefix of jwks_allow`}},
		{"jwks_url with no allow-list", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.JWKS, p.JWKSURL = "", "https://keys.example/keys" })}, nil,
			[]string{`party 0 (NO/1): jwks_url: https://keys.example/keys is under no prefix of jwks_allow`}},
		{"bad allow-list entry", []PartyConfig{auth("NO/1")}, []string{"keys.example/"},
			[]string{`jwks_allow[0]: "keys.example/": want an http or https URL prefix`}},
		{"bad revoked kid", []PartyConfig{edit(auth("NO/1"), func(p *PartyConfig) { p.Revoked = []string{"ok", ""} })}, nil,
			[]string{`party 0 (NO/1): revoked[1]: no "kid"`}},
		{"duplicate ids", []PartyConfig{auth("NO/1"), auth("NO/2"), auth("NO/1")}, nil,
			[]string{`party 2 (NO/1): id: also the id of party 0`}},
		{"two gateways for one country", []PartyConfig{gw("SE/1"), auth("SE/2"), gw("SE/3")}, nil,
			[]string{`party 2 (SE/3): kind: a second gateway for SE (party 0 is one)`}},
		{"every problem at once", []PartyConfig{auth("NO/1"), edit(auth("bad"), func(p *PartyConfig) { p.Kind, p.Scheme = "x", "" }), gw("SE/1"), gw("SE/2")}, nil,
			[]string{`party 1 (bad): id:`, `party 1 (bad): kind:`, `party 1 (bad): scheme:`, `party 3 (SE/2): kind: a second gateway`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(context.Background(), Config{Parties: tc.parties, JWKSAllow: tc.allow}, nil, nil)
			if err == nil {
				r.Close()
				t.Fatalf("Open accepted the configuration, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open = %v\nwant it to say %q", err, w)
				}
			}
		})
	}
}

func TestConfigGood(t *testing.T) {
	pub, _ := edKey(t, "k1", zeroTime, zeroTime)
	jwks := string(setJSON(t, pub))
	r, err := Open(context.Background(), Config{Parties: []PartyConfig{
		{ID: "SE/2021005489", Kind: Gateway, Scheme: "SE:ORGNR", BaseURL: "https://samband.example.se", JWKS: jwks},
		{ID: "NO/974760673", Kind: Authority, Scheme: "NO:ORGNR", Name: "Skatteetaten", JWKS: jwks},
		{ID: "FI/0245437-2", Kind: Gateway, Scheme: "FI:YTUNNUS", BaseURL: "http://samband.example.fi:8080/x", JWKS: jwks},
	}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ids []string
	for _, p := range r.Parties() {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, " "); got != "FI/0245437-2 NO/974760673 SE/2021005489" {
		t.Errorf("Parties = %s, want them sorted by ID", got)
	}
	p, ok := r.Party("NO/974760673")
	want := Party{ID: "NO/974760673", Country: "NO", Organisation: "974760673", Scheme: "NO:ORGNR", Name: "Skatteetaten", Kind: Authority}
	if !ok || p != want {
		t.Errorf("Party = %+v, %v; want %+v", p, ok, want)
	}
	if g, ok := r.Gateway("SE"); !ok || g.ID != "SE/2021005489" || g.BaseURL != "https://samband.example.se" {
		t.Errorf("Gateway(SE) = %+v, %v", g, ok)
	}
	if g, ok := r.Gateway("NO"); ok {
		t.Errorf("Gateway(NO) = %+v, want none: NO/974760673 is an authority", g)
	}
	if _, ok := r.Party("NO/1"); ok {
		t.Error("Party(NO/1) found a party the configuration does not list")
	}
}

func TestAllowed(t *testing.T) {
	var allow []urlPrefix
	for _, s := range []string{"https://keys.example/jwks/", "https://Other.Example:8443/set.json", "http://127.0.0.1:9000"} {
		p, err := parsePrefix(s)
		if err != nil {
			t.Fatal(err)
		}
		allow = append(allow, p)
	}
	cases := []struct {
		url string
		ok  bool
	}{
		{"https://keys.example/jwks/no.json", true},
		{"https://keys.example:443/jwks/a/b", true},
		{"https://KEYS.example/jwks/x", true},
		{"https://keys.example/jwks", false}, // the prefix ends in a slash
		{"https://keys.example/jwksx", false},
		{"https://keys.example/other", false},
		{"http://keys.example/jwks/x", false},       // another scheme
		{"https://keys.example:8443/jwks/x", false}, // another port
		{"https://keys.example.evil/jwks/x", false}, // another host
		{"https://evil.example/?https://keys.example/jwks/", false},
		{"https://user@keys.example/jwks/x", false},   // credentials
		{"https://keys.example/jwks/../admin", false}, // dot segments
		{"https://keys.example/jwks/%2e%2e/admin", false},
		{"https://keys.example/jwks/a%2Fb", false}, // an escaped slash
		{"https://keys.example/jwks/x#frag", false},
		{"https://keys.example/jwks/x?v=1", true},
		{"https://other.example:8443/set.json", true},
		{"https://other.example:8443/set.json/more", true}, // under the path, at a slash
		{"https://other.example:8443/set.jsonx", false},
		{"https://other.example/set.json", false},
		{"http://127.0.0.1:9000/anything", true},
		{"http://127.0.0.1:9001/anything", false},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := allowed(allow, u); got != tc.ok {
			t.Errorf("allowed(%s) = %v, want %v", tc.url, got, tc.ok)
		}
	}
	for _, bad := range []string{"", "keys.example", "ftp://keys.example/", "https:///x", "https://u:p@keys.example/", "https://keys.example/?q", "https://keys.example/a/../b"} {
		if _, err := parsePrefix(bad); err == nil {
			t.Errorf("parsePrefix(%q) accepted it", bad)
		}
	}
}
