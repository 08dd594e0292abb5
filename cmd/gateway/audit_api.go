package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"samband/exchange/audit"
)

// errNoAuditKey says how to turn the audit log on.
var errNoAuditKey = errors.New("no audit key: set audit.key_file in the configuration (or GATEWAY_AUDIT_KEY_FILE) " +
	"to the file that `gateway audit keygen --name <this gateway's host name> > audit.key` writes (chmod 600 it)")

// The citizen view's page sizes.
const (
	defaultMeLimit = 20
	maxMeLimit     = 100 // each item carries a proof: a few dozen reads
)

// auditOn returns the audit log, or why the audit routes are off.
func (s *server) auditOn() (*audit.Log, error) {
	if s.audit == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, detail: "the exchange audit log is off on this gateway: " +
			errNoAuditKey.Error() + "; or run gateway serve --demo"}
	}
	return s.audit, nil
}

// checkpointView is a signed checkpoint as the API answers it.
type checkpointView struct {
	Size        int64  `json:"size"`
	Root        string `json:"root"`         // the tree hash, base64
	Checkpoint  string `json:"checkpoint"`   // the signed note
	VerifierKey string `json:"verifier_key"` // the key that checks it (note.NewVerifier)
}

// checkpoint returns the latest checkpoint the log signed (stored or
// sealed), with its tree; when it has signed none, it signs and stores one
// now.
func (s *server) checkpoint(ctx context.Context, l *audit.Log) (checkpointView, tlog.Tree, error) {
	signed, _ := l.Latest()
	if signed == nil {
		var err error
		if signed, _, err = l.Checkpoint(ctx); err != nil {
			return checkpointView{}, tlog.Tree{}, err
		}
	}
	msg, err := note.Open(signed, note.VerifierList(l.Verifier()))
	if err != nil {
		return checkpointView{}, tlog.Tree{}, fmt.Errorf("the audit log's own checkpoint: %w", err)
	}
	tree, err := tlog.ParseTree([]byte(msg.Text))
	if err != nil {
		return checkpointView{}, tlog.Tree{}, fmt.Errorf("the audit log's own checkpoint: %w", err)
	}
	return checkpointView{Size: tree.N, Root: tree.Hash.String(), Checkpoint: string(signed), VerifierKey: s.auditKey}, tree, nil
}

// getCheckpoint answers the latest checkpoint: JSON, or with Accept:
// text/plain the signed note alone.
func (s *server) getCheckpoint(w http.ResponseWriter, r *http.Request) error {
	l, err := s.auditOn()
	if err != nil {
		return err
	}
	cp, _, err := s.checkpoint(r.Context(), l)
	if err != nil {
		return err
	}
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Cache-Control", "no-cache")
	if prefersText(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, err := w.Write([]byte(cp.Checkpoint))
		return err
	}
	return writeJSON(w, http.StatusOK, cp)
}

// prefersText reports whether the Accept header ranks text/plain above
// JSON.
func prefersText(r *http.Request) bool {
	text, json := -1.0, -1.0
	for _, part := range strings.Split(strings.Join(r.Header.Values("Accept"), ","), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "text/plain":
			text = max(text, q)
		case "application/json":
			json = max(json, q)
		}
	}
	return text > 0 && text > json
}

// entryView is an entry of the log as the API shows it: the people by the
// first digits of their hash (shortSubject).
type entryView struct {
	Time           time.Time `json:"time"`
	RequestID      string    `json:"request_id"`
	Requester      string    `json:"requester"`
	Service        string    `json:"service"`
	Purpose        string    `json:"purpose"`
	LegalBasis     string    `json:"legal_basis"`
	Decision       string    `json:"decision"`
	Rule           string    `json:"rule"`
	Subject        string    `json:"subject,omitempty"`
	Representative string    `json:"representative,omitempty"`
	Status         int       `json:"status"`
	ReceiptHash    string    `json:"receipt_hash,omitempty"` // base64
}

func viewEntry(e audit.Entry) *entryView {
	v := &entryView{Time: e.Time, RequestID: e.RequestID, Requester: e.Requester, Service: e.Service, Purpose: e.Purpose,
		LegalBasis: e.LegalBasis, Decision: e.Decision, Rule: e.Rule, Subject: shortSubject(e.Subject),
		Representative: shortSubject(e.Representative), Status: e.Status}
	if e.ReceiptHash != (tlog.Hash{}) {
		v.ReceiptHash = e.ReceiptHash.String()
	}
	return v
}

// hashStrings is a proof as the API answers it: base64 hashes.
func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

// indexParam reads a whole-number query parameter of at least min; def
// when absent.
func indexParam(r *http.Request, name string, def, min int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min {
		return 0, badRequest("%s=%.40q: want a whole number of at least %d", name, v, min)
	}
	return n, nil
}

