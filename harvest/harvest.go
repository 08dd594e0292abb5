package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
)

// Kinds of source.
const (
	KindDCAT = "dcat" // DCAT documents over HTTP, with Hydra paging
	KindCKAN = "ckan" // the CKAN action API (package_search)
	KindFile = "file" // a local file or a directory of files
)

// Defaults of Limits and Options.
const (
	DefaultMaxPages          = 10_000
	DefaultMaxBytes          = 256 << 20 // one page
	DefaultMaxRunBytes       = 4 << 30   // one run
	DefaultTimeout           = 30 * time.Minute
	DefaultPerRequestTimeout = 10 * time.Minute
	DefaultMaxRetryAfter     = 60 * time.Second
	DefaultMaxProblems       = 1000
	DefaultConcurrency       = 2
	DefaultEvery             = 24 * time.Hour
	DefaultCKANRows          = 100
	DefaultUserAgent         = "Samband-gateway/dev"
)

// Config is one configured source.
type Config struct {
	Name    string
	Country string // ISO 3166-1 alpha-2
	Kind    string // KindDCAT, KindCKAN or KindFile
	// URL is the first page of a DCAT source, the site of a CKAN portal
	// (the API is under {URL}/api/3/action), or a file:// URL or path.
	URL string
	// Aggregator marks a source that re-publishes other sources' records
	// (data.europa.eu): its records merge with theirs instead of conflicting.
	Aggregator bool
	// Language tags the untagged texts of a CKAN source ("" leaves them untagged).
	Language string
	// PageSize is the number of packages asked of a CKAN API per request.
	PageSize int
	// Every is how often Schedule runs the source.
	Every  time.Duration
	Limits Limits
}

// Limits bound one run of one source. A zero field takes its default.
type Limits struct {
	MaxPages          int           // pages read; reaching it with more to read makes the run partial
	MaxBytes          int64         // bytes of one page; more makes the run partial (or failed on page 1)
	MaxRunBytes       int64         // bytes of the whole run
	Timeout           time.Duration // the whole run
	PerRequestTimeout time.Duration // one request, body included
}

