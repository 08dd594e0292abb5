package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
)

// Defaults of Options.
const (
	DefaultPerHostInterval = 2 * time.Second
	DefaultRecheckAfter    = 7 * 24 * time.Hour
	DefaultTimeout         = 10 * time.Second
	DefaultConcurrency     = 8
	DefaultMaxRedirects    = 5
	DefaultEvery           = time.Hour
	DefaultUserAgent       = "Samband-gateway/dev"
)

// Bounds of a pass.
const (
	pageSize     = 200              // records read at a time
	maxQueued    = 50_000           // URLs waiting for their check
	maxHostDrain = 10 * time.Minute // a host's queue holds at most this long of requests at its rate
	minHostQueue = 4
	// retryFailedAfter is how soon a URL that did not answer is checked
	// again (RecheckAfter when that is sooner): a server down for an hour
	// should not cost its records their score for a week.
	retryFailedAfter = 24 * time.Hour
	// keepStatuses is the least age of the statuses a pass prunes (4 times
	// RecheckAfter when that is longer): a URL still listed is checked
	// again long before, so an older status belongs to a URL no record has.
	keepStatuses = 30 * 24 * time.Hour
	// deferredRetry is how soon Run starts the next pass when the last one
	// left due URLs for later.
	deferredRetry = time.Minute
	// maxFailHosts bounds the hosts whose failures a pass counts for its log.
	maxFailHosts = 10_000
)

// Options configure a Checker. A zero field takes its default.
type Options struct {
	// PerHostInterval is the least time between two requests to one host
	// (default 2 s): at most one request per interval, whatever the number
	// of URLs, workers or redirects.
	PerHostInterval time.Duration
	// RecheckAfter is how long a URL's status stands before a pass checks
	// the URL again (default 7 days; a URL that did not answer is checked
	// again after a day at most).
	RecheckAfter time.Duration
	// Timeout bounds one request, connection and body included (default 10 s).
	Timeout time.Duration
	// Concurrency is how many checks run at once (default 8); a host has
	// one at a time.
	Concurrency int
	// MaxRedirects is how many redirects a check follows (default 5).
	MaxRedirects int
	// AllowPrivate lets checks connect to loopback, private and shared
	// (carrier-grade NAT) addresses, which are refused by default: URLs come
	// from sources the gateway does not control. Link-local (cloud metadata
	// services), multicast, unspecified and reserved addresses are refused
	// whatever it says.
	AllowPrivate bool
	// Force makes a pass check every URL, however recently it was checked.
	Force bool
	// Every is how long Run waits between passes (default 1 h; 1 min after
	// a pass that left due URLs for later).
	Every time.Duration
	// UserAgent names the gateway to the servers asked; see harvest.UserAgent.
	UserAgent string
	// Registerer, when set, receives the link checker's metrics.
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Progress, when set, is called during a pass with what it did so far,
	// from any goroutine.
	Progress func(Summary)
}

// Store is what the link checker needs of the catalogue store;
// catalog.Store has it.
type Store interface {
	DatasetsAfter(ctx context.Context, afterID string, limit int) ([]catalog.Dataset, error)
	LinkStatuses(ctx context.Context, urls []string) (catalog.LinkStatuses, error)
	SetLinkStatus(ctx context.Context, st catalog.LinkStatus) error
	SetQuality(ctx context.Context, id string, seq int64, q catalog.Quality) error
	PruneLinkStatuses(ctx context.Context, checkedBefore time.Time) (int, error)
}

var _ Store = catalog.Store(nil)

// Checker checks the links of the catalogue's records and feeds what it
// finds to their quality scores. It is safe for concurrent use; its passes
// run one at a time.
type Checker struct {
	store   Store
	logger  *slog.Logger
	opts    Options
	client  *http.Client
	limits  *hostLimits
	metrics *metrics
	// hostDrain is how long of requests at its rate a host's queue holds
	// (maxHostDrain; tests make it short).
	hostDrain time.Duration

	passMu   sync.Mutex
	rescored bool // a pass of this Checker re-scored the whole catalogue
}

