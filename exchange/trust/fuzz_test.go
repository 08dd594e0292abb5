package trust

import (
	"crypto/elliptic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// FuzzParseSet: whatever bytes a party serves, parseSet returns an error
// or a set whose every key is one Samband verifies with, and never panics.
func FuzzParseSet(f *testing.F) {
	ed, _ := edKey(f, "ed", time.Unix(1_800_000_000, 0), time.Unix(1_900_000_000, 0))
	ec, _ := ecKey(f, "ec", elliptic.P256())
	f.Add(setJSON(f, ed, ec))
	f.Add(setJSON(f, ed))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","nbf":1.5e9,"exp":"x"}]}`))
	for _, tc := range hostileSets(f) {
		if len(tc.body) <= 1<<14 {
			f.Add([]byte(tc.body))
		}
	}
	lim := limits{maxBytes: 1 << 14, maxKeys: 4}
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := parseSet(data, lim)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without words")
			}
			return
		}
		if n := len(ks.keys); n == 0 || n > lim.maxKeys || ks.set.Len() != n {
			t.Fatalf("%d keys, a set of %d; want 1 to %d of each", n, ks.set.Len(), lim.maxKeys)
		}
		for kid, e := range ks.keys {
			if kid == "" || kid != e.kid {
				t.Fatalf("key under %q has kid %q", kid, e.kid)
			}
			if priv, err := jwk.IsPrivateKey(e.key); err != nil || priv {
				t.Fatalf("key %q: private %v, %v", kid, priv, err)
			}
			alg, err := KeyAlgorithm(e.key)
			if err != nil || alg != e.alg || (alg != jwa.EdDSA() && alg != jwa.ES256()) {
				t.Fatalf("key %q: alg %v (%v), recorded %v", kid, alg, err, e.alg)
			}
			if !e.nbf.IsZero() && !e.exp.IsZero() && !e.nbf.Before(e.exp) {
				t.Fatalf("key %q: nbf %v not before exp %v", kid, e.nbf, e.exp)
			}
			again, err := parseSet(append(append([]byte(`{"keys":[`), e.json...), "]}"...), lim)
			if err != nil {
				t.Fatalf("key %q: its own JWK %s is refused: %v", kid, e.json, err)
			}
			if a := again.keys[kid]; a == nil || a.thumbprint != e.thumbprint || !a.nbf.Equal(e.nbf) || !a.exp.Equal(e.exp) {
				t.Fatalf("key %q: its JWK %s reads as another key", kid, e.json)
			}
		}
	})
}
