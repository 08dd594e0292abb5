package audit

import (
	"fmt"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier holds, for each level of the tree of a log of size entries,
// the stored hash of the newest complete subtree at that level (the one
// with index size>>level - 1). Those are all the stored hashes an append
// (tlog.StoredHashesForRecordHash of record size) and the tree hash of the
// log (tlog.TreeHash of size) read, so the writer, which keeps the
// frontier of the log as its commits leave it, reads back none of the
// hashes it wrote. Stored hashes never change once committed, and the
// frontier is looked up by stored index: a hash it does not hold is read
// from the file.
type frontier struct {
	size  int64
	known uint64        // bit l: index[l] and hash[l] are set
	index [64]int64     // the stored index of the subtree at each level
	hash  [64]tlog.Hash // its hash
}

// add records the stored hashes of record n, as StoredHashesForRecordHash
// returned them (stored[l] is the hash of the subtree at level l that n
// completes). Levels above are kept when n is the frontier's size, since
// n does not change them, and forgotten otherwise.
func (f *frontier) add(n int64, stored []tlog.Hash) {
	if n != f.size {
		f.known = 0
	}
	for l, h := range stored {
		f.index[l] = tlog.StoredHashIndex(l, n>>uint(l))
		f.hash[l] = h
		f.known |= 1 << uint(l)
	}
	f.size = n + 1
}

// lookup returns the stored hash of index x if the frontier holds it.
func (f *frontier) lookup(x int64) (tlog.Hash, bool) {
	for k := f.known; k != 0; k &= k - 1 {
		l := bits.TrailingZeros64(k)
		if f.index[l] == x {
			return f.hash[l], true
		}
	}
	return tlog.Hash{}, false
}

// frontierReader reads stored hashes from a frontier, and those it does
// not hold from next.
type frontierReader struct {
	f    *frontier
	next tlog.HashReader
}

func (r frontierReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return readThrough(indexes, r.f.lookup, r.next)
}

// readThrough reads the stored hashes of indexes from have, and those
// have does not hold from next, in one call.
func readThrough(indexes []int64, have func(x int64) (tlog.Hash, bool), next tlog.HashReader) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int
	for i, x := range indexes {
		h, ok := have(x)
		if !ok {
			missing = append(missing, i)
			continue
		}
		out[i] = h
	}
	if len(missing) == 0 {
		return out, nil
	}
	xs := make([]int64, len(missing))
	for j, i := range missing {
		xs[j] = indexes[i]
	}
	hs, err := next.ReadHashes(xs)
	if err != nil {
		return nil, err
	}
	if len(hs) != len(xs) {
		return nil, fmt.Errorf("read %d stored hashes, got %d", len(xs), len(hs))
	}
	for j, i := range missing {
		out[i] = hs[j]
	}
	return out, nil
}
