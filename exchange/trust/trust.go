package trust

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/prometheus/client_golang/prometheus"

	"samband/policies"
)

// Errors of key lookups and key sets. Each is returned wrapped, with the
// party, the kid and the times concerned; test for it with errors.Is.
var (
	// ErrUnknownParty is the error of a party the configuration does not list.
	ErrUnknownParty = errors.New("unknown party")
	// ErrUnknownKey is the error of a kid the party's current key set does
	// not hold.
	ErrUnknownKey = errors.New("unknown key")
	// ErrKeyExpired is the error of a key used at or after its exp.
	ErrKeyExpired = errors.New("key expired")
	// ErrKeyNotYetValid is the error of a key used before its nbf.
	ErrKeyNotYetValid = errors.New("key not yet valid")
	// ErrKeyRevoked is the error of a kid the configuration revokes.
	ErrKeyRevoked = errors.New("key revoked")
	// ErrKeyType is the error of a key that is neither an Ed25519 OKP key
	// nor an EC P-256 key.
	ErrKeyType = errors.New("key type not accepted")
)

// Kind is what a party is to the gateway.
type Kind string

// The kinds of party.
const (
	// Authority is an organisation that sends or answers exchange requests.
	Authority Kind = "authority"
	// Gateway is another country's Samband gateway.
	Gateway Kind = "gateway"
)

// PartyConfig is one party as the gateway's configuration file gives it.
// Exactly one of JWKS, JWKSFile and JWKSURL gives the party's public keys.
type PartyConfig struct {
	// ID is COUNTRY/ORGANISATION, for example "NO/974760673" (see ParseID).
	ID string `yaml:"id"`
	// Kind is authority or gateway.
	Kind Kind `yaml:"kind"`
	// Scheme names the scheme of the organisation identifier, for example
	// "NO:ORGNR", "FI:YTUNNUS" or "0192" (an ISO 6523 ICD). It is required.
	Scheme string `yaml:"scheme"`
	// Name is the party's name, for people.
	Name string `yaml:"name"`
	// BaseURL is, for a gateway only, the http or https URL under which its
	// /exchange/v1/ routes live.
	BaseURL string `yaml:"base_url"`
	// JWKS is a JWK set, as JSON text.
	JWKS string `yaml:"jwks"`
	// JWKSFile is the path of a file holding a JWK set.
	JWKSFile string `yaml:"jwks_file"`
	// JWKSURL is the URL of a JWK set, fetched at Open and refreshed in the
	// background. It must lie under one of Config.JWKSAllow.
	JWKSURL string `yaml:"jwks_url"`
	// Revoked lists kids refused from now on, whatever the set says.
	Revoked []string `yaml:"revoked"`
}

// Config is what Open needs: the parties and the bounds of key-set
// fetching. Zero values take the defaults given.
type Config struct {
	// Parties are the authorities and peer gateways the gateway trusts.
	Parties []PartyConfig
	// JWKSAllow is the allow-list of JWK set URLs, as prefixes
	// scheme://host[:port]/path-prefix. A jwks_url under none of them is a
	// configuration error. A prefix whose path does not end in a slash
	// matches that path and the paths under it, never a longer name.
	JWKSAllow []string
	// AllowPrivate lets key-set fetches reach loopback and private
	// addresses (tests, private networks). Link-local, metadata, multicast
	// and reserved addresses are refused always (see internal/netguard).
	AllowPrivate bool
	// MinRefresh (default 5 minutes) and MaxRefresh (default 1 hour) bound
	// the interval between fetches of a URL set; within them the set's
	// Cache-Control max-age or Expires header decides.
	MinRefresh, MaxRefresh time.Duration
	// MaxJWKSBytes bounds one set, fetched, read from a file or inline
	// (default 64 KiB).
	MaxJWKSBytes int64
	// MaxKeys bounds the keys of one set (default 32).
	MaxKeys int
	// FirstFetch says what Open does when the first fetch of a URL set
	// fails and the store holds no copy of it: FirstFetchBackground (the
	// default) or FirstFetchWait.
	FirstFetch FirstFetch
	// Retry (default 10 seconds) is how often a URL set that has never
	// been fetched is tried again in FirstFetchBackground mode, and the
	// longest Open waits for a first fetch in that mode.
	Retry time.Duration
	// HTTPClient fetches URL sets. The default dials through the netguard
	// address guard, through no proxy, gives up after 10 seconds and
	// follows no redirect. A client given here is used as it is, except
	// that an answer from a URL outside JWKSAllow (after a redirect the
	// client followed) is refused.
	HTTPClient *http.Client
	// Registerer, if set, receives the registry's Prometheus metrics.
	Registerer prometheus.Registerer
}

// FirstFetch is what Open does with a URL set whose first fetch fails
// and of which the store holds no earlier copy.
type FirstFetch string

// The first-fetch modes.
const (
	// FirstFetchBackground starts the registry all the same: the party has
	// no keys, so every request it signs is refused as ErrUnknownKey, and
	// its set is fetched again every Config.Retry until a fetch succeeds.
	// Two peer gateways that name each other's jwks_url can then start at
	// the same time, and one peer being down does not keep a gateway from
	// starting.
	FirstFetchBackground FirstFetch = "background"
	// FirstFetchWait makes Open fail, naming the party, the URL and why:
	// for operators who would rather a gateway not start than start
	// without a party's keys.
	FirstFetchWait FirstFetch = "wait"
)

