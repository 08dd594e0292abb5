package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"samband/catalog"
	"samband/internal/netguard"
)

// Results of a check: the label of the checks metric and the keys of
// Summary.Results.
const (
	ResultAnswered  = "answered"      // a status from 200 to 399 once redirects were followed
	ResultHTTPError = "http_error"    // a status of 400 or more
	ResultRedirects = "redirects"     // too many redirects, a loop, or a redirect to a URL not checked
	ResultTimeout   = "timeout"       // no answer within Options.Timeout
	ResultNetwork   = "network_error" // name resolution, connection or TLS failed
	ResultRefused   = "refused"       // the host's address is not one the checker connects to
	ResultInvalid   = "invalid"       // not an absolute http or https URL: nothing was requested
	ResultThrottled = "throttled"     // 429 Too Many Requests: no verdict, the URL stays due
)

// Bounds of one check.
const (
	maxURLLength  = 8192 // longer URLs are not requested
	maxBody       = 1024 // bytes of a GET's body read before it is closed
	maxErrorText  = 512  // bytes of LinkStatus.Error
	defaultHold   = time.Minute
	maxHold       = 10 * time.Minute // the longest a Retry-After keeps a host waiting
	maxHeaderSize = 64 << 10
)

// errBadRedirect is a redirect the checker does not follow.
var errBadRedirect = errors.New("redirect not followed")

// attempt is what one method (HEAD, or the GET that replaces it) found,
// following redirects.
type attempt struct {
	method     string
	status     int    // the last response's status, 0 when none
	final      string // the last URL requested
	err        error
	redirects  bool          // stopped by the redirect bound or a loop
	retryAfter time.Duration // of a 429
}

// Check asks one URL whether it answers, with every defence of a pass (the
// address guard, the host's rate limit, the per-request timeout and the
// redirect bound), and returns what it found and the kind of outcome (a
// Result constant). It stores nothing.
//
// It sends HEAD, and when the server refuses HEAD (405, 501) or the
// request fails, GET with "Range: bytes=0-0", of whose body it reads at
// most 1 KiB. A status from 200 to 399 once redirects were followed is an
// answer; so is 416 to the ranged GET (an empty resource). A URL that is
// not an absolute http or https URL, or longer than 8 KiB, is not
// requested and does not answer.
func (c *Checker) Check(ctx context.Context, rawURL string) (catalog.LinkStatus, string) {
	start := time.Now()
	st := catalog.LinkStatus{URL: rawURL}
	u, err := target(rawURL)
	if err != nil {
		st.Checked = c.opts.Now()
		st.Error = clip(err.Error())
		c.observe(st, ResultInvalid, start)
		return st, ResultInvalid
	}
	a := c.follow(ctx, http.MethodHead, u)
	if a.fallback() && ctx.Err() == nil {
		a = c.follow(ctx, http.MethodGet, u)
	}
	st.Checked = c.opts.Now()
	st.Status = a.status
	if a.final != "" && a.final != rawURL {
		st.FinalURL = a.final
	}
	result := a.result()
	st.Answered = result == ResultAnswered
	if !st.Answered {
		st.Error = clip(a.describe(c.opts.Timeout))
	}
	if result == ResultThrottled {
		hold := a.retryAfter
		if hold <= 0 {
			hold = defaultHold
		}
		c.limits.hold(hostKey(u), hold)
	}
	c.observe(st, result, start)
	return st, result
}

// observe counts a check and logs it at debug level.
func (c *Checker) observe(st catalog.LinkStatus, result string, start time.Time) {
	d := time.Since(start)
	c.metrics.checks.WithLabelValues(result).Inc()
	c.metrics.duration.Observe(d.Seconds())
	c.logger.Debug("link checked", "url", st.URL, "result", result, "status", st.Status,
		"answered", st.Answered, "final_url", st.FinalURL, "err", st.Error, "duration_ms", d.Milliseconds())
}