// New returns a Checker of the records in store.
func New(store Store, logger *slog.Logger, opts Options) *Checker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.PerHostInterval <= 0 {
		opts.PerHostInterval = DefaultPerHostInterval
	}
	if opts.RecheckAfter <= 0 {
		opts.RecheckAfter = DefaultRecheckAfter
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Checker{
		store:     store,
		logger:    logger,
		opts:      opts,
		client:    newClient(opts),
		limits:    newHostLimits(opts.PerHostInterval, opts.Now),
		metrics:   newMetrics(opts.Registerer),
		hostDrain: maxHostDrain,
	}
}

// Summary is what a pass did.
type Summary struct {
	Records  int `json:"records"`  // live records read
	URLs     int `json:"urls"`     // their URLs (once a page: a URL of records on two pages counts twice)
	Fresh    int `json:"fresh"`    // URLs checked recently enough: not due
	Due      int `json:"due"`      // URLs due for a check
	Checked  int `json:"checked"`  // URLs checked and stored
	Answered int `json:"answered"` // of those, how many answered
	Failed   int `json:"failed"`   // and how many did not
	// Deferred are due URLs left for the next pass: their host had as many
	// waiting as its rate lets a pass drain in 10 minutes.
	Deferred int `json:"deferred"`
	// Throttled are URLs whose host answered 429 Too Many Requests: no
	// verdict, left for the next pass, and the host was left alone.
	Throttled int `json:"throttled"`
	Rescored  int `json:"rescored"` // records whose quality score changed
	// Changed are records that changed while being re-scored; the next
	// pass re-scores them.
	Changed int            `json:"changed"`
	Pruned  int            `json:"pruned"`  // statuses of URLs not checked for long, deleted
	Results map[string]int `json:"results"` // checks by result (the Result constants)
	// DurationMS is how long the pass took.
	DurationMS int64 `json:"duration_ms"`
	// Phase is what the pass is doing: "checking", "rescoring" or "done".
	Phase string `json:"-"`
}

// Run makes passes until ctx ends, Options.Every apart (a minute apart
// while passes leave due URLs for later). A pass that fails is logged and
// tried again at the next.
func (c *Checker) Run(ctx context.Context) {
	for {
		sum, err := c.Pass(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := c.opts.Every
		if err != nil {
			c.logger.Error("link check pass failed", "err", err)
		} else if sum.Deferred+sum.Throttled > 0 {
			wait = min(wait, deferredRetry)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Pass makes one pass over the catalogue. It walks every live record, a
// page at a time by id, and checks each of its access, download and
// endpoint URLs (catalog.LinkURLs) that is due: never checked, or checked
// longer than RecheckAfter ago, storing what it finds. A URL shared by
// many records is checked once. When the checks are done, it prunes the
// statuses no pass has renewed for long, and re-scores every record with
// URLs against the statuses now stored (catalog.ScoreWith), writing the
// score of each record whose score changed (Store.SetQuality: no new
// version, a new change sequence number). A pass that changed no status
// re-scores nothing, but for the first pass of a Checker.
//
// Memory stays bounded whatever the catalogue's size: a page of records,
// and at most 50,000 URLs waiting. A host's queue holds what its rate
// lets a pass drain in 10 minutes; its further URLs are deferred to the
// next pass. The error is that of the store, or ctx's; the summary says
// what was done until then.
func (c *Checker) Pass(ctx context.Context) (Summary, error) {
	c.passMu.Lock()
	defer c.passMu.Unlock()
	began := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p := &pass{
		c:         c,
		cancel:    cancel,
		start:     c.opts.Now(),
		queues:    map[string]*hostQueue{},
		inflight:  map[string]bool{},
		changed:   make(chan struct{}),
		failHosts: map[string]int{},
		sum:       Summary{Results: map[string]int{}, Phase: "checking"},
	}
	p.hostCap = max(minHostQueue, int(c.hostDrain/c.opts.PerHostInterval))

	var wg sync.WaitGroup
	for range c.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx)
		}()
	}
	err := p.walk(ctx)
	if err != nil {
		cancel(err) // the store failed: the checks waiting would be lost anyway
	}
	p.closeQueue()
	wg.Wait()
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err == nil {
		err = p.finish(ctx)
	}
	p.mu.Lock()
	p.sum.Phase = "done"
	p.sum.DurationMS = time.Since(began).Milliseconds()
	p.sum.Deferred += p.queued // left when the pass stopped early
	sum := p.snapshotLocked()
	p.mu.Unlock()
	c.metrics.due.Set(float64(sum.Deferred + sum.Throttled))

	status := "complete"
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		status = "cancelled"
	case err != nil:
		status = "failed"
	}
	c.metrics.passes.WithLabelValues(status).Inc()
	c.logger.Info("link check pass finished", "status", status, "records", sum.Records, "urls", sum.URLs,
		"due", sum.Due, "checked", sum.Checked, "answered", sum.Answered, "failed", sum.Failed,
		"deferred", sum.Deferred, "throttled", sum.Throttled, "rescored", sum.Rescored, "changed", sum.Changed,
		"pruned", sum.Pruned, "results", resultsText(sum.Results), "failing_hosts", p.failingHosts(5),
		"duration_ms", sum.DurationMS)
	if err != nil {
		return sum, fmt.Errorf("link check: %w", err)
	}
	return sum, nil
}

