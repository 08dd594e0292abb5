package trust

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// keySet is one party's key set once every key in it was checked: the
// keys by kid for Key, the set as served by PublicSet, and the bytes it
// was read from, which the store keeps as the last good copy.
type keySet struct {
	keys map[string]*entry
	set  jwk.Set
	body []byte
}

// entry is one checked public key.
type entry struct {
	key        jwk.Key
	alg        jwa.SignatureAlgorithm
	kid        string
	nbf, exp   time.Time // zero when the key does not carry the member
	thumbprint string    // RFC 7638, SHA-256, base64url
	json       []byte    // the key's JWK
	revoked    bool      // the configuration revokes the kid (set by Registry.publish)
}

// limits bounds what parseSet accepts.
type limits struct {
	maxBytes int64
	maxKeys  int
}

// maxNumericDate is 9999-12-31T23:59:59Z: a later nbf or exp is refused.
const maxNumericDate = 253402300799

// Members of a JWK that only private and symmetric keys carry.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// parseSet turns the bytes of a JWK set from a party into a checked key
// set, or refuses the whole set: every key must be a public Ed25519 (OKP)
// or P-256 (EC) key with a kid of its own, and the set must hold between
// one and lim.maxKeys keys in at most lim.maxBytes bytes. The bytes may
// come from anyone; parseSet does not panic, and its work grows with
// their length only.
func parseSet(data []byte, lim limits) (*keySet, error) {
	if int64(len(data)) > lim.maxBytes {
		return nil, fmt.Errorf("key set of %d bytes, more than the %d allowed", len(data), lim.maxBytes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("key set is not a JSON object: %w", err)
	}
	raw, ok := top["keys"]
	if !ok {
		return nil, errors.New(`key set has no "keys" member`)
	}
	var keys []json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil || keys == nil {
		return nil, errors.New(`key set's "keys" is not an array`)
	}
	switch {
	case len(keys) == 0:
		return nil, errors.New("key set holds no key")
	case len(keys) > lim.maxKeys:
		return nil, fmt.Errorf("key set holds %d keys, more than the %d allowed", len(keys), lim.maxKeys)
	}
	ks := &keySet{keys: make(map[string]*entry, len(keys)), set: jwk.NewSet(), body: bytes.Clone(data)}
	for i, raw := range keys {
		e, err := parseKey(raw)
		if err != nil {
			if e != nil && e.kid != "" {
				return nil, fmt.Errorf("key %d (kid %q): %w", i, clip(e.kid), err)
			}
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		if _, dup := ks.keys[e.kid]; dup {
			return nil, fmt.Errorf("key %d: kid %q is also an earlier key's", i, clip(e.kid))
		}
		ks.keys[e.kid] = e
		if err := ks.set.AddKey(e.key); err != nil {
			return nil, fmt.Errorf("key %d (kid %q): %w", i, clip(e.kid), err)
		}
	}
	return ks, nil
}

// parseKey checks one JWK of a set. When it refuses the key after reading
// its kid, it returns the entry too, for the error message.
func parseKey(raw json.RawMessage) (*entry, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return nil, errors.New("not a JSON object")
	}
	e := &entry{}
	if kid, ok := members["kid"]; ok {
		if err := json.Unmarshal(kid, &e.kid); err != nil {
			return nil, errors.New(`"kid" is not a string`)
		}
	}
	var kty string
	if err := json.Unmarshal(members["kty"], &kty); err != nil || kty == "" {
		return e, errors.New(`no "kty" string`)
	}
	switch kty {
	case "OKP", "EC":
	case "oct":
		return e, fmt.Errorf("a symmetric (oct) key; only public Ed25519 (OKP) and P-256 (EC) keys are accepted: %w", ErrKeyType)
	case "RSA":
		return e, fmt.Errorf("an RSA key; only public Ed25519 (OKP) and P-256 (EC) keys are accepted: %w", ErrKeyType)
	default:
		return e, fmt.Errorf("key type %q; only public Ed25519 (OKP) and P-256 (EC) keys are accepted: %w", clip(kty), ErrKeyType)
	}
	for _, m := range privateMembers {
		if _, ok := members[m]; ok {
			return e, fmt.Errorf("holds private key material (member %q): a key set must hold public keys only", m)
		}
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return e, fmt.Errorf("not a valid JWK: %w", err)
	}
	if e.alg, err = KeyAlgorithm(key); err != nil {
		return e, err
	}
	if err := key.Validate(); err != nil {
		return e, err
	}
	kid, _ := key.KeyID()
	if err := checkKid(kid); err != nil {
		return e, err
	}
	e.key, e.kid = key, kid
	if v, ok := members["alg"]; ok {
		var alg string
		json.Unmarshal(v, &alg)
		if alg != e.alg.String() && !(e.alg == jwa.EdDSA() && alg == jwa.EdDSAEd25519().String()) {
			return e, fmt.Errorf("alg %q does not fit the key, which Samband uses with %s only", clip(alg), e.alg)
		}
	}
	if use, ok := key.KeyUsage(); ok && use != "sig" {
		return e, fmt.Errorf(`use %q: the key of a party must be for signatures ("sig")`, clip(use))
	}
	if ops, ok := key.KeyOps(); ok {
		verify := false
		for _, op := range ops {
			verify = verify || op == jwk.KeyOpVerify
		}
		if !verify {
			return e, errors.New(`key_ops lacks "verify"`)
		}
	}
	if e.nbf, err = numericDate(key, "nbf"); err != nil {
		return e, err
	}
	if e.exp, err = numericDate(key, "exp"); err != nil {
		return e, err
	}
	if !e.nbf.IsZero() && !e.exp.IsZero() && !e.nbf.Before(e.exp) {
		return e, fmt.Errorf("nbf %s is not before exp %s: the key is never valid", e.nbf.UTC().Format(time.RFC3339), e.exp.UTC().Format(time.RFC3339))
	}
	tp, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return e, fmt.Errorf("thumbprint: %w", err)
	}
	e.thumbprint = base64.RawURLEncoding.EncodeToString(tp)
	if e.json, err = json.Marshal(key); err != nil {
		return e, fmt.Errorf("encode: %w", err)
	}
	return e, nil
}