// beyondLog is the 404 of a size the log has not reached.
func beyondLog(name string, n, size int64) error {
	return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf(
		"%s=%d: the audit log has %d entries; GET /api/v1/audit/checkpoint for the latest signed size", name, n, size)}
}

// inclusionProof proves that entry index is in the tree of the first size
// entries (by default the latest checkpoint's).
func (s *server) inclusionProof(w http.ResponseWriter, r *http.Request) error {
	l, err := s.auditOn()
	if err != nil {
		return err
	}
	if r.URL.Query().Get("index") == "" {
		return badRequest("index: required, the entry's index in the log")
	}
	index, err := indexParam(r, "index", 0, 0)
	if err != nil {
		return err
	}
	size, err := s.treeSize(r, l, "size")
	if err != nil {
		return err
	}
	if size == 0 {
		return &httpError{status: http.StatusNotFound, detail: "the audit log has no entries yet"}
	}
	if index >= size {
		return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf(
			"index=%d: the tree of size %d holds entries 0 to %d", index, size, size-1)}
	}
	e, err := l.Entry(r.Context(), index)
	if err != nil {
		return err
	}
	leaf, err := e.Hash()
	if err != nil {
		return err
	}
	p, err := l.InclusionProof(r.Context(), index, size)
	if err != nil {
		return err
	}
	answer := struct {
		Index    int64      `json:"index"`
		Size     int64      `json:"size"`
		LeafHash string     `json:"leaf_hash"`
		Entry    *entryView `json:"entry,omitempty"` // none while under embargo
		Proof    []string   `json:"proof"`
	}{Index: index, Size: size, LeafHash: leaf.String(), Proof: hashStrings(p)}
	if !s.embargoed(e, s.now()) {
		answer.Entry = viewEntry(e)
	}
	return writeJSON(w, http.StatusOK, answer)
}

// treeSize reads the tree size of parameter name: by default the latest
// checkpoint's, and never beyond the log.
func (s *server) treeSize(r *http.Request, l *audit.Log, name string) (int64, error) {
	size, err := indexParam(r, name, 0, 1)
	if err != nil {
		return 0, err
	}
	if size == 0 {
		cp, _, err := s.checkpoint(r.Context(), l)
		if err != nil {
			return 0, err
		}
		size = cp.Size
	}
	if n := l.Size(); size > n {
		return 0, beyondLog(name, size, n)
	}
	return size, nil
}

// consistencyProof proves that the tree of the first old entries is a
// prefix of the tree of the first new (by default the latest checkpoint's).
func (s *server) consistencyProof(w http.ResponseWriter, r *http.Request) error {
	l, err := s.auditOn()
	if err != nil {
		return err
	}
	if r.URL.Query().Get("old") == "" {
		return badRequest("old: required, the size of the older tree")
	}
	oldSize, err := indexParam(r, "old", 0, 1)
	if err != nil {
		return err
	}
	newSize, err := s.treeSize(r, l, "new")
	if err != nil {
		return err
	}
	if oldSize > newSize {
		return badRequest("old=%d is more than new=%d", oldSize, newSize)
	}
	p, err := l.ConsistencyProof(r.Context(), oldSize, newSize)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"old": oldSize, "new": newSize, "proof": hashStrings(p)})
}

// embargoed reports whether an embargo rule hides e at now.
func (s *server) embargoed(e audit.Entry, now time.Time) bool {
	for _, rule := range s.embargo {
		if rule.hides(e, now) {
			return true
		}
	}
	return false
}

// accessView is one access to a person's data, as the citizen's view
// shows it, with the proof that the log holds it.
type accessView struct {
	Index      int64         `json:"index"`
	Time       time.Time     `json:"time"`
	RequestID  string        `json:"request_id"`
	Requester  string        `json:"requester"`
	Service    string        `json:"service"`
	Purpose    string        `json:"purpose"`
	LegalBasis string        `json:"legal_basis"`
	Decision   string        `json:"decision"`
	Rule       string        `json:"rule"`
	Status     int           `json:"status"`
	Role       string        `json:"role"`      // subject or representative
	LeafHash   string        `json:"leaf_hash"` // the entry's leaf in the tree, base64
	Inclusion  inclusionView `json:"inclusion"`
}

