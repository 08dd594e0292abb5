package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestConnClient: the conn load client keeps one connection for requests
// one after another, opens a new one when the server closes, reads chunked
// and sized answers whole, and fails on a cut answer.
func TestConnClient(t *testing.T) {
	var conns atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) { w.Write(deathRecord) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Write(deathRecord[:10])
		w.(http.Flusher).Flush()
		w.Write(deathRecord[10:])
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write(deathRecord)
	})
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		c, bw, _ := w.(http.Hijacker).Hijack()
		bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\nshort")
		bw.Flush()
		c.Close()
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c := newConnClient(4)
	get := func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, body, err := c.do(req)
		if err == nil && resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		return body, err
	}
	for _, path := range []string{"/sized", "/chunked", "/sized", "/chunked", "/sized"} {
		body, err := get(path)
		if err != nil || !bytes.Equal(body, deathRecord) {
			t.Fatalf("%s: %q, %v", path, body, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("five requests one after another took %d connections, want 1", n)
	}
	for range 3 {
		if body, err := get("/close"); err != nil || !bytes.Equal(body, deathRecord) {
			t.Fatalf("/close: %q, %v", body, err)
		}
	}
	// The first /close reused the kept connection; each closed its own.
	if n := conns.Load(); n != 3 {
		t.Errorf("after three answers with Connection: close, %d connections, want 3", n)
	}
	if _, err := get("/cut"); err == nil {
		t.Error("an answer cut short of its Content-Length was read without an error")
	}
	if body, err := get("/sized"); err != nil || !bytes.Equal(body, deathRecord) {
		t.Fatalf("after a cut answer: %q, %v", body, err)
	}
}

func TestNewDoer(t *testing.T) {
	for _, kind := range []string{"conn", "net/http"} {
		if _, err := newDoer(kind, 1); err != nil {
			t.Errorf("newDoer(%q): %v", kind, err)
		}
	}
	if _, err := newDoer("h2", 1); err == nil {
		t.Error("newDoer(h2) made a client")
	}
}