// target parses a URL the checker may request.
func target(raw string) (*url.URL, error) {
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("URL longer than %d bytes: not requested", maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %v", errors.Unwrap(err))
	}
	switch {
	case u.Scheme == "":
		return nil, errors.New("not an absolute URL: not requested")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("scheme %q is not checked: only http and https", u.Scheme)
	case u.Hostname() == "":
		return nil, errors.New("URL has no host: not requested")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// hostKey is the host whose rate limit a request to u counts against.
func hostKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// follow makes requests with method from u on, following redirects up to
// Options.MaxRedirects, each request after the host's rate limit allows.
func (c *Checker) follow(ctx context.Context, method string, u *url.URL) attempt {
	a := attempt{method: method}
	seen := map[string]bool{}
	for hops := 0; ; hops++ {
		a.final = u.String()
		seen[a.final] = true
		if err := c.limits.wait(ctx, hostKey(u)); err != nil {
			a.err = err
			return a
		}
		status, location, retryAfter, err := c.request(ctx, method, u)
		a.status, a.err, a.retryAfter = status, err, retryAfter
		if err != nil || !isRedirect(status) || location == "" {
			return a
		}
		if hops >= c.opts.MaxRedirects {
			a.err, a.redirects = fmt.Errorf("stopped after %d redirects", c.opts.MaxRedirects), true
			return a
		}
		next, err := u.Parse(location)
		if err != nil {
			a.err = fmt.Errorf("%w: Location %q is not a URL", errBadRedirect, clip(location))
			return a
		}
		if next.Scheme != "http" && next.Scheme != "https" || next.Hostname() == "" {
			a.err = fmt.Errorf("%w: to %q, not an http or https URL", errBadRedirect, clip(location))
			return a
		}
		next.Fragment, next.RawFragment = "", ""
		if seen[next.String()] {
			a.err, a.redirects = fmt.Errorf("redirect loop: %s leads back to %s", a.final, next), true
			return a
		}
		u = next
	}
}

// request makes one request within the per-request timeout and returns
// the status, the Location header and, for a 429, its Retry-After.
func (c *Checker) request(ctx context.Context, method string, u *url.URL) (status int, location string, retryAfter time.Duration, err error) {
	rctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, u.String(), nil)
	if err != nil {
		return 0, "", 0, err
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "*/*")
	if method == http.MethodGet {
		req.Header.Set("Range", "bytes=0-0")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, "", 0, err
	}
	// The status is what counts: the body is read only so far, and an error
	// reading it changes nothing.
	io.CopyN(io.Discard, resp.Body, maxBody)
	resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
	}
	return resp.StatusCode, resp.Header.Get("Location"), retryAfter, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date, capped at maxHold; 0 when there is none.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(maxHold/time.Second) {
			return maxHold
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxHold)
}

// fallback reports whether a HEAD that found a should be tried again as
// GET: the server refused the method, or the request failed in a way a
// GET might not (not a refused address, an unknown host, a refused
// connection or a redirect the checker does not follow).
func (a attempt) fallback() bool {
	if a.method != http.MethodHead {
		return false
	}
	if a.err == nil {
		return a.status == http.StatusMethodNotAllowed || a.status == http.StatusNotImplemented
	}
	var dns *net.DNSError
	switch {
	case a.redirects, errors.Is(a.err, errBadRedirect), errors.Is(a.err, ErrForbiddenAddress),
		errors.Is(a.err, syscall.ECONNREFUSED), errors.Is(a.err, context.Canceled):
		return false
	case errors.As(a.err, &dns) && dns.IsNotFound:
		return false
	}
	return true
}

// result is the kind of outcome of a.
func (a attempt) result() string {
	if a.err == nil {
		switch {
		case a.status >= 200 && a.status < 400:
			return ResultAnswered
		case a.status == http.StatusRequestedRangeNotSatisfiable && a.method == http.MethodGet:
			return ResultAnswered // the range of an empty resource
		case a.status == http.StatusTooManyRequests:
			return ResultThrottled
		}
		return ResultHTTPError
	}
	var ne net.Error
	switch {
	case a.redirects, errors.Is(a.err, errBadRedirect):
		return ResultRedirects
	case errors.Is(a.err, ErrForbiddenAddress):
		return ResultRefused
	case errors.Is(a.err, context.DeadlineExceeded), errors.As(a.err, &ne) && ne.Timeout():
		return ResultTimeout
	}
	return ResultNetwork
}

// describe says why a URL did not answer.
func (a attempt) describe(timeout time.Duration) string {
	if a.err == nil {
		return fmt.Sprintf("%s %d %s", a.method, a.status, http.StatusText(a.status))
	}
	if a.result() == ResultTimeout {
		return fmt.Sprintf("%s: no answer within %s", a.method, timeout)
	}
	err := a.err
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return a.method + ": " + err.Error()
}

// clip shortens s to maxErrorText bytes, on a rune boundary.
func clip(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	i := maxErrorText
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}

// newClient returns the HTTP client of the checker: no proxy, no automatic
// redirects (follow makes them, each under the rate limit), bounded
// headers, and a dialer that refuses forbidden addresses.
func newClient(opts Options) *http.Client {
	d := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second, Control: netguard.Control(opts.AllowPrivate)}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would dial for us, past the guard
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        30 * time.Second,
		TLSHandshakeTimeout:    opts.Timeout,
		ResponseHeaderTimeout:  opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderSize,
		DisableCompression:     true,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
