package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"samband/exchange/audit"
)

// AuditConfig configures the exchange audit log: the tamper-evident log of
// every exchange decision, which citizens read through /api/v1/me/accesses.
type AuditConfig struct {
	// DB is the log's SQLite file; "" is the catalogue's file (db) with
	// ".audit" added.
	DB string `yaml:"db"`
	// KeyFile is the file `gateway audit keygen` writes: the signer key of
	// the log's checkpoints, then the verifier key. Without it the log is
	// off, except in the demo, which makes a key and a log for the run.
	KeyFile string `yaml:"key_file"`
	// CheckpointEvery is how often a checkpoint is signed and stored while
	// the log grows.
	CheckpointEvery Duration `yaml:"checkpoint_every"`
	// CommitDelay is how long a commit waits for more entries to share its
	// sync when the log is busy (audit.Log.SetCommitDelay); 0 commits each
	// batch at once.
	CommitDelay Duration `yaml:"commit_delay"`
	// Embargo hides entries from the citizen's view for a time.
	Embargo []EmbargoConfig `yaml:"embargo"`
	// demoKey: serve --demo makes a key and a log for the run when no key
	// file is configured.
	demoKey bool
}

// EmbargoConfig hides from the citizen's view the entries of a purpose
// and/or a legal basis until For after the entry's time: an entry matches
// when it has the rule's purpose (if the rule names one) and the rule's
// legal basis (if the rule names one). Until then the view leaves the entry
// out entirely; afterwards it shows it like any other.
type EmbargoConfig struct {
	Purpose    string   `yaml:"purpose"`
	LegalBasis string   `yaml:"legal_basis"`
	For        Duration `yaml:"for"`
}

// hides reports whether the rule hides e at now.
func (c EmbargoConfig) hides(e audit.Entry, now time.Time) bool {
	if c.Purpose != "" && e.Purpose != c.Purpose {
		return false
	}
	if c.LegalBasis != "" && e.LegalBasis != c.LegalBasis {
		return false
	}
	return now.Before(e.Time.Add(time.Duration(c.For)))
}

// CitizenConfig configures the citizen's view (/api/v1/me/...): the OpenID
// Connect providers whose ID tokens sign citizens in.
type CitizenConfig struct {
	Providers []OIDCProvider `yaml:"providers"`
}

// OIDCProvider is an OpenID Connect provider whose ID tokens the gateway
// accepts as proof of who a citizen is. Its keys come from JWKSURL,
// fetched and refreshed in the background, or from JWKSFile; one of the
// two.
type OIDCProvider struct {
	// Name names the provider in logs and in the environment variables
	// that override its keys: GATEWAY_CITIZEN_PROVIDERS_<NAME>_ISSUER ...
	Name string `yaml:"name"`
	// Issuer is the provider's issuer identifier, which a token's iss
	// claim must equal exactly.
	Issuer string `yaml:"issuer"`
	// Audience is the gateway's client_id at the provider: a token's aud
	// claim must contain it.
	Audience string `yaml:"audience"`
	// JWKSURL is where the provider publishes its public keys (https).
	JWKSURL string `yaml:"jwks_url"`
	// JWKSFile is a file holding the provider's public keys (a JWK set).
	JWKSFile string `yaml:"jwks_file"`
	// Country is the country whose national identity numbers the provider
	// vouches for: NO, SE, FI, DK, IS, EE or LT.
	Country string `yaml:"country"`
	// IDClaim is the claim that holds the national identity number;
	// default "pid".
	IDClaim string `yaml:"id_claim"`
	// Algorithms are the signature algorithms accepted; default RS256,
	// ES256 and EdDSA. HMAC algorithms (HS256 ...) and none are refused.
	Algorithms []string `yaml:"algorithms"`
	// AllowPrivate lets the key fetch connect to loopback and private
	// addresses (refused by default), for a provider on a private network
	// and for tests.
	AllowPrivate bool `yaml:"allow_private"`
}

// defaultIDClaim is the claim of the national identity number unless a
// provider names another.
const defaultIDClaim = "pid"

// defaultAlgorithms are the algorithms a provider's tokens may use unless
// it lists others.
var defaultAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// signatureAlgorithms are the algorithms a provider may list: public-key
// signatures only.
var signatureAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// citizenCountries are the countries whose national identity numbers a
// provider may vouch for.
var citizenCountries = []string{"NO", "SE", "FI", "DK", "IS", "EE", "LT"}

// auditDB returns the audit log's file.
func (c Config) auditDB() string {
	if c.Audit.DB != "" {
		return c.Audit.DB
	}
	return c.DB + ".audit"
}

// check returns the problems of the audit configuration, each naming its
// key.
func (c AuditConfig) check() []string {
	var problems []string
	if c.CheckpointEvery <= 0 {
		problems = append(problems, "audit.checkpoint_every: must be more than 0")
	}
	if c.CommitDelay < 0 || time.Duration(c.CommitDelay) > time.Second {
		problems = append(problems, "audit.commit_delay: must be from 0 to 1s, such as 1ms")
	}
	for i, e := range c.Embargo {
		where := fmt.Sprintf("audit.embargo[%d]", i)
		if e.Purpose == "" && e.LegalBasis == "" {
			problems = append(problems, where+": give a purpose, a legal_basis or both: a rule of neither would hide every entry")
		}
		if e.For <= 0 {
			problems = append(problems, where+".for: must be more than 0, such as 2160h (90 days)")
		}
	}
	return problems
}

// idClaim returns the claim of the national identity number.
func (p OIDCProvider) idClaim() string {
	if p.IDClaim == "" {
		return defaultIDClaim
	}
	return p.IDClaim
}