// pass is one pass in progress.
type pass struct {
	c       *Checker
	cancel  context.CancelCauseFunc
	start   time.Time // by Options.Now: statuses checked since are fresh, whatever Force says
	hostCap int

	mu        sync.Mutex
	queues    map[string]*hostQueue // URLs waiting, by host; a host is here while it has some or one is being checked
	inflight  map[string]bool       // URLs waiting or being checked
	queued    int
	closed    bool          // the walk is over: no more URLs will come
	changed   chan struct{} // closed and replaced at every change of the queues
	failHosts map[string]int
	sum       Summary
}

// hostQueue is the URLs of one host waiting for their check.
type hostQueue struct {
	urls []string
	busy bool // a URL of the host is being checked
}

// broadcastLocked wakes whoever waits for the queues to change.
func (p *pass) broadcastLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *pass) snapshotLocked() Summary {
	s := p.sum
	s.Results = make(map[string]int, len(p.sum.Results))
	for k, v := range p.sum.Results {
		s.Results[k] = v
	}
	return s
}

// progress reports what the pass did so far.
func (p *pass) progress() {
	if p.c.opts.Progress == nil {
		return
	}
	p.mu.Lock()
	s := p.snapshotLocked()
	p.mu.Unlock()
	p.c.opts.Progress(s)
}

// due reports whether a URL with status st (known: it has one) needs a
// check in this pass.
func (p *pass) due(st catalog.LinkStatus, known bool) bool {
	if !known {
		return true
	}
	if !st.Checked.Before(p.start) {
		return false // checked in this pass
	}
	if p.c.opts.Force {
		return true
	}
	window := p.c.opts.RecheckAfter
	if !st.Answered {
		window = min(window, retryFailedAfter)
	}
	return p.start.Sub(st.Checked) >= window
}

