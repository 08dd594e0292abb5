package trust

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"database/sql"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func thumbprint(t *testing.T, k jwk.Key) string {
	t.Helper()
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// TestStore: the store records every key the registry sees, and a
// registry whose key server is down at start runs on the last good copy.
func TestStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "samband.db")
	store := openStore(t, path)
	k1, _ := edKey(t, "k1", zeroTime, zeroTime)
	k2, _ := ecKey(t, "k2", elliptic.P256())
	inline, _ := edKey(t, "a1", zeroTime, zeroTime)
	srv := newJWKSServer(t, setJSON(t, k1))
	cfg := urlConfig(srv)
	cfg.Parties = append(cfg.Parties, PartyConfig{ID: authN, Kind: Authority, Scheme: "NO:ORGNR", JWKS: string(setJSON(t, inline))})

	before := time.Now().Add(-time.Second)
	r, err := Open(ctx, cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	retire := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	srv.Serve(setJSON(t, withRawKey(t, k1, "exp", retire.Unix()), k2))
	if err := r.Refresh(ctx, gwSE); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	hist, err := store.KeyHistory(ctx, gwSE)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("KeyHistory(%s) = %d keys, want k1 and k2: %+v", gwSE, len(hist), hist)
	}
	byKid := map[string]KeyRecord{}
	for _, h := range hist {
		byKid[h.Kid] = h
	}
	h1, h2 := byKid["k1"], byKid["k2"]
	if h1.Thumbprint != thumbprint(t, k1) || h2.Thumbprint != thumbprint(t, k2) {
		t.Errorf("thumbprints %s, %s; want the RFC 7638 thumbprints of k1, k2", h1.Thumbprint, h2.Thumbprint)
	}
	if h1.Expires == nil || !h1.Expires.Equal(retire) || h1.NotBefore != nil || h2.Expires != nil {
		t.Errorf("k1 exp %v nbf %v, k2 exp %v; want k1's exp as last seen, no others", h1.Expires, h1.NotBefore, h2.Expires)
	}
	if h1.FirstSeen.Before(before) || h1.LastSeen.Before(h1.FirstSeen) || h2.FirstSeen.Before(h1.FirstSeen) || h1.RevokedAt != nil {
		t.Errorf("k1 seen %v to %v, k2 from %v, k1 revoked %v", h1.FirstSeen, h1.LastSeen, h2.FirstSeen, h1.RevokedAt)
	}
	got, err := jwk.ParseKey(h2.JWK)
	if err != nil || !jwk.Equal(got, k2) {
		t.Errorf("k2's recorded JWK %s is not k2: %v", h2.JWK, err)
	}
	if hist, err := store.KeyHistory(ctx, authN); err != nil || len(hist) != 1 || hist[0].Kid != "a1" {
		t.Errorf("KeyHistory(%s) = %+v, %v; want the inline key", authN, hist, err)
	}
	if _, err := store.KeyHistory(ctx, "NO/1"); !errors.Is(err, ErrUnknownParty) {
		t.Errorf("KeyHistory(NO/1) = %v, want ErrUnknownParty", err)
	}

	// The key server is down; the registry starts on the stored copy,
	// and says so.
	srv.Close()
	cfg.Parties[0].Revoked = []string{"k1"}
	logger, logs := newLogger()
	r, err = Open(ctx, cfg, store, logger)
	if err != nil {
		t.Fatalf("Open with the key server down and a stored copy: %v", err)
	}
	defer r.Close()
	keyIs(t, r, gwSE, "k2", time.Now(), nil, k2)
	keyIs(t, r, gwSE, "k1", time.Now(), ErrKeyRevoked, nil)
	if l := logs.String(); !strings.Contains(l, "using the stored copy") || !strings.Contains(l, "connection refused") {
		t.Errorf("log = %s\nwant the fallback and its cause", l)
	}
	hist, _ = store.KeyHistory(ctx, gwSE)
	for _, h := range hist {
		if (h.RevokedAt != nil) != (h.Kid == "k1") {
			t.Errorf("key %s revoked at %v; want k1 alone revoked", h.Kid, h.RevokedAt)
		}
	}

	// Without a store, or with a store that has no copy of that URL, the
	// same start fails in wait mode.
	cfg.FirstFetch = FirstFetchWait
	if r, err := Open(ctx, cfg, nil, nil); err == nil {
		r.Close()
		t.Error("Open without a store succeeded with the key server down")
	}
	cfg.Parties[0].JWKSURL += "?v=2"
	if r, err := Open(ctx, cfg, store, nil); err == nil {
		r.Close()
		t.Error("Open used the stored copy of another URL")
	}
}

// TestStoreKeepsHistory: keys and parties are never deleted, and the file
// is reopened as it is.
func TestStoreKeepsHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "samband.db")
	store := openStore(t, path)
	k, _ := edKey(t, "k", zeroTime, zeroTime)
	r := openRegistry(t, Config{Parties: []PartyConfig{{ID: authN, Kind: Authority, Scheme: "NO:ORGNR", JWKS: string(setJSON(t, k))}}}, store)
	r.Close()
	store.Close()
	if err := store.Close(); err != nil {
		t.Errorf("a second Close = %v, want nil", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"DELETE FROM trust_keys", "DELETE FROM trust_parties"} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "the key history is kept") {
			t.Errorf("%s = %v, want a refusal", q, err)
		}
	}
	store = openStore(t, path)
	if hist, err := store.KeyHistory(ctx, authN); err != nil || len(hist) != 1 {
		t.Errorf("KeyHistory after reopening = %+v, %v", hist, err)
	}
	if _, err := OpenStore(ctx, ""); err == nil {
		t.Error("OpenStore(\"\") succeeded")
	}
}
