package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/httprc/v3/errsink"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"samband/internal/netguard"
	"samband/policies"
)

const (
	// maxIDToken bounds an ID token, in bytes: real ones are 1 to 4 KiB.
	maxIDToken = 16 << 10
	// tokenSkew is the clock difference allowed for exp, nbf and iat.
	tokenSkew = 60 * time.Second
	// maxJWKS bounds a provider's key set, in bytes and in keys.
	maxJWKS     = 256 << 10
	maxJWKSKeys = 100
	// keysWait is how long a request waits for a provider's keys to arrive.
	keysWait = 5 * time.Second
	// refreshEvery is the least time between two fetches of a provider's
	// keys that a token asks for (a key id not yet known, keys not yet
	// fetched); the cache refreshes them on its own as well.
	refreshEvery = 30 * time.Second
)

// citizenAuth signs citizens in with the ID tokens of the configured
// OpenID Connect providers.
type citizenAuth struct {
	byIssuer map[string]*oidcProvider
	cache    *jwk.Cache // nil when every provider's keys are in a file
}

// oidcProvider is one provider, with its keys.
type oidcProvider struct {
	OIDCProvider
	static jwk.Set    // the keys of JWKSFile
	cache  *jwk.Cache // the keys of JWKSURL

	mu        sync.Mutex
	refreshed time.Time // the last fetch a token asked for
}

// newCitizenAuth readies the providers of cfg (checked by Config.check),
// with their defaults: it reads the key files and registers the key set
// URLs with a cache that fetches them in the background until ctx ends.
// It returns nil when no provider is configured.
func newCitizenAuth(ctx context.Context, cfg CitizenConfig, logger *slog.Logger) (*citizenAuth, error) {
	if len(cfg.Providers) == 0 {
		return nil, nil
	}
	a := &citizenAuth{byIssuer: map[string]*oidcProvider{}}
	allowed := httprc.NewMapWhitelist() // exactly the configured URLs, nothing else
	for _, p := range cfg.Providers {
		if p.JWKSURL != "" {
			allowed.Add(p.JWKSURL)
		}
	}
	parse := []jwk.ParseOption{jwk.WithMaxKeys(maxJWKSKeys), jwk.WithRejectDuplicateKID(true)}
	for _, pc := range cfg.Providers {
		pc.IDClaim, pc.Algorithms = pc.idClaim(), pc.algorithms()
		p := &oidcProvider{OIDCProvider: pc}
		where := "citizen.providers " + pc.Name
		if pc.JWKSFile != "" {
			raw, err := readBounded(pc.JWKSFile, maxJWKS)
			if err != nil {
				return nil, fmt.Errorf("%s: jwks_file: %w", where, err)
			}
			if p.static, err = jwk.Parse(raw, parse...); err != nil {
				return nil, fmt.Errorf("%s: jwks_file %s: %w", where, pc.JWKSFile, err)
			}
		} else {
			if a.cache == nil {
				var err error
				a.cache, err = jwk.NewCache(ctx, httprc.NewClient(
					httprc.WithWhitelist(allowed),
					httprc.WithHTTPClient(jwksClient(false)),
					httprc.WithErrorSink(errsink.NewFunc(func(_ context.Context, err error) {
						logger.Warn("citizen view: fetching an OpenID provider's keys failed", "err", err)
					}))))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
			}
			opts := []jwk.RegisterOption{jwk.WithHTTPClient(jwksClient(pc.AllowPrivate)), jwk.WithMaxFetchBodySize(maxJWKS),
				jwk.WithWaitReady(false), jwk.WithMinInterval(5 * time.Minute), jwk.WithMaxInterval(24 * time.Hour)}
			for _, o := range parse {
				opts = append(opts, o)
			}
			if err := a.cache.Register(ctx, pc.JWKSURL, opts...); err != nil {
				return nil, fmt.Errorf("%s: jwks_url: %w", where, err)
			}
			p.cache = a.cache
		}
		a.byIssuer[pc.Issuer] = p
		logger.Info("citizen view: OpenID provider", "name", pc.Name, "issuer", pc.Issuer, "country", pc.Country,
			"keys", pc.JWKSURL+pc.JWKSFile, "algorithms", strings.Join(pc.Algorithms, " "))
	}
	return a, nil
}

// readBounded reads a file of at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s: %d bytes, more than %d", path, fi.Size(), max)
	}
	return os.ReadFile(path)
}

