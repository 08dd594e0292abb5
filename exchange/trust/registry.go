package trust

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/httprc/v3/errsink"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Registry is the set of parties the gateway trusts and their public
// keys. Its methods may be called from many goroutines at once.
type Registry struct {
	parties  map[string]*party // by ID; never changed after Open
	gateways map[string]*party // by country
	list     []Party           // sorted by ID
	store    *Store
	logger   *slog.Logger
	metrics  *metrics
	lim      limits
	allow    []urlPrefix
	ctrl     httprc.Controller  // nil without URL sets
	retry    time.Duration      // how often a set never fetched is tried again
	stop     context.CancelFunc // ends the retries; nil without URL sets
	retries  sync.WaitGroup
	closed   atomic.Bool
	close    sync.Once
	closeErr error
}

// party is one party of the registry with its current key set.
type party struct {
	*checked
	keys    atomic.Pointer[keySet] // nil until a URL set is first fetched
	mu      sync.Mutex             // serialises installs, so the store sees them in order
	missing bool                   // Open started without the party's set (guarded by mu)
}

// Open checks cfg, reads its inline and file key sets, fetches its URL key
// sets and returns the registry. A configuration with problems is refused
// with all of them in one error, each naming the party's index and field.
//
// URL sets are fetched through the allow-list (cfg.JWKSAllow), the HTTP
// client (by default through the netguard address guard, following no
// redirect) and the body bound, all at once, each waited for until ctx
// ends. A set that cannot be fetched is not fatal when store holds its last
// good copy from the same URL: the registry starts with that copy, logs
// why, and keeps trying in the background. Otherwise cfg.FirstFetch
// decides. With FirstFetchWait, Open fails. With FirstFetchBackground (the
// default) Open waits at most cfg.Retry, then starts with the party
// holding no keys: it logs a warning naming the party, the URL and why,
// sets the samband_trust_keys_missing gauge of the party to 1, refuses
// the party's keys with ErrUnknownKey, and fetches the set again every
// cfg.Retry until a fetch succeeds, which it logs and which sets the gauge
// back to 0. Every set is then refreshed in the background, between
// cfg.MinRefresh and cfg.MaxRefresh apart, until Close; a refreshed set
// that fails the checks is refused, logged and counted, and the party's
// previous keys stay.
//
// With a store, Open records every party and every key it sees, and so
// does each refresh. A nil store keeps everything in memory. Close the
// registry before the store.
func Open(ctx context.Context, cfg Config, store *Store, logger *slog.Logger) (*Registry, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = withDefaults(cfg)
	cs, allow, err := check(cfg)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		parties:  make(map[string]*party, len(cs)),
		gateways: map[string]*party{},
		store:    store,
		logger:   logger,
		metrics:  newMetrics(cfg.Registerer),
		lim:      limits{maxBytes: cfg.MaxJWKSBytes, maxKeys: cfg.MaxKeys},
		allow:    allow,
		retry:    cfg.Retry,
	}
	var fetched []*party
	for _, c := range cs {
		p := &party{checked: c}
		r.parties[c.ID] = p
		r.list = append(r.list, c.Party)
		if c.Kind == Gateway {
			r.gateways[c.Country] = p
		}
		if c.url != "" {
			fetched = append(fetched, p)
		}
	}
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].ID < r.list[j].ID })
	if store != nil {
		if err := store.recordParties(ctx, cs, time.Now()); err != nil {
			return nil, fmt.Errorf("open trust registry: record parties: %w", err)
		}
	}
	for _, p := range r.parties {
		if p.url == "" {
			if err := r.install(ctx, p, p.checked.keys, ""); err != nil {
				return nil, fmt.Errorf("open trust registry: %w", err)
			}
		}
	}
	if len(fetched) > 0 {
		if err := r.startFetching(ctx, cfg, fetched); err != nil {
			r.Close()
			return nil, fmt.Errorf("open trust registry: %w", err)
		}
	}
	return r, nil
}

