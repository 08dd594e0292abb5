package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"samband/internal/procstat"
	"samband/policies"
)

// checkSealed checks that checkpoint is signed by k and that its tree holds
// entry index of l, by an inclusion proof; it returns the tree.
func checkSealed(t *testing.T, l *Log, k testKeys, index int64, checkpoint []byte) tlog.Tree {
	t.Helper()
	tree := openTree(t, checkpoint, k)
	if tree.N <= index {
		t.Fatalf("sealed checkpoint of entry %d has size %d: it does not hold the entry", index, tree.N)
	}
	checkIncluded(t, l, tree, index)
	return tree
}

// checkIncluded checks by an inclusion proof that tree holds entry index of
// l, and returns the entry.
func checkIncluded(t *testing.T, l *Log, tree tlog.Tree, index int64) Entry {
	t.Helper()
	ctx := context.Background()
	e, err := l.Entry(ctx, index)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := e.Hash()
	p, err := l.InclusionProof(ctx, index, tree.N)
	if err != nil {
		t.Fatalf("InclusionProof(%d, %d): %v", index, tree.N, err)
	}
	if err := tlog.CheckRecord(p, tree.N, tree.Hash, index, h); err != nil {
		t.Fatalf("CheckRecord(%d) against the checkpoint of size %d: %v", index, tree.N, err)
	}
	return e
}

