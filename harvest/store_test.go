package harvest

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"samband/catalog"
	"samband/catalog/sqlite"
)

// testStore is the real SQLite store, counting the puts a test makes.
type testStore struct {
	*sqlite.Store
	puts atomic.Int64
}

func (s *testStore) Put(ctx context.Context, run int64, rec catalog.Dataset, seen time.Time) (catalog.PutOutcome, error) {
	s.puts.Add(1)
	return s.Store.Put(ctx, run, rec, seen)
}

// newStore opens a store in a file of the test's own.
func newStore(t *testing.T) *testStore {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &testStore{Store: st}
}

// records returns the records a source lists or listed (withdrawn too), by IRI.
func records(t *testing.T, st *testStore, source string) map[string]catalog.Dataset {
	t.Helper()
	out := map[string]catalog.Dataset{}
	for off := 0; ; off += 500 {
		page, err := st.Datasets(context.Background(), catalog.ListOptions{Limit: 500, Offset: off, IncludeWithdrawn: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			for _, p := range r.Sources {
				if p.Source == source {
					out[r.IRI] = r
				}
			}
		}
		if len(page.Items) < 500 {
			return out
		}
	}
}

// provenance returns a record's provenance of a source.
func provenance(r catalog.Dataset, source string) *catalog.SourceRecord {
	for i := range r.Sources {
		if r.Sources[i].Source == source {
			return &r.Sources[i]
		}
	}
	return nil
}
