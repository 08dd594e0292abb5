package audit

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/mod/sumdb/note"
)

// GenerateKey returns a new Ed25519 key pair for signing checkpoints under
// name (a gateway's host name, say): the signer key for note.NewSigner,
// kept secret, and the verifier key for note.NewVerifier, published.
func GenerateKey(name string) (skey, vkey string, err error) {
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("generate audit key %q: %w", name, err)
	}
	return skey, vkey, nil
}
