package upstream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// server is an httptest server that counts the connections it accepted.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func get(t *testing.T, c *Client, u string, maxBody int64) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(req, maxBody)
}

// TestReuse: sequential calls to one host share one connection, and each
// reads its own answer whole, sized or chunked; the request arrives as
// written, its body and headers included.
func TestReuse(t *testing.T) {
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Ask")+" "+string(body))
		if r.URL.Query().Get("chunked") != "" {
			w.Write([]byte("part one, "))
			w.(http.Flusher).Flush()
			w.Write([]byte("part two"))
			return
		}
		w.Write([]byte("sized"))
	})
	c := New(Config{})
	for i := range 6 {
		q := ""
		want := "sized"
		if i%2 == 1 {
			q, want = "?chunked=1", "part one, part two"
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/x"+q, strings.NewReader(fmt.Sprint("body ", i)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Ask", "question")
		resp, body, err := c.Do(req, 1<<20)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if string(body) != want || resp.StatusCode != 200 || resp.Header.Get("X-Seen") != fmt.Sprintf("POST /v1/x%s question body %d", q, i) {
			t.Fatalf("call %d: %d %q, seen %q", i, resp.StatusCode, body, resp.Header.Get("X-Seen"))
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("6 sequential calls made %d connections, want 1", n)
	}
}

// TestTooLarge: an answer over the bound is ErrTooLarge, its connection is
// not kept, and the next call works on a new one.
func TestTooLarge(t *testing.T) {
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 2000))
	})
	c := New(Config{})
	if _, _, err := get(t, c, srv.URL, 1000); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("an answer of 2000 bytes with a bound of 1000: %v, want ErrTooLarge", err)
	}
	if _, body, err := get(t, c, srv.URL, 2000); err != nil || len(body) != 2000 {
		t.Fatalf("an answer at the bound: %d bytes, %v", len(body), err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2: the cut answer's is not kept", n)
	}
}

// TestConnectionClose: an answer saying Connection: close is read, and its
// connection not kept.
func TestConnectionClose(t *testing.T) {
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write([]byte("bye"))
	})
	c := New(Config{})
	for range 3 {
		if _, body, err := get(t, c, srv.URL, 100); err != nil || string(body) != "bye" {
			t.Fatalf("%q, %v", body, err)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections for 3 calls answered with Connection: close, want 3", n)
	}
}

// rawServer serves each connection with serve, on loopback.
func rawServer(t *testing.T, serve func(n int, c net.Conn)) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := int(conns.Add(1))
			go func() {
				defer c.Close()
				serve(n, c)
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &conns
}

// readRequest reads one request from r, or returns false.
func readRequest(r *bufio.Reader) (*http.Request, bool) {
	req, err := http.ReadRequest(r)
	if err != nil {
		return nil, false
	}
	io.Copy(io.Discard, req.Body)
	return req, true
}

