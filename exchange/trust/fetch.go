package trust

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"samband/internal/netguard"
)

// fetchTimeout bounds one fetch of a key set by the default client.
const fetchTimeout = 10 * time.Second

// defaultClient is the HTTP client of key-set fetches: it dials through
// the netguard address guard (after name resolution, so DNS rebinding
// does not get past it), through no proxy (a proxy would dial for it),
// gives up after fetchTimeout and follows no redirect.
func defaultClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: fetchTimeout, KeepAlive: 30 * time.Second, Control: netguard.Control(allowPrivate)}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   fetchTimeout,
			ResponseHeaderTimeout: fetchTimeout,
			MaxIdleConnsPerHost:   1,
			IdleConnTimeout:       90 * time.Second,
		},
		Timeout:       fetchTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// fetchError is a failed fetch or a refused set of one party.
type fetchError struct {
	party, url string
	err        error
}

func (e *fetchError) Error() string {
	return fmt.Sprintf("key set of %s from %s: %v", e.party, e.url, e.err)
}

func (e *fetchError) Unwrap() error { return e.err }

// fetchCause returns the fetchError inside err (which httprc wraps in
// words of its own), or err.
func fetchCause(err error) error {
	var fe *fetchError
	if errors.As(err, &fe) {
		return fe
	}
	return err
}

// fetcher is the HTTP client of one party's set: it asks for a JWK set,
// and turns any answer but 200, and a final URL outside the allow-list (a
// redirect the client followed), into an error.
type fetcher struct {
	client *http.Client
	r      *Registry
	p      *party
}

func (f *fetcher) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Accept", "application/jwk-set+json, application/json;q=0.9")
	res, err := f.client.Do(req)
	if err != nil {
		return nil, f.fail("failed", err)
	}
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		res.Body.Close()
		return nil, f.fail("failed", fmt.Errorf("answered %s, a redirect to %q; redirects are not followed: give the final URL as jwks_url",
			res.Status, clip(res.Header.Get("Location"))))
	case res.StatusCode != http.StatusOK:
		res.Body.Close()
		return nil, f.fail("failed", fmt.Errorf("answered %s", res.Status))
	case res.Request != nil && res.Request.URL != nil && !allowed(f.r.allow, res.Request.URL):
		res.Body.Close()
		return nil, f.fail("failed", fmt.Errorf("redirected to %s, under no prefix of jwks_allow", clip(res.Request.URL.String())))
	}
	return res, nil
}

func (f *fetcher) fail(result string, err error) error {
	f.r.metrics.fetches.WithLabelValues(f.p.ID, result).Inc()
	return &fetchError{party: f.p.ID, url: f.p.url, err: err}
}

// setTransformer reads one party's fetched set (at most the size bound),
// checks it, and installs it: httprc keeps the previous set when it
// returns an error.
type setTransformer struct {
	r *Registry
	p *party
}

func (t *setTransformer) Transform(ctx context.Context, res *http.Response) (*keySet, error) {
	r, p := t.r, t.p
	data, err := io.ReadAll(io.LimitReader(res.Body, r.lim.maxBytes+1))
	if err != nil {
		r.metrics.fetches.WithLabelValues(p.ID, "failed").Inc()
		return nil, &fetchError{party: p.ID, url: p.url, err: fmt.Errorf("read: %w", err)}
	}
	ks, err := parseSet(data, r.lim)
	if err != nil {
		r.metrics.fetches.WithLabelValues(p.ID, "refused").Inc()
		return nil, &fetchError{party: p.ID, url: p.url, err: fmt.Errorf("refused: %w", err)}
	}
	r.metrics.fetches.WithLabelValues(p.ID, "ok").Inc()
	r.metrics.fetched.WithLabelValues(p.ID).SetToCurrentTime()
	if err := r.install(ctx, p, ks, p.url); err != nil {
		// The keys are good and in use; only their record is missing.
		r.logger.Error("key set fetched but not recorded in the store", "party", p.ID, "url", p.url, "err", err)
	}
	return ks, nil
}

// refuseAll is httprc's client-wide HTTP client, which no fetch uses:
// every resource brings its own fetcher.
type refuseAll struct{}

func (refuseAll) Do(req *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("fetch %s: no client for this URL", req.URL)
}
