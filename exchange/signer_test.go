package exchange

import (
	"context"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

func TestSigner(t *testing.T) {
	ed := edKey(t, "consumer", "k1")
	for _, tc := range []struct {
		alg string
		key jwk.Key
	}{
		{"EdDSA", ed},
		{"ES256", ecKey(t, "k1")},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			s, err := NewSigner(tc.key)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			r := testRequest()
			sig, err := s.Sign(r, testRequester)
			if err != nil {
				t.Fatalf("Signer.Sign: %v", err)
			}
			keys := keyring{testRequester + " k1": publicOf(t, tc.key)}
			if _, err := Verify(context.Background(), r, sig, keys.keys); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if tc.alg == "EdDSA" {
				// Ed25519 is deterministic: the same signature as Sign's.
				if want, _ := Sign(r, testRequester, tc.key); sig != want {
					t.Errorf("Signer.Sign = %s, Sign = %s", sig, want)
				}
			}
		})
	}
	t.Run("refusals", func(t *testing.T) {
		if _, err := NewSigner(publicOf(t, ed)); err == nil {
			t.Error("NewSigner of a public key: no error")
		}
		if _, err := NewSigner(nil); err == nil {
			t.Error("NewSigner(nil): no error")
		}
		s, err := NewSigner(ed)
		if err != nil {
			t.Fatal(err)
		}
		if sig, err := s.Sign(testRequest(), "gateway.example.fi"); err == nil {
			t.Errorf("Sign as a signer that is not a party ID = %s, want an error", sig)
		}
		r := testRequest()
		r.UserID = "a\nrequester: NO/1"
		if sig, err := s.Sign(r, testRequester); err == nil {
			t.Errorf("Sign of a line feed in a field = %s, want an error", sig)
		}
	})
}
