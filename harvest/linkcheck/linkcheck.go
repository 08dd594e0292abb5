package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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

// New returns a Checker of the records in store; store may be nil for a
// Checker that only makes single checks (Check).
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
