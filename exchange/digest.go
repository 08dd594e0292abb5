package exchange

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// maxDigestHeader bounds the Content-Digest value CheckContentDigest reads.
const maxDigestHeader = 4096

// ContentDigest returns the Content-Digest field value (RFC 9530) of body
// with SHA-256: "sha-256=:BASE64:".
func ContentDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return digestValue(sum[:])
}

// digestValue is "sha-256=:" + base64(sum) + ":".
func digestValue(sum []byte) string {
	const prefix = "sha-256=:"
	b := make([]byte, 0, len(prefix)+base64.StdEncoding.EncodedLen(len(sum))+1)
	b = append(b, prefix...)
	b = base64.StdEncoding.AppendEncode(b, sum)
	b = append(b, ':')
	return string(b)
}

// emptyDigest is the Content-Digest of an empty body, which the canonical
// form of a bodiless request carries.
var emptyDigest = ContentDigest(nil)

// CheckContentDigest checks a Content-Digest field value (RFC 9530)
// against body. The value is a Structured Field dictionary (RFC 8941):
// members "key=:BASE64:" separated by commas with optional white space;
// parameters are read and ignored. Every sha-256 and sha-512 member must
// match the body, and at least one must be present; members of other
// algorithms are ignored. A value that is not such a dictionary, or whose
// sha-256 or sha-512 member is not a byte sequence of the right length,
// is ErrDigest.
func CheckContentDigest(header string, body []byte) error {
	if len(header) > maxDigestHeader {
		return fmt.Errorf("%w: Content-Digest longer than %d bytes", ErrDigest, maxDigestHeader)
	}
	p := sfParser{s: header}
	p.skipSP()
	if p.done() {
		return fmt.Errorf("%w: Content-Digest is empty", ErrDigest)
	}
	known := 0
	var sum256 *[32]byte
	var sum512 *[64]byte
	for {
		key, err := p.key()
		if err != nil {
			return err
		}
		var item []byte
		isBytes := false
		if p.peek() == '=' {
			p.i++
			if p.peek() == ':' {
				if item, err = p.byteSequence(); err != nil {
					return err
				}
				isBytes = true
			} else if err := p.skipBareItem(); err != nil {
				return err
			}
		}
		if err := p.skipParameters(); err != nil {
			return err
		}
		switch key {
		case "sha-256", "sha-512":
			if !isBytes {
				return fmt.Errorf("%w: Content-Digest member %s is not a byte sequence", ErrDigest, key)
			}
			var want []byte
			if key == "sha-256" {
				if sum256 == nil {
					s := sha256.Sum256(body)
					sum256 = &s
				}
				want = sum256[:]
			} else {
				if sum512 == nil {
					s := sha512.Sum512(body)
					sum512 = &s
				}
				want = sum512[:]
			}
			if len(item) != len(want) {
				return fmt.Errorf("%w: Content-Digest member %s holds %d bytes, want %d", ErrDigest, key, len(item), len(want))
			}
			if subtle.ConstantTimeCompare(item, want) != 1 {
				return fmt.Errorf("%w: Content-Digest %s does not match the body", ErrDigest, key)
			}
			known++
		}
		p.skipOWS()
		if p.done() {
			break
		}
		if p.peek() != ',' {
			return fmt.Errorf("%w: Content-Digest: expected ',' at byte %d", ErrDigest, p.i)
		}
		p.i++
		p.skipOWS()
		if p.done() {
			return fmt.Errorf("%w: Content-Digest ends with ','", ErrDigest)
		}
	}
	if known == 0 {
		return fmt.Errorf("%w: Content-Digest has no sha-256 or sha-512 member", ErrDigest)
	}
	return nil
}

// sfParser reads the subset of RFC 8941 Structured Fields a Content-Digest
// dictionary needs, and skips the other bare items a member of an unknown
// algorithm may hold.
type sfParser struct {
	s string
	i int
}

func (p *sfParser) done() bool { return p.i >= len(p.s) }

func (p *sfParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *sfParser) skipSP() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *sfParser) errorf(what string) error {
	return fmt.Errorf("%w: Content-Digest: %s at byte %d", ErrDigest, what, p.i)
}

// key reads a key: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func (p *sfParser) key() (string, error) {
	start := p.i
	if c := p.peek(); !(c >= 'a' && c <= 'z' || c == '*') {
		return "", p.errorf("expected a key")
	}
	p.i++
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*') {
			break
		}
		p.i++
	}
	return p.s[start:p.i], nil
}

// byteSequence reads ":" base64 ":" and decodes it; padding may be left out.
func (p *sfParser) byteSequence() ([]byte, error) {
	p.i++ // ':'
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ':' {
		c := p.s[p.i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return nil, p.errorf("invalid byte in a byte sequence")
		}
		p.i++
	}
	if p.done() {
		return nil, p.errorf("unterminated byte sequence")
	}
	enc := p.s[start:p.i]
	p.i++ // ':'
	dec := base64.StdEncoding.Strict()
	if len(enc)%4 != 0 {
		dec = base64.RawStdEncoding.Strict()
	}
	b, err := dec.DecodeString(enc)
	if err != nil {
		return nil, p.errorf("invalid base64 in a byte sequence")
	}
	return b, nil
}

// skipBareItem skips an integer, decimal, string, token, byte sequence or
// boolean.
func (p *sfParser) skipBareItem() error {
	c := p.peek()
	switch {
	case c == '-' || c >= '0' && c <= '9':
		p.i++
		digits := 0
		if c != '-' {
			digits++
		}
		for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.') {
			if p.s[p.i] != '.' {
				digits++
			}
			p.i++
		}
		if digits == 0 {
			return p.errorf("invalid number")
		}
	case c == '"':
		p.i++
		for {
			if p.done() {
				return p.errorf("unterminated string")
			}
			c := p.s[p.i]
			p.i++
			switch {
			case c == '\\':
				if p.done() || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
					return p.errorf("invalid escape in a string")
				}
				p.i++
			case c == '"':
				return nil
			case c < 0x20 || c > 0x7e:
				return p.errorf("invalid byte in a string")
			}
		}
	case c == ':':
		_, err := p.byteSequence()
		return err
	case c == '?':
		p.i++
		if c := p.peek(); c != '0' && c != '1' {
			return p.errorf("invalid boolean")
		}
		p.i++
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '*':
		p.i++
		for p.i < len(p.s) && (isTchar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
			p.i++
		}
	default:
		return p.errorf("expected a value")
	}
	return nil
}

// skipParameters skips *( ";" *SP key [ "=" bare-item ] ).
func (p *sfParser) skipParameters() error {
	for p.peek() == ';' {
		p.i++
		p.skipSP()
		if _, err := p.key(); err != nil {
			return err
		}
		if p.peek() == '=' {
			p.i++
			if err := p.skipBareItem(); err != nil {
				return err
			}
		}
	}
	return nil
}

// isTchar reports whether c is a token character (RFC 9110).
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
