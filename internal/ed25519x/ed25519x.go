// Package ed25519x signs and verifies Ed25519 with the rules of the
// standard library's crypto/ed25519, about 1.6 times as fast: the exchange
// verifies one signature and makes one for every request it answers, and
// these are a fifth of its CPU (docs/decisions.md, "Ed25519").
//
// The arithmetic is curve25519-voi's, whose verification with
// VerifyOptionsStdLib accepts exactly what crypto/ed25519 accepts
// (cofactorless, small-order and non-canonical points as the standard
// library takes them); signatures are deterministic (RFC 8032), so the
// same bytes either way. When the Go FIPS 140-3 mode is on
// (GODEBUG=fips140=on), both functions use crypto/ed25519, the validated
// module, instead.
package ed25519x

import (
	"crypto/ed25519"
	"crypto/fips140"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

var stdlibRules = &voi.Options{Verify: voi.VerifyOptionsStdLib}

// Verify reports whether sig is pub's signature of message. A key that is
// not 32 bytes or a signature that is not 64 does not verify.
func Verify(pub ed25519.PublicKey, message, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	if fips140.Enabled() {
		return ed25519.Verify(pub, message, sig)
	}
	return voi.VerifyWithOptions(voi.PublicKey(pub), message, sig, stdlibRules)
}

// Sign returns priv's signature of message. It panics, as crypto/ed25519
// does, if priv is not 64 bytes.
func Sign(priv ed25519.PrivateKey, message []byte) []byte {
	if fips140.Enabled() {
		return ed25519.Sign(priv, message)
	}
	return voi.Sign(voi.PrivateKey(priv), message)
}