// checkKid refuses a kid that is empty, longer than 256 bytes, not UTF-8
// or holds a control character.
func checkKid(kid string) error {
	switch {
	case kid == "":
		return errors.New(`no "kid": every key of a party needs a kid of its own`)
	case len(kid) > 256:
		return fmt.Errorf("kid %q is longer than 256 bytes", clip(kid))
	case !utf8.ValidString(kid):
		return fmt.Errorf("kid %q is not UTF-8", clip(kid))
	}
	for _, r := range kid {
		if r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0 {
			return fmt.Errorf("kid %q holds a control character", clip(kid))
		}
	}
	return nil
}

// numericDate reads the member name of key, Samband's nbf or exp
// extension: a NumericDate, seconds since 1970 (fractions allowed), as
// the JSON decoder gave it (float64, json.Number or an integer). An
// absent member is the zero time.
func numericDate(key jwk.Key, name string) (time.Time, error) {
	if !key.Has(name) {
		return time.Time{}, nil
	}
	var v any
	if err := key.Get(name, &v); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	var secs float64
	switch v := v.(type) {
	case float64:
		secs = v
	case json.Number:
		if i, err := v.Int64(); err == nil {
			if i < 0 || i > maxNumericDate {
				return time.Time{}, fmt.Errorf("%s %d is out of range (0 to %d)", name, i, int64(maxNumericDate))
			}
			return time.Unix(i, 0), nil
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q is not a number", name, clip(string(v)))
		}
		secs = f
	case int64:
		secs = float64(v)
	case int:
		secs = float64(v)
	case int32:
		secs = float64(v)
	case uint64:
		secs = float64(v)
	default:
		return time.Time{}, fmt.Errorf("%s is %T, want a NumericDate (seconds since 1970)", name, v)
	}
	if math.IsNaN(secs) || secs < 0 || secs > maxNumericDate {
		return time.Time{}, fmt.Errorf("%s %v is out of range (0 to %d)", name, secs, int64(maxNumericDate))
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)), nil
}