// TestClosedWhileKept: a kept connection the server has closed is not
// used for the next call (it is seen closed before the call), and one the
// server closes as the call arrives is, for a GET, sent again on a new
// connection; a POST is not sent again, and its caller gets the error.
func TestClosedWhileKept(t *testing.T) {
	t.Run("closed before the call", func(t *testing.T) {
		u, conns := rawServer(t, func(_ int, c net.Conn) {
			r := bufio.NewReader(c)
			if _, ok := readRequest(r); ok {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			// then close, without saying so
		})
		c := New(Config{})
		for i := range 3 {
			if _, body, err := get(t, c, u, 100); err != nil || string(body) != "ok" {
				t.Fatalf("call %d: %q, %v", i, body, err)
			}
			time.Sleep(20 * time.Millisecond) // the server's close arrives
		}
		if n := conns.Load(); n != 3 {
			t.Errorf("%d connections, want 3", n)
		}
	})
	// The server answers the first request on each connection, then
	// closes it on reading the second, as a server whose idle timeout
	// ends as the call comes.
	var requests atomic.Int64
	u, _ := rawServer(t, func(_ int, c net.Conn) {
		r := bufio.NewReader(c)
		if _, ok := readRequest(r); !ok {
			return
		}
		requests.Add(1)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if _, ok := readRequest(r); ok {
			requests.Add(1)
		}
	})
	c := New(Config{})
	if _, _, err := get(t, c, u, 100); err != nil {
		t.Fatal(err)
	}
	requests.Store(0)
	if _, body, err := get(t, c, u, 100); err != nil || string(body) != "ok" {
		t.Fatalf("a GET whose kept connection closed as it arrived: %q, %v; want it sent again", body, err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("the server read %d requests, want 2: the one it dropped and the one sent again", n)
	}
	requests.Store(0)
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader("once"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Do(req, 100); err == nil {
		t.Fatal("a POST whose kept connection closed as it arrived: no error")
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the server read %d POSTs, want 1: a POST is not sent again", n)
	}
}

// TestInformational: 100 Continue and 103 Early Hints before the answer
// are read past; 101 Switching Protocols is an error.
func TestInformational(t *testing.T) {
	u, _ := rawServer(t, func(_ int, c net.Conn) {
		r := bufio.NewReader(c)
		req, ok := readRequest(r)
		if !ok {
			return
		}
		if req.URL.Path == "/switch" {
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
			return
		}
		io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nmade")
	})
	c := New(Config{})
	resp, body, err := get(t, c, u+"/", 100)
	if err != nil || resp.StatusCode != 201 || string(body) != "made" {
		t.Fatalf("after 100 and 103: %v, %q, %v", resp, body, err)
	}
	if _, _, err := get(t, c, u+"/switch", 100); err == nil || !strings.Contains(err.Error(), "switched protocols") {
		t.Errorf("101: %v, want an error", err)
	}
}

// TestTimeAndCancel: a server that never answers ends the call at the
// client's timeout, or when the request's context is cancelled, promptly,
// with the cause.
func TestTimeAndCancel(t *testing.T) {
	u, _ := rawServer(t, func(_ int, c net.Conn) {
		readRequest(bufio.NewReader(c))
		time.Sleep(5 * time.Second)
	})
	c := New(Config{Timeout: 100 * time.Millisecond})
	start := time.Now()
	if _, _, err := get(t, c, u, 100); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the timed-out call took %v", d)
	}
	c = New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if _, _, err := c.Do(req, 100); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the cancelled call took %v", d)
	}
}

// TestTLS: HTTPS with the configured roots, connection kept; without the
// server's root the handshake fails.
func TestTLS(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto))
	}))
	srv.EnableHTTP2 = true // the client offers http/1.1 only, and gets it
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c := New(Config{TLS: &tls.Config{RootCAs: roots}})
	for range 3 {
		if _, body, err := get(t, c, srv.URL, 100); err != nil || string(body) != "HTTP/1.1" {
			t.Fatalf("%q, %v", body, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d TLS connections for 3 calls, want 1", n)
	}
	var unknown x509.UnknownAuthorityError
	if _, _, err := get(t, New(Config{}), srv.URL, 100); !errors.As(err, &unknown) {
		t.Errorf("without the server's root: %v, want an unknown authority", err)
	}
}

// TestDialerChecks: the dialer's Control refuses an address, and the
// call fails with its error, nothing sent.
func TestDialerChecks(t *testing.T) {
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {})
	refused := errors.New("address refused (test)")
	d := &net.Dialer{Control: func(string, string, syscall.RawConn) error { return refused }}
	if _, _, err := get(t, New(Config{Dialer: d}), srv.URL, 100); !errors.Is(err, refused) {
		t.Errorf("%v, want the Control's error", err)
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections reached the server", n)
	}
}

// TestBadURL: only http and https URLs with a host are called.
func TestBadURL(t *testing.T) {
	c := New(Config{})
	for _, u := range []string{"ftp://example.org/", "file:///etc/passwd", "http:///x"} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			continue
		}
		if _, _, err := c.Do(req, 100); err == nil || !strings.Contains(err.Error(), "an http or https URL") {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// TestIdleBound: at most MaxIdlePerHost connections are kept, and a
// connection kept longer than IdleTimeout is not used again.
func TestIdleBound(t *testing.T) {
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
	})
	c := New(Config{MaxIdlePerHost: 2, IdleTimeout: 200 * time.Millisecond})
	done := make(chan error)
	for range 4 {
		go func() { _, _, err := get(t, c, srv.URL, 100); done <- err }()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c.mu.Lock()
	kept := len(c.idle["http://"+srv.Listener.Addr().String()])
	c.mu.Unlock()
	if kept != 2 {
		t.Errorf("%d connections kept after 4 at once, want 2", kept)
	}
	before := conns.Load()
	time.Sleep(300 * time.Millisecond)
	if _, _, err := get(t, c, srv.URL, 100); err != nil {
		t.Fatal(err)
	}
	if conns.Load() != before+1 {
		t.Errorf("a call after the idle timeout used a kept connection")
	}
	c.CloseIdle()
	c.mu.Lock()
	n := len(c.idle)
	c.mu.Unlock()
	if n != 0 {
		t.Errorf("CloseIdle left %d hosts' connections", n)
	}
}

// TestHeaderBound: an answer whose header does not end, or runs past
// maxHeaderBytes, or informational answers without end, fail once that
// much is read, not at the timeout and not with the memory it would take.
func TestHeaderBound(t *testing.T) {
	for name, answer := range map[string]func(io.Writer){
		"a header line without end": func(w io.Writer) {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nX-Long: ")
			for range 4 * maxHeaderBytes / 4096 {
				if _, err := w.Write(bytes.Repeat([]byte("a"), 4096)); err != nil {
					return
				}
			}
		},
		"informational answers without end": func(w io.Writer) {
			for range maxHeaderBytes {
				if _, err := io.WriteString(w, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
					return
				}
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			u, _ := rawServer(t, func(_ int, c net.Conn) {
				if _, ok := readRequest(bufio.NewReader(c)); ok {
					answer(c)
				}
			})
			start := time.Now()
			if _, _, err := get(t, New(Config{Timeout: 20 * time.Second}), u, 100); !errors.Is(err, errHeaderTooLarge) {
				t.Errorf("%v, want the header refused", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