func (l Limits) withDefaults() Limits {
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRunBytes <= 0 {
		l.MaxRunBytes = DefaultMaxRunBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.PerRequestTimeout <= 0 {
		l.PerRequestTimeout = DefaultPerRequestTimeout
	}
	return l
}

// Options configure a Harvester. Every field is optional.
type Options struct {
	// UserAgent names the gateway to the sources; see UserAgent.
	UserAgent string
	// SkolemBase is the IRI under which blank-node records get stable IRIs.
	SkolemBase string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Progress, when set, is called after every page of a run.
	Progress func(source string, pages int, records int, bytes int64)
	// Registerer, when set, receives the harvest metrics.
	Registerer prometheus.Registerer
	// MaxRetryAfter caps how long a Retry-After header may make a request
	// wait (default 60 s); a wait past the run's deadline is not made.
	MaxRetryAfter time.Duration
	// MaxProblems bounds the errors and the warnings a report lists (each;
	// default 1000); the rest are counted in one last warning.
	MaxProblems int
	// Concurrency is how many sources Schedule harvests at once (default 2).
	Concurrency int
}

// UserAgent returns the User-Agent a gateway of the given version sends:
// "Samband-gateway/<version> (+<contact>)".
func UserAgent(version, contact string) string {
	if version == "" {
		version = "dev"
	}
	ua := "Samband-gateway/" + version
	if contact != "" {
		ua += " (+" + contact + ")"
	}
	return ua
}

// Store is what a harvest needs of the catalogue store; catalog.Store has it.
type Store interface {
	UpsertSource(ctx context.Context, src catalog.Source) error
	Source(ctx context.Context, name string) (catalog.SourceStatus, error)
	StartRun(ctx context.Context, source string, started time.Time) (int64, error)
	Put(ctx context.Context, run int64, rec catalog.Dataset, seen time.Time) (catalog.PutOutcome, error)
	FinishRun(ctx context.Context, run int64, rep catalog.Report) (withdrawn int, err error)
	SetValidators(ctx context.Context, source, etag, lastModified string) error
	SetCatalogs(ctx context.Context, source string, cats []catalog.Catalog) error
	// LinkStatuses tells what the link checker found at a record's URLs,
	// for its quality score.
	LinkStatuses(ctx context.Context, urls []string) (catalog.LinkStatuses, error)
}

var _ Store = catalog.Store(nil)

// Harvester harvests sources into a store. It is safe for concurrent use;
// Schedule keeps to one run per source at a time.
type Harvester struct {
	store   Store
	client  *retryablehttp.Client
	logger  *slog.Logger
	opts    Options
	metrics *metrics
}

// New returns a Harvester that writes to store and fetches with client (nil:
// a client with 3 retries between 1 and 30 seconds apart). Whatever the
// client's own policies, the harvester retries network errors, 429 and 5xx
// with capped back-off, honours Retry-After up to Options.MaxRetryAfter, and
// follows at most 10 redirects.
func New(store Store, client *retryablehttp.Client, logger *slog.Logger, opts Options) *Harvester {
	if client == nil {
		client = retryablehttp.NewClient()
		client.RetryMax = 3
		client.RetryWaitMin = time.Second
		client.RetryWaitMax = 30 * time.Second
		client.Logger = nil
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = DefaultMaxProblems
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	return &Harvester{store: store, client: client, logger: logger, opts: opts, metrics: newMetrics(opts.Registerer)}
}

// Errors of a harvest.
var (
	ErrConfig = errors.New("bad source configuration")
	ErrLoop   = errors.New("paging loops")
)

// Run harvests one source once and returns the report it stored. The run
// is complete only when every page was read and decoded; a run that stops
// early is partial (records of the pages read are kept) or failed (nothing
// read), and withdraws nothing. A panic in the run is recovered and
// reported as a failed run. The error is non-nil only when the store could
// not record the run (or the configuration is unusable); faults of the
// source are in the report.
func (h *Harvester) Run(ctx context.Context, cfg Config) (rep catalog.Report, err error) {
	// A panic outside the fetching (in the store, say) still must not take
	// down the other sources.
	defer func() {
		if v := recover(); v != nil {
			h.logger.Error("harvest panicked", "source", cfg.Name, "panic", v, "stack", string(debug.Stack()))
			rep.Status = catalog.StatusFailed
			err = fmt.Errorf("harvest %s: internal error: %v", cfg.Name, v)
		}
	}()
	if err := checkConfig(cfg); err != nil {
		return catalog.Report{Source: cfg.Name, Status: catalog.StatusFailed}, err
	}
	cfg.Limits = cfg.Limits.withDefaults()
	r := &run{h: h, cfg: cfg, log: h.logger.With("source", cfg.Name), seen: make(map[string]uint64)}
	r.rep = catalog.Report{Source: cfg.Name, Status: catalog.StatusRunning, Started: h.opts.Now()}

	prev, err := h.store.Source(ctx, cfg.Name)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		return r.rep, fmt.Errorf("harvest %s: %w", cfg.Name, err)
	case prev.URL == cfg.URL && prev.Kind == cfg.Kind:
		r.prevETag, r.prevLastModified = prev.ETag, prev.LastModified
	}
	src := catalog.Source{Name: cfg.Name, Country: cfg.Country, Kind: cfg.Kind, URL: cfg.URL,
		Aggregator: cfg.Aggregator, ETag: r.prevETag, LastModified: r.prevLastModified}
	if err := h.store.UpsertSource(ctx, src); err != nil {
		return r.rep, fmt.Errorf("harvest %s: %w", cfg.Name, err)
	}
	r.rep.ID, err = h.store.StartRun(ctx, cfg.Name, r.rep.Started)
	if err != nil {
		return r.rep, fmt.Errorf("harvest %s: start run: %w", cfg.Name, err)
	}
	h.metrics.running(cfg.Name, 1)
	defer h.metrics.running(cfg.Name, -1)

	func() {
		defer func() {
			if v := recover(); v != nil {
				r.log.Error("harvest panicked", "panic", v, "stack", string(debug.Stack()))
				r.stop(stopFailed, catalog.Problem{Message: fmt.Sprintf("internal error: %v", v)})
			}
		}()
		runCtx, cancel := context.WithTimeout(ctx, cfg.Limits.Timeout)
		defer cancel()
		r.harvest(runCtx)
	}()
	return r.finish(ctx)
}

func checkConfig(cfg Config) error {
	if cfg.Name == "" {
		return fmt.Errorf("%w: source without a name", ErrConfig)
	}
	if cfg.URL == "" {
		return fmt.Errorf("%w: source %s has no URL", ErrConfig, cfg.Name)
	}
	switch cfg.Kind {
	case KindDCAT, KindCKAN:
		if strings.HasPrefix(cfg.URL, "file:") && cfg.Kind == KindDCAT {
			return nil
		}
		u, err := url.Parse(cfg.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: source %s: URL %q is not an http(s) URL", ErrConfig, cfg.Name, cfg.URL)
		}
	case KindFile:
	default:
		return fmt.Errorf("%w: source %s: unknown kind %q (want dcat, ckan or file)", ErrConfig, cfg.Name, cfg.Kind)
	}
	return nil
}

// harvest reads the source into the store, leaving why it stopped in r.
func (r *run) harvest(ctx context.Context) {
	switch {
	case r.cfg.Kind == KindFile || strings.HasPrefix(r.cfg.URL, "file:"):
		r.harvestFiles(ctx)
	case r.cfg.Kind == KindCKAN:
		r.harvestCKAN(ctx)
	default:
		r.harvestDCAT(ctx)
	}
}

// finish closes the run in the store: status, withdrawal, validators,
// catalogues, metrics.
func (r *run) finish(ctx context.Context) (catalog.Report, error) {
	h := r.h
	switch {
	case r.stopped == stopFailed:
		r.rep.Status = catalog.StatusFailed
	case r.stopped == stopPartial && r.pagesDone == 0:
		r.rep.Status = catalog.StatusFailed
	case r.stopped == stopPartial:
		r.rep.Status = catalog.StatusPartial
	default:
		r.rep.Status = catalog.StatusComplete
	}
	if r.droppedErrors > 0 {
		r.rep.Errors = append(r.rep.Errors, catalog.Problem{Severity: "error",
			Message: fmt.Sprintf("%d more errors not listed", r.droppedErrors)})
	}
	if r.droppedWarnings > 0 {
		r.rep.Warnings = append(r.rep.Warnings, catalog.Problem{Severity: "warning",
			Message: fmt.Sprintf("%d more warnings not listed", r.droppedWarnings)})
	}
	if r.rep.Errors == nil {
		r.rep.Errors = []catalog.Problem{}
	}
	r.rep.Finished = h.opts.Now()
	r.rep.DurationMS = r.rep.Finished.Sub(r.rep.Started).Milliseconds()

	// The run's own deadline may have passed; the report must still be written.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	withdrawn, err := h.store.FinishRun(wctx, r.rep.ID, r.rep)
	if err != nil {
		h.metrics.finished(r.cfg.Name, r.rep)
		return r.rep, fmt.Errorf("harvest %s: finish run %d: %w", r.cfg.Name, r.rep.ID, err)
	}
	r.rep.Withdrawn = withdrawn
	if r.rep.Status == catalog.StatusComplete && !r.rep.NotModified && r.cfg.Kind == KindDCAT {
		if err := h.store.SetValidators(wctx, r.cfg.Name, r.etag, r.lastModified); err != nil {
			r.log.Warn("validators not saved", "err", err)
		}
	}
	// A complete run saw every catalogue the source publishes (a CKAN
	// source: none); a 304 run saw none, and the stored ones stay.
	if r.rep.Status == catalog.StatusComplete && !r.rep.NotModified {
		sort.SliceStable(r.catalogs, func(i, j int) bool { return r.catalogs[i].IRI < r.catalogs[j].IRI })
		if err := h.store.SetCatalogs(wctx, r.cfg.Name, r.catalogs); err != nil {
			r.log.Warn("catalogues not saved", "err", err)
		}
	}
	h.metrics.finished(r.cfg.Name, r.rep)
	r.log.Info("harvest finished", "run", r.rep.ID, "status", r.rep.Status, "pages", r.rep.Pages,
		"added", r.rep.Added, "updated", r.rep.Updated, "unchanged", r.rep.Unchanged,
		"withdrawn", r.rep.Withdrawn, "conflicts", r.rep.Conflicts, "rejected", r.rep.Rejected,
		"errors", len(r.rep.Errors), "not_modified", r.rep.NotModified, "duration_ms", r.rep.DurationMS)
	return r.rep, nil
}
