package harvest

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"samband/catalog"
	"samband/catalog/rdf"
)

// How a run stopped before its natural end.
type stopKind int

const (
	stopNone    stopKind = iota
	stopPartial          // stopped early: partial if a page was stored, else failed
	stopFailed           // failed whatever was stored (a paging loop, a panic)
)

// run is one run of one source in progress.
type run struct {
	h   *Harvester
	cfg Config
	log *slog.Logger
	rep catalog.Report

	prevETag, prevLastModified string // the stored validators, sent on the first request
	etag, lastModified         string // the first page's validators, saved after a complete run

	// seen maps the id of every record of this run to 64 bits of its hash,
	// so that a record listed twice is counted once.
	seen      map[string]uint64
	records   int // distinct records stored
	pagesDone int // pages read, decoded and stored whole

	// catalogs are the catalogues the pages described, each as the first
	// page that described it did; catalogKeys are their keys (catalogKey).
	catalogs    []catalog.Catalog
	catalogKeys map[string]bool

	stopped                        stopKind
	droppedErrors, droppedWarnings int
}

// stop ends the run early with an error.
func (r *run) stop(kind stopKind, p catalog.Problem) {
	if kind > r.stopped {
		r.stopped = kind
	}
	p.Severity = "error"
	if len(r.rep.Errors) >= r.h.opts.MaxProblems {
		r.droppedErrors++
		return
	}
	r.rep.Errors = append(r.rep.Errors, p)
}

// warn notes a warning.
func (r *run) warn(p catalog.Problem) {
	p.Severity = "warning"
	if len(r.rep.Warnings) >= r.h.opts.MaxProblems {
		r.droppedWarnings++
		return
	}
	r.rep.Warnings = append(r.rep.Warnings, p)
}

// note records a problem the mapper found, keeping its severity.
func (r *run) note(p catalog.Problem, pageURL string) {
	if p.URL == "" {
		p.URL = pageURL
	}
	if p.Severity == "error" {
		// A record the mapper refused is counted as rejected; it does not stop the run.
		if len(r.rep.Errors) >= r.h.opts.MaxProblems {
			r.droppedErrors++
			return
		}
		r.rep.Errors = append(r.rep.Errors, p)
		return
	}
	r.warn(p)
}

// pageProblem turns the error that ended a page into a problem: an
// *rdf.Error keeps its line and column.
func pageProblem(pageURL string, err error) catalog.Problem {
	p := catalog.Problem{URL: pageURL, Message: err.Error()}
	var de *rdf.Error
	if errors.As(err, &de) {
		p.Line, p.Column = de.Line, de.Column
		if de.Syntax != rdf.Unknown {
			p.Message = de.Syntax.String() + ": " + de.Msg
		} else {
			p.Message = de.Msg
		}
		if de.Err != nil && !errors.Is(de.Err, rdf.ErrUnknownSyntax) && de.Msg == "" {
			p.Message += ": " + de.Err.Error()
		}
	}
	return p
}

