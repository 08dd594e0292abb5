package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// A doer sends one request and reads its whole answer. Every mode of a run
// uses the same one, so the load client costs each mode alike.
type doer interface {
	do(req *http.Request) (*http.Response, []byte, error)
}

// newDoer makes the load client -client names: "conn" (connClient) or
// "net/http" (an http.Client over a Transport with a connection per
// client).
func newDoer(kind string, clients int) (doer, error) {
	switch kind {
	case "conn":
		return newConnClient(clients), nil
	case "net/http":
		return netClient{&http.Client{Transport: newTransport(clients), Timeout: requestTimeout}}, nil
	}
	return nil, fmt.Errorf("-client %q: conn or net/http", kind)
}

// requestTimeout bounds one exchange, connection included.
const requestTimeout = 30 * time.Second

// netClient is net/http's client.
type netClient struct{ c *http.Client }

func (n netClient) do(req *http.Request) (*http.Response, []byte, error) {
	resp, err := n.c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body, err
}

// newTransport is a client transport that keeps a connection per client.
func newTransport(clients int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.MaxIdleConns = 2*clients + 16
	t.MaxIdleConnsPerHost = 2*clients + 16
	return t
}

// connClient is a load client as wrk is one: it keeps its own HTTP/1.1
// connections, at most one per client, and the goroutine that sends a
// request writes it (Request.Write) and reads the answer
// (http.ReadResponse) on a connection it holds alone. net/http's Transport
// instead gives every connection a reading and a writing goroutine and
// hands each request and answer between them and the caller; on two
// cores those hand-offs cost the load client more CPU than signing the
// request does, CPU the servers measured then lack. The HTTP read and
// written are net/http's own, so what the servers see and what is checked
// of their answers are the same as with -client net/http.
type connClient struct {
	mu    sync.Mutex
	pools map[string]chan *clientConn // by host:port
	size  int
}

type clientConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func newConnClient(clients int) *connClient {
	return &connClient{pools: map[string]chan *clientConn{}, size: 2*clients + 16}
}

// pool returns the idle connections to host.
func (cc *connClient) pool(host string) chan *clientConn {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	p, ok := cc.pools[host]
	if !ok {
		p = make(chan *clientConn, cc.size)
		cc.pools[host] = p
	}
	return p
}

func (cc *connClient) do(req *http.Request) (*http.Response, []byte, error) {
	if req.URL.Scheme != "http" {
		return nil, nil, fmt.Errorf("%s: the load client speaks plain HTTP/1.1 only", req.URL)
	}
	p := cc.pool(req.URL.Host)
	var conn *clientConn
	select {
	case conn = <-p:
	default:
		c, err := net.DialTimeout("tcp", req.URL.Host, requestTimeout)
		if err != nil {
			return nil, nil, err
		}
		conn = &clientConn{c: c, r: bufio.NewReaderSize(c, 8<<10), w: bufio.NewWriterSize(c, 4<<10)}
	}
	resp, body, err := conn.roundTrip(req)
	if err != nil || resp.Close {
		conn.c.Close()
		return resp, body, err
	}
	select {
	case p <- conn:
	default:
		conn.c.Close()
	}
	return resp, body, nil
}

// roundTrip writes req and reads its whole answer, within requestTimeout.
func (c *clientConn) roundTrip(req *http.Request) (*http.Response, []byte, error) {
	if err := c.c.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return nil, nil, err
	}
	if err := req.Write(c.w); err != nil {
		return nil, nil, err
	}
	if err := c.w.Flush(); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(c.r, req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil { // a body cut short of its Content-Length is io.ErrUnexpectedEOF
		return nil, nil, err
	}
	return resp, body, nil
}