// walk reads every live record and queues its due URLs.
func (p *pass) walk(ctx context.Context) error {
	after := ""
	for {
		recs, err := p.c.store.DatasetsAfter(ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		after = recs[len(recs)-1].ID
		urls := pageURLs(recs)
		known, err := p.c.store.LinkStatuses(ctx, urls)
		if err != nil {
			return fmt.Errorf("read link statuses: %w", err)
		}
		fresh, due, deferred := 0, 0, 0
		for _, u := range urls {
			if st, ok := known[u]; !p.due(st, ok) {
				fresh++
				continue
			}
			tu, err := target(u)
			if err != nil {
				// Not a URL to request: its status says why, at once.
				due++
				st, result := p.c.Check(ctx, u)
				if err := p.c.store.SetLinkStatus(ctx, st); err != nil {
					return fmt.Errorf("store link status: %w", err)
				}
				p.mu.Lock()
				p.countLocked(st, result, "")
				p.mu.Unlock()
				continue
			}
			added, ok, err := p.enqueue(ctx, u, hostKey(tu))
			if err != nil {
				return err
			}
			switch {
			case !ok:
				due++
				deferred++
			case added:
				due++
			}
		}
		p.mu.Lock()
		p.sum.Records += len(recs)
		p.sum.URLs += len(urls)
		p.sum.Fresh += fresh
		p.sum.Due += due
		p.sum.Deferred += deferred
		p.c.metrics.due.Set(float64(p.queued + p.sum.Deferred))
		p.mu.Unlock()
		p.progress()
	}
}

// enqueue queues u for a check: added when it was not queued yet, !ok when
// its host's queue is full (deferred). It waits while the pass has
// maxQueued URLs waiting.
func (p *pass) enqueue(ctx context.Context, u, host string) (added, ok bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.inflight[u] {
			return false, true, nil
		}
		q := p.queues[host]
		if q != nil && len(q.urls) >= p.hostCap {
			return false, false, nil
		}
		if p.queued < maxQueued {
			if q == nil {
				q = &hostQueue{}
				p.queues[host] = q
			}
			q.urls = append(q.urls, u)
			p.inflight[u] = true
			p.queued++
			p.broadcastLocked()
			return true, true, nil
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		p.mu.Lock()
		if ctx.Err() != nil {
			return false, false, context.Cause(ctx)
		}
	}
}

// closeQueue says no more URLs will come.
func (p *pass) closeQueue() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.broadcastLocked()
}

// work checks queued URLs until the queue is closed and empty, or ctx ends.
func (p *pass) work(ctx context.Context) {
	for {
		u, host := p.next(ctx)
		if u == "" {
			return
		}
		st, result := p.c.Check(ctx, u)
		if ctx.Err() != nil {
			p.done(u, host, nil, "") // cut short: no verdict
			return
		}
		if result == ResultThrottled {
			p.done(u, host, &st, result)
			continue
		}
		if err := p.c.store.SetLinkStatus(ctx, st); err != nil {
			p.cancel(fmt.Errorf("store link status: %w", err))
			p.done(u, host, nil, "")
			return
		}
		p.done(u, host, &st, result)
	}
}

// next takes a URL whose host may be asked now and is not being asked
// already, waiting for one if need be; "" when there are no more or ctx
// ended.
func (p *pass) next(ctx context.Context) (u, host string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return "", ""
		}
		now := p.c.opts.Now()
		var soonest time.Time
		for h, q := range p.queues {
			if q.busy || len(q.urls) == 0 {
				continue
			}
			at := p.c.limits.readyAt(h)
			if !at.After(now) {
				u = q.urls[0]
				q.urls[0] = ""
				q.urls = q.urls[1:]
				q.busy = true
				p.queued--
				p.broadcastLocked()
				return u, h
			}
			if soonest.IsZero() || at.Before(soonest) {
				soonest = at
			}
		}
		if p.closed && p.queued == 0 {
			return "", ""
		}
		ch := p.changed
		var t *time.Timer
		var timer <-chan time.Time
		if !soonest.IsZero() {
			t = time.NewTimer(soonest.Sub(now))
			timer = t.C
		}
		p.mu.Unlock()
		select {
		case <-ch:
		case <-timer:
		case <-ctx.Done():
		}
		if t != nil {
			t.Stop()
		}
		p.mu.Lock()
	}
}

// done ends the check of u: st is what it found (nil when cut short).
func (p *pass) done(u, host string, st *catalog.LinkStatus, result string) {
	p.mu.Lock()
	if q := p.queues[host]; q != nil {
		q.busy = false
		if len(q.urls) == 0 {
			delete(p.queues, host)
		}
	}
	delete(p.inflight, u)
	if st != nil {
		p.countLocked(*st, result, host)
	}
	p.c.metrics.due.Set(float64(p.queued + p.sum.Deferred + p.sum.Throttled))
	p.broadcastLocked()
	p.mu.Unlock()
	if st != nil {
		p.progress()
	}
}

