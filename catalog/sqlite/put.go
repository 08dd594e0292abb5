package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"samband/catalog"
)

// Put stores one record read by run for the run's source, as
// catalog.Store describes. It decides, in this order:
//
//   - identity: the record with id catalog.IDFor(rec.IRI); else, for each of
//     rec.Identifiers in turn, the record whose IRI it is, or the one record
//     that has it as an identifier (an identifier held by two or more stored
//     records identifies none, so that a bare "1" merges nothing). Identity
//     by identifier links only to a record another source owns: two IRIs
//     from one source are two records, whatever identifier they share (real
//     catalogues copy one dct:identifier onto several datasets). A record
//     found through an identifier keeps the id and IRI it was stored under.
//   - no record: Added; the sending source owns it.
//   - the sender owns it: Unchanged when the hash is the one it sent last and
//     neither the record nor its provenance is withdrawn (only last seen and
//     the run are noted); otherwise Updated: new content, or a record that
//     comes back after withdrawal (Updated, not Added: it keeps its id and
//     history).
//   - another source owns it but no longer lists it, or the owner is an
//     aggregator and the sender is not: the sender takes the record over
//     (Updated with the sender's content), so an authoritative source is
//     never a Conflict against data.europa.eu's copy of its own records.
//   - the sender is an aggregator, or sent the owner's hash: Merged (the
//     sender's provenance is added or refreshed; the record is not changed).
//   - otherwise Conflict, and nothing is written. A source whose
//     provenance was merged before and that now says something else thus
//     keeps its old provenance untouched, and a complete run withdraws it:
//     the source no longer says what the record holds.
//
// Every change of a record or of its list of sources takes the next number
// of the change sequence; Unchanged and a Merged that only refreshes a
// provenance do not. The previous version of a record goes to its history
// before new content, a withdrawal or a come-back replaces it.
//
// rec.IRI must be set, and rec.Sources must hold one SourceRecord with its
// Hash; its Source, when set, must be the run's source; its Country
// defaults to the source's. An empty Kind is stored as catalog.KindDataset.
// seen defaults to now.
//
// Puts are batched: a put is committed with the batch it belongs to, within
// 250 ms, after 1,000 puts, at FinishRun, at any other write, before any
// read, and at Close. A crash loses at most the open batch; its run stays
// running, so it withdraws nothing, and the next run of the source stores
// those records again.
func (s *Store) Put(ctx context.Context, run int64, rec catalog.Dataset, seen time.Time) (catalog.PutOutcome, error) {
	if rec.IRI == "" {
		return 0, errors.New("put: record has no IRI")
	}
	if len(rec.Sources) != 1 {
		return 0, fmt.Errorf("put %s: record has %d sources, want the provenance of its run's source", rec.IRI, len(rec.Sources))
	}
	if rec.Sources[0].Hash == "" {
		return 0, fmt.Errorf("put %s: provenance has no hash", rec.IRI)
	}
	if seen.IsZero() {
		seen = time.Now()
	}
	var out catalog.PutOutcome
	err := s.write(ctx, false, func(ctx context.Context) (func(), error) {
		r, err := s.runLocked(ctx, run)
		if err != nil {
			return nil, err
		}
		if src := rec.Sources[0].Source; src != "" && src != r.source {
			return nil, fmt.Errorf("provenance names source %q, but run %d harvests %q", src, run, r.source)
		}
		out, err = s.putLocked(ctx, run, r, &rec, seen)
		if err != nil {
			return nil, err
		}
		s.txPuts++
		s.txRuns[run] = true
		return nil, nil
	})
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", rec.IRI, err)
	}
	return out, nil
}

// stored is what Put needs to know about a stored record.
type stored struct {
	id, iri, owner, hash string
	withdrawn            bool
	ownerListed          bool // the owner's provenance is not withdrawn
	ownerAggregator      bool
	mine                 bool // the sender has a provenance
	mineHash             string
	mineWithdrawn        bool
}

