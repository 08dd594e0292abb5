// Package upstream is the gateway's HTTP/1.1 client for the calls it
// forwards: to the services it has registered and to peer gateways.
//
// Every call runs on the caller's goroutine: it takes a kept connection
// (or dials one, through the dialer it was given, which checks every
// address it connects to), writes the request, and reads the answer whole,
// bounded, with net/http's own Request.Write and ReadResponse. net/http's
// Transport gives each connection a reading and a writing goroutine and
// hands every request and answer between them and the caller; on a
// gateway whose cores are busy those hand-offs are a wait each, and they
// showed in the exchange's tail (docs/benchmarks.md, "Eighth pass").
//
// What it does not do, on purpose: follow redirects (the caller sees a
// 3xx), use a proxy from the environment, speak HTTP/2, or upgrade a
// connection. A connection is kept for the next call only when its answer
// was read whole and neither side asked to close it; one kept too long, or
// closed by the other side, is not used again.
package upstream

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// ErrTooLarge is the error of a call whose answer's body is larger than
// the bound the caller gave.
var ErrTooLarge = errors.New("answer larger than allowed")

// Config configures a Client. The zero Config is usable: a dialer with a
// 10 s timeout and no address check, TLS 1.2 or later against the system's
// roots, 64 kept connections per host, kept for at most 60 s.
type Config struct {
	// Dialer connects; its Control is where the caller checks addresses.
	Dialer *net.Dialer
	// TLS is the base of every HTTPS connection's configuration; the
	// server name is set per host, and ALPN offers http/1.1 only.
	TLS *tls.Config
	// Timeout bounds a call, connecting included, unless the request's
	// context ends sooner; 0 is none beyond the context.
	Timeout time.Duration
	// MaxIdlePerHost is how many connections are kept per host between
	// calls; 0 is 64, and below 0 none.
	MaxIdlePerHost int
	// IdleTimeout is how long a kept connection may wait for a call; 0 is
	// 60 s.
	IdleTimeout time.Duration
}

// Client makes calls over HTTP/1.1. It is safe for concurrent use.
type Client struct {
	dialer      *net.Dialer
	tls         *tls.Config
	timeout     time.Duration
	maxIdle     int
	idleTimeout time.Duration

	mu   sync.Mutex
	idle map[string][]*conn // by scheme and host:port; the most recent last

	plainReads bool // reads wait on the socket alone, without pollConn's steps (benchmarks)
}

// New returns a Client configured by cfg.
func New(cfg Config) *Client {
	c := &Client{dialer: cfg.Dialer, tls: cfg.TLS, timeout: cfg.Timeout, maxIdle: cfg.MaxIdlePerHost,
		idleTimeout: cfg.IdleTimeout, idle: map[string][]*conn{}}
	if c.dialer == nil {
		c.dialer = &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	}
	if c.tls == nil {
		c.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	switch {
	case c.maxIdle == 0:
		c.maxIdle = 64
	case c.maxIdle < 0:
		c.maxIdle = 0
	}
	if c.idleTimeout <= 0 {
		c.idleTimeout = 60 * time.Second
	}
	return c
}

// conn is a connection and what reads and writes it.
type conn struct {
	nc    net.Conn // the TLS connection, for HTTPS
	raw   net.Conn // the TCP connection under it
	r     *bufio.Reader
	w     *bufio.Writer
	read  int64 // bytes read from nc
	limit int64 // while > 0, what read may reach
	since time.Time
}

func (c *conn) Read(p []byte) (int, error) {
	if c.limit > 0 {
		if c.read >= c.limit {
			return 0, errHeaderTooLarge
		}
		if left := c.limit - c.read; int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := c.nc.Read(p)
	c.read += int64(n)
	return n, err
}

// maxHeaderBytes bounds what is read of an answer before its body: its
// status line and header, and those of informational answers before it.
const maxHeaderBytes = 1 << 20

var errHeaderTooLarge = fmt.Errorf("the answer's header is larger than %d bytes", maxHeaderBytes)

// Do sends req and reads its answer, whose body (at most maxBody bytes,
// else ErrTooLarge) it returns apart; the returned response's Body is
// empty. Informational answers (1xx) are read past. A request that can be
// sent again unchanged (GET, HEAD, OPTIONS, TRACE, PUT or DELETE, with no
// body or one GetBody gives again) is sent once more on a new connection
// when a kept one turns out closed before any answer came.
func (c *Client) Do(req *http.Request, maxBody int64) (*http.Response, []byte, error) {
	if req.URL == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		return nil, nil, fmt.Errorf("upstream: %v: an http or https URL with a host is needed", req.URL)
	}
	ctx := req.Context()
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	key := req.URL.Scheme + "://" + hostPort(req.URL.Scheme, req.URL.Host)
	for attempt := 0; ; attempt++ {
		cn, reused, err := c.get(ctx, key, req.URL)
		if err != nil {
			return nil, nil, err
		}
		resp, body, err := c.roundTrip(ctx, key, cn, req, maxBody)
		if err == nil {
			return resp, body, nil
		}
		if attempt == 0 && reused && cn.read == 0 && ctx.Err() == nil && replayable(req) {
			if req.GetBody != nil {
				b, gerr := req.GetBody()
				if gerr != nil {
					return nil, nil, err
				}
				req.Body = b
			}
			continue
		}
		return nil, nil, err
	}
}

// roundTrip makes the call on cn, which it keeps or closes.
func (c *Client) roundTrip(ctx context.Context, key string, cn *conn, req *http.Request, maxBody int64) (*http.Response, []byte, error) {
	deadline, _ := ctx.Deadline()
	cn.nc.SetDeadline(deadline)
	// Should the context end, the connection's deadline passes at once,
	// and the read or write under way returns. No goroutine waits for it.
	stop := context.AfterFunc(ctx, func() { cn.nc.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, []byte, error) {
		stop()
		cn.nc.Close()
		switch {
		case ctx.Err() != nil:
			err = fmt.Errorf("%w (%v)", context.Cause(ctx), err)
		case errors.Is(err, os.ErrDeadlineExceeded) && !deadline.IsZero() && !time.Now().Before(deadline):
			// The connection's deadline, the context's, passed before
			// the context's own timer said so.
			err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
		}
		return nil, nil, fmt.Errorf("upstream %s: %w", req.URL.Host, err)
	}
	if err := req.Write(cn.w); err != nil {
		return fail(err)
	}
	if err := cn.w.Flush(); err != nil {
		return fail(err)
	}
	var resp *http.Response
	cn.limit = cn.read + maxHeaderBytes
	for {
		var err error
		if resp, err = http.ReadResponse(cn.r, req); err != nil {
			if cn.read >= cn.limit {
				// Cut at the bound, wherever the parser then stopped.
				err = fmt.Errorf("%w (%v)", errHeaderTooLarge, err)
			}
			return fail(err)
		}
		if resp.StatusCode < 100 || resp.StatusCode > 599 {
			// ReadResponse takes any three digits; an answer must carry
			// a status the gateway can answer with in turn.
			return fail(fmt.Errorf("the server answered with status %d, which is no HTTP status", resp.StatusCode))
		}
		if resp.StatusCode >= 200 {
			break
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			return fail(errors.New("the server switched protocols, which a call does not"))
		}
		// 100 Continue, 103 Early Hints: the answer follows.
	}
	cn.limit = 0 // the body is bounded by maxBody
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fail(fmt.Errorf("reading the answer: %w", err))
	}
	if int64(len(body)) > maxBody {
		return fail(fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBody))
	}
	resp.Body.Close()
	resp.Body = http.NoBody
	if !stop() {
		// The context ended as the answer came: the deadline may be
		// past, so the connection is not kept.
		cn.nc.Close()
		return resp, body, nil
	}
	if resp.Close || req.Close || cn.r.Buffered() > 0 {
		cn.nc.Close()
		return resp, body, nil
	}
	cn.nc.SetDeadline(time.Time{})
	c.put(key, cn)
	return resp, body, nil
}

