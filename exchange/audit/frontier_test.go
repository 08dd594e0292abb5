package audit

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// hashMap is a tlog.HashReader over every stored hash, counting reads.
type hashMap struct {
	m     map[int64]tlog.Hash
	reads int
}

func (h *hashMap) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		v, ok := h.m[x]
		if !ok {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = v
		h.reads++
	}
	return out, nil
}

// TestFrontier appends records through a frontier and checks every stored
// hash and tree hash against those read from all stored hashes; after the
// first append, a frontier kept from the start reads nothing from the file,
// one loaded as Open loads it reads nothing either, and one that missed
// appends (a failed commit whose entries reached the file) reads what it
// lacks.
func TestFrontier(t *testing.T) {
	const n = 1100
	all := &hashMap{m: map[int64]tlog.Hash{}}
	var front frontier
	r := frontierReader{f: &front, next: all}
	for i := int64(0); i < n; i++ {
		rec := tlog.RecordHash([]byte(fmt.Sprint("entry ", i)))
		want, err := tlog.StoredHashesForRecordHash(i, rec, all)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tlog.StoredHashesForRecordHash(i, rec, r)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("record %d: stored hashes through the frontier differ", i)
		}
		front.add(i, got)
		for j, h := range got {
			all.m[tlog.StoredHashIndex(0, i)+int64(j)] = h
		}
		wantRoot, err := tlog.TreeHash(i+1, all)
		if err != nil {
			t.Fatal(err)
		}
		before := all.reads
		root, err := tlog.TreeHash(i+1, r)
		if err != nil {
			t.Fatal(err)
		}
		if root != wantRoot {
			t.Fatalf("TreeHash(%d) through the frontier = %v, want %v", i+1, root, wantRoot)
		}
		if all.reads != before {
			t.Fatalf("TreeHash(%d) read %d hashes from the file", i+1, all.reads-before)
		}
	}

	// A frontier loaded from the stored hashes at size n, as Open loads it.
	loaded := frontier{size: n}
	for lv := 0; n>>uint(lv) > 0; lv++ {
		x := tlog.StoredHashIndex(lv, n>>uint(lv)-1)
		loaded.index[lv], loaded.hash[lv] = x, all.m[x]
		loaded.known |= 1 << uint(lv)
	}
	// A frontier that missed the last three appends.
	var stale frontier
	for i := int64(0); i < n-3; i++ {
		hs, _ := tlog.StoredHashesForRecordHash(i, tlog.RecordHash([]byte(fmt.Sprint("entry ", i))), all)
		stale.add(i, hs)
	}
	for _, tc := range []struct {
		name      string
		f         frontier
		wantReads bool
	}{{"kept", front, false}, {"loaded", loaded, false}, {"stale", stale, true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			r := frontierReader{f: &f, next: all}
			rec := tlog.RecordHash([]byte("one more"))
			want, _ := tlog.StoredHashesForRecordHash(n, rec, all)
			got, err := tlog.StoredHashesForRecordHash(n, rec, r)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("StoredHashesForRecordHash(%d) = %v, %v; want %v", n, got, err, want)
			}
			wantRoot, _ := tlog.TreeHash(n, all)
			reads := all.reads
			root, err := tlog.TreeHash(n, r)
			if err != nil || root != wantRoot {
				t.Fatalf("TreeHash(%d) = %v, %v; want %v", n, root, err, wantRoot)
			}
			if read := all.reads > reads; read != tc.wantReads {
				t.Errorf("TreeHash(%d) read from the file: %v, want %v", n, read, tc.wantReads)
			}
		})
	}
}

// TestBatchHashes computes the stored hashes of records first, first+1,
// ..., with no frontier, from a file that holds only the hashes of the
// records before first and from the batch's own hashes, held as a commit
// holds them until it writes them all: every hash of the batch a later
// record or the tree hash reads comes from memory, since the file has
// none of them.
func TestBatchHashes(t *testing.T) {
	const n = 300
	rec := func(i int64) tlog.Hash { return tlog.RecordHash([]byte(fmt.Sprint("entry ", i))) }
	all := &hashMap{m: map[int64]tlog.Hash{}}
	for i := int64(0); i < n; i++ {
		hs, err := tlog.StoredHashesForRecordHash(i, rec(i), all)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hs {
			all.m[tlog.StoredHashIndex(0, i)+int64(j)] = h
		}
	}
	wantRoot, err := tlog.TreeHash(n, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, first := range []int64{0, 1, 5, 63, 64, 127, 200} {
		base := tlog.StoredHashIndex(0, first)
		file := &hashMap{m: map[int64]tlog.Hash{}}
		for x := range base {
			file.m[x] = all.m[x]
		}
		b := &batchHashes{base: base, next: file}
		for i := first; i < n; i++ {
			got, err := tlog.StoredHashesForRecordHash(i, rec(i), b)
			if err != nil {
				t.Fatalf("batch from %d: record %d: %v", first, i, err)
			}
			for j, h := range got {
				if x := tlog.StoredHashIndex(0, i) + int64(j); h != all.m[x] {
					t.Fatalf("batch from %d: stored hash %d = %v, want %v", first, x, h, all.m[x])
				}
			}
			b.hashes = append(b.hashes, got...)
		}
		if root, err := tlog.TreeHash(n, b); err != nil || root != wantRoot {
			t.Errorf("batch from %d: TreeHash(%d) = %v, %v; want %v", first, n, root, err, wantRoot)
		}
	}
}