// jwksClient is the client that fetches key sets: it connects only to
// public addresses (also loopback and private ones with allowPrivate,
// never link-local), through no proxy, follows no redirect, and gives up
// after 30 seconds.
func jwksClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: netguard.Control(allowPrivate)}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            d.DialContext,
			TLSHandshakeTimeout:    10 * time.Second,
			ResponseHeaderTimeout:  10 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
			ForceAttemptHTTP2:      true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("a key set URL must answer itself: redirects are not followed")
		},
	}
}

// tokenError says why an ID token was refused: the detail of a 401.
type tokenError struct {
	detail  string
	missing bool // no token at all, rather than a bad one
}

func (e *tokenError) Error() string { return e.detail }

func refuse(format string, args ...any) error {
	return &tokenError{detail: fmt.Sprintf(format, args...)}
}

// joseHeader is what the gateway reads of a token's header before it
// verifies it.
type joseHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// citizen is a person signed in: the provider that vouched for them and
// their Subject.
type citizen struct {
	provider *oidcProvider
	subject  policies.Subject
}

// authenticate verifies the request's ID token (Authorization: Bearer)
// at now and returns the person it names. A refused token gives a
// *tokenError; keys that cannot be had, an *httpError (503).
func (a *citizenAuth) authenticate(r *http.Request, key policies.SubjectKey, now time.Time) (citizen, error) {
	raw, err := bearerToken(r)
	if err != nil {
		return citizen{}, err
	}
	h, iss, err := peekToken(raw)
	if err != nil {
		return citizen{}, err
	}
	p := a.byIssuer[iss]
	if p == nil {
		return citizen{}, refuse("issuer %q is not an OpenID provider this gateway trusts", iss)
	}
	switch {
	case strings.EqualFold(h.Alg, "none"):
		return citizen{}, refuse("alg none: an unsigned token proves nothing")
	case strings.HasPrefix(strings.ToUpper(h.Alg), "HS"):
		return citizen{}, refuse("alg %s: HMAC-signed tokens are refused; the provider must sign with its private key", h.Alg)
	case !slices.Contains(p.Algorithms, h.Alg):
		return citizen{}, refuse("alg %q is not one provider %s may use (%s)", h.Alg, p.Name, strings.Join(p.Algorithms, ", "))
	case len(h.Crit) > 0:
		return citizen{}, refuse("the token marks header parameters as critical (crit), which the gateway does not understand")
	case h.Typ != "" && !strings.EqualFold(h.Typ, "JWT"):
		return citizen{}, refuse("typ %.40q: send the ID token, not another kind of token", h.Typ)
	case h.Kid == "":
		return citizen{}, refuse("the token's header names no key (kid)")
	}
	alg, ok := jwa.LookupSignatureAlgorithm(h.Alg)
	if !ok {
		return citizen{}, refuse("alg %q is not a signature algorithm", h.Alg)
	}
	k, err := p.key(r.Context(), h.Kid)
	if err != nil {
		return citizen{}, err
	}
	if err := keyFits(k, h.Kid, h.Alg); err != nil {
		return citizen{}, err
	}
	tok, err := jwt.Parse([]byte(raw), jwt.WithKey(alg, k),
		jwt.WithIssuer(p.Issuer), jwt.WithAudience(p.Audience),
		jwt.WithAcceptableSkew(tokenSkew), jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })),
		jwt.WithRequiredClaim("exp"), jwt.WithRequiredClaim("iat"))
	if err != nil {
		return citizen{}, tokenProblem(err, p, h.Kid, now)
	}
	var number string
	if err := tok.Get(p.IDClaim, &number); err != nil || number == "" {
		return citizen{}, refuse("the token has no %s claim (a string) holding the national identity number", p.IDClaim)
	}
	s, err := personArg{Country: p.Country, NationalID: number}.subject(key, "claim "+p.IDClaim, now)
	if err != nil {
		return citizen{}, refuse("%v", err)
	}
	return citizen{provider: p, subject: s}, nil
}

// bearerToken returns the token of the Authorization header.
func bearerToken(r *http.Request) (string, error) {
	v := r.Header.Get("Authorization")
	if v == "" {
		return "", &tokenError{missing: true, detail: "no ID token: send the ID token of your sign-in as Authorization: Bearer <token>"}
	}
	scheme, tok, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", refuse("Authorization scheme %.20q: send the ID token as Authorization: Bearer <token>", scheme)
	}
	tok = strings.TrimSpace(tok)
	if len(tok) > maxIDToken {
		return "", refuse("the token is %d bytes, more than %d", len(tok), maxIDToken)
	}
	if tok == "" {
		return "", refuse("the Bearer token is empty")
	}
	return tok, nil
}