// algorithms returns the algorithms the provider's tokens may use.
func (p OIDCProvider) algorithms() []string {
	if len(p.Algorithms) == 0 {
		return slices.Clone(defaultAlgorithms)
	}
	return p.Algorithms
}

// check returns the problems of the citizen configuration, each naming its
// key.
func (c CitizenConfig) check() []string {
	var problems []string
	names, issuers := map[string]bool{}, map[string]bool{}
	for i, p := range c.Providers {
		where := fmt.Sprintf("citizen.providers[%d]", i)
		switch {
		case p.Name == "":
			problems = append(problems, where+".name: empty")
		case names[p.Name]:
			problems = append(problems, where+".name: "+p.Name+" named twice")
		}
		names[p.Name] = true
		switch {
		case p.Issuer == "":
			problems = append(problems, where+".issuer: empty; the provider's issuer identifier, as its tokens' iss claim")
		case issuers[p.Issuer]:
			problems = append(problems, where+".issuer: "+p.Issuer+" given twice")
		}
		issuers[p.Issuer] = true
		if p.Audience == "" {
			problems = append(problems, where+".audience: empty; the gateway's client_id at the provider")
		}
		switch {
		case p.JWKSURL == "" && p.JWKSFile == "":
			problems = append(problems, where+": give jwks_url or jwks_file, the provider's public keys")
		case p.JWKSURL != "" && p.JWKSFile != "":
			problems = append(problems, where+": give jwks_url or jwks_file, not both")
		case p.JWKSURL != "":
			if why := checkJWKSURL(p.JWKSURL, p.AllowPrivate); why != "" {
				problems = append(problems, where+".jwks_url: "+why)
			}
		}
		if !slices.Contains(citizenCountries, p.Country) {
			problems = append(problems, fmt.Sprintf("%s.country: %q is not one of %s", where, p.Country, strings.Join(citizenCountries, ", ")))
		}
		for j, alg := range p.algorithms() {
			if why := checkAlgorithm(alg); why != "" {
				problems = append(problems, fmt.Sprintf("%s.algorithms[%d]: %s", where, j, why))
			}
		}
	}
	return problems
}

// checkAlgorithm says why a provider may not list alg, or "".
func checkAlgorithm(alg string) string {
	switch {
	case slices.Contains(signatureAlgorithms, alg):
		return ""
	case strings.EqualFold(alg, "none"):
		return "none is refused: an unsigned token proves nothing"
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return alg + " is refused: an HMAC key is a shared secret, and whoever holds it can sign tokens as the provider"
	}
	return fmt.Sprintf("%q is not a signature algorithm Samband accepts (%s)", alg, strings.Join(signatureAlgorithms, ", "))
}

// checkJWKSURL says why u cannot be a provider's key set URL, or "".
func checkJWKSURL(u string, allowPrivate bool) string {
	pu, err := url.Parse(u)
	if err != nil || !pu.IsAbs() {
		return fmt.Sprintf("%q is not an absolute URL", u)
	}
	switch pu.Scheme {
	case "https":
	case "http":
		if !allowPrivate {
			return "http is refused (anyone on the path could swap the keys): use https, or set allow_private for a provider on a private network"
		}
	default:
		return fmt.Sprintf("scheme %q: use https", pu.Scheme)
	}
	if pu.Host == "" {
		return fmt.Sprintf("%q names no host", u)
	}
	if pu.User != nil {
		return "a URL with user information is refused"
	}
	return ""
}

// openServeAudit opens the audit log for serve: with the configured key
// file, or in the demo, without one, a key and a log in a temporary
// directory for the run. With neither it returns a nil log, and the log
// says how to turn it on. close closes the log (and removes the demo's
// directory).
func openServeAudit(ctx context.Context, cfg Config, logger *slog.Logger) (log *audit.Log, vkey string, close func(), err error) {
	path := cfg.auditDB()
	var keys auditKeys
	var tmp string
	switch {
	case cfg.Audit.KeyFile != "":
		if keys, err = loadAuditKeys(cfg.Audit.KeyFile); err != nil {
			return nil, "", nil, fmt.Errorf("audit.key_file: %w", err)
		}
		if fi, err := os.Stat(cfg.Audit.KeyFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
			logger.Warn(fmt.Sprintf("audit key file %s can be read by others (mode %v): chmod 600 it", cfg.Audit.KeyFile, fi.Mode().Perm()))
		}
	case cfg.Audit.demoKey:
		skey, vk, err := audit.GenerateKey("samband.demo")
		if err != nil {
			return nil, "", nil, err
		}
		keys.vkey = vk
		if keys.signer, err = note.NewSigner(skey); err != nil {
			return nil, "", nil, err
		}
		if keys.verifier, err = note.NewVerifier(vk); err != nil {
			return nil, "", nil, err
		}
		if tmp, err = os.MkdirTemp("", "samband-demo-audit-"); err != nil {
			return nil, "", nil, err
		}
		path = filepath.Join(tmp, "audit.db")
		logger.Warn("demo: made an audit key in memory and an audit log for this run; both go when it stops", "db", path)
	default:
		logger.Warn("exchange audit log off", "reason", errNoAuditKey.Error())
		return nil, "", func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, "", nil, fmt.Errorf("audit log: %w", err)
	}
	log, err = audit.Open(ctx, path, keys.signer, keys.verifier)
	if err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return nil, "", nil, err
	}
	log.SetCommitDelay(time.Duration(cfg.Audit.CommitDelay))
	logger.Info("exchange audit log open", "db", path, "entries", log.Size(), "key", keys.vkey, "sync", log.DiskSync())
	return log, keys.vkey, func() {
		if err := log.Close(); err != nil {
			logger.Error("audit log close", "err", err)
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}, nil
}
