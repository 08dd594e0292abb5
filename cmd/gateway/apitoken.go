package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// minTokenLen is the shortest API token taken: 32 characters, 16 bytes of
// hexadecimal randomness at the least.
const minTokenLen = 32

// loadAPITokens reads the API tokens of policies.api_token_file: the
// SHA-256 of each, so that the comparison takes the same time whatever
// the token. Blank lines and lines starting with # are skipped.
func loadAPITokens(path string, warn func(string)) ([][32]byte, error) {
	if path == "" {
		return nil, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("policies.api_token_file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 && warn != nil {
		warn(fmt.Sprintf("API token file %s can be read by others (mode %v): chmod 600 it", path, fi.Mode().Perm()))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policies.api_token_file: %w", err)
	}
	var out [][32]byte
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < minTokenLen || strings.ContainsAny(line, " \t") {
			return nil, fmt.Errorf("policies.api_token_file %s line %d: a token is at least %d characters without spaces (openssl rand -hex 32)", path, n, minTokenLen)
		}
		out = append(out, sha256.Sum256([]byte(line)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("policies.api_token_file %s: no token in it", path)
	}
	return out, nil
}

// withToken lets h answer only a caller with one of the API tokens, when
// tokens are configured: the consent, mandate and policy-evaluation API
// changes and reveals what decides exchanges.
func (s *server) withToken(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.apiTokens == nil {
			return h(w, r)
		}
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="samband"`)
			return &httpError{status: http.StatusUnauthorized, detail: "this route needs an API token: Authorization: Bearer <a token of policies.api_token_file>"}
		}
		sum := sha256.Sum256([]byte(token))
		found := 0
		for _, t := range s.apiTokens {
			found |= subtle.ConstantTimeCompare(sum[:], t[:])
		}
		if found != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="samband", error="invalid_token"`)
			return &httpError{status: http.StatusUnauthorized, detail: "the API token is not one of policies.api_token_file"}
		}
		return h(w, r)
	}
}