func (s *Store) lookupLocked(ctx context.Context, id, source string) (stored, bool, error) {
	c := stored{id: id}
	err := s.st.lookup.QueryRowContext(ctx, id, source).Scan(&c.iri, &c.owner, &c.hash, &c.withdrawn,
		&c.ownerListed, &c.ownerAggregator, &c.mine, &c.mineHash, &c.mineWithdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("look up %s: %w", id, err)
	}
	return c, true, nil
}

// identifyLocked finds the stored record rec is.
func (s *Store) identifyLocked(ctx context.Context, rec *catalog.Dataset, source string) (stored, bool, error) {
	c, ok, err := s.lookupLocked(ctx, catalog.IDFor(rec.IRI), source)
	if err != nil || ok {
		if ok && c.iri != rec.IRI {
			return c, false, fmt.Errorf("id %s of %s is taken by %s", c.id, rec.IRI, c.iri)
		}
		return c, ok, err
	}
	for _, ident := range rec.Identifiers {
		if ident == "" || ident == rec.IRI {
			continue
		}
		c, ok, err := s.lookupLocked(ctx, catalog.IDFor(ident), source)
		if err != nil {
			return c, false, err
		}
		if ok && c.iri == ident && c.owner != source {
			return c, true, nil
		}
		id, err := s.identifiedLocked(ctx, ident)
		if err != nil {
			return c, false, err
		}
		if id == "" {
			continue
		}
		c, ok, err = s.lookupLocked(ctx, id, source)
		if err != nil {
			return c, false, err
		}
		if ok && c.owner != source {
			return c, true, nil
		}
	}
	return stored{}, false, nil
}

