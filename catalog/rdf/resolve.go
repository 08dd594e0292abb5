package rdf

import "strings"

// Resolve resolves the IRI reference ref against base as RFC 3986 section 5.2
// says, on strings: nothing is escaped, unescaped or normalised beyond the
// removal of dot segments. An empty base leaves ref as it is.
func Resolve(base, ref string) string {
	if hasScheme(ref) && !hasDotSegment(ref) {
		return ref // the common case: already absolute
	}
	if base == "" {
		return ref
	}
	r := splitIRI(ref)
	var t iriParts
	if r.hasScheme {
		t = r
		t.path = removeDotSegments(r.path)
	} else {
		b := splitIRI(base)
		t.scheme, t.hasScheme = b.scheme, b.hasScheme
		switch {
		case r.hasAuthority:
			t.authority, t.hasAuthority = r.authority, true
			t.path = removeDotSegments(r.path)
			t.query, t.hasQuery = r.query, r.hasQuery
		case r.path == "":
			t.authority, t.hasAuthority = b.authority, b.hasAuthority
			t.path = b.path
			if r.hasQuery {
				t.query, t.hasQuery = r.query, true
			} else {
				t.query, t.hasQuery = b.query, b.hasQuery
			}
		default:
			t.authority, t.hasAuthority = b.authority, b.hasAuthority
			if r.path[0] == '/' {
				t.path = removeDotSegments(r.path)
			} else {
				t.path = removeDotSegments(mergePaths(b, r.path))
			}
			t.query, t.hasQuery = r.query, r.hasQuery
		}
	}
	t.fragment, t.hasFragment = r.fragment, r.hasFragment
	return t.String()
}

// IsAbsolute reports whether s starts with a scheme.
func IsAbsolute(s string) bool { return hasScheme(s) }

type iriParts struct {
	scheme, authority, path, query, fragment       string
	hasScheme, hasAuthority, hasQuery, hasFragment bool
}

func (p iriParts) String() string {
	var b strings.Builder
	b.Grow(len(p.scheme) + len(p.authority) + len(p.path) + len(p.query) + len(p.fragment) + 6)
	if p.hasScheme {
		b.WriteString(p.scheme)
		b.WriteByte(':')
	}
	if p.hasAuthority {
		b.WriteString("//")
		b.WriteString(p.authority)
	}
	b.WriteString(p.path)
	if p.hasQuery {
		b.WriteByte('?')
		b.WriteString(p.query)
	}
	if p.hasFragment {
		b.WriteByte('#')
		b.WriteString(p.fragment)
	}
	return b.String()
}

// splitIRI splits s into its five components (RFC 3986 appendix B).
func splitIRI(s string) iriParts {
	var p iriParts
	if i := strings.IndexByte(s, '#'); i >= 0 {
		p.fragment, p.hasFragment = s[i+1:], true
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		p.query, p.hasQuery = s[i+1:], true
		s = s[:i]
	}
	if n := schemeLen(s); n > 0 {
		p.scheme, p.hasScheme = s[:n], true
		s = s[n+1:]
	}
	if strings.HasPrefix(s, "//") {
		s = s[2:]
		i := strings.IndexByte(s, '/')
		if i < 0 {
			i = len(s)
		}
		p.authority, p.hasAuthority = s[:i], true
		s = s[i:]
	}
	p.path = s
	return p
}

// schemeLen returns the length of s's scheme (without the colon), or 0.
func schemeLen(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i
		case isAlpha(c), isDigit(c), c == '+', c == '-', c == '.':
		default:
			return 0
		}
	}
	return 0
}

func hasScheme(s string) bool { return schemeLen(s) > 0 }

// hasDotSegment reports whether the path of s may hold a "." or ".." segment.
func hasDotSegment(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '?', '#':
			return false
		case '.':
			if (i == 0 || s[i-1] == '/') && (i+1 == len(s) || s[i+1] == '/' || s[i+1] == '?' || s[i+1] == '#' ||
				(s[i+1] == '.' && (i+2 == len(s) || s[i+2] == '/' || s[i+2] == '?' || s[i+2] == '#'))) {
				return true
			}
		}
	}
	return false
}

func mergePaths(base iriParts, ref string) string {
	if base.hasAuthority && base.path == "" {
		return "/" + ref
	}
	i := strings.LastIndexByte(base.path, '/')
	return base.path[:i+1] + ref
}

// removeDotSegments is RFC 3986 section 5.2.4.
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			start := 0
			if in[0] == '/' {
				start = 1
			}
			i := strings.IndexByte(in[start:], '/')
			if i < 0 {
				i = len(in)
			} else {
				i += start
			}
			out = append(out, in[:i])
			in = in[i:]
		}
	}
	return strings.Join(out, "")
}
