package trust

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

var testLimits = limits{maxBytes: DefaultMaxJWKSBytes, maxKeys: 4}

// hostileSets are key sets parseSet must refuse, with a piece of the error
// each must give. Shared by the tests of parseSet, of refreshes and the
// fuzz seeds.
func hostileSets(t testing.TB) []struct{ name, body, want string } {
	good, _ := edKey(t, "good", zeroTime, zeroTime)
	_, edPriv := edKey(t, "priv", zeroTime, zeroTime)
	_, ecPriv := ecKey(t, "ecpriv", elliptic.P256())
	p384, _ := ecKey(t, "p384", elliptic.P384())
	noKid, _ := edKey(t, "", zeroTime, zeroTime)
	dup, _ := edKey(t, "good", zeroTime, zeroTime)
	oct, err := jwk.Import([]byte("a shared secret of thirty-two b."))
	if err != nil {
		t.Fatal(err)
	}
	set(t, oct, jwk.KeyIDKey, "oct")
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := jwk.Import(&rk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	set(t, rsaPub, jwk.KeyIDKey, "rsa")
	member := func(k jwk.Key, name string, v any) string {
		c, err := k.Clone()
		if err != nil {
			t.Fatal(err)
		}
		set(t, c, name, v)
		return string(setJSON(t, c))
	}
	raw := func(k jwk.Key) map[string]any {
		b, _ := json.Marshal(k)
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	withRaw := func(k jwk.Key, name string, v any) string {
		m := raw(k)
		m[name] = v
		return string(setJSON(t, m))
	}
	offCurve := map[string]any{"kty": "EC", "crv": "P-256", "kid": "off",
		"x": base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)),
		"y": base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))}
	many := make([]any, testLimits.maxKeys+1)
	for i := range many {
		k, _ := edKey(t, fmt.Sprintf("k%d", i), zeroTime, zeroTime)
		many[i] = k
	}
	return []struct{ name, body, want string }{
		{"private Ed25519 key", string(setJSON(t, good, edPriv)), `key 1 (kid "priv"): holds private key material (member "d")`},
		{"private EC key", string(setJSON(t, ecPriv)), `holds private key material (member "d")`},
		{"oct key", string(setJSON(t, oct)), "symmetric (oct) key"},
		{"RSA key", string(setJSON(t, rsaPub)), "an RSA key"},
		{"P-384", string(setJSON(t, good, p384)), `key 1 (kid "p384"): EC key on curve "P-384", want P-256`},
		{"X25519", withRaw(good, "crv", "X25519"), "want Ed25519"},
		{"point off the curve", string(setJSON(t, offCurve)), `key 0 (kid "off"): not a valid JWK`},
		{"duplicate kid", string(setJSON(t, good, dup)), `key 1: kid "good" is also an earlier key's`},
		{"no kid", string(setJSON(t, good, noKid)), `key 1: no "kid"`},
		{"kid not a string", withRaw(good, "kid", 7), `key 0: "kid" is not a string`},
		{"too many keys", string(setJSON(t, many...)), "holds 5 keys, more than the 4 allowed"},
		{"no keys", `{"keys":[]}`, "holds no key"},
		{"keys null", `{"keys":null}`, `"keys" is not an array`},
		{"keys an object", `{"keys":{"kty":"OKP"}}`, `"keys" is not an array`},
		{"a bare key", string(mustJSON(t, good)), `no "keys" member`},
		{"invalid JSON", `{"keys":[`, "not a JSON object"},
		{"not an object", `[1,2]`, "not a JSON object"},
		{"key not an object", `{"keys":["x"]}`, "key 0: not a JSON object"},
		{"no kty", `{"keys":[{"kid":"a"}]}`, `key 0 (kid "a"): no "kty"`},
		{"unknown kty", `{"keys":[{"kid":"a","kty":"XYZ"}]}`, `key type "XYZ"`},
		{"symmetric member on a public key", withRaw(good, "k", "c2VjcmV0"), `member "k"`},
		{"alg none", member(good, "alg", "none"), `alg "none" does not fit the key`},
		{"alg HS256", member(good, "alg", "HS256"), `alg "HS256" does not fit the key`},
		{"alg ES256 on an Ed25519 key", member(good, "alg", "ES256"), `alg "ES256" does not fit the key`},
		{"use enc", member(good, "use", "enc"), `use "enc"`},
		{"key_ops without verify", withRaw(good, "key_ops", []string{"encrypt"}), `key_ops lacks "verify"`},
		{"nbf a string", withRaw(good, "nbf", "yesterday"), "nbf is string"},
		{"exp negative", withRaw(good, "exp", -1), "exp -1 is out of range"},
		{"exp past year 9999", withRaw(good, "exp", 1e300), "out of range"},
		{"nbf after exp", withRaw(withRawKey(t, good, "nbf", 2000), "exp", 1000), "is not before exp"},
		{"oversize", `{"keys":[],"pad":"` + strings.Repeat("x", int(testLimits.maxBytes)) + `"}`, "more than the 65536 allowed"},
	}
}

