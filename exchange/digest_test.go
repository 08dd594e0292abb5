package exchange

import (
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"strings"
	"testing"
)

func TestContentDigest(t *testing.T) {
	// RFC 9530 appendix B.1: the body {"hello": "world"}\n.
	body := []byte("{\"hello\": \"world\"}\n")
	want := "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
	if got := ContentDigest(body); got != want {
		t.Errorf("ContentDigest = %s, want %s", got, want)
	}
	if got := ContentDigest(nil); got != "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:" {
		t.Errorf("ContentDigest(nil) = %s", got)
	}
}

func TestCheckContentDigest(t *testing.T) {
	body := []byte("{\"hello\": \"world\"}\n")
	s256 := sha256.Sum256(body)
	s512 := sha512.Sum512(body)
	d256 := ":" + b64std(s256[:]) + ":"
	d512 := ":" + b64std(s512[:]) + ":"
	other := sha256.Sum256([]byte("other"))
	dOther := ":" + b64std(other[:]) + ":"
	tests := []struct {
		header string
		ok     bool
	}{
		{"sha-256=" + d256, true},
		{"sha-512=" + d512, true},
		// RFC 9530 appendix B.2's example of both.
		{"sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:", true},
		{"sha-256=" + d256 + ", sha-512=" + d512, true},
		{"sha-256=" + d256 + ",sha-512=" + d512, true},
		{"sha-256=" + d256 + " ,\tsha-512=" + d512, true},
		{"  sha-256=" + d256 + "  ", true},
		{"sha-256=" + d256 + ";a=1;b;c=\"x\\\"y\";d=?1;e=tok/x:y;f=-1.5;g=:AA==:", true},
		{"md5=:AAAAAAAAAAAAAAAAAAAAAA==:, sha-256=" + d256, true},
		{"unixsum=1234, sha-256=" + d256, true},
		{"id-sha-256=" + dOther + ", sha-256=" + d256, true},
		{"flag, sha-256=" + d256, true},
		{"sha-256=" + strings.TrimRight(d256[:len(d256)-1], "=") + ":", true}, // no padding

		{"", false},
		{"   ", false},
		{"sha-256=" + dOther, false},
		{"sha-512=" + dOther, false},
		{"sha-256=" + d256 + ", sha-512=" + dOther[:len(dOther)-1] + ":", false},
		{"sha-256=" + d256 + ", sha-256=" + dOther, false},
		{"sha-256=" + d512, false},
		{"md5=:AAAAAAAAAAAAAAAAAAAAAA==:", false},
		{"unixsum=1234", false},
		{"sha-256", false},
		{"sha-256=?1", false},
		{"sha-256=abc", false},
		{"sha-256=\"" + d256 + "\"", false},
		{"SHA-256=" + d256, false},
		{"sha-256=" + d256 + ",", false},
		{"sha-256=" + d256 + ", ", false},
		{",sha-256=" + d256, false},
		{"sha-256=" + d256 + " sha-512=" + d512, false},
		{"sha-256=:" + b64std(s256[:]), false},
		{"sha-256=:" + b64std(s256[:])[:10] + "*" + ":", false},
		{"sha-256=" + d256 + ";", false},
		{"sha-256=" + d256 + ";a=", false},
		{"sha-256=" + d256 + ";a=\"x", false},
		{"sha-256=" + d256 + ";a=\"\x01\"", false},
		{"sha-256=" + d256 + ";a=?2", false},
		{"sha-256=" + d256 + ";a=-", false},
		{"sha-256=\t" + d256, false},
		{"sha-256=" + d256 + strings.Repeat(" ", maxDigestHeader), false},
	}
	for _, tc := range tests {
		err := CheckContentDigest(tc.header, body)
		if tc.ok && err != nil {
			t.Errorf("CheckContentDigest(%q) = %v, want nil", tc.header, err)
		}
		if !tc.ok && !errors.Is(err, ErrDigest) {
			t.Errorf("CheckContentDigest(%q) = %v, want ErrDigest", tc.header, err)
		}
	}
}
