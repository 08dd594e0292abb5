package ed25519x

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// readVectors decodes the gzipped JSON file name of testdata into v.
func readVectors(t testing.TB, name string, v any) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(z).Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type verifyCase struct {
	name          string
	pub, msg, sig []byte
}

// edgeCases are the cases of the three vector sets.
func edgeCases(t testing.TB) []verifyCase {
	var cs []verifyCase
	var cctv []struct{ A, R, S, M string }
	readVectors(t, "ed25519vectors.json.gz", &cctv)
	for i, v := range cctv {
		cs = append(cs, verifyCase{name: fmt.Sprintf("ed25519vectors %d", i), pub: unhex(t, v.A),
			msg: []byte(v.M), sig: append(unhex(t, v.R), unhex(t, v.S)...)})
	}
	var spec []struct {
		M string `json:"message"`
		P string `json:"pub_key"`
		S string `json:"signature"`
	}
	readVectors(t, "speccheck_cases.json.gz", &spec)
	for _, v := range spec {
		cs = append(cs, verifyCase{name: "speccheck", pub: unhex(t, v.P), msg: unhex(t, v.M), sig: unhex(t, v.S)})
	}
	var wp struct {
		TestGroups []struct {
			Key   struct{ Pk string } `json:"key"`
			Tests []struct {
				Msg string `json:"msg"`
				S   string `json:"sig"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	readVectors(t, "eddsa_test.json.gz", &wp)
	for _, g := range wp.TestGroups {
		for _, v := range g.Tests {
			cs = append(cs, verifyCase{name: "wycheproof", pub: unhex(t, g.Key.Pk), msg: unhex(t, v.Msg), sig: unhex(t, v.S)})
		}
	}
	return cs
}

// On every edge case of three published sets, Verify answers what
// crypto/ed25519 answers: no signature one accepts and the other refuses.
func TestVerifyAgreesWithStdlib(t *testing.T) {
	cs := edgeCases(t)
	if len(cs) < 300 {
		t.Fatalf("only %d cases read", len(cs))
	}
	accepted, refused := 0, 0
	for i, c := range cs {
		want := len(c.pub) == ed25519.PublicKeySize && ed25519.Verify(c.pub, c.msg, c.sig)
		if got := Verify(c.pub, c.msg, c.sig); got != want {
			t.Errorf("case %d (%s): Verify = %v, crypto/ed25519 says %v (A %x, sig %x)", i, c.name, got, want, c.pub, c.sig)
		}
		if want {
			accepted++
		} else {
			refused++
		}
	}
	// The sets hold cases of both kinds: the agreement is not all "no".
	if accepted < 50 || refused < 50 {
		t.Errorf("%d accepted, %d refused: the vectors did not exercise both answers", accepted, refused)
	}
}

// Signatures are RFC 8032's, byte for byte the standard library's, and
// every one verifies; a flipped bit anywhere does not.
func TestSignAgreesWithStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		seed := make([]byte, ed25519.SeedSize)
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		msg := make([]byte, rng.IntN(2048))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig := Sign(priv, msg)
		if want := ed25519.Sign(priv, msg); !bytes.Equal(sig, want) {
			t.Fatalf("key %d: Sign = %x, crypto/ed25519 signs %x", i, sig, want)
		}
		if !Verify(pub, msg, sig) {
			t.Fatalf("key %d: its own signature does not verify", i)
		}
		bad := bytes.Clone(sig)
		bit := rng.IntN(len(bad) * 8)
		bad[bit/8] ^= 1 << (bit % 8)
		if Verify(pub, msg, bad) || ed25519.Verify(pub, msg, bad) {
			t.Fatalf("key %d: a signature with bit %d flipped verifies", i, bit)
		}
		if len(msg) > 0 {
			other := bytes.Clone(msg)
			other[0] ^= 1
			if Verify(pub, other, sig) {
				t.Fatalf("key %d: the signature verifies another message", i)
			}
		}
	}
}

// A key or a signature of the wrong length is refused, not a panic.
func TestVerifyLengths(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	sig := Sign(priv, []byte("m"))
	for _, c := range []struct {
		pub, sig []byte
	}{{pub[:31], sig}, {append(bytes.Clone(pub), 0), sig}, {pub, sig[:63]}, {pub, append(bytes.Clone(sig), 0)}, {nil, nil}} {
		if Verify(c.pub, []byte("m"), c.sig) {
			t.Errorf("Verify(%d-byte key, %d-byte signature) = true", len(c.pub), len(c.sig))
		}
	}
}

// FuzzVerify: whatever the key, message and signature, Verify answers
// what crypto/ed25519 answers, and never panics.
func FuzzVerify(f *testing.F) {
	for _, c := range edgeCases(f) {
		f.Add(c.pub, c.msg, c.sig)
	}
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		want := len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, msg, sig)
		if got := Verify(pub, msg, sig); got != want {
			t.Fatalf("Verify(%x, %x, %x) = %v, crypto/ed25519 says %v", pub, msg, sig, got, want)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	msg := make([]byte, 700) // about a request's signing input
	sig := ed25519.Sign(priv, msg)
	b.Run("ed25519x", func(b *testing.B) {
		for b.Loop() {
			Verify(pub, msg, sig)
		}
	})
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			ed25519.Verify(pub, msg, sig)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	msg := make([]byte, 400) // about a receipt's signing input
	b.Run("ed25519x", func(b *testing.B) {
		for b.Loop() {
			Sign(priv, msg)
		}
	})
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			ed25519.Sign(priv, msg)
		}
	})
}
