package trust

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

func TestParseID(t *testing.T) {
	cases := []struct {
		id, country, org string
		ok               bool
	}{
		{"NO/974760673", "NO", "974760673", true},
		{"FI/0245437-2", "FI", "0245437-2", true},
		{"SE/202100-5489", "SE", "202100-5489", true},
		{"DK/a.b_C-9", "DK", "a.b_C-9", true},
		{"IS/" + string(make64('x')), "IS", string(make64('x')), true},
		{"IS/" + string(make64('x')) + "x", "", "", false}, // 65 characters
		{"no/974760673", "", "", false},                    // lower case
		{"XX/1", "", "", false},                            // not assigned
		{"EL/1", "", "", false},                            // EU's code for Greece, not ISO's
		{"NOR/1", "", "", false},
		{"N/1", "", "", false},
		{"NO/", "", "", false},
		{"NO", "", "", false},
		{"", "", "", false},
		{"/974760673", "", "", false},
		{"NO/97 47", "", "", false},
		{"NO/974/760", "", "", false},
		{"NO/æøå", "", "", false},
		{"NO/\x00", "", "", false},
	}
	for _, tc := range cases {
		c, o, err := ParseID(tc.id)
		if (err == nil) != tc.ok || c != tc.country || o != tc.org {
			t.Errorf("ParseID(%q) = %q, %q, %v; want %q, %q, ok %v", tc.id, c, o, err, tc.country, tc.org, tc.ok)
		}
	}
}

func make64(c byte) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return b
}

func TestKeyAlgorithm(t *testing.T) {
	edPub, edPriv := edKey(t, "ed", zeroTime, zeroTime)
	p256, p256Priv := ecKey(t, "p256", elliptic.P256())
	p384, _ := ecKey(t, "p384", elliptic.P384())
	oct, err := jwk.Import([]byte("a shared secret of thirty-two b."))
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := jwk.Import(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		key  jwk.Key
		alg  jwa.SignatureAlgorithm
		ok   bool
	}{
		{"Ed25519", edPub, jwa.EdDSA(), true},
		{"P-256", p256, jwa.ES256(), true},
		{"P-384", p384, jwa.EmptySignatureAlgorithm(), false},
		{"Ed25519 private", edPriv, jwa.EmptySignatureAlgorithm(), false},
		{"P-256 private", p256Priv, jwa.EmptySignatureAlgorithm(), false},
		{"oct", oct, jwa.EmptySignatureAlgorithm(), false},
		{"RSA", rsaPub, jwa.EmptySignatureAlgorithm(), false},
		{"nil", nil, jwa.EmptySignatureAlgorithm(), false},
	}
	for _, tc := range cases {
		alg, err := KeyAlgorithm(tc.key)
		if tc.ok && (err != nil || alg != tc.alg) {
			t.Errorf("KeyAlgorithm(%s) = %v, %v; want %v", tc.name, alg, err, tc.alg)
		}
		if !tc.ok && !errors.Is(err, ErrKeyType) {
			t.Errorf("KeyAlgorithm(%s) = %v, %v; want ErrKeyType", tc.name, alg, err)
		}
	}
}