func withRawKey(t testing.TB, k jwk.Key, name string, v any) jwk.Key {
	c, err := k.Clone()
	if err != nil {
		t.Fatal(err)
	}
	set(t, c, name, v)
	return c
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSetRefuses(t *testing.T) {
	for _, tc := range hostileSets(t) {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := parseSet([]byte(tc.body), testLimits)
			if err == nil {
				t.Fatalf("parseSet accepted %d keys, want %q", len(ks.keys), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseSet = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestParseSetAccepts(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ed, _ := edKey(t, "ed", now, now.Add(time.Hour))
	ec, _ := ecKey(t, "ec", elliptic.P256())
	set(t, ec, jwk.AlgorithmKey, jwa.ES256())
	set(t, ec, jwk.KeyUsageKey, "sig")
	set(t, ec, jwk.KeyOpsKey, jwk.KeyOperationList{jwk.KeyOpVerify})
	fully, _ := edKey(t, "fully", zeroTime, zeroTime)
	set(t, fully, jwk.AlgorithmKey, jwa.EdDSAEd25519())
	body := setJSON(t, ed, ec, fully)
	ks, err := parseSet(body, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.keys) != 3 || ks.set.Len() != 3 {
		t.Fatalf("parseSet = %d keys, set of %d; want 3", len(ks.keys), ks.set.Len())
	}
	e := ks.keys["ed"]
	if e.alg != jwa.EdDSA() || !e.nbf.Equal(now) || !e.exp.Equal(now.Add(time.Hour)) {
		t.Errorf("ed: alg %v, nbf %v, exp %v; want EdDSA, %v, %v", e.alg, e.nbf, e.exp, now, now.Add(time.Hour))
	}
	tp, _ := ed.Thumbprint(crypto.SHA256)
	if e.thumbprint != base64.RawURLEncoding.EncodeToString(tp) {
		t.Errorf("ed: thumbprint %s, want the RFC 7638 one", e.thumbprint)
	}
	if ks.keys["ec"].alg != jwa.ES256() || !ks.keys["ec"].nbf.IsZero() || !ks.keys["ec"].exp.IsZero() {
		t.Errorf("ec: alg %v, nbf %v, exp %v; want ES256 without bounds", ks.keys["ec"].alg, ks.keys["ec"].nbf, ks.keys["ec"].exp)
	}
	if ks.keys["fully"].alg != jwa.EdDSA() {
		t.Errorf("fully: alg %v, want EdDSA", ks.keys["fully"].alg)
	}
	if string(ks.body) != string(body) {
		t.Error("the set's bytes were not kept as read")
	}
}

// TestNumericDate: nbf and exp are read whatever number type the JSON
// decoder chose, fractions included.
func TestNumericDate(t *testing.T) {
	k, _ := edKey(t, "k", zeroTime, zeroTime)
	cases := []struct {
		v    any
		want time.Time
		ok   bool
	}{
		{float64(1_800_000_000), time.Unix(1_800_000_000, 0), true},
		{1_800_000_000.5, time.Unix(1_800_000_000, 500_000_000), true},
		{json.Number("1800000000"), time.Unix(1_800_000_000, 0), true},
		{json.Number("1800000000.25"), time.Unix(1_800_000_000, 250_000_000), true},
		{json.Number("1e3"), time.Unix(1000, 0), true},
		{int64(1_800_000_000), time.Unix(1_800_000_000, 0), true},
		{1_800_000_000, time.Unix(1_800_000_000, 0), true},
		{json.Number("-5"), time.Time{}, false},
		{json.Number("1e20"), time.Time{}, false},
		{json.Number("x"), time.Time{}, false},
		{"1800000000", time.Time{}, false},
		{true, time.Time{}, false},
	}
	for _, tc := range cases {
		c := withRawKey(t, k, "exp", tc.v)
		got, err := numericDate(c, "exp")
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("numericDate(%T %v) = %v, %v; want %v, ok %v", tc.v, tc.v, got, err, tc.want, tc.ok)
		}
	}
	if got, err := numericDate(k, "nbf"); err != nil || !got.IsZero() {
		t.Errorf("numericDate(absent) = %v, %v; want the zero time", got, err)
	}
	if !errors.Is(fmt.Errorf("x: %w", ErrKeyType), ErrKeyType) {
		t.Fatal("unreachable")
	}
}
