package harvest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"samband/catalog/rdf"
)

// Accept headers by kind of source.
const (
	acceptRDF  = rdf.Accept
	acceptJSON = "application/json"
)

// maxRedirects bounds the redirects one request follows.
const maxRedirects = 10

// FetchError is a request that got no usable answer: a network error or an
// HTTP status other than 200 (and 304 to a conditional GET), after retries.
type FetchError struct {
	URL      string
	Status   int // the last response's status; 0 when there was none
	Attempts int
	Err      error // the network error, if any
}

func (e *FetchError) Error() string {
	var b strings.Builder
	b.WriteString("GET ")
	b.WriteString(e.URL)
	switch {
	case e.Status != 0:
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	case e.Err != nil:
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *FetchError) Unwrap() error { return e.Err }

// gaveUp carries the number of attempts out of retryablehttp.
type gaveUp struct {
	attempts int
	err      error
}

func (g *gaveUp) Error() string {
	if g.err != nil {
		return g.err.Error()
	}
	return fmt.Sprintf("gave up after %d attempts", g.attempts)
}
func (g *gaveUp) Unwrap() error { return g.err }

// fetcher makes the requests of one run.
type fetcher struct {
	client    *retryablehttp.Client
	userAgent string
}

// newFetcher returns a fetcher built on the harvester's client for one run:
// its transport and retry counts, with the harvester's retry, back-off,
// redirect and timeout policies.
func (h *Harvester) newFetcher(l Limits) *fetcher {
	base := h.client
	var hc http.Client
	if base.HTTPClient != nil {
		hc = *base.HTTPClient
	}
	hc.Timeout = l.PerRequestTimeout
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %s refused", req.URL.Scheme)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	maxWait := h.opts.MaxRetryAfter
	c := &retryablehttp.Client{
		HTTPClient:   &hc,
		RetryWaitMin: base.RetryWaitMin,
		RetryWaitMax: base.RetryWaitMax,
		RetryMax:     base.RetryMax,
		PrepareRetry: base.PrepareRetry,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			retry, cerr := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
			if !retry || cerr != nil {
				return retry, cerr
			}
			// Do not wait for a Retry-After that ends past the run's deadline:
			// stop now and keep the response for the report.
			if wait, ok := retryAfter(resp, maxWait); ok {
				if dl, has := ctx.Deadline(); has && time.Now().Add(wait).After(dl) {
					return false, nil
				}
			}
			return true, nil
		},
		Backoff: func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
			if wait, ok := retryAfter(resp, maxWait); ok {
				return wait
			}
			return backoff(min, max, attempt)
		},
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			return resp, &gaveUp{attempts: attempts, err: err}
		},
	}
	return &fetcher{client: c, userAgent: h.opts.UserAgent}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date) of a 429
// or 5xx response, capped at limit.
func retryAfter(resp *http.Response, limit time.Duration) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500) {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			n = 0
		}
		if n > int64(limit/time.Second)+1 {
			return limit, true
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	} else {
		return 0, false
	}
	return min(max(d, 0), limit), true
}

// backoff is capped exponential back-off with jitter: between half and all
// of min·2^attempt, at most max.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	if lo <= 0 {
		lo = 100 * time.Millisecond
	}
	if hi < lo {
		hi = lo
	}
	d := hi
	if attempt < 30 {
		if e := lo << attempt; e > 0 && e < hi {
			d = e
		}
	}
	return d/2 + rand.N(d/2+1)
}

// response is an answer to a GET.
type response struct {
	url          string // after redirects
	contentType  string
	etag         string
	lastModified string
	notModified  bool
	body         io.ReadCloser
}

// get fetches u. With etag or lastModified set it is a conditional GET, and
// a 304 answer comes back with notModified set and no body.
func (f *fetcher) get(ctx context.Context, u, accept, etag, lastModified string) (*response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &FetchError{URL: u, Err: err}
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", f.userAgent)
	conditional := etag != "" || lastModified != ""
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	attempts := 1
	var g *gaveUp
	if errors.As(err, &g) {
		attempts, err = g.attempts, g.err
	}
	if err != nil || resp == nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &FetchError{URL: u, Attempts: attempts, Err: err}
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusNotModified && conditional:
		resp.Body.Close()
		return &response{url: u, notModified: true, etag: etag, lastModified: lastModified}, nil
	default:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, &FetchError{URL: u, Status: resp.StatusCode, Attempts: attempts}
	}
	final := u
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL.String()
	}
	return &response{
		url:          final,
		contentType:  resp.Header.Get("Content-Type"),
		etag:         resp.Header.Get("ETag"),
		lastModified: resp.Header.Get("Last-Modified"),
		body:         resp.Body,
	}, nil
}

// errPageTooLarge and errRunTooLarge end a body that passed a byte limit.
var (
	errPageTooLarge = errors.New("page larger than Limits.MaxBytes")
	errRunTooLarge  = errors.New("run read more than Limits.MaxRunBytes")
)

// limitedBody reads a page within the page's and the run's byte budgets
// and counts what it read. Past a budget it fails, so that a page cut short
// is an error, never a short page taken for a whole one.
type limitedBody struct {
	r        io.Reader
	pageLeft int64
	runLeft  *int64
	n        int64
	err      error // errPageTooLarge or errRunTooLarge once passed
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	left := min(l.pageLeft, *l.runLeft)
	if left <= 0 {
		// At the limit: fine if the body ends here.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.err = errPageTooLarge
			if *l.runLeft <= 0 && l.pageLeft > 0 {
				l.err = errRunTooLarge
			}
			return 0, l.err
		}
		return 0, err
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	l.pageLeft -= int64(n)
	*l.runLeft -= int64(n)
	return n, err
}