// countLocked adds a check to the summary.
func (p *pass) countLocked(st catalog.LinkStatus, result, host string) {
	p.sum.Results[result]++
	switch {
	case result == ResultThrottled:
		p.sum.Throttled++
		return
	case st.Answered:
		p.sum.Answered++
	default:
		p.sum.Failed++
		if _, ok := p.failHosts[host]; ok || len(p.failHosts) < maxFailHosts {
			p.failHosts[host]++
		}
	}
	p.sum.Checked++
}

// failingHosts names the n hosts with the most failed checks in the pass.
func (p *pass) failingHosts(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	type hc struct {
		host string
		n    int
	}
	var hs []hc
	for h, c := range p.failHosts {
		if h == "" {
			h = "(no host)"
		}
		hs = append(hs, hc{h, c})
	}
	sort.Slice(hs, func(i, j int) bool {
		if hs[i].n != hs[j].n {
			return hs[i].n > hs[j].n
		}
		return hs[i].host < hs[j].host
	})
	var b strings.Builder
	for i, h := range hs {
		if i == n {
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%d)", h.host, h.n)
	}
	return b.String()
}

// finish prunes old statuses and re-scores the records, unless no status
// changed since this Checker last did: a harvest scores what it stores
// with the statuses there are, so the scores are right already. The first
// pass of a Checker always re-scores, for the passes of a process that
// stopped before it could.
func (p *pass) finish(ctx context.Context) error {
	keep := max(4*p.c.opts.RecheckAfter, keepStatuses)
	pruned, err := p.c.store.PruneLinkStatuses(ctx, p.start.Add(-keep))
	if err != nil {
		return fmt.Errorf("prune link statuses: %w", err)
	}
	p.mu.Lock()
	p.sum.Pruned = pruned
	p.sum.Phase = "rescoring"
	changed := p.sum.Checked > 0 || pruned > 0
	p.mu.Unlock()
	if p.c.rescored && !changed {
		return nil
	}
	if err := p.rescore(ctx); err != nil {
		return err
	}
	p.c.rescored = true
	return nil
}

// rescore walks the live records again and writes the score of every
// record with URLs whose score the stored link statuses change.
func (p *pass) rescore(ctx context.Context) error {
	after := ""
	for {
		recs, err := p.c.store.DatasetsAfter(ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		after = recs[len(recs)-1].ID
		known, err := p.c.store.LinkStatuses(ctx, pageURLs(recs))
		if err != nil {
			return fmt.Errorf("read link statuses: %w", err)
		}
		rescored, changed := 0, 0
		for i := range recs {
			d := &recs[i]
			if len(catalog.LinkURLs(d)) == 0 {
				continue
			}
			q := catalog.ScoreWith(*d, known)
			if d.Quality != nil && reflect.DeepEqual(*d.Quality, q) {
				continue
			}
			err := p.c.store.SetQuality(ctx, d.ID, d.Seq, q)
			switch {
			case errors.Is(err, catalog.ErrChanged), errors.Is(err, catalog.ErrNotFound):
				changed++ // harvested or withdrawn meanwhile: the next pass sees it
			case err != nil:
				return fmt.Errorf("store quality: %w", err)
			default:
				rescored++
				p.c.metrics.rescored.Inc()
			}
		}
		p.mu.Lock()
		p.sum.Rescored += rescored
		p.sum.Changed += changed
		p.mu.Unlock()
		p.progress()
	}
}

// pageURLs returns the URLs of recs whose answers count, each once.
func pageURLs(recs []catalog.Dataset) []string {
	var urls []string
	seen := map[string]bool{}
	for i := range recs {
		for _, u := range catalog.LinkURLs(&recs[i]) {
			if !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	return urls
}

// resultsText writes checks by result as "answered=3 http_error=1".
func resultsText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}