// startFetching registers the URL sets with an httprc client and fetches
// each once, falling back to the store's copy.
func (r *Registry) startFetching(ctx context.Context, cfg Config, ps []*party) error {
	client := cfg.HTTPClient
	if client == nil {
		client = defaultClient(cfg.AllowPrivate)
	}
	workers := min(len(ps), 4)
	hc := httprc.NewClient(
		httprc.WithWorkers(workers),
		httprc.WithWhitelist(httprc.WhitelistFunc(func(u string) bool { return allowedString(r.allow, u) })),
		httprc.WithErrorSink(errsink.NewFunc(r.refreshFailed)),
		httprc.WithHTTPClient(refuseAll{}),
	)
	// The client outlives Open's ctx: it refreshes until Close.
	ctrl, err := hc.Start(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	r.ctrl = ctrl
	retryCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stop = stop
	for _, p := range ps {
		r.metrics.missing.WithLabelValues(p.ID).Set(0)
		res, err := httprc.NewResource[*keySet](p.url, &setTransformer{r: r, p: p},
			httprc.WithHTTPClient(&fetcher{client: client, r: r, p: p}),
			httprc.WithMinInterval(cfg.MinRefresh), httprc.WithMaxInterval(cfg.MaxRefresh))
		if err != nil {
			return fmt.Errorf("party %s: %w", p.ID, err)
		}
		// The first fetch is Open's (Refresh below, whose error Open
		// sees), not the background's.
		res.SetNext(time.Now().Add(cfg.MinRefresh))
		if err := ctrl.Add(ctx, res, httprc.WithWaitReady(false)); err != nil {
			return fmt.Errorf("party %s: register %s: %w", p.ID, p.url, err)
		}
	}
	// In background mode a first fetch is waited for no longer than a
	// retry interval: the retries take over from there. A fetch that
	// outlives the wait still installs the set it gets.
	waitCtx := ctx
	if cfg.FirstFetch == FirstFetchBackground {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, cfg.Retry)
		defer cancel()
	}
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			err := ctrl.Refresh(waitCtx, p.url)
			if err == nil {
				return
			}
			err = fetchCause(err)
			if cfg.FirstFetch == FirstFetchBackground && waitCtx.Err() != nil && ctx.Err() == nil {
				err = fmt.Errorf("no answer within %s, the longest a start waits in background mode: %w", cfg.Retry, err)
			}
			if ok, serr := r.useStoredCopy(ctx, p, err); ok {
				return
			} else if serr != nil {
				err = fmt.Errorf("%w; and the store's copy: %w", err, serr)
			}
			if cfg.FirstFetch == FirstFetchBackground {
				if r.startMissing(p, err) {
					r.retries.Go(func() { r.retryFirstFetch(retryCtx, p) })
				}
				return
			}
			var fe *fetchError
			if errors.As(err, &fe) { // it names the party and the URL
				errs[i] = fmt.Errorf("first fetch: %w", err)
			} else {
				errs[i] = fmt.Errorf("first fetch of the key set of %s from %s: %w", p.ID, p.url, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// useStoredCopy installs the store's last good copy of p's set after the
// first fetch failed with cause, and reports whether it did.
func (r *Registry) useStoredCopy(ctx context.Context, p *party, cause error) (bool, error) {
	if r.store == nil {
		return false, nil
	}
	body, fetched, ok, err := r.store.lastSet(context.WithoutCancel(ctx), p.ID, p.url)
	if err != nil || !ok {
		return false, err
	}
	ks, err := parseSet(body, r.lim)
	if err != nil {
		return false, fmt.Errorf("stored copy refused: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys.Load() != nil {
		return true, nil // a fetch that outlived Open's wait got the set after all
	}
	r.publish(p, ks)
	r.logger.Warn("key set not fetched at start; using the stored copy until a fetch succeeds",
		"party", p.ID, "url", p.url, "fetched", fetched, "err", cause)
	return true, nil
}

// startMissing records that Open starts without p's set because its first
// fetch failed with cause, unless a fetch that outlived Open's wait got
// the set after all; it reports whether p is without keys.
func (r *Registry) startMissing(p *party, cause error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys.Load() != nil {
		return false
	}
	p.missing = true
	r.metrics.missing.WithLabelValues(p.ID).Set(1)
	r.metrics.keys.WithLabelValues(p.ID).Set(0)
	r.logger.Warn("key set not fetched at start; the party's requests are refused until a fetch succeeds",
		"party", p.ID, "url", p.url, "retry", r.retry, "err", cause)
	return true
}

// retryFirstFetch fetches p's set every retry interval until p has keys
// or ctx ends. The failures were said once, by startMissing; each one
// after is logged at debug level only, so that a peer down for a day does
// not fill the log.
func (r *Registry) retryFirstFetch(ctx context.Context, p *party) {
	t := time.NewTicker(r.retry)
	defer t.Stop()
	for p.keys.Load() == nil {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if p.keys.Load() != nil {
			return // a background refresh or Refresh got it
		}
		if err := r.ctrl.Refresh(ctx, p.url); err != nil && ctx.Err() == nil {
			r.logger.Debug("key set still not fetched; trying again", "party", p.ID, "url", p.url, "in", r.retry, "err", fetchCause(err))
		}
	}
}

// install makes ks p's current key set and records it in the store.
func (r *Registry) install(ctx context.Context, p *party, ks *keySet, src string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	r.publish(p, ks)
	if r.store == nil {
		return nil
	}
	if err := r.store.recordSet(ctx, p.checked, src, ks, time.Now()); err != nil {
		return fmt.Errorf("party %s: record keys: %w", p.ID, err)
	}
	return nil
}

// publish marks the revoked keys of ks and makes it p's current set.
func (r *Registry) publish(p *party, ks *keySet) {
	for kid, e := range ks.keys {
		e.revoked = p.revoked[kid]
	}
	p.keys.Store(ks)
	r.metrics.keys.WithLabelValues(p.ID).Set(float64(len(ks.keys)))
	if p.missing {
		p.missing = false
		r.metrics.missing.WithLabelValues(p.ID).Set(0)
		r.logger.Info("key set fetched; the party's requests are verified from now on", "party", p.ID, "url", p.url, "keys", len(ks.keys))
	}
}

// refreshFailed is the error sink of background refreshes: the error is
// logged, and the party's previous keys stay.
func (r *Registry) refreshFailed(_ context.Context, err error) {
	var fe *fetchError
	if errors.As(err, &fe) {
		if p := r.parties[fe.party]; p != nil && p.keys.Load() == nil {
			r.logger.Warn("key set refresh failed; the party has no keys yet", "party", fe.party, "url", fe.url, "err", fe.err)
			return
		}
		r.logger.Warn("key set refresh failed; the previous keys stay", "party", fe.party, "url", fe.url, "err", fe.err)
		return
	}
	r.logger.Warn("key set refresh failed; the previous keys stay", "err", err)
}

// Close stops the background refreshes and retries and waits for a
// refresh under way to end. It does not close the store.
func (r *Registry) Close() error {
	r.closed.Store(true)
	r.close.Do(func() {
		if r.stop != nil {
			r.stop()
			r.retries.Wait()
		}
		if r.ctrl == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.ctrl.ShutdownContext(ctx); err != nil {
			r.closeErr = fmt.Errorf("close trust registry: %w", err)
		}
	})
	return r.closeErr
}

// Party returns the party with that ID.
func (r *Registry) Party(id string) (Party, bool) {
	p, ok := r.parties[id]
	if !ok {
		return Party{}, false
	}
	return p.Party, true
}

// Gateway returns the peer gateway of the country (ISO 3166-1 alpha-2, as
// "SE"); a country has at most one.
func (r *Registry) Gateway(country string) (Party, bool) {
	p, ok := r.gateways[country]
	if !ok {
		return Party{}, false
	}
	return p.Party, true
}

// Parties returns every party, sorted by ID.
func (r *Registry) Parties() []Party {
	return append([]Party(nil), r.list...)
}

// WithoutKeys returns the IDs, sorted, of the parties whose URL key set
// has not been fetched yet (FirstFetchBackground): those whose every key
// Key refuses as ErrUnknownKey, and whose samband_trust_keys_missing gauge
// is 1. Nil when every party has keys.
func (r *Registry) WithoutKeys() []string {
	var ids []string
	for _, p := range r.list {
		if r.parties[p.ID].keys.Load() == nil {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// Key returns the public key with that kid of the party id, if it is valid
// at time at: its nbf, when it has one, is not after at, and its exp, when
// it has one, is after at. The errors are ErrUnknownParty, ErrUnknownKey (a
// kid the party's current set does not hold), ErrKeyRevoked (a kid the
// configuration revokes, whatever the set says), ErrKeyNotYetValid and
// ErrKeyExpired, each wrapped with detail. Verify with the algorithm
// KeyAlgorithm gives for the key, never with a token's own alg. A party
// whose URL set has not been fetched yet (FirstFetchBackground) holds no
// key: every kid of it is ErrUnknownKey, with a detail that says so.
//
// Key runs on every request: it reads the set the last fetch checked,
// allocating nothing when it finds a key. The key is shared: do not
// change it.
func (r *Registry) Key(_ context.Context, id, kid string, at time.Time) (jwk.Key, error) {
	p, ok := r.parties[id]
	if !ok {
		return nil, fmt.Errorf("party %q: %w", clip(id), ErrUnknownParty)
	}
	ks := p.keys.Load()
	var e *entry
	if ks != nil {
		e = ks.keys[kid]
	}
	switch {
	case e == nil && p.revoked[kid], e != nil && e.revoked:
		return nil, fmt.Errorf("key %q of %s: %w", clip(kid), id, ErrKeyRevoked)
	case ks == nil:
		return nil, fmt.Errorf("key %q of %s: the party's key set has not been fetched yet; it is tried again in the background: %w", clip(kid), id, ErrUnknownKey)
	case e == nil:
		return nil, fmt.Errorf("key %q of %s: %w", clip(kid), id, ErrUnknownKey)
	case !e.nbf.IsZero() && at.Before(e.nbf):
		return nil, fmt.Errorf("key %q of %s at %s: valid from %s: %w", clip(kid), id,
			at.UTC().Format(time.RFC3339), e.nbf.UTC().Format(time.RFC3339), ErrKeyNotYetValid)
	case !e.exp.IsZero() && !at.Before(e.exp):
		return nil, fmt.Errorf("key %q of %s at %s: valid until %s: %w", clip(kid), id,
			at.UTC().Format(time.RFC3339), e.exp.UTC().Format(time.RFC3339), ErrKeyExpired)
	}
	return e.key, nil
}

// PublicSet returns a copy of the party's current public key set, as
// checked: for GET .../keys routes and for tests.
func (r *Registry) PublicSet(id string) (jwk.Set, error) {
	p, ok := r.parties[id]
	if !ok {
		return nil, fmt.Errorf("party %q: %w", clip(id), ErrUnknownParty)
	}
	ks := p.keys.Load()
	if ks == nil {
		return nil, fmt.Errorf("key set of %s: not fetched yet; it is tried again in the background", id)
	}
	set := jwk.NewSet()
	for i := range ks.set.Len() {
		k, _ := ks.set.Key(i)
		c, err := k.Clone()
		if err != nil {
			return nil, fmt.Errorf("key set of %s: %w", id, err)
		}
		if err := set.AddKey(c); err != nil {
			return nil, fmt.Errorf("key set of %s: %w", id, err)
		}
	}
	return set, nil
}

// Refresh fetches the party's URL key set now, as the background refresh
// would, and returns why it failed if it did; the previous keys then stay.
// A party whose keys are inline or in a file has nothing to fetch.
func (r *Registry) Refresh(ctx context.Context, id string) error {
	p, ok := r.parties[id]
	if !ok {
		return fmt.Errorf("refresh %q: %w", clip(id), ErrUnknownParty)
	}
	if p.url == "" {
		return fmt.Errorf("refresh %s: its keys are in the configuration, not at a jwks_url", id)
	}
	if r.closed.Load() {
		return fmt.Errorf("refresh %s: the registry is closed", id)
	}
	if err := r.ctrl.Refresh(ctx, p.url); err != nil {
		return fmt.Errorf("refresh %s: %w", id, fetchCause(err))
	}
	return nil
}