// get returns a kept connection to key, or a new one.
func (c *Client) get(ctx context.Context, key string, u *url.URL) (*conn, bool, error) {
	now := time.Now()
	c.mu.Lock()
	for list := c.idle[key]; len(list) > 0; list = c.idle[key] {
		cn := list[len(list)-1]
		c.idle[key] = list[:len(list)-1]
		c.mu.Unlock()
		if now.Sub(cn.since) < c.idleTimeout && alive(cn) {
			cn.read = 0
			return cn, true, nil
		}
		cn.nc.Close()
		c.mu.Lock()
	}
	c.mu.Unlock()
	cn, err := c.dial(ctx, u)
	return cn, false, err
}

// put keeps cn for the next call to key, closing the oldest kept
// connections beyond the bound and those kept too long.
func (c *Client) put(key string, cn *conn) {
	cn.since = time.Now()
	c.mu.Lock()
	list := append(c.idle[key], cn)
	var drop []*conn
	for len(list) > 0 && (len(list) > c.maxIdle || cn.since.Sub(list[0].since) >= c.idleTimeout) {
		drop = append(drop, list[0])
		list = list[1:]
	}
	c.idle[key] = list
	c.mu.Unlock()
	for _, d := range drop {
		d.nc.Close()
	}
}

// dial connects to u's host, with TLS for https.
func (c *Client) dial(ctx context.Context, u *url.URL) (*conn, error) {
	addr := hostPort(u.Scheme, u.Host)
	raw, err := c.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("upstream %s: %w", addr, err)
	}
	// Reads step through short deadlines (pollConn), beneath TLS too.
	var pc net.Conn = &pollConn{Conn: raw}
	if c.plainReads {
		pc = raw
	}
	cn := &conn{nc: pc, raw: raw}
	if u.Scheme == "https" {
		cfg := c.tls.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(pc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("upstream %s: %w", addr, err)
		}
		cn.nc = tc
	}
	cn.r = bufio.NewReaderSize(cn, 16<<10)
	cn.w = bufio.NewWriterSize(cn.nc, 8<<10)
	return cn, nil
}

// CloseIdle closes the connections kept between calls.
func (c *Client) CloseIdle() {
	c.mu.Lock()
	idle := c.idle
	c.idle = map[string][]*conn{}
	c.mu.Unlock()
	for _, list := range idle {
		for _, cn := range list {
			cn.nc.Close()
		}
	}
}

// hostPort is host with the scheme's port when it names none.
func hostPort(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// replayable says whether req may be sent again unchanged.
func replayable(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}