// put stores one record and counts what the store did with it. A record
// already stored by this run (the same IRI on two pages) is counted once,
// with a warning; it is written again only when it says something else.
func (r *run) put(ctx context.Context, rec catalog.Dataset, pageURL string) error {
	h := hashKey(rec)
	// The rule checks travel with the record, as does the quality score
	// (below). Neither is part of the hash, which covers what the source
	// said.
	rec.Checks = catalog.CheckRules(rec)
	if prev, dup := r.seen[rec.ID]; dup {
		same := prev == h
		msg := "record listed again in this run (same content); counted once"
		if !same {
			msg = "record listed again in this run with different content; the later description is kept, counted once"
		}
		r.warn(catalog.Problem{URL: pageURL, Record: rec.IRI, Message: msg})
		r.h.metrics.record(r.cfg.Name, "duplicate")
		if same {
			return nil
		}
		r.seen[rec.ID] = h
		q, err := r.score(ctx, &rec)
		if err != nil {
			return fmt.Errorf("score %s: %w", rec.IRI, err)
		}
		rec.Quality = &q
		if _, err := r.h.store.Put(ctx, r.rep.ID, rec, r.h.opts.Now()); err != nil {
			return fmt.Errorf("store %s: %w", rec.IRI, err)
		}
		return nil
	}
	// The metadata-quality score travels with the record. It is not part of
	// the hash, which covers what the source said. It counts what the link
	// checker found so far, so that a new version of a record keeps the
	// reachability of the URLs it shares with the old one.
	q, err := r.score(ctx, &rec)
	if err != nil {
		return fmt.Errorf("score %s: %w", rec.IRI, err)
	}
	rec.Quality = &q
	out, err := r.h.store.Put(ctx, r.rep.ID, rec, r.h.opts.Now())
	if err != nil {
		return fmt.Errorf("store %s: %w", rec.IRI, err)
	}
	r.seen[rec.ID] = h
	switch out {
	case catalog.Added:
		r.rep.Added++
		r.h.metrics.record(r.cfg.Name, "added")
	case catalog.Merged:
		// The record is there through another source; this one now lists it too.
		r.rep.Merged++
		r.h.metrics.record(r.cfg.Name, "merged")
	case catalog.Updated:
		r.rep.Updated++
		r.h.metrics.record(r.cfg.Name, "updated")
	case catalog.Unchanged:
		r.rep.Unchanged++
		r.h.metrics.record(r.cfg.Name, "unchanged")
	case catalog.Conflict:
		r.rep.Conflicts++
		r.h.metrics.record(r.cfg.Name, "conflict")
		r.warn(catalog.Problem{URL: pageURL, Record: rec.IRI,
			Message: "record belongs to another source; not stored for this one"})
		return nil
	default:
		return fmt.Errorf("store %s: unknown outcome %d", rec.IRI, out)
	}
	r.rep.CountChecks(rec.Checks)
	r.records++
	return nil
}

// score returns rec's quality, with the reachability the store knows of
// its URLs (see catalog.LinkURLs): checks of URLs never checked stay "not
// checked".
func (r *run) score(ctx context.Context, rec *catalog.Dataset) (catalog.Quality, error) {
	urls := catalog.LinkURLs(rec)
	if len(urls) == 0 {
		return catalog.Score(*rec), nil
	}
	known, err := r.h.store.LinkStatuses(ctx, urls)
	if err != nil {
		return catalog.Quality{}, err
	}
	return catalog.ScoreWith(*rec, known), nil
}

// hashKey is 64 bits of the record's source hash (or of its IRI when the
// mapper gave no hash), enough to tell two descriptions apart.
func hashKey(rec catalog.Dataset) uint64 {
	var s string
	if len(rec.Sources) > 0 {
		s = rec.Sources[0].Hash
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) >= 8 {
		return binary.BigEndian.Uint64(b)
	}
	// Not hex: FNV-1a over the text.
	var x uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return x
}

// addCatalogs keeps the catalogues of a page that no earlier page of the
// run described, with the problems found in them. A paged catalogue
// describes itself on every page, each time with that page's datasets: the
// first page's description is kept, counts are not summed.
func (r *run) addCatalogs(doc *catalog.Document, pageURL string) {
	cats, stats := doc.Catalogs()
	if len(cats) == 0 {
		return
	}
	if r.catalogKeys == nil {
		r.catalogKeys = map[string]bool{}
	}
	added := map[string]bool{}
	for _, c := range cats {
		k := catalogKey(c)
		if r.catalogKeys[k] {
			continue
		}
		r.catalogKeys[k] = true
		r.catalogs = append(r.catalogs, c)
		added[c.IRI] = true
	}
	for _, p := range stats.Problems {
		if added[p.Record] {
			r.note(p, pageURL)
		}
	}
}

// catalogKey is a catalogue's identity within a run: its IRI, or for a
// blank node, which has none, its whole description.
func catalogKey(c catalog.Catalog) string {
	if c.IRI != "" {
		return c.IRI
	}
	b, _ := json.Marshal(c) // a Catalog always encodes
	return "_:" + string(b)
}

// pageDone counts a page read whole and reports progress.
func (r *run) pageDone(n int64) {
	r.pagesDone++
	r.h.metrics.page(r.cfg.Name)
	if r.h.opts.Progress != nil {
		r.h.opts.Progress(r.cfg.Name, r.rep.Pages, r.records, r.rep.Bytes)
	}
}

// ctxProblem says why a context ended, in the report's words.
func (r *run) ctxProblem(ctx context.Context, url string) catalog.Problem {
	msg := "harvest cancelled"
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		msg = fmt.Sprintf("run timed out after %s (Limits.Timeout)", r.cfg.Limits.Timeout)
	}
	return catalog.Problem{URL: url, Message: msg}
}
