package trust

import (
	"context"
	"crypto/elliptic"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"samband/internal/netguard"
)

const (
	gwSE  = "SE/2021005489"
	authN = "NO/974760673"
	authF = "FI/0245437-2"
)

// urlConfig is the configuration of one peer gateway whose keys srv serves.
func urlConfig(srv *jwksServer) Config {
	return Config{
		Parties: []PartyConfig{{ID: gwSE, Kind: Gateway, Scheme: "SE:ORGNR",
			BaseURL: "https://samband.example.se", JWKSURL: srv.URL + "/exchange/v1/keys"}},
		JWKSAllow:    []string{srv.URL + "/exchange/v1/"},
		AllowPrivate: true, // the test server is on loopback
	}
}

func openRegistry(t *testing.T, cfg Config, store *Store) *Registry {
	t.Helper()
	r, err := Open(context.Background(), cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// keyIs checks that Key(id, kid, at) is the error want (nil: a key, with
// the thumbprint of pub when pub is given).
func keyIs(t *testing.T, r *Registry, id, kid string, at time.Time, want error, pub jwk.Key) {
	t.Helper()
	k, err := r.Key(context.Background(), id, kid, at)
	switch {
	case want == nil && err != nil:
		t.Errorf("Key(%s, %s, %s) = %v, want the key", id, kid, at.Format(time.RFC3339), err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("Key(%s, %s, %s) = %v, want %v", id, kid, at.Format(time.RFC3339), err, want)
	case want == nil && pub != nil && !jwk.Equal(k, pub):
		t.Errorf("Key(%s, %s) is another key than the party's", id, kid)
	}
}

// TestInlineAndFileSets: keys given in the configuration verify what the
// matching private keys signed.
func TestInlineAndFileSets(t *testing.T) {
	edPub, edPriv := edKey(t, "ed-1", zeroTime, zeroTime)
	ecPub, ecPriv := ecKey(t, "ec-1", elliptic.P256())
	file := filepath.Join(t.TempDir(), "fi.json")
	if err := os.WriteFile(file, setJSON(t, ecPub), 0o600); err != nil {
		t.Fatal(err)
	}
	r := openRegistry(t, Config{Parties: []PartyConfig{
		{ID: authN, Kind: Authority, Scheme: "NO:ORGNR", JWKS: string(setJSON(t, edPub))},
		{ID: authF, Kind: Authority, Scheme: "FI:YTUNNUS", JWKSFile: file},
	}}, nil)
	now := time.Now()
	for _, tc := range []struct {
		id, kid string
		priv    jwk.Key
		alg     jwa.SignatureAlgorithm
	}{{authN, "ed-1", edPriv, jwa.EdDSA()}, {authF, "ec-1", ecPriv, jwa.ES256()}} {
		key, err := r.Key(context.Background(), tc.id, tc.kid, now)
		if err != nil {
			t.Fatalf("Key(%s, %s) = %v", tc.id, tc.kid, err)
		}
		alg, err := KeyAlgorithm(key)
		if err != nil || alg != tc.alg {
			t.Fatalf("KeyAlgorithm = %v, %v; want %v", alg, err, tc.alg)
		}
		msg, err := jws.Sign([]byte("a request"), jws.WithKey(tc.alg, tc.priv))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(msg, jws.WithKey(alg, key)); err != nil {
			t.Errorf("a signature of %s does not verify with its key: %v", tc.id, err)
		}
	}
	keyIs(t, r, authN, "ec-1", now, ErrUnknownKey, nil) // another party's kid
	keyIs(t, r, "NO/1", "ed-1", now, ErrUnknownParty, nil)
	set, err := r.PublicSet(authF)
	if err != nil || set.Len() != 1 {
		t.Fatalf("PublicSet = %v, %v; want one key", set, err)
	}
	k, _ := set.Key(0)
	if !jwk.Equal(k, ecPub) {
		t.Error("PublicSet holds another key than the file's")
	}
	k.Set("kid", "changed") // a copy: the registry's key stays
	keyIs(t, r, authF, "ec-1", now, nil, ecPub)
	if _, err := r.PublicSet("NO/1"); !errors.Is(err, ErrUnknownParty) {
		t.Errorf("PublicSet(NO/1) = %v, want ErrUnknownParty", err)
	}
	if err := r.Refresh(context.Background(), authN); err == nil || !strings.Contains(err.Error(), "not at a jwks_url") {
		t.Errorf("Refresh of an inline set = %v, want a refusal", err)
	}
}

// TestRotation: a key set served at a URL rotates: k1 alone, then k1 with
// an exp beside k2, then k2 alone.
func TestRotation(t *testing.T) {
	k1, _ := edKey(t, "k1", zeroTime, zeroTime)
	srv := newJWKSServer(t, setJSON(t, k1))
	r := openRegistry(t, urlConfig(srv), nil)
	ctx := context.Background()
	now := time.Now()
	keyIs(t, r, gwSE, "k1", now, nil, k1)
	keyIs(t, r, gwSE, "k2", now, ErrUnknownKey, nil)

	retired := now.Add(-time.Hour).Truncate(time.Second)
	k1r := withRawKey(t, k1, "exp", retired.Unix())
	k2, _ := ecKey(t, "k2", elliptic.P256())
	srv.Serve(setJSON(t, k1r, k2))
	if err := r.Refresh(ctx, gwSE); err != nil {
		t.Fatal(err)
	}
	keyIs(t, r, gwSE, "k2", now, nil, k2)
	keyIs(t, r, gwSE, "k1", now, ErrKeyExpired, nil)
	keyIs(t, r, gwSE, "k1", retired, ErrKeyExpired, nil) // exp itself is outside [nbf, exp)
	keyIs(t, r, gwSE, "k1", retired.Add(-time.Second), nil, k1)

	srv.Serve(setJSON(t, k2))
	if err := r.Refresh(ctx, gwSE); err != nil {
		t.Fatal(err)
	}
	keyIs(t, r, gwSE, "k1", retired.Add(-time.Second), ErrUnknownKey, nil) // gone from the set
	keyIs(t, r, gwSE, "k2", now, nil, k2)
	if got := srv.Requests.Load(); got != 3 {
		t.Errorf("%d requests, want 3 (Open's and two refreshes)", got)
	}
	r.Close()
	if err := r.Refresh(ctx, gwSE); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Refresh after Close = %v, want a refusal", err)
	}
	keyIs(t, r, gwSE, "k2", now, nil, k2) // the last keys still answer
}

func TestTimeWindowAndRevocation(t *testing.T) {
	from := time.Unix(1_900_000_000, 0)
	until := from.Add(24 * time.Hour)
	future, _ := edKey(t, "future", from, until)
	revoked, _ := edKey(t, "revoked", zeroTime, zeroTime)
	r := openRegistry(t, Config{Parties: []PartyConfig{{ID: authN, Kind: Authority, Scheme: "NO:ORGNR",
		JWKS: string(setJSON(t, future, revoked)), Revoked: []string{"revoked", "gone"}}}}, nil)
	keyIs(t, r, authN, "future", from.Add(-time.Second), ErrKeyNotYetValid, nil)
	keyIs(t, r, authN, "future", from.Add(-time.Millisecond), ErrKeyNotYetValid, nil)
	keyIs(t, r, authN, "future", from, nil, future)
	keyIs(t, r, authN, "future", until.Add(-time.Millisecond), nil, future)
	keyIs(t, r, authN, "future", until, ErrKeyExpired, nil)
	keyIs(t, r, authN, "revoked", time.Now(), ErrKeyRevoked, nil)
	keyIs(t, r, authN, "gone", time.Now(), ErrKeyRevoked, nil) // revoked whether the set holds it or not
	keyIs(t, r, authN, "other", time.Now(), ErrUnknownKey, nil)
	_, err := r.Key(context.Background(), authN, "future", until)
	if want := `key "future" of NO/974760673 at 2030-03-18T17:46:40Z: valid until 2030-03-18T17:46:40Z: key expired`; err == nil || err.Error() != want {
		t.Errorf("Key after exp = %v, want %q", err, want)
	}
}

// TestRefreshRefusesHostileSets: a refreshed set that fails the checks is
// refused whole, the previous keys stay, and the refusal is counted.
func TestRefreshRefusesHostileSets(t *testing.T) {
	k1, _ := edKey(t, "good", zeroTime, zeroTime)
	good := setJSON(t, k1)
	srv := newJWKSServer(t, good)
	cfg := urlConfig(srv)
	cfg.MaxKeys = testLimits.maxKeys
	reg := prometheus.NewRegistry()
	cfg.Registerer = reg
	r := openRegistry(t, cfg, nil)
	ctx := context.Background()
	for i, tc := range hostileSets(t) {
		srv.Serve([]byte(tc.body))
		err := r.Refresh(ctx, gwSE)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Refresh = %v, want it to say %q", tc.name, err, tc.want)
		}
		keyIs(t, r, gwSE, "good", time.Now(), nil, k1)
		if got := testutil.ToFloat64(r.metrics.fetches.WithLabelValues(gwSE, "refused")); got != float64(i+1) {
			t.Errorf("%s: %v refusals counted, want %d", tc.name, got, i+1)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "samband_trust_jwks_fetches_total"); err != nil || n != 2 {
		t.Errorf("exported fetch counters: %d, %v; want ok and refused", n, err)
	}
	srv.Serve(good)
	if err := r.Refresh(ctx, gwSE); err != nil {
		t.Errorf("Refresh of a good set after refusals = %v", err)
	}
}

// TestBackgroundRefresh: the registry refreshes a URL set by itself; a
// refused set is logged, and the previous keys stay.
func TestBackgroundRefresh(t *testing.T) {
	k1, _ := edKey(t, "k1", zeroTime, zeroTime)
	k2, _ := edKey(t, "k2", zeroTime, zeroTime)
	srv := newJWKSServer(t, setJSON(t, k1))
	cfg := urlConfig(srv)
	cfg.MinRefresh, cfg.MaxRefresh = time.Second, time.Second
	logger, logs := newLogger()
	r, err := Open(context.Background(), cfg, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, priv := edKey(t, "k2", zeroTime, zeroTime)
	srv.Serve(setJSON(t, k2, priv))
	waitFor(t, "a refused refresh logged", func() bool { return strings.Contains(logs.String(), "key set refresh failed") })
	if l := logs.String(); !strings.Contains(l, "party="+gwSE) || !strings.Contains(l, `private key material`) {
		t.Errorf("log = %s\nwant the party and why", l)
	}
	keyIs(t, r, gwSE, "k1", time.Now(), nil, k1)
	keyIs(t, r, gwSE, "k2", time.Now(), ErrUnknownKey, nil)
	srv.Serve(setJSON(t, k2))
	waitFor(t, "k2 fetched in the background", func() bool {
		_, err := r.Key(context.Background(), gwSE, "k2", time.Now())
		return err == nil
	})
	keyIs(t, r, gwSE, "k1", time.Now(), ErrUnknownKey, nil)
}

// waitFor polls cond until it holds, failing the test after a generous
// while: it waits for an event, it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFetchRefused: URL sets that must not be fetched, or not trusted,
// make Open fail with a clear error in wait mode, and start the party
// without keys, with a warning as clear, in background mode.
func TestFetchRefused(t *testing.T) {
	k1, _ := edKey(t, "k1", zeroTime, zeroTime)
	good := setJSON(t, k1)
	other := newJWKSServer(t, good)
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/exchange/v1/keys"
	redirect := httptest.NewServer(http.RedirectHandler(otherURL, http.StatusFound))
	defer redirect.Close()
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	srv := newJWKSServer(t, good)
	elsewhere := newJWKSServer(t, good)
	redirectElsewhere := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/keys", http.StatusFound))
	defer redirectElsewhere.Close()
	big := newJWKSServer(t, []byte(`{"keys":[],"pad":"`+strings.Repeat("x", 2000)+`"}`))

	cases := []struct {
		name string
		cfg  func() Config
		want string
		is   error
	}{
		{"a redirect, even to an allowed host", func() Config {
			cfg := urlConfig(srv)
			cfg.Parties[0].JWKSURL = redirect.URL + "/exchange/v1/keys"
			cfg.JWKSAllow = []string{redirect.URL + "/", strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/"}
			return cfg
		}, "answered 302 Found, a redirect to \"" + otherURL + "\"; redirects are not followed", nil},
		{"a redirect outside the allow-list that a given client followed", func() Config {
			cfg := urlConfig(srv)
			cfg.Parties[0].JWKSURL = redirectElsewhere.URL + "/exchange/v1/keys"
			cfg.JWKSAllow = []string{redirectElsewhere.URL + "/"}
			cfg.HTTPClient = &http.Client{}
			return cfg
		}, "redirected to " + elsewhere.URL + "/keys, under no prefix of jwks_allow", nil},
		{"404", func() Config {
			cfg := urlConfig(srv)
			cfg.Parties[0].JWKSURL = missing.URL + "/exchange/v1/keys"
			cfg.JWKSAllow = []string{missing.URL + "/"}
			return cfg
		}, "answered 404 Not Found", nil},
		{"loopback without AllowPrivate", func() Config {
			cfg := urlConfig(srv)
			cfg.AllowPrivate = false
			return cfg
		}, "refused to connect to 127.0.0.1: loopback address", netguard.ErrForbiddenAddress},
		{"a name that resolves to loopback", func() Config {
			cfg := urlConfig(srv)
			cfg.Parties[0].JWKSURL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/exchange/v1/keys"
			cfg.JWKSAllow = []string{strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/"}
			cfg.AllowPrivate = false
			return cfg
		}, "loopback address", netguard.ErrForbiddenAddress},
		{"the metadata address", func() Config {
			cfg := urlConfig(srv)
			cfg.Parties[0].JWKSURL = "http://169.254.169.254/latest/meta-data/keys"
			cfg.JWKSAllow = []string{"http://169.254.169.254/"}
			return cfg
		}, "refused to connect to 169.254.169.254: link-local address", netguard.ErrForbiddenAddress},
		{"a set over MaxJWKSBytes", func() Config {
			cfg := urlConfig(big)
			cfg.MaxJWKSBytes = 1000
			return cfg
		}, "refused: key set of 1001 bytes, more than the 1000 allowed", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			cfg.FirstFetch = FirstFetchWait
			r, err := Open(context.Background(), cfg, nil, nil)
			if err == nil {
				r.Close()
				t.Fatalf("Open succeeded, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "first fetch: key set of "+gwSE+" from ") {
				t.Errorf("Open = %v\nwant it to say %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Open = %v, want %v", err, tc.is)
			}

			// In background mode the same start succeeds without the
			// party's keys, and the warning says why.
			cfg.FirstFetch = FirstFetchBackground
			logger, logs := newLogger()
			r, err = Open(context.Background(), cfg, nil, logger)
			if err != nil {
				t.Fatalf("Open in background mode = %v", err)
			}
			defer r.Close()
			keyIs(t, r, gwSE, "k1", time.Now(), ErrUnknownKey, nil)
			if l := logs.String(); !strings.Contains(l, "key set not fetched at start") || !strings.Contains(l, strings.ReplaceAll(tc.want, `"`, `\"`)) {
				t.Errorf("log = %s\nwant the missing set and %q", l, tc.want)
			}
		})
	}
	if n := other.Requests.Load(); n != 0 {
		t.Errorf("the redirect's target got %d requests, want none", n)
	}
	if n := srv.Requests.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests with private addresses refused, want none", n)
	}
}

// TestOpenWaitsUpToCtx: in wait mode, a set server that does not answer
// makes Open fail when ctx ends.
func TestOpenWaitsUpToCtx(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	cfg := Config{Parties: []PartyConfig{{ID: gwSE, Kind: Gateway, Scheme: "SE:ORGNR", BaseURL: "https://x.example", JWKSURL: slow.URL + "/k"}},
		JWKSAllow: []string{slow.URL + "/"}, AllowPrivate: true, FirstFetch: FirstFetchWait}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r, err := Open(ctx, cfg, nil, nil)
	if err == nil {
		r.Close()
		t.Fatal("Open succeeded without keys")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "first fetch of the key set of "+gwSE) {
		t.Errorf("Open = %v, want the context's deadline", err)
	}
}
