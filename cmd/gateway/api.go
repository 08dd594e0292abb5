package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/catalog/lifeevent"
	"samband/catalog/search"
	"samband/exchange/audit"
	"samband/policies"
)

// catalogReader is what the read API needs of the store.
type catalogReader interface {
	Dataset(ctx context.Context, idOrIRI string) (catalog.Dataset, error)
	Datasets(ctx context.Context, opt catalog.ListOptions) (catalog.Page, error)
	DatasetsByID(ctx context.Context, ids []string) ([]catalog.Dataset, error)
	History(ctx context.Context, id string) ([]catalog.Dataset, error)
	Sources(ctx context.Context) ([]catalog.SourceStatus, error)
	Source(ctx context.Context, name string) (catalog.SourceStatus, error)
	Run(ctx context.Context, id int64) (catalog.Report, error)
	DatasetsAt(ctx context.Context, at time.Time, fn func(catalog.Dataset) error) error
	ChangedSince(ctx context.Context, at time.Time, fn func(now catalog.Dataset, then *catalog.Dataset) error) error
	CoverageAt(ctx context.Context, at time.Time) (catalog.Coverage, error)
	CoverageHistory(ctx context.Context, from, to time.Time) ([]catalog.CoveragePoint, error)
	// Ping is a trivial read, for /readyz.
	Ping(ctx context.Context) error
}

// server answers the HTTP API.
type server struct {
	store    catalogReader
	index    *search.Index // nil: GET /api/v1/datasets lists from the store, by id
	past     *pastIndexes  // the catalogue at past times, for coverage
	rules    *lifeevent.Rules
	policies gatewayPolicies // the configured policies
	registry *registryAPI    // consents and mandates; nil: off (no subject key)
	exchange *exchangeSide   // the exchange's broker and trust; nil: off
	// apiTokens are the SHA-256 of the tokens the consent, mandate and
	// evaluation routes take; nil: those routes take every caller.
	apiTokens [][32]byte
	audit     *audit.Log      // the exchange audit log; nil: off (no audit key)
	auditKey  string          // the verifier key of the audit log's checkpoints
	citizens  *citizenAuth    // the OpenID providers of the citizen's view; nil: none
	embargo   []EmbargoConfig // what the citizen's view hides for a time
	patterns  []string        // every route routes registered, for the OpenAPI test
	// publicURL prefixes the IRIs the feed mints; "" takes the request's host.
	publicURL string
	logger    *slog.Logger
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	// now is the clock of the citizen's view (token times, embargoes).
	now func() time.Time
	// stopping is set when shutdown begins: /readyz answers 503 from then.
	stopping atomic.Bool
	ready    readiness // what /readyz last found, for its log
}

func newServer(store catalogReader, logger *slog.Logger, reg *prometheus.Registry) *server {
	s := &server{
		store:  store,
		past:   &pastIndexes{store: store, opt: indexOptions(lifeevent.Default())},
		rules:  lifeevent.Default(),
		logger: logger,
		now:    time.Now,
		ready:  readiness{last: map[string]string{}, pings: make(chan struct{}, maxPings)},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samband_http_requests_total",
			Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "samband_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8),
		}, []string{"route"}),
	}
	reg.MustRegister(s.requests, s.latency, newAuditCollector(s))
	return s
}

// handlerFunc is a handler that returns its error; instrument writes it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// instrument runs h, turns its error into problem+json, and counts and logs
// the request under its route pattern.
func (s *server) instrument(route string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		if err := h(sw, r); err != nil {
			s.writeProblem(sw, r, err)
		}
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		s.logger.Debug("http", "method", r.Method, "path", r.URL.Path, "route", route, "code", sw.code, "duration", time.Since(start))
	})
}

// problem is an RFC 9457 problem: what went wrong and what to do.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Failing and Checks are the extension members of a not-ready
	// problem (/readyz): the checks that fail, and every check's status.
	Failing []string          `json:"failing,omitempty"`
	Checks  map[string]string `json:"checks,omitempty"`
}

// httpError is an error with the status it maps to.
type httpError struct {
	status int
	detail string
}

func (e *httpError) Error() string { return e.detail }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, detail: fmt.Sprintf(format, args...)}
}