// peekToken reads, unverified, the header of a compact JWS and the iss of
// its payload: enough to choose the provider and key that verify it.
func peekToken(raw string) (joseHeader, string, error) {
	parts := strings.Split(raw, ".")
	switch {
	case len(parts) == 5:
		return joseHeader{}, "", refuse("an encrypted token (JWE): send the signed ID token")
	case len(parts) != 3:
		return joseHeader{}, "", refuse("not a JWT: want three base64url parts separated by dots")
	}
	var h joseHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return joseHeader{}, "", refuse("the token's header: %v", err)
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return joseHeader{}, "", refuse("the token's claims: %v", err)
	}
	if claims.Iss == "" {
		return joseHeader{}, "", refuse("the token has no issuer (iss)")
	}
	return h, claims.Iss, nil
}

// decodeSegment decodes a base64url segment holding a JSON object into v.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("not a JSON object of the expected fields")
	}
	return nil
}

// key returns the provider's key kid. An unknown kid, or keys not yet
// fetched, make it fetch the key set again, at most every refreshEvery.
func (p *oidcProvider) key(ctx context.Context, kid string) (jwk.Key, error) {
	if p.static != nil {
		if k, ok := p.static.LookupKeyID(kid); ok {
			return k, nil
		}
		return nil, refuse("unknown kid %q: provider %s has no such key", kid, p.Name)
	}
	set, err := p.fetched(ctx)
	if err == nil {
		if k, ok := set.LookupKeyID(kid); ok {
			return k, nil
		}
	}
	if p.mayRefresh() {
		if fresh, rerr := p.cache.Refresh(ctx, p.JWKSURL); rerr == nil {
			set, err = fresh, nil
		}
	}
	if err != nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, detail: fmt.Sprintf(
			"the keys of OpenID provider %s could not be fetched from %s yet; try again shortly", p.Name, p.JWKSURL)}
	}
	if k, ok := set.LookupKeyID(kid); ok {
		return k, nil
	}
	return nil, refuse("unknown kid %q: provider %s has no such key", kid, p.Name)
}

// fetched returns the key set of the cache, waiting up to keysWait for
// its first fetch.
func (p *oidcProvider) fetched(ctx context.Context) (jwk.Set, error) {
	res, err := p.cache.LookupResource(ctx, p.JWKSURL)
	if err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, keysWait)
	defer cancel()
	if err := res.Ready(wait); err != nil {
		return nil, err
	}
	set := res.Resource()
	if set == nil {
		return nil, errors.New("no key set")
	}
	return set, nil
}

// mayRefresh reports whether a token may make the provider's keys be
// fetched now, and if so notes the time.
func (p *oidcProvider) mayRefresh() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.refreshed) < refreshEvery {
		return false
	}
	p.refreshed = time.Now()
	return true
}

// keyFits refuses a key that is not a public signing key for alg: the
// key type the algorithm needs, its alg and use (when the key set states
// them) agreeing, never a symmetric key.
func keyFits(k jwk.Key, kid, alg string) error {
	kty := k.KeyType().String()
	if kty == jwa.OctetSeq().String() {
		return refuse("key %q is a symmetric key: refused", kid)
	}
	var want string
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		want = jwa.RSA().String()
	case strings.HasPrefix(alg, "ES"):
		want = jwa.EC().String()
	case alg == "EdDSA":
		want = jwa.OKP().String()
	}
	if kty != want {
		return refuse("key %q is an %s key; alg %s needs an %s key", kid, kty, alg, want)
	}
	if ka, ok := k.Algorithm(); ok && ka.String() != alg {
		return refuse("key %q is for alg %s, the token says %s", kid, ka.String(), alg)
	}
	if use, ok := k.KeyUsage(); ok && use != "sig" {
		return refuse("key %q is for use %q, not signatures", kid, use)
	}
	return nil
}

// tokenProblem words why jwt.Parse refused a token.
func tokenProblem(err error, p *oidcProvider, kid string, now time.Time) error {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return refuse("the token has expired (exp before %s, with %v allowed for clock skew)", now.UTC().Format(time.RFC3339), tokenSkew)
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return refuse("the token is not valid yet (nbf after %s)", now.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.InvalidIssuedAtError()):
		return refuse("the token was issued in the future (iat after %s)", now.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.InvalidAudienceError()):
		return refuse("the token's audience (aud) does not include this gateway's client_id %q", p.Audience)
	case errors.Is(err, jwt.InvalidIssuerError()):
		return refuse("the token's issuer is not %q", p.Issuer)
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		return refuse("the token lacks a required claim (exp and iat are required)")
	case errors.Is(err, jwt.ValidateError()):
		return refuse("the token's claims do not hold: %v", err)
	}
	return refuse("the token's signature does not verify with provider %s's key %q", p.Name, kid)
}