// identifiedLocked returns the id of the one record with the identifier,
// or "" when none or several have it.
func (s *Store) identifiedLocked(ctx context.Context, ident string) (string, error) {
	rows, err := s.st.byIdentifier.QueryContext(ctx, ident)
	if err != nil {
		return "", fmt.Errorf("look up identifier %q: %w", ident, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", fmt.Errorf("look up identifier %q: %w", ident, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("look up identifier %q: %w", ident, err)
	}
	if len(ids) != 1 {
		return "", nil
	}
	return ids[0], nil
}

func (s *Store) putLocked(ctx context.Context, run int64, r *openRun, rec *catalog.Dataset, seen time.Time) (catalog.PutOutcome, error) {
	prov := rec.Sources[0]
	hash := prov.Hash
	country := prov.Country
	if country == "" {
		country = r.country
	}
	now := unixNano(seen)
	c, found, err := s.identifyLocked(ctx, rec, r.source)
	if err != nil {
		return 0, err
	}
	saveProv := func(id string) error {
		if _, err := s.st.upsertProv.ExecContext(ctx, id, r.source, country, now, hash, run); err != nil {
			return fmt.Errorf("store provenance: %w", err)
		}
		if _, err := s.st.upsertOrig.ExecContext(ctx, id, r.source, prov.Original); err != nil {
			return fmt.Errorf("store original: %w", err)
		}
		return nil
	}
	// rewrite replaces the content of a stored record with rec's, the
	// sender becoming its owner.
	rewrite := func() error {
		js, kind, err := encodeRecord(rec, c.id, c.iri)
		if err != nil {
			return err
		}
		if _, err := s.st.saveVersion.ExecContext(ctx, c.id); err != nil {
			return fmt.Errorf("keep version: %w", err)
		}
		if _, err := s.st.updateRecord.ExecContext(ctx, c.id, kind, r.source, hash, js, now, s.nextSeq(),
			country, themesOf(rec), qualityOf(rec)); err != nil {
			return fmt.Errorf("update record: %w", err)
		}
		if err := s.setIdentsLocked(ctx, c.id, rec.Identifiers, true); err != nil {
			return err
		}
		return saveProv(c.id)
	}

	switch {
	case !found:
		id := catalog.IDFor(rec.IRI)
		js, kind, err := encodeRecord(rec, id, rec.IRI)
		if err != nil {
			return 0, err
		}
		if _, err := s.st.insertRecord.ExecContext(ctx, id, rec.IRI, kind, r.source, hash, js, now, s.nextSeq(),
			country, themesOf(rec), qualityOf(rec)); err != nil {
			return 0, fmt.Errorf("insert record: %w", err)
		}
		if err := s.setIdentsLocked(ctx, id, rec.Identifiers, false); err != nil {
			return 0, err
		}
		return catalog.Added, saveProv(id)

	case c.owner == r.source:
		switch {
		case c.mineHash == hash && !c.withdrawn && !c.mineWithdrawn:
			if _, err := s.st.touchProv.ExecContext(ctx, c.id, r.source, now, run); err != nil {
				return 0, fmt.Errorf("note provenance: %w", err)
			}
			return catalog.Unchanged, nil
		case c.mineHash != hash:
			return catalog.Updated, rewrite()
		case c.withdrawn: // back with the content it had
			if _, err := s.st.saveVersion.ExecContext(ctx, c.id); err != nil {
				return 0, fmt.Errorf("keep version: %w", err)
			}
			if _, err := s.st.reviveRecord.ExecContext(ctx, c.id, now, s.nextSeq()); err != nil {
				return 0, fmt.Errorf("revive record: %w", err)
			}
			return catalog.Updated, saveProv(c.id)
		default: // listed again by its owner while another source kept it
			if _, err := s.st.bumpRecord.ExecContext(ctx, c.id, s.nextSeq()); err != nil {
				return 0, fmt.Errorf("bump record: %w", err)
			}
			return catalog.Updated, saveProv(c.id)
		}

	case !c.ownerListed || (c.ownerAggregator && !r.aggregator):
		return catalog.Updated, rewrite()

	case r.aggregator || hash == c.hash:
		if c.mine && c.mineHash == hash && !c.mineWithdrawn {
			if _, err := s.st.touchProv.ExecContext(ctx, c.id, r.source, now, run); err != nil {
				return 0, fmt.Errorf("note provenance: %w", err)
			}
			return catalog.Merged, nil
		}
		if _, err := s.st.bumpRecord.ExecContext(ctx, c.id, s.nextSeq()); err != nil {
			return 0, fmt.Errorf("bump record: %w", err)
		}
		return catalog.Merged, saveProv(c.id)

	default:
		return catalog.Conflict, nil
	}
}

func (s *Store) setIdentsLocked(ctx context.Context, id string, idents []string, replace bool) error {
	if replace {
		if _, err := s.st.deleteIdents.ExecContext(ctx, id); err != nil {
			return fmt.Errorf("replace identifiers: %w", err)
		}
	}
	for _, ident := range idents {
		if ident == "" {
			continue
		}
		if _, err := s.st.insertIdent.ExecContext(ctx, ident, id); err != nil {
			return fmt.Errorf("store identifier %q: %w", ident, err)
		}
	}
	return nil
}

// encodeRecord returns the JSON stored for rec under id and iri: the
// record without what the store keeps beside it.
func encodeRecord(rec *catalog.Dataset, id, iri string) (js []byte, kind string, err error) {
	d := *rec
	d.ID, d.IRI = id, iri
	if d.Kind == "" {
		d.Kind = catalog.KindDataset
	}
	d.Sources, d.Withdrawn, d.WithdrawnAt, d.Seq = nil, false, nil, 0
	js, err = json.Marshal(&d)
	if err != nil {
		return nil, "", fmt.Errorf("encode record: %w", err)
	}
	return js, d.Kind, nil
}

// themesOf returns what the records table keeps of rec's themes for the
// coverage counts: a JSON array of its distinct EU data-theme codes,
// sorted, or [""] when it has none.
func themesOf(rec *catalog.Dataset) string {
	var codes []string
	for _, c := range rec.EUThemes {
		if c != "" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return `[""]`
	}
	slices.Sort(codes)
	js, _ := json.Marshal(codes) // strings always encode
	return string(js)
}

// qualityOf returns rec's quality score, or nil (NULL) when it has none.
func qualityOf(rec *catalog.Dataset) any {
	if rec.Quality == nil {
		return nil
	}
	return rec.Quality.Score
}
