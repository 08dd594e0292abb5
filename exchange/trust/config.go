package trust

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// withDefaults returns cfg with its zero bounds set to the defaults.
func withDefaults(cfg Config) Config {
	if cfg.MinRefresh <= 0 {
		cfg.MinRefresh = DefaultMinRefresh
	}
	if cfg.MaxRefresh <= 0 {
		cfg.MaxRefresh = DefaultMaxRefresh
	}
	if cfg.MaxRefresh < cfg.MinRefresh {
		cfg.MaxRefresh = cfg.MinRefresh
	}
	if cfg.MaxJWKSBytes <= 0 {
		cfg.MaxJWKSBytes = DefaultMaxJWKSBytes
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if cfg.FirstFetch == "" {
		cfg.FirstFetch = DefaultFirstFetch
	}
	if cfg.Retry <= 0 {
		cfg.Retry = DefaultRetry
	}
	return cfg
}

// configError gathers the problems of a configuration, each naming the
// party's index and field, so that one run of the gateway lists them all.
type configError struct{ problems []string }

func (e *configError) add(format string, args ...any) {
	e.problems = append(e.problems, fmt.Sprintf(format, args...))
}

func (e *configError) err() error {
	if len(e.problems) == 0 {
		return nil
	}
	return fmt.Errorf("trust configuration: %s", strings.Join(e.problems, "; "))
}

// checked is one party of a configuration that passed the checks, with
// its key set when the configuration gives it inline or in a file.
type checked struct {
	Party
	url     string
	revoked map[string]bool
	keys    *keySet // nil for a URL set
}

// check checks cfg (with defaults set) and reads its inline and file key
// sets. It returns every problem it finds in one error.
func check(cfg Config) ([]*checked, []urlPrefix, error) {
	var ce configError
	if err := cfg.FirstFetch.Check(); err != nil {
		ce.add("first_fetch: %v", err)
	}
	var allow []urlPrefix
	for i, a := range cfg.JWKSAllow {
		p, err := parsePrefix(a)
		if err != nil {
			ce.add("jwks_allow[%d]: %v", i, err)
			continue
		}
		allow = append(allow, p)
	}
	lim := limits{maxBytes: cfg.MaxJWKSBytes, maxKeys: cfg.MaxKeys}
	var out []*checked
	byID := map[string]int{}
	gateways := map[string]int{}
	for i, pc := range cfg.Parties {
		at := fmt.Sprintf("party %d", i)
		if pc.ID != "" {
			at = fmt.Sprintf("party %d (%s)", i, clip(pc.ID))
		}
		c := &checked{Party: Party{ID: pc.ID, Scheme: pc.Scheme, Name: pc.Name, Kind: pc.Kind, BaseURL: pc.BaseURL}, url: pc.JWKSURL}
		ok := true
		bad := func(field, format string, args ...any) {
			ce.add("%s: %s: %s", at, field, fmt.Sprintf(format, args...))
			ok = false
		}
		country, org, idErr := ParseID(pc.ID)
		switch {
		case idErr != nil:
			bad("id", "%v", idErr)
		default:
			c.Country, c.Organisation = country, org
			if j, dup := byID[pc.ID]; dup {
				bad("id", "also the id of party %d", j)
			}
			byID[pc.ID] = i
		}
		switch pc.Kind {
		case Authority:
			if pc.BaseURL != "" {
				bad("base_url", "only a gateway has one; an authority's requests come to this gateway")
			}
		case Gateway:
			if pc.BaseURL == "" {
				bad("base_url", "a gateway needs the URL of its /exchange/v1/ routes")
			} else if err := checkBaseURL(pc.BaseURL); err != nil {
				bad("base_url", "%v", err)
			}
			if idErr == nil {
				if j, dup := gateways[country]; dup {
					bad("kind", "a second gateway for %s (party %d is one); a country has one peer gateway", country, j)
				}
				gateways[country] = i
			}
		case "":
			bad("kind", "missing: authority or gateway")
		default:
			bad("kind", "%q is neither authority nor gateway", clip(string(pc.Kind)))
		}
		switch {
		case pc.Scheme == "":
			bad("scheme", "missing: the scheme of the organisation identifier, such as NO:ORGNR or an ISO 6523 ICD like 0192")
		case len(pc.Scheme) > 64 || hasControl(pc.Scheme):
			bad("scheme", "at most 64 bytes without control characters")
		}
		if len(pc.Name) > 256 || hasControl(pc.Name) {
			bad("name", "at most 256 bytes without control characters")
		}
		c.revoked = make(map[string]bool, len(pc.Revoked))
		for j, kid := range pc.Revoked {
			if err := checkKid(kid); err != nil {
				bad(fmt.Sprintf("revoked[%d]", j), "%v", err)
			}
			c.revoked[kid] = true
		}
		n := 0
		for _, s := range []string{pc.JWKS, pc.JWKSFile, pc.JWKSURL} {
			if s != "" {
				n++
			}
		}
		switch {
		case n == 0:
			bad("jwks", "missing: give the party's keys as jwks, jwks_file or jwks_url")
		case n > 1:
			bad("jwks", "give exactly one of jwks, jwks_file and jwks_url")
		case pc.JWKS != "":
			var err error
			if c.keys, err = parseSet([]byte(pc.JWKS), lim); err != nil {
				bad("jwks", "%v", err)
			}
		case pc.JWKSFile != "":
			var err error
			if c.keys, err = readSetFile(pc.JWKSFile, lim); err != nil {
				bad("jwks_file", "%v", err)
			}
		default:
			u, err := url.Parse(pc.JWKSURL)
			switch {
			case err != nil:
				bad("jwks_url", "%v", err)
			case !allowed(allow, u):
				bad("jwks_url", "%s is under no prefix of jwks_allow", clip(pc.JWKSURL))
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	if err := ce.err(); err != nil {
		return nil, nil, err
	}
	return out, allow, nil
}

// readSetFile reads and checks the key set in the file at path, reading
// at most lim.maxBytes+1 bytes of it.
func readSetFile(path string, lim limits) (*keySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, lim.maxBytes+1))
	if err != nil {
		return nil, err
	}
	ks, err := parseSet(data, lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// checkBaseURL refuses a gateway base URL that is not an absolute http or
// https URL of a host, or that carries credentials, a query or a fragment.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http or https URL", clip(s))
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q: no host", clip(s))
	case u.User != nil:
		return fmt.Errorf("%q: credentials do not belong in the URL", clip(s))
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return fmt.Errorf("%q: no query or fragment, please", clip(s))
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0 })
}

// urlPrefix is one entry of the JWKS allow-list.
type urlPrefix struct {
	scheme, host, path string
}

// parsePrefix reads scheme://host[:port]/path-prefix. The scheme and the
// host are compared without regard to case, and a port that is the
// scheme's default is the same as none.
func parsePrefix(s string) (urlPrefix, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return urlPrefix{}, err
	case u.Scheme != "http" && u.Scheme != "https":
		return urlPrefix{}, fmt.Errorf("%q: want an http or https URL prefix", clip(s))
	case u.Host == "" || u.Hostname() == "":
		return urlPrefix{}, fmt.Errorf("%q: no host", clip(s))
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return urlPrefix{}, fmt.Errorf("%q: a prefix is scheme://host[:port]/path, without credentials, query or fragment", clip(s))
	case u.RawPath != "" || hasDotSegment(u.Path):
		return urlPrefix{}, fmt.Errorf("%q: the path must be plain, without dot segments or escaped slashes", clip(s))
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	return urlPrefix{scheme: u.Scheme, host: hostPort(u), path: p}, nil
}

// allowed reports whether u lies under one of the prefixes. A URL with
// credentials, a fragment, dot segments or escaped slashes in its path is
// under none.
func allowed(allow []urlPrefix, u *url.URL) bool {
	if u.User != nil || u.Fragment != "" || u.RawPath != "" || hasDotSegment(u.Path) || u.Opaque != "" {
		return false
	}
	scheme, host := strings.ToLower(u.Scheme), hostPort(u)
	for _, p := range allow {
		if p.scheme != scheme || p.host != host {
			continue
		}
		if strings.HasSuffix(p.path, "/") {
			if strings.HasPrefix(u.Path, p.path) {
				return true
			}
		} else if u.Path == p.path || strings.HasPrefix(u.Path, p.path+"/") {
			return true
		}
	}
	return false
}

// allowedString is allowed for the URL text s.
func allowedString(allow []urlPrefix, s string) bool {
	u, err := url.Parse(s)
	return err == nil && allowed(allow, u)
}

// hostPort returns u's host in lower case, without the scheme's default
// port.
func hostPort(u *url.URL) string {
	host := strings.ToLower(u.Host)
	switch {
	case strings.EqualFold(u.Scheme, "https") && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case strings.EqualFold(u.Scheme, "http") && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return host
}

func hasDotSegment(p string) bool {
	for _, s := range strings.Split(p, "/") {
		if s == "." || s == ".." {
			return true
		}
	}
	return false
}