// Check returns an error naming the modes when f is none of them. The
// empty mode is the default, FirstFetchBackground.
func (f FirstFetch) Check() error {
	switch f {
	case "", FirstFetchBackground, FirstFetchWait:
		return nil
	}
	return fmt.Errorf("%q is neither %s nor %s", clip(string(f)), FirstFetchBackground, FirstFetchWait)
}

// The defaults of Config.
const (
	// DefaultFirstFetch is the default of Config.FirstFetch. A gateway
	// whose peer is down, or starting at the same moment and naming it in
	// turn, starts and refuses that peer's requests until its keys come,
	// rather than not start at all; the warning, the
	// samband_trust_keys_missing gauge and the refusals' detail say why.
	DefaultFirstFetch = FirstFetchBackground
	// DefaultRetry is the default of Config.Retry.
	DefaultRetry = 10 * time.Second
	// DefaultMinRefresh is the default of Config.MinRefresh.
	DefaultMinRefresh = 5 * time.Minute
	// DefaultMaxRefresh is the default of Config.MaxRefresh.
	DefaultMaxRefresh = time.Hour
	// DefaultMaxJWKSBytes is the default of Config.MaxJWKSBytes.
	DefaultMaxJWKSBytes = 64 << 10
	// DefaultMaxKeys is the default of Config.MaxKeys.
	DefaultMaxKeys = 32
)

// Party is one party the gateway trusts, as the registry knows it.
type Party struct {
	// ID is COUNTRY/ORGANISATION; Country and Organisation are its parts.
	ID, Country, Organisation string
	// Scheme names the scheme of the organisation identifier.
	Scheme string
	// Name is the party's name, for people.
	Name string
	// Kind is authority or gateway.
	Kind Kind
	// BaseURL is where a gateway's /exchange/v1/ routes live; empty for an
	// authority.
	BaseURL string
}

// ParseID splits a party ID, COUNTRY/ORGANISATION, into its parts. The
// country is an ISO 3166-1 alpha-2 code in upper case ("NO", "FI"); the
// organisation is its identifier in the country's register, 1 to 64
// characters of A-Z, a-z, 0-9, '.', '_' and '-' ("974760673", "0245437-2").
func ParseID(id string) (country, organisation string, err error) {
	country, organisation, ok := strings.Cut(id, "/")
	if !ok {
		return "", "", fmt.Errorf("party id %q: want COUNTRY/ORGANISATION, as in NO/974760673", clip(id))
	}
	if !policies.IsCountryCode(country) {
		return "", "", fmt.Errorf("party id %q: %q is not an ISO 3166-1 alpha-2 country code in upper case", clip(id), clip(country))
	}
	if len(organisation) == 0 || len(organisation) > 64 {
		return "", "", fmt.Errorf("party id %q: the organisation identifier must have 1 to 64 characters", clip(id))
	}
	for i := 0; i < len(organisation); i++ {
		if c := organisation[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", "", fmt.Errorf("party id %q: the organisation identifier holds %q; only A-Z, a-z, 0-9, '.', '_' and '-' are allowed", clip(id), c)
		}
	}
	return country, organisation, nil
}

// KeyAlgorithm returns the one signature algorithm Samband verifies with
// k: EdDSA for an Ed25519 OKP key, ES256 for an EC P-256 key. Any other
// key is ErrKeyType. The algorithm comes from the key, never from a
// token's header, so a token cannot choose how it is checked.
func KeyAlgorithm(k jwk.Key) (jwa.SignatureAlgorithm, error) {
	if k == nil {
		return jwa.EmptySignatureAlgorithm(), fmt.Errorf("no key: %w", ErrKeyType)
	}
	if priv, err := jwk.IsPrivateKey(k); err != nil || priv {
		return jwa.EmptySignatureAlgorithm(), fmt.Errorf("%s key that is not a public key: %w", k.KeyType(), ErrKeyType)
	}
	switch k.KeyType() {
	case jwa.OKP():
		okp, ok := k.(jwk.OKPPublicKey)
		if !ok {
			break
		}
		crv, _ := okp.Crv()
		if crv == jwa.Ed25519() {
			return jwa.EdDSA(), nil
		}
		return jwa.EmptySignatureAlgorithm(), fmt.Errorf("OKP key on curve %q, want Ed25519: %w", crv, ErrKeyType)
	case jwa.EC():
		ec, ok := k.(jwk.ECDSAPublicKey)
		if !ok {
			break
		}
		crv, _ := ec.Crv()
		if crv == jwa.P256() {
			return jwa.ES256(), nil
		}
		return jwa.EmptySignatureAlgorithm(), fmt.Errorf("EC key on curve %q, want P-256: %w", crv, ErrKeyType)
	}
	return jwa.EmptySignatureAlgorithm(), fmt.Errorf("%s key, want OKP Ed25519 or EC P-256: %w", k.KeyType(), ErrKeyType)
}

// clip shortens a peer's or a file's string for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
