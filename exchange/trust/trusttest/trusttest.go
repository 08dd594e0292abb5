// Package trusttest serves JWK sets over HTTP for the tests of what
// fetches them: the trust registry, and the gateway and broker built on
// it. A server can be down (503, as a key server not up yet) and its set
// changed while it runs.
package trusttest

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// A KeyServer serves whatever set was last given to Serve, at every path,
// and counts the requests it answers. While Down is set it answers 503.
type KeyServer struct {
	*httptest.Server
	Requests atomic.Int64
	Down     atomic.Bool
	body     atomic.Pointer[[]byte]
}

// NewKeyServer starts a KeyServer serving body (a JWK set as JSON); it
// stops when the test ends.
func NewKeyServer(t testing.TB, body []byte) *KeyServer {
	t.Helper()
	s := &KeyServer{}
	s.Serve(body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		if s.Down.Load() {
			http.Error(w, "not up yet", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(*s.body.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

// Serve makes body the set served from now on.
func (s *KeyServer) Serve(body []byte) { s.body.Store(&body) }