// inclusionView is an inclusion proof against the tree of Size entries.
type inclusionView struct {
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

// meAccesses answers the signed-in citizen the log's entries that name
// them, as subject or as representative, newest first, each with an
// inclusion proof against the checkpoint of the answer. Entries under
// embargo are left out, without a trace.
func (s *server) meAccesses(w http.ResponseWriter, r *http.Request) error {
	l, err := s.auditOn()
	if err != nil {
		return err
	}
	reg, err := s.registryOn()
	if err != nil {
		return err
	}
	if s.citizens == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "no OpenID Connect provider signs citizens in on this gateway: " +
			"list them under citizen.providers in the configuration (see the README)"}
	}
	now := s.now()
	c, err := s.citizens.authenticate(r, reg.key, now)
	var te *tokenError
	if errors.As(err, &te) {
		if te.missing {
			w.Header().Set("WWW-Authenticate", `Bearer realm="samband"`)
			return &httpError{status: http.StatusUnauthorized, detail: te.detail}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="samband", error="invalid_token"`)
		return &httpError{status: http.StatusUnauthorized, detail: "ID token refused: " + te.detail}
	}
	if err != nil {
		return err
	}
	before, err := indexParam(r, "before", 0, 0)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", defaultMeLimit, maxMeLimit)
	if err != nil {
		return err
	}
	if limit < 1 {
		return badRequest("limit=0: want 1 to %d", maxMeLimit)
	}
	cp, tree, err := s.checkpoint(r.Context(), l)
	if err != nil {
		return err
	}
	found, err := s.visibleAccesses(r.Context(), l, c, tree.N, before, limit+1, now)
	if err != nil {
		return err
	}
	answer := struct {
		SubjectCountry string         `json:"subject_country"`
		Items          []accessView   `json:"items"`
		Checkpoint     checkpointView `json:"checkpoint"`
		NextBefore     *int64         `json:"next_before"` // null: no more
	}{SubjectCountry: c.provider.Country, Items: []accessView{}, Checkpoint: cp}
	if len(found) > limit {
		found = found[:limit]
		next := found[limit-1].Index
		answer.NextBefore = &next
	}
	for _, x := range found {
		leaf, err := x.Entry.Hash()
		if err != nil {
			return err
		}
		p, err := l.InclusionProof(r.Context(), x.Index, tree.N)
		if err != nil {
			return err
		}
		e := x.Entry
		role := "subject"
		if x.Role == audit.RoleRepresentative {
			role = "representative"
		}
		answer.Items = append(answer.Items, accessView{Index: x.Index, Time: e.Time, RequestID: e.RequestID, Requester: e.Requester,
			Service: e.Service, Purpose: e.Purpose, LegalBasis: e.LegalBasis, Decision: e.Decision, Rule: e.Rule, Status: e.Status,
			Role: role, LeafHash: leaf.String(), Inclusion: inclusionView{Size: tree.N, Proof: hashStrings(p)}})
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, answer)
}

// visibleAccesses returns up to want entries naming c, newest first, that
// the tree of size entries holds, below before (0: from the end) and not
// under embargo at now.
func (s *server) visibleAccesses(ctx context.Context, l *audit.Log, c citizen, size, before int64, want int, now time.Time) ([]audit.Indexed, error) {
	cursor := size
	if before > 0 && before < cursor {
		cursor = before
	}
	var out []audit.Indexed
	for cursor > 0 && len(out) < want {
		ask := min(max(2*(want-len(out)), 64), audit.MaxBySubject)
		page, err := l.BySubject(ctx, c.subject, cursor, ask)
		if err != nil {
			return nil, err
		}
		for _, x := range page {
			cursor = x.Index
			if s.embargoed(x.Entry, now) {
				continue
			}
			if out = append(out, x); len(out) == want {
				break
			}
		}
		if len(page) < ask {
			break
		}
	}
	return out, nil
}

// auditCollector reports the audit log's gauges at each scrape; none
// while the log is off.
type auditCollector struct {
	s         *server
	size, age *prometheus.Desc
}

func newAuditCollector(s *server) auditCollector {
	return auditCollector{s: s,
		size: prometheus.NewDesc("samband_audit_log_size", "Entries in the exchange audit log.", nil, nil),
		age: prometheus.NewDesc("samband_audit_checkpoint_age_seconds",
			"How long the exchange audit log has had entries that no stored checkpoint covers; 0 when the latest covers them all.", nil, nil),
	}
}

// Describe sends the gauges' descriptions.
func (c auditCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.size
	ch <- c.age
}

// Collect sends the gauges' values, read from the log now.
func (c auditCollector) Collect(ch chan<- prometheus.Metric) {
	l := c.s.audit
	if l == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(l.Size()))
	age := 0.0
	if n, since := l.Pending(); n > 0 {
		age = time.Since(since).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}

// runCheckpoints signs and stores the log's checkpoints every interval in
// the background; a checkpoint that fails is logged and tried again. The
// function it returns stops that, stores a last
// checkpoint covering every entry, and returns when done. A nil log needs
// no checkpoints.
func runCheckpoints(l *audit.Log, every time.Duration, logger *slog.Logger) (stop func()) {
	if l == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			err := l.Run(ctx, every)
			if err == nil {
				return
			}
			logger.Error("audit checkpoint failed; trying again", "err", err, "in", every)
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
		}
	}()
	return func() {
		cancel()
		<-done
		if _, size, err := l.Checkpoint(context.Background()); err != nil {
			logger.Error("audit checkpoint at shutdown", "err", err)
		} else {
			logger.Info("audit log checkpoint at shutdown", "size", size)
		}
	}
}
