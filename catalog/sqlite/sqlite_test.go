package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"samband/catalog"
	"samband/catalog/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	return st
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) catalog.Store { return openTemp(t) })
}
