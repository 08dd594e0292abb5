package trust

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"samband/exchange/trust/trusttest"
)

var zeroTime time.Time

// edKey returns a new Ed25519 key pair as JWKs, the public one with kid and,
// when not zero, nbf and exp.
func edKey(t testing.TB, kid string, nbf, exp time.Time) (pub, priv jwk.Key) {
	t.Helper()
	_, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return withMembers(t, sk, kid, nbf, exp)
}

// ecKey returns a new EC key pair on curve as JWKs.
func ecKey(t testing.TB, kid string, curve elliptic.Curve) (pub, priv jwk.Key) {
	t.Helper()
	sk, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return withMembers(t, sk, kid, time.Time{}, time.Time{})
}

func withMembers(t testing.TB, sk any, kid string, nbf, exp time.Time) (pub, priv jwk.Key) {
	t.Helper()
	priv, err := jwk.Import(sk)
	if err != nil {
		t.Fatal(err)
	}
	pub, err = jwk.PublicKeyOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []jwk.Key{pub, priv} {
		if kid != "" {
			set(t, k, jwk.KeyIDKey, kid)
		}
		if !nbf.IsZero() {
			set(t, k, "nbf", nbf.Unix())
		}
		if !exp.IsZero() {
			set(t, k, "exp", exp.Unix())
		}
	}
	return pub, priv
}

func set(t testing.TB, k jwk.Key, name string, v any) {
	t.Helper()
	if err := k.Set(name, v); err != nil {
		t.Fatal(err)
	}
}

// setJSON returns the JWK set of keys, as JSON.
func setJSON(t testing.TB, keys ...any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwksServer is the key server of these tests.
type jwksServer = trusttest.KeyServer

func newJWKSServer(t testing.TB, body []byte) *jwksServer { return trusttest.NewKeyServer(t, body) }

// logBuffer is a slog handler's output that tests may read while the
// registry writes it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	return slog.New(slog.NewTextHandler(lb, nil)), lb
}