func TestAppendSealed(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), k)
	if cp, n := l.Latest(); cp != nil || n != 0 {
		t.Fatalf("Latest() of an empty log = %q, %d", cp, n)
	}
	fill(t, l, 10, 2)
	i, cp, err := l.AppendSealed(ctx, testEntry(10))
	if err != nil || i != 10 {
		t.Fatalf("AppendSealed = %d, %v; want 10", i, err)
	}
	tree := checkSealed(t, l, k, i, cp)
	if tree.N != 11 {
		t.Errorf("sealed size %d, want 11 (no one else appends)", tree.N)
	}
	if latest, n := l.Latest(); string(latest) != string(cp) || n != 11 {
		t.Errorf("Latest() = %d, want the sealed checkpoint at 11", n)
	}
	// The log's own verifier opens it, and no other key does.
	if _, err := note.Open(cp, note.VerifierList(l.Verifier())); err != nil {
		t.Errorf("note.Open with Verifier(): %v", err)
	}
	if _, err := note.Open(cp, note.VerifierList(newKeys(t).verifier)); err == nil {
		t.Error("the sealed checkpoint opens with another key")
	}
	// A sealed checkpoint is not stored; a later stored one is consistent with it.
	var stored int
	if err := l.rdb.QueryRow(`SELECT COUNT(*) FROM audit_checkpoints`).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("%d stored checkpoints after AppendSealed (%v), want 0", stored, err)
	}
	fill(t, l, 25, 3)
	later, size, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	laterTree := openTree(t, later, k)
	p, err := l.ConsistencyProof(ctx, tree.N, size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, laterTree.N, laterTree.Hash, tree.N, tree.Hash); err != nil {
		t.Errorf("CheckTree(sealed %d, stored %d): %v", tree.N, size, err)
	}
	if _, n := l.Latest(); n != size {
		t.Errorf("Latest() after Checkpoint = size %d, want %d", n, size)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// An entry that cannot be encoded is not appended and gets no checkpoint.
	bad := testEntry(1)
	bad.Subject = "not a hash"
	if _, cp, err := l.AppendSealed(ctx, bad); !errors.Is(err, ErrInvalidEntry) || cp != nil {
		t.Errorf("AppendSealed(invalid) = %q, %v; want ErrInvalidEntry", cp, err)
	}
	l.Close()
	if _, _, err := l.AppendSealed(ctx, testEntry(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("AppendSealed after Close = %v, want ErrClosed", err)
	}
}

// Many callers at once, sealed and not: every sealed caller gets a
// checkpoint that verifies and holds its entry.
func TestAppendSealedConcurrent(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), k)
	type sealed struct {
		index int64
		cp    []byte
	}
	const callers, each = 64, 4
	var mu sync.Mutex
	var got []sealed
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		wg.Go(func() {
			for j := range each {
				e := testEntry(c*each + j)
				if c%4 == 3 { // some callers need no checkpoint
					if _, err := l.Append(ctx, e); err != nil {
						errs <- err
						return
					}
					continue
				}
				i, cp, err := l.AppendSealed(ctx, e)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, sealed{i, cp})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	if len(got) != callers*each*3/4 || l.Size() != callers*each {
		t.Fatalf("%d sealed appends, size %d", len(got), l.Size())
	}
	distinct := map[string]bool{}
	for _, s := range got {
		checkSealed(t, l, k, s.index, s.cp)
		distinct[string(s.cp)] = true
	}
	t.Logf("%d sealed appends got %d distinct checkpoints", len(got), len(distinct))
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestPending(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	k := newKeys(t)
	l, err := Open(ctx, path, k.signer, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if n, since := l.Pending(); n != 0 || !since.IsZero() {
		t.Fatalf("Pending() of an empty log = %d, %v", n, since)
	}
	before := time.Now()
	fill(t, l, 5, 1)
	n, since := l.Pending()
	if n != 5 || since.Before(before) || since.After(time.Now()) {
		t.Fatalf("Pending() after 5 appends = %d, %v; want 5 since the first commit", n, since)
	}
	fill(t, l, 3, 1)
	if n2, since2 := l.Pending(); n2 != 8 || !since2.Equal(since) {
		t.Errorf("Pending() after 3 more = %d, %v; want 8 since %v", n2, since2, since)
	}
	// A sealed checkpoint is not stored: the entries still wait.
	if _, _, err := l.AppendSealed(ctx, testEntry(9)); err != nil {
		t.Fatal(err)
	}
	if n, _ := l.Pending(); n != 9 {
		t.Errorf("Pending() after AppendSealed = %d, want 9", n)
	}
	if _, _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if n, since := l.Pending(); n != 0 || !since.IsZero() {
		t.Errorf("Pending() after Checkpoint = %d, %v; want none", n, since)
	}
	fill(t, l, 2, 1)
	l.Close()
	l = openTest(t, path, k)
	if n, since := l.Pending(); n != 2 || since.IsZero() {
		t.Errorf("Pending() after reopening = %d, %v; want 2 since Open", n, since)
	}
}

// person returns a distinct subject hash for n.
func person(n int) policies.Subject {
	return policies.Subject(fmt.Sprintf("%064x", n+1))
}

func TestBySubject(t *testing.T) {
	ctx := context.Background()
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	anna, bo, cai := person(1), person(2), person(3)
	// index: subject, representative
	plan := []struct{ subject, rep policies.Subject }{
		{anna, ""},   // 0
		{bo, ""},     // 1
		{bo, anna},   // 2: anna acts for bo
		{anna, anna}, // 3: anna for herself
		{cai, bo},    // 4
		{"", ""},     // 5: no one
		{anna, ""},   // 6
		{bo, ""},     // 7
		{anna, cai},  // 8
	}
	for i, p := range plan {
		e := testEntry(i)
		e.Subject, e.Representative = p.subject, p.rep
		if x, err := l.Append(ctx, e); err != nil || x != int64(i) {
			t.Fatalf("Append(%d) = %d, %v", i, x, err)
		}
	}
	type row struct {
		index int64
		role  int
	}
	page := func(s policies.Subject, before int64, limit int) []row {
		t.Helper()
		got, err := l.BySubject(ctx, s, before, limit)
		if err != nil {
			t.Fatalf("BySubject(%.6s, %d, %d): %v", s, before, limit, err)
		}
		var out []row
		for _, x := range got {
			want := testEntry(int(x.Index))
			want.Subject, want.Representative = plan[x.Index].subject, plan[x.Index].rep
			if x.Entry != want {
				t.Errorf("BySubject: entry %d = %+v, want %+v", x.Index, x.Entry, want)
			}
			out = append(out, row{x.Index, x.Role})
		}
		return out
	}
	tests := []struct {
		name   string
		s      policies.Subject
		before int64
		limit  int
		want   []row
	}{
		{"anna, all", anna, 0, 100, []row{{8, RoleSubject}, {6, RoleSubject}, {3, RoleSubject}, {2, RoleRepresentative}, {0, RoleSubject}}},
		{"anna, first page", anna, 0, 2, []row{{8, RoleSubject}, {6, RoleSubject}}},
		{"anna, second page", anna, 6, 2, []row{{3, RoleSubject}, {2, RoleRepresentative}}},
		{"anna, last page", anna, 2, 2, []row{{0, RoleSubject}}},
		{"anna, past the start", anna, 1 << 40, 1, []row{{8, RoleSubject}}},
		{"bo", bo, -1, 10, []row{{7, RoleSubject}, {4, RoleRepresentative}, {2, RoleSubject}, {1, RoleSubject}}},
		{"cai", cai, 0, 10, []row{{8, RoleRepresentative}, {4, RoleSubject}}},
		{"no one", person(99), 0, 10, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := page(tc.s, tc.before, tc.limit); !slices.Equal(got, tc.want) {
				t.Errorf("BySubject(%.6s, %d, %d) = %v, want %v", tc.s, tc.before, tc.limit, got, tc.want)
			}
		})
	}
	for _, limit := range []int{0, -1, MaxBySubject + 1} {
		if _, err := l.BySubject(ctx, anna, 0, limit); err == nil {
			t.Errorf("BySubject(limit %d) succeeded", limit)
		}
	}
	for _, s := range []policies.Subject{"", "19056512345", policies.Subject(strings.Repeat("AB", 32))} {
		if _, err := l.BySubject(ctx, s, 0, 10); err == nil {
			t.Errorf("BySubject(%q) succeeded", s)
		}
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestSince(t *testing.T) {
	ctx := context.Background()
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	base := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	// Entry i at base + offsets[i] seconds: nearly, not strictly, in order.
	offsets := []int{0, 10, 20, 30, 100, 95, 110, 150, 149, 200}
	for i := range 600 { // older entries, many chunks of them
		e := testEntry(i)
		e.Time = base.Add(-time.Hour + time.Duration(i)*time.Millisecond)
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range offsets {
		e := testEntry(i)
		e.Time = base.Add(time.Duration(s) * time.Second)
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	since := func(at time.Time) []int64 {
		var got []int64
		if err := l.Since(ctx, at, func(i int64, e Entry) error {
			if e.Time.Before(at) {
				t.Errorf("Since(%v) gave entry %d of %v", at, i, e.Time)
			}
			got = append(got, i)
			return nil
		}); err != nil {
			t.Fatalf("Since(%v): %v", at, err)
		}
		return got
	}
	tests := []struct {
		at   time.Duration
		want []int64
	}{
		{100 * time.Second, []int64{609, 608, 607, 606, 604}},          // 605 (95 s) is older: left out, read past
		{96 * time.Second, []int64{609, 608, 607, 606, 604}},           // idem
		{95 * time.Second, []int64{609, 608, 607, 606, 605, 604}},      // 605 in
		{150 * time.Second, []int64{609, 607}},                         // 608 at 149 s left out
		{201 * time.Second, nil},                                       // nothing that new
		{25 * time.Second, []int64{609, 608, 607, 606, 605, 604, 603}}, // read on past 20 s, 10 s and 0 s; stopped by the hour-old ones
	}
	for _, tc := range tests {
		if got := since(base.Add(tc.at)); !slices.Equal(got, tc.want) {
			t.Errorf("Since(base+%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	// An error of fn stops Since, which returns it.
	var calls int
	stopErr := errors.New("stop")
	err := l.Since(ctx, base.Add(-time.Hour), func(i int64, e Entry) error {
		calls++
		if calls == 3 {
			return stopErr
		}
		return nil
	})
	if !errors.Is(err, stopErr) || calls != 3 {
		t.Errorf("Since with fn failing = %v after %d calls, want fn's error after 3", err, calls)
	}
	var all int
	if err := l.Since(ctx, time.Time{}, func(int64, Entry) error { all++; return nil }); err != nil || all != 610 {
		t.Errorf("Since(zero) = %d entries, %v; want 610", all, err)
	}
}

// A log written before the subject index (schema version 1) gets its
// index filled from its entries when opened.
func TestMigrateFillsSubjectIndex(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	// Version 1 by hand: its schema, and entries and hashes as its writer
	// wrote them.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0].sql); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE audit_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL DEFAULT '');
		INSERT INTO audit_migrations(version) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	const n = 700 // more than a chunk
	var hashes []tlog.Hash
	reader := tlog.HashReaderFunc(func(xs []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(xs))
		for i, x := range xs {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i := range n {
		e := testEntry(i)
		e.Subject = person(i % 5)
		if i%3 == 0 {
			e.Representative = person(i%7 + 10)
		}
		if i%11 == 0 {
			e.Subject = ""
		}
		data, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO audit_entries("index", data) VALUES (?, ?)`, i, data); err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(int64(i), data, reader)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hs {
			if _, err := db.Exec(`INSERT INTO audit_hashes("index", hash) VALUES (?, ?)`, len(hashes)+j, h[:]); err != nil {
				t.Fatal(err)
			}
		}
		hashes = append(hashes, hs...)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	l := openTest(t, path, k)
	if l.Size() != n {
		t.Fatalf("Size() = %d, want %d", l.Size(), n)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify after the migration: %v", err)
	}
	// person(2) is the subject of every i%5 == 2 but i%11 == 0, and the
	// representative of none (representatives are person(10..16)).
	var want []int64
	for i := n - 1; i >= 0; i-- {
		if i%5 == 2 && i%11 != 0 {
			want = append(want, int64(i))
		}
	}
	var got []int64
	for before := int64(0); ; {
		page, err := l.BySubject(ctx, person(2), before, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, x := range page {
			got = append(got, x.Index)
		}
		before = page[len(page)-1].Index
	}
	if !slices.Equal(got, want) {
		t.Errorf("BySubject(person 2) after the migration: %d entries, want %d", len(got), len(want))
	}
	reps, err := l.BySubject(ctx, person(13), 0, MaxBySubject)
	if err != nil || len(reps) == 0 {
		t.Fatalf("BySubject(representative) = %d, %v", len(reps), err)
	}
	for _, x := range reps {
		if x.Role != RoleRepresentative || x.Index%3 != 0 {
			t.Errorf("representative's entry %d role %d", x.Index, x.Role)
		}
	}
	// New entries go on into the index.
	e := testEntry(1)
	e.Subject = person(2)
	i, err := l.Append(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if page, err := l.BySubject(ctx, person(2), 0, 1); err != nil || len(page) != 1 || page[0].Index != i {
		t.Errorf("BySubject after an append = %v, %v; want entry %d", page, err, i)
	}
}

func BenchmarkAppendSealedSerial(b *testing.B) {
	l := openTest(b, filepath.Join(b.TempDir(), "audit.db"), newKeys(b))
	ctx := context.Background()
	e := testEntry(3)
	cpu := procstat.CPU()
	for b.Loop() {
		if _, _, err := l.AppendSealed(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	reportEntries(b, cpu)
}

func BenchmarkAppendSealedParallel(b *testing.B) {
	benchmarkAppendSealedParallel(b, 8) // 8 × GOMAXPROCS callers, as under load
}

// BenchmarkAppendSealedParallel64: four times the callers share each
// commit, so more entries are durable per fsync.
func BenchmarkAppendSealedParallel64(b *testing.B) {
	benchmarkAppendSealedParallel(b, 64/runtime.GOMAXPROCS(0))
}

func benchmarkAppendSealedParallel(b *testing.B, parallelism int) {
	l := openTest(b, filepath.Join(b.TempDir(), "audit.db"), newKeys(b))
	ctx := context.Background()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	cpu := procstat.CPU()
	b.RunParallel(func(pb *testing.PB) {
		e := testEntry(3)
		e.Representative = person(4)
		for pb.Next() {
			if _, _, err := l.AppendSealed(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportEntries(b, cpu)
}
