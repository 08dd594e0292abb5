package harvest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"samband/catalog"
)

// testStore is what the tests need of a store: the harvest's Store and reads.
type testStore interface {
	Store
	Dataset(ctx context.Context, idOrIRI string) (catalog.Dataset, error)
	Run(ctx context.Context, id int64) (catalog.Report, error)
}

// memStore is a small in-memory store following the catalog.Store contract
// as far as the harvest tests need it.
type memStore struct {
	mu      sync.Mutex
	sources map[string]catalog.Source
	records map[string]*catalog.Dataset
	lastRun map[string]int64 // record id + "\x00" + source -> run that last listed it
	runs    map[int64]catalog.Report
	runSrc  map[int64]string
	nextRun int64
	puts    int
}

var _ testStore = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{sources: map[string]catalog.Source{}, records: map[string]*catalog.Dataset{},
		lastRun: map[string]int64{}, runs: map[int64]catalog.Report{}, runSrc: map[int64]string{}}
}

func (s *memStore) UpsertSource(_ context.Context, src catalog.Source) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources[src.Name] = src
	return nil
}

func (s *memStore) Source(_ context.Context, name string) (catalog.SourceStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.sources[name]
	if !ok {
		return catalog.SourceStatus{}, catalog.ErrNotFound
	}
	return catalog.SourceStatus{Source: src}, nil
}

func (s *memStore) StartRun(_ context.Context, source string, started time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextRun++
	s.runSrc[s.nextRun] = source
	s.runs[s.nextRun] = catalog.Report{ID: s.nextRun, Source: source, Status: catalog.StatusRunning, Started: started}
	return s.nextRun, nil
}

func (s *memStore) Put(_ context.Context, run int64, rec catalog.Dataset, seen time.Time) (catalog.PutOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts++
	source := s.runSrc[run]
	if len(rec.Sources) != 1 || rec.Sources[0].Source != source {
		return 0, fmt.Errorf("put %s: provenance %v is not of source %s", rec.IRI, rec.Sources, source)
	}
	key := rec.ID + "\x00" + source
	in := rec.Sources[0]
	old, ok := s.records[rec.ID]
	if !ok {
		r := rec
		r.Sources = []catalog.SourceRecord{in}
		s.records[rec.ID] = &r
		s.lastRun[key] = run
		return catalog.Added, nil
	}
	for i, p := range old.Sources {
		if p.Source != source {
			continue
		}
		s.lastRun[key] = run
		old.Sources[i].Withdrawn = nil
		old.Withdrawn = false
		if p.Hash == in.Hash {
			return catalog.Unchanged, nil
		}
		srcs := old.Sources
		srcs[i] = in
		*old = rec
		old.Sources = srcs
		return catalog.Updated, nil
	}
	if !s.sources[source].Aggregator && old.Sources[0].Hash != in.Hash && !old.Withdrawn {
		return catalog.Conflict, nil
	}
	old.Sources = append(old.Sources, in)
	old.Withdrawn = false
	s.lastRun[key] = run
	return catalog.Merged, nil
}

func (s *memStore) FinishRun(_ context.Context, run int64, rep catalog.Report) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	source := s.runSrc[run]
	n := 0
	// The contract as proposed: a complete run withdraws, unless the source
	// answered 304 Not Modified.
	if rep.Status == catalog.StatusComplete && !rep.NotModified {
		now := rep.Finished
		for id, r := range s.records {
			for i, p := range r.Sources {
				if p.Source == source && p.Withdrawn == nil && s.lastRun[id+"\x00"+source] != run {
					r.Sources[i].Withdrawn = &now
					n++
				}
			}
			all := true
			for _, p := range r.Sources {
				all = all && p.Withdrawn != nil
			}
			if all && !r.Withdrawn {
				r.Withdrawn, r.WithdrawnAt = true, &now
			}
		}
	}
	rep.Withdrawn = n
	s.runs[run] = rep
	return n, nil
}

func (s *memStore) SetValidators(_ context.Context, source, etag, lastModified string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.sources[source]
	src.ETag, src.LastModified = etag, lastModified
	s.sources[source] = src
	return nil
}

func (s *memStore) Dataset(_ context.Context, idOrIRI string) (catalog.Dataset, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[idOrIRI]; ok {
		return *r, nil
	}
	if r, ok := s.records[catalog.IDFor(idOrIRI)]; ok {
		return *r, nil
	}
	return catalog.Dataset{}, catalog.ErrNotFound
}

func (s *memStore) Run(_ context.Context, id int64) (catalog.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return catalog.Report{}, catalog.ErrNotFound
	}
	return r, nil
}
