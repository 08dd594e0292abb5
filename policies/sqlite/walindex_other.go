//go:build !linux

package sqlite

import "errors"

// walIndex is a view of a wal-index's header; where SQLite's mapping
// cannot be found it is never opened, and every freshness check reads
// PRAGMA data_version.
type walIndex struct{}

type walIndexHeader [12]uint64

func openWALIndex(path string) (*walIndex, error) {
	return nil, errors.New("no wal-index view on this system")
}

func (w *walIndex) read() (walIndexHeader, bool) { return walIndexHeader{}, false }