// writeProblem maps an error to its status, in this one place.
func (s *server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problem{Type: "about:blank", Instance: r.URL.Path}
	var he *httpError
	var nr *notReady
	switch {
	case errors.As(err, &he):
		p.Status, p.Detail = he.status, he.detail
	case errors.As(err, &nr):
		p.Type, p.Status, p.Detail = "urn:samband:problem:not-ready", http.StatusServiceUnavailable, nr.Error()
		p.Failing, p.Checks = nr.failing, nr.checks
		w.Header().Set("Cache-Control", "no-store")
	case errors.Is(err, catalog.ErrNotFound):
		p.Status, p.Detail = http.StatusNotFound, err.Error()
	case errors.Is(err, policies.ErrInvalidConsent), errors.Is(err, policies.ErrInvalidMandate), errors.Is(err, policies.ErrNationalID):
		p.Status, p.Detail = http.StatusBadRequest, err.Error()
	case errors.Is(err, policies.ErrUnknownConsent), errors.Is(err, policies.ErrUnknownMandate):
		p.Status, p.Detail = http.StatusNotFound, err.Error()
	case errors.Is(err, policies.ErrRescinded), errors.Is(err, policies.ErrRevoked):
		p.Status, p.Detail = http.StatusConflict, err.Error()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		p.Status, p.Detail = http.StatusServiceUnavailable, "the request was cancelled or took too long; try again"
	default:
		p.Status, p.Detail = http.StatusInternalServerError, "the gateway failed to answer; the error is in its log"
		s.logger.Error("http", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.Title = http.StatusText(p.Status)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// writeJSON is the one JSON encoder of the API.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// intParam reads a non-negative integer query parameter within [0, max].
func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("%s=%q: want a whole number from 0 to %d", name, v, max)
	}
	if n > max {
		return 0, badRequest("%s=%d: at most %d", name, n, max)
	}
	return n, nil
}

const maxPageLimit = 1000

// listDatasets searches the index; with withdrawn=true, or without an
// index, it lists the store's records by id.
func (s *server) listDatasets(w http.ResponseWriter, r *http.Request) error {
	withdrawn := false
	if v := r.URL.Query().Get("withdrawn"); v != "" {
		var err error
		if withdrawn, err = strconv.ParseBool(v); err != nil {
			return badRequest("withdrawn=%q: want true or false", v)
		}
	}
	if s.index != nil && !withdrawn {
		return s.searchDatasets(w, r)
	}
	if withdrawn {
		for k := range r.URL.Query() {
			if k != "withdrawn" && k != "limit" && k != "offset" {
				return badRequest("withdrawn=true lists every record by id, withdrawn ones too, and takes only limit and offset; %s searches live records", k)
			}
		}
	}
	limit, err := intParam(r, "limit", 20, maxPageLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	page, err := s.store.Datasets(r.Context(), catalog.ListOptions{Limit: limit, Offset: offset, IncludeWithdrawn: withdrawn})
	if err != nil {
		return err
	}
	if page.Items == nil {
		page.Items = []catalog.Dataset{}
	}
	return writeJSON(w, http.StatusOK, page)
}

// getDataset answers a record by catalogue id or by its IRI, URL-escaped
// into the one path segment (https%3A%2F%2Fdata.norge.no%2F...).
func (s *server) getDataset(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	d, err := s.store.Dataset(r.Context(), id)
	if err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf(
				"no dataset with id or IRI %q; list them at /api/v1/datasets, and URL-escape an IRI into one path segment", id)}
		}
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) datasetHistory(w http.ResponseWriter, r *http.Request) error {
	d, err := s.store.Dataset(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	versions, err := s.store.History(r.Context(), d.ID)
	if err != nil {
		return err
	}
	if versions == nil {
		versions = []catalog.Dataset{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"id": d.ID, "iri": d.IRI, "versions": versions})
}

func (s *server) listSources(w http.ResponseWriter, r *http.Request) error {
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		return err
	}
	if srcs == nil {
		srcs = []catalog.SourceStatus{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": srcs})
}

func (s *server) getSource(w http.ResponseWriter, r *http.Request) error {
	src, err := s.store.Source(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, src)
}

func (s *server) getHarvest(w http.ResponseWriter, r *http.Request) error {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return badRequest("harvest id %q: want a positive whole number, as listed in /api/v1/sources", raw)
	}
	rep, err := s.store.Run(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// openAPIDocument describes every route (TestOpenAPICoversRoutes keeps it so).
//
//go:embed api/openapi.json
var openAPIDocument []byte

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}

// healthz answers GET /healthz: liveness, whether the process answers at
// all. Whether it can do its work is /readyz's question.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) error {
	return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf("no route %s %s; the API is under /api/v1/", r.Method, r.URL.Path)}
}
