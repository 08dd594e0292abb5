package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"samband/internal/procstat"
	"samband/policies"
)

type testKeys struct {
	signer   note.Signer
	verifier note.Verifier
}

func newKeys(t testing.TB) testKeys {
	t.Helper()
	skey, vkey, err := GenerateKey("gateway.example.no")
	if err != nil {
		t.Fatal(err)
	}
	return parseKeys(t, skey, vkey)
}

// parseKeys returns the keys of GenerateKey's skey and vkey.
func parseKeys(t testing.TB, skey, vkey string) testKeys {
	t.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return testKeys{s, v}
}

func openTest(t testing.TB, path string, k testKeys) *Log {
	t.Helper()
	l, err := Open(context.Background(), path, k.signer, k.verifier)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// fill appends n entries from workers goroutines and returns their indices.
func fill(t testing.TB, l *Log, n, workers int) []int64 {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				x, err := l.Append(ctx, testEntry(i))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, x)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	return got
}

// openTree opens a signed checkpoint and returns its tree.
func openTree(t *testing.T, signed []byte, k testKeys) tlog.Tree {
	t.Helper()
	msg, err := note.Open(signed, note.VerifierList(k.verifier))
	if err != nil {
		t.Fatalf("note.Open(checkpoint): %v", err)
	}
	tree, err := tlog.ParseTree([]byte(msg.Text))
	if err != nil {
		t.Fatalf("ParseTree: %v", err)
	}
	return tree
}

func TestAppendConcurrent(t *testing.T) {
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	const n = 1000
	got := fill(t, l, n, 8)
	seen := make([]bool, n)
	for _, x := range got {
		if x < 0 || x >= n || seen[x] {
			t.Fatalf("Append returned index %d twice or out of range", x)
		}
		seen[x] = true
	}
	if len(got) != n || l.Size() != n {
		t.Fatalf("%d indices, Size() = %d, want %d", len(got), l.Size(), n)
	}
	if err := l.Verify(context.Background(), nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestProofs(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), k)
	fill(t, l, 37, 4)
	old, oldSize, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, l, 100, 4)
	cur, size, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldTree, tree := openTree(t, old, k), openTree(t, cur, k)
	if oldTree.N != oldSize || tree.N != size || size != 137 {
		t.Fatalf("checkpoint sizes %d, %d; want %d, 137", oldTree.N, tree.N, oldSize)
	}
	for _, i := range []int64{0, 1, 36, 64, 100, 136} {
		e, err := l.Entry(ctx, i)
		if err != nil {
			t.Fatalf("Entry(%d): %v", i, err)
		}
		h, err := e.Hash()
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.InclusionProof(ctx, i, size)
		if err != nil {
			t.Fatalf("InclusionProof(%d, %d): %v", i, size, err)
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, i, h); err != nil {
			t.Errorf("CheckRecord(entry %d): %v", i, err)
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, i, tlog.RecordHash([]byte("other"))); err == nil {
			t.Errorf("CheckRecord(entry %d) of another hash succeeded", i)
		}
	}
	p, err := l.ConsistencyProof(ctx, oldSize, size)
	if err != nil {
		t.Fatalf("ConsistencyProof(%d, %d): %v", oldSize, size, err)
	}
	if err := tlog.CheckTree(p, tree.N, tree.Hash, oldTree.N, oldTree.Hash); err != nil {
		t.Errorf("CheckTree: %v", err)
	}
	for _, r := range [][2]int64{{0, 10}, {5, 200}, {10, 5}} {
		if _, err := l.ConsistencyProof(ctx, r[0], r[1]); !errors.Is(err, ErrRange) {
			t.Errorf("ConsistencyProof(%d, %d) = %v, want ErrRange", r[0], r[1], err)
		}
	}
	for _, r := range [][2]int64{{-1, 10}, {10, 10}, {5, 200}} {
		if _, err := l.InclusionProof(ctx, r[0], r[1]); !errors.Is(err, ErrRange) {
			t.Errorf("InclusionProof(%d, %d) = %v, want ErrRange", r[0], r[1], err)
		}
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestDurable(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l, err := Open(ctx, path, k.signer, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, l, 50, 5)
	if _, _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, testEntry(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	l = openTest(t, path, k)
	if l.Size() != 50 {
		t.Fatalf("Size() after reopen = %d, want 50", l.Size())
	}
	e, err := l.Entry(ctx, 49)
	if err != nil {
		t.Fatal(err)
	}
	if e.RequestID == "" || e.Subject != testSubject {
		t.Errorf("Entry(49) = %+v", e)
	}
	if x, err := l.Append(ctx, testEntry(50)); err != nil || x != 50 {
		t.Fatalf("Append after reopen = %d, %v; want 50", x, err)
	}
	// The writer's tree after a reopen is the file's: a sealed append's
	// checkpoint is the one Checkpoint signs from the stored hashes.
	x, sealed, err := l.AppendSealed(ctx, testEntry(51))
	if err != nil || x != 51 {
		t.Fatalf("AppendSealed after reopen = %d, %v; want 51", x, err)
	}
	if stored, _, err := l.Checkpoint(ctx); err != nil || string(stored) != string(sealed) {
		t.Errorf("Checkpoint = %q, %v; want the sealed append's %q", stored, err, sealed)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestAppendsRacingClose closes the log while callers append: each append
// either returns its index, and the reopened log holds that entry there,
// or returns ErrClosed, and the log holds it nowhere.
func TestAppendsRacingClose(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	const callers = 32
	var mu sync.Mutex
	acked := map[int64]string{} // index -> request id
	refused := 0
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := 0; ; i++ {
				e := testEntry(i)
				e.RequestID = fmt.Sprintf("caller-%d-%d", c, i)
				x, err := l.Append(ctx, e)
				mu.Lock()
				switch {
				case err == nil:
					acked[x] = e.RequestID
				case errors.Is(err, ErrClosed):
					refused++
				default:
					t.Errorf("Append: %v", err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	for l.Size() < 300 {
		time.Sleep(time.Millisecond)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if refused != callers {
		t.Errorf("%d appends refused, want one a caller (%d)", refused, callers)
	}
	l = openTest(t, path, k)
	if got := l.Size(); got != int64(len(acked)) {
		t.Fatalf("reopened size %d, want the %d acknowledged entries", got, len(acked))
	}
	for x, id := range acked {
		e, err := l.Entry(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		if e.RequestID != id {
			t.Fatalf("entry %d is %q, want %q", x, e.RequestID, id)
		}
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want string
	}{
		{"entry byte", "", "entry 123"},
		{"inner hash", `UPDATE audit_hashes SET hash = zeroblob(32) WHERE "index" = 40`, "stored hash 40 (tree node above entry 21)"},
		{"leaf hash", `UPDATE audit_hashes SET hash = zeroblob(32) WHERE "index" = 41`, "entry 22"},
		{"deleted entry", `DELETE FROM audit_entries WHERE "index" = 7`, "entry"},
		{"deleted subject row", `DELETE FROM audit_subjects WHERE "index" = 17 AND role = 0`, "subject index: the row of entry 17's subject"},
		{"added subject row", `INSERT INTO audit_subjects(subject, role, "index") VALUES ('` + testSubject + `', 1, 30)`,
			"subject index: a row names 5d41402abc4b… as representative of entry 30"},
		{"changed subject row", `UPDATE audit_subjects SET subject = '` + strings.Repeat("0", 64) + `' WHERE "index" = 30 AND role = 0`,
			"subject index: the row of entry 30's subject"},
		{"checkpoint text", `UPDATE audit_checkpoints SET text = CAST(replace(CAST(text AS TEXT), 'go.sum database tree', 'go.sum database treE') AS BLOB)`, "signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			k := newKeys(t)
			path := filepath.Join(t.TempDir(), "audit.db")
			l := openTest(t, path, k)
			fill(t, l, 200, 4)
			if _, _, err := l.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			if err := l.Verify(ctx, nil); err != nil {
				t.Fatalf("Verify before tampering: %v", err)
			}
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if tc.sql == "" {
				flipByte(t, db, 123, 50)
			} else {
				res, err := db.Exec(tc.sql)
				if err != nil {
					t.Fatalf("tamper: %v", err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("tamper changed %d rows, want 1", n)
				}
			}
			err = l.Verify(ctx, nil)
			if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify after tampering = %v, want ErrTampered naming %q", err, tc.want)
			}
		})
	}
}

// flipByte changes one bit of byte at of entry index, through db.
func flipByte(t *testing.T, db *sql.DB, index int64, at int) {
	t.Helper()
	var data []byte
	if err := db.QueryRow(`SELECT data FROM audit_entries WHERE "index" = ?`, index).Scan(&data); err != nil {
		t.Fatal(err)
	}
	data[at] ^= 1
	if _, err := db.Exec(`UPDATE audit_entries SET data = ? WHERE "index" = ?`, data, index); err != nil {
		t.Fatal(err)
	}
}

func TestRunSignsWhileGrowing(t *testing.T) {
	k := newKeys(t)
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), k)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx, time.Millisecond) }()
	fill(t, l, 20, 2)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		cp := l.cpSize
		l.mu.Unlock()
		if cp == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint at size 20 from Run; latest at %d", cp)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	var calls []int64
	if err := l.Verify(context.Background(), func(n int64) { calls = append(calls, n) }); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != 20 {
		t.Errorf("Verify progress calls %v, want ending at 20", calls)
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	k, other := newKeys(t), newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	if _, err := Open(ctx, path, k.signer, other.verifier); err == nil {
		t.Error("Open with a verifier of another key succeeded")
	}
	if _, err := Open(ctx, "", k.signer, k.verifier); err == nil {
		t.Error("Open of an empty path succeeded")
	}
	l, err := Open(ctx, path, k.signer, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, testEntry(1)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := Open(ctx, path, other.signer, other.verifier); err == nil || !strings.Contains(err.Error(), "another key") {
		t.Errorf("Open with another key of a log with a checkpoint = %v, want refusal", err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO audit_migrations(version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path, k.signer, k.verifier); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema = %v, want refusal", err)
	}
}

func TestAppendInvalidEntry(t *testing.T) {
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	e := testEntry(1)
	e.Subject = "19056512345"
	if _, err := l.Append(context.Background(), e); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("Append of a raw identifier = %v, want ErrInvalidEntry", err)
	}
	if l.Size() != 0 {
		t.Errorf("Size() = %d, want 0", l.Size())
	}
}

func BenchmarkAppendParallel(b *testing.B) {
	l := openTest(b, filepath.Join(b.TempDir(), "audit.db"), newKeys(b))
	ctx := context.Background()
	b.SetParallelism(8) // 8 × GOMAXPROCS callers, as under load
	b.ResetTimer()
	cpu := procstat.CPU()
	b.RunParallel(func(pb *testing.PB) {
		e := testEntry(3)
		for pb.Next() {
			if _, err := l.Append(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportEntries(b, cpu)
}

func BenchmarkAppendSerial(b *testing.B) {
	l := openTest(b, filepath.Join(b.TempDir(), "audit.db"), newKeys(b))
	ctx := context.Background()
	e := testEntry(3)
	cpu := procstat.CPU()
	for b.Loop() {
		if _, err := l.Append(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	reportEntries(b, cpu)
}

// reportEntries reports entries a second and the CPU time of the process
// per entry since since (callers and writer together): on a machine
// shared with other work, the CPU time moves less than the wall time.
func reportEntries(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(procstat.CPU()-since)/float64(time.Microsecond)/float64(b.N), "cpu-µs/entry")
}

// Under load, an entry waits up to the commit delay for company: two
// appends 20 ms apart share one commit, so one checkpoint. An idle log
// commits at once, whatever the delay; with none, the two commit apart.
func TestCommitDelay(t *testing.T) {
	ctx := context.Background()
	sizeOf := func(t *testing.T, cp []byte) string {
		t.Helper()
		lines := strings.SplitN(string(cp), "\n", 3)
		if len(lines) < 3 {
			t.Fatalf("checkpoint %q", cp)
		}
		return lines[1]
	}
	// busy appends from 16 callers for a while at commit delay busyDelay,
	// so that the log's rate says it is busy, then sets the commit delay
	// and makes two sealed appends 20 ms apart; it returns the tree sizes
	// of their checkpoints.
	busyThenTwo := func(t *testing.T, l *Log, busyDelay, delay time.Duration) (string, string) {
		l.SetCommitDelay(busyDelay)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 20 {
					if _, err := l.Append(ctx, testEntry(1)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		l.SetCommitDelay(delay)
		var first, second []byte
		var err1, err2 error
		wg.Go(func() { _, first, err1 = l.AppendSealed(ctx, testEntry(2)) })
		time.Sleep(20 * time.Millisecond)
		wg.Go(func() { _, second, err2 = l.AppendSealed(ctx, testEntry(3)) })
		wg.Wait()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		return sizeOf(t, first), sizeOf(t, second)
	}

	t.Run("busy", func(t *testing.T) {
		l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
		if a, b := busyThenTwo(t, l, 0, 500*time.Millisecond); a != b {
			t.Errorf("two appends 20 ms apart under load got checkpoints of sizes %s and %s; want one commit", a, b)
		}
	})
	t.Run("none", func(t *testing.T) {
		l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
		if a, b := busyThenTwo(t, l, 0, 0); a == b {
			t.Errorf("without a commit delay, two appends 20 ms apart shared a commit (size %s)", a)
		}
	})
	// lone appends n entries one after another and returns how many took
	// longer than slow.
	lone := func(t *testing.T, l *Log, n int, slow time.Duration) int {
		waited := 0
		for i := range n {
			start := time.Now()
			if _, _, err := l.AppendSealed(ctx, testEntry(i)); err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > slow {
				waited++
			}
		}
		return waited
	}
	t.Run("lone caller", func(t *testing.T) {
		// One caller, one entry after another, as fast as the log
		// answers: busy by the rate, but no one else's entry can come
		// while its own waits. After two waits that gained nothing, the
		// log commits at once.
		l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
		l.SetCommitDelay(300 * time.Millisecond)
		if waited := lone(t, l, 40, 200*time.Millisecond); waited > 2 {
			t.Errorf("%d of 40 appends from a lone caller waited for company; want at most 2", waited)
		}
	})
	t.Run("company returns", func(t *testing.T) {
		// After a lone caller taught the log that waits gain nothing,
		// concurrent callers make it wait again.
		l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
		l.SetCommitDelay(300 * time.Millisecond)
		lone(t, l, 10, 200*time.Millisecond)
		if a, b := busyThenTwo(t, l, 20*time.Millisecond, 500*time.Millisecond); a != b {
			t.Errorf("two appends 20 ms apart under load, after a lone caller, got checkpoints of sizes %s and %s; want one commit", a, b)
		}
	})
	t.Run("idle", func(t *testing.T) {
		l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
		// An entry every half second: fewer than one expected in 400 ms.
		l.SetCommitDelay(400 * time.Millisecond)
		for i := range 4 {
			start := time.Now()
			if _, err := l.Append(ctx, testEntry(i)); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 300*time.Millisecond {
				t.Fatalf("append %d on an idle log took %v: it waited for company", i, d)
			}
			time.Sleep(500 * time.Millisecond)
		}
	})
}

// TestCommitFailureFollowsCommits: when the file refuses entries (here
// the writer's connection may not grow it, as on a full disk), appends go
// on, durable in the journal, and CommitFailure says when and why the
// applier fails; reads of the entries the file lacks fail, saying so.
// Once the journal is full, appends fail, saying it is. Once the file may
// grow again the applier catches up, CommitFailure is nil, appends
// succeed, and the log verifies, with every entry the journal took.
func TestCommitFailureFollowsCommits(t *testing.T) {
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 64 * journalBlock
	ctx := context.Background()
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	fill(t, l, 10, 1)
	if _, err := l.CommitFailure(); err != nil {
		t.Fatalf("CommitFailure after good commits = %v, want nil", err)
	}
	limitPages(t, l)
	// The pages there are have some room left: append until it is gone,
	// and then until the journal is full.
	var appendErr error
	for i := 10; i < 10_000 && appendErr == nil; i++ {
		_, appendErr = l.Append(ctx, testEntry(i))
	}
	if appendErr == nil || !strings.Contains(appendErr.Error(), "journal is full") || !strings.Contains(appendErr.Error(), "database or disk is full") {
		t.Fatalf("Append with the file at its page limit = %v, want the journal is full, and why: database or disk is full", appendErr)
	}
	if at, err := l.CommitFailure(); err == nil || !strings.Contains(err.Error(), "full") || time.Since(at) > time.Minute {
		t.Errorf("CommitFailure after a failed commit = %v, %v, want database or disk is full, just now", at, err)
	}
	size := l.Size()
	l.amu.Lock()
	applied := l.applied
	l.amu.Unlock()
	if size-applied < 32 {
		t.Fatalf("the journal took %d entries the file refused (size %d, applied %d), want one a block, 63 at most", size-applied, size, applied)
	}
	if _, err := l.Entry(ctx, size-1); err == nil || !strings.Contains(err.Error(), "not yet in the file") {
		t.Errorf("Entry(%d), in the journal only = %v, want not yet in the file", size-1, err)
	}
	if _, err := l.Entry(ctx, applied-1); err != nil {
		t.Errorf("Entry(%d), in the file = %v", applied-1, err)
	}
	if _, err := l.wdb.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	// The applier, trying again, catches up.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if err := l.stored(ctx, size); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the file 10 s after it may grow: %v", err)
		}
	}
	x, err := l.Append(ctx, testEntry(int(size)))
	if err != nil || x != size {
		t.Fatalf("Append once the file may grow = %d, %v, want %d, nil", x, err, size)
	}
	if at, err := l.CommitFailure(); err != nil || !at.IsZero() {
		t.Errorf("CommitFailure after a commit succeeded again = %v, %v, want nil", at, err)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Errorf("Verify after the failed commits: %v", err)
	}
	if e, err := l.Entry(ctx, size-1); err != nil || e.RequestID != testEntry(int(size-1)).RequestID {
		t.Errorf("Entry(%d) once applied = %+v, %v, want the entry appended", size-1, e, err)
	}
}

// limitPages keeps the file of l to the pages it has (max_page_count, a
// setting of the connection: the writer's, the one connection of l.wdb,
// which the applier uses), as a full disk would: the applier fails once
// what room they have is gone.
func limitPages(t testing.TB, l *Log) {
	t.Helper()
	ctx := context.Background()
	var pages int64
	if err := l.wdb.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := l.wdb.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.FormatInt(pages, 10)); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCommit measures the log's own work per entry: commits of
// batches of a given size, sealed, entries with a subject and a
// representative, run by the benchmark itself (no append runs, so the
// writer goroutine is idle), each one frame written to the journal and
// synced, and the applier's transactions, on a connection that does not
// sync (its sync costs the same whatever the log does, and would drown
// the rest). cpu-µs/entry is the process's CPU: the writer's, the
// applier's and the journal's syncs.
func BenchmarkCommit(b *testing.B) {
	for _, size := range []int{1, 6, 64, 512} {
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			l := openTest(b, filepath.Join(b.TempDir(), "audit.db"), newKeys(b))
			if _, err := l.wdb.Exec("PRAGMA synchronous = OFF"); err != nil {
				b.Fatal(err)
			}
			batch := make([]appendReq, size)
			for i := range batch {
				e := testEntry(i)
				e.Representative = person(4)
				data, err := e.MarshalBinary()
				if err != nil {
					b.Fatal(err)
				}
				batch[i] = appendReq{data: data, hash: tlog.RecordHash(data), subject: string(e.Subject), representative: string(e.Representative)}
			}
			var first int64
			cpu := procstat.CPU()
			for b.Loop() {
				if _, err := l.commit(first, batch, true); err != nil {
					b.Fatal(err)
				}
				first += int64(size)
			}
			l.mu.Lock()
			l.size = first
			l.mu.Unlock()
			if err := l.stored(context.Background(), first); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(procstat.CPU()-cpu)/float64(time.Microsecond)/float64(first), "cpu-µs/entry")
		})
	}
}

// TestCommitBatchSizes: batches whose rows cross the sizes of the
// writer's INSERTs (see maxChunk), of entries with a subject, a
// representative, both or neither (so a batch's subject rows are not its
// entries), committed as such by the writer's commit and, between them,
// appended by callers one after another and many at once, leave a log
// that verifies: every sealed tree hash is the stored tree's, every entry
// is the one appended and proves into the latest checkpoint, the subject
// index finds each entry under each of its people and no other, and the
// log reopens and grows on.
func TestCommitBatchSizes(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	// entry(tag): person(2·tag) as subject when tag%4 is 0 or 1,
	// person(2·tag+1) as representative when tag%4 is 1 or 2.
	entry := func(tag int) Entry {
		e := testEntry(tag)
		e.Subject, e.Representative = "", ""
		if tag%4 <= 1 {
			e.Subject = person(2 * tag)
		}
		if tag%4 == 1 || tag%4 == 2 {
			e.Representative = person(2*tag + 1)
		}
		return e
	}
	var mu sync.Mutex
	tags := map[int64]int{} // the tag of the entry at each index
	nextTag := 0
	took := func(index int64, tag int) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := tags[index]; ok {
			t.Errorf("index %d given twice", index)
		}
		tags[index] = tag
	}
	commitBatch := func(size int) {
		t.Helper()
		first := l.Size()
		batch := make([]appendReq, size)
		for j := range batch {
			data, err := entry(nextTag).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			batch[j] = appendReq{data: data, hash: tlog.RecordHash(data),
				subject: string(entry(nextTag).Subject), representative: string(entry(nextTag).Representative)}
			took(first+int64(j), nextTag)
			nextTag++
		}
		// The writer is idle between appends: the test is the writer.
		root, err := l.commit(first, batch, true)
		if err != nil {
			t.Fatalf("commit of %d entries at %d: %v", size, first, err)
		}
		l.mu.Lock()
		l.size = first + int64(size)
		l.mu.Unlock()
		if err := l.stored(ctx, first+int64(size)); err != nil {
			t.Fatal(err)
		}
		var stored tlog.Hash
		if err := l.readHashes(ctx, func(r tlog.HashReader) (err error) {
			stored, err = tlog.TreeHash(first+int64(size), r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if root != stored {
			t.Errorf("commit of %d entries at %d sealed tree hash %v, the stored hashes give %v", size, first, root, stored)
		}
		// The writer's frontier is the one Open would load from the file:
		// the next commit reads no hash back.
		f := l.front
		if f.size != l.Size() {
			t.Fatalf("commit of %d entries at %d left a frontier of size %d, want %d", size, first, f.size, l.Size())
		}
		for lv := 0; f.size>>uint(lv) > 0; lv++ {
			x := tlog.StoredHashIndex(lv, f.size>>uint(lv)-1)
			var want []tlog.Hash
			if err := l.readHashes(ctx, func(r tlog.HashReader) (err error) {
				want, err = r.ReadHashes([]int64{x})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if h, ok := f.lookup(x); !ok || h != want[0] {
				t.Fatalf("commit of %d entries at %d: frontier's stored hash %d = %v, %v; want %v", size, first, x, h, ok, want[0])
			}
		}
	}
	for _, size := range []int{1, 2, 3, 7, 64, 65, 127, 128, 129, maxBatch} {
		commitBatch(size)
		for range 3 {
			want := l.Size()
			x, err := l.Append(ctx, entry(nextTag))
			if err != nil || x != want {
				t.Fatalf("Append = %d, %v; want %d", x, err, want)
			}
			took(x, nextTag)
			nextTag++
		}
	}
	// Many callers at once, sealed and not: the writer's own batches.
	l.SetCommitDelay(5 * time.Millisecond)
	const callers, each = 32, 8
	type sealed struct {
		index int64
		cp    []byte
	}
	var seals []sealed
	var wg sync.WaitGroup
	for c := range callers {
		first := nextTag + c*each
		wg.Go(func() {
			for tag := first; tag < first+each; tag++ {
				if c%2 == 0 {
					x, err := l.Append(ctx, entry(tag))
					if err != nil {
						t.Error(err)
						return
					}
					took(x, tag)
					continue
				}
				x, cp, err := l.AppendSealed(ctx, entry(tag))
				if err != nil {
					t.Error(err)
					return
				}
				took(x, tag)
				mu.Lock()
				seals = append(seals, sealed{x, cp})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	nextTag += callers * each
	if t.Failed() {
		t.FailNow()
	}
	for _, s := range seals {
		checkSealed(t, l, k, s.index, s.cp)
	}

	size := l.Size()
	if int(size) != nextTag || len(tags) != nextTag {
		t.Fatalf("size %d, %d indexes given, want %d", size, len(tags), nextTag)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	cp, cpSize, err := l.Checkpoint(ctx)
	if err != nil || cpSize != size {
		t.Fatalf("Checkpoint = size %d, %v; want %d", cpSize, err, size)
	}
	tree := openTree(t, cp, k)
	for i := range size {
		tag := tags[i]
		want := entry(tag)
		if got := checkIncluded(t, l, tree, i); got != want {
			t.Fatalf("Entry(%d) = %+v; want %+v", i, got, want)
		}
		for role, s := range want.subjects() {
			if s == "" {
				continue
			}
			page, err := l.BySubject(ctx, policies.Subject(s), 0, 10)
			if err != nil || len(page) != 1 || page[0].Index != i || page[0].Role != role {
				t.Fatalf("BySubject(%s of entry %d) = %+v, %v; want entry %d as role %d", roleName(int64(role)), i, page, err, i, role)
			}
		}
	}
	// The frontier a reopened log reads is the one these commits wrote.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTest(t, path, k)
	if x, sealed, err := l.AppendSealed(ctx, entry(nextTag)); err != nil || x != size {
		t.Fatalf("AppendSealed after reopening = %d, %v; want %d", x, err, size)
	} else {
		checkSealed(t, l, k, x, sealed)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify after reopening: %v", err)
	}
}

// TestOnCommit: the observer hears of every commit, once its callers are
// answered: the entries of all commits add up to the appends, and each
// took some time; with nil it hears of none.
func TestOnCommit(t *testing.T) {
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	ctx := context.Background()
	var mu sync.Mutex
	var commits []Commit
	l.OnCommit(func(c Commit) {
		mu.Lock()
		commits = append(commits, c)
		mu.Unlock()
	})
	const callers, each = 8, 5
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				if _, err := l.Append(ctx, testEntry(1)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// The last commit's observer runs after its callers are answered.
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range commits {
			n += c.Entries
		}
		return n == callers*each
	})
	mu.Lock()
	for _, c := range commits {
		if c.Err != nil || c.Entries < 1 || c.Took <= 0 || c.Wait < 0 {
			t.Errorf("commit %+v", c)
		}
	}
	seen := len(commits)
	mu.Unlock()

	l.OnCommit(nil)
	if _, err := l.Append(ctx, testEntry(2)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(commits) != seen {
		t.Errorf("with no observer, %d more commits were heard of", len(commits)-seen)
	}
}

// waitFor waits up to 5 s for ok.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCommitMetricsShared: two logs' commit metrics on one registry share
// its series rather than fail to register.
func TestCommitMetricsShared(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := CommitMetrics(reg), CommitMetrics(reg)
	a(Commit{Entries: 2, Took: time.Millisecond})
	b(Commit{Entries: 3, Took: time.Millisecond})
	b(Commit{Err: errors.New("disk full"), Unstored: 7})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		switch {
		case m.GetHistogram() != nil:
			got[mf.GetName()] = m.GetHistogram().GetSampleSum()
		case m.GetGauge() != nil:
			got[mf.GetName()] = m.GetGauge().GetValue()
		default:
			got[mf.GetName()] = m.GetCounter().GetValue()
		}
	}
	if got["samband_audit_commit_entries"] != 5 || got["samband_audit_commit_failures_total"] != 1 || got["samband_audit_unstored_entries"] != 7 {
		t.Errorf("metrics %v: want 5 entries in all, 1 failure, 7 unstored as the last commit left them", got)
	}
}

// TestWriterCheckpointsRarely: the writer's connection leaves SQLite's
// own checkpoints (and their fsyncs, which hold a scheduler thread) to
// every 10,000 pages of the write-ahead log, and still runs in WAL mode
// at synchronous=NORMAL, which the journal's design counts on.
func TestWriterCheckpointsRarely(t *testing.T) {
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	defer l.Close()
	for pragma, want := range map[string]string{"wal_autocheckpoint": "10000", "journal_mode": "wal", "synchronous": "1"} {
		var got string
		if err := l.wdb.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// TestOpenRefusesIndexesOutOfRange: a file whose entries do not run from
// 0 (a negative index, a first entry past 0) or reach 2^62 is refused by
// Open and OpenReadOnly with what its indexes are, where it would
// otherwise open with a size a tree hash cannot be computed for.
func TestOpenRefusesIndexesOutOfRange(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	for _, c := range []struct {
		name    string
		indexes []int64
	}{{"negative", []int64{-3, 0}}, {"past 2^62", []int64{0, 1 << 62}}, {"gap at the start", []int64{5}}} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.db")
			l := openTest(t, path, k)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
			if err != nil {
				t.Fatal(err)
			}
			data, err := testEntry(1).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range c.indexes {
				if _, err := db.Exec(`INSERT INTO audit_entries("index", data) VALUES (?, ?)`, x, data); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			if l, err := Open(ctx, path, k.signer, k.verifier); err == nil || !strings.Contains(err.Error(), "numbered") {
				if err == nil {
					l.Close()
				}
				t.Errorf("Open = %v, want the indexes refused", err)
			}
			if l, err := OpenReadOnly(ctx, path, k.verifier); err == nil || !strings.Contains(err.Error(), "numbered") {
				if err == nil {
					l.Close()
				}
				t.Errorf("OpenReadOnly = %v, want the indexes refused", err)
			}
		})
	}
}

// TestLargeEntriesCommitInTurn: entries that each fit the journal but
// together would not arrive while the writer is busy; they commit in
// turn, in batches bounded in bytes, where one batch of them all would be
// a frame larger than the journal and fail every one.
func TestLargeEntriesCommitInTurn(t *testing.T) {
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 16 * journalBlock // 60 KiB of frames
	ctx := context.Background()
	k := newKeys(t)
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), k)
	big := func(i int) Entry {
		e := testEntry(i)
		e.Purpose, e.LegalBasis, e.Rule = strings.Repeat("p", 4096), strings.Repeat("l", 4096), strings.Repeat("r", 4096)
		return e
	}
	if _, err := l.Append(ctx, big(0)); err != nil {
		t.Fatalf("one large entry alone: %v", err)
	}
	hold := make(chan struct{})
	var mu sync.Mutex
	var commits []int
	first := true
	l.OnCommit(func(c Commit) {
		mu.Lock()
		held := first
		first = false
		commits = append(commits, c.Entries)
		mu.Unlock()
		if held {
			<-hold // the writer is busy while the large entries queue
		}
	})
	done := make(chan error, 1)
	go func() { _, err := l.Append(ctx, testEntry(1)); done <- err }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(commits) == 1 })
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() { _, errs[i] = l.Append(ctx, big(10+i)) })
	}
	waitFor(t, func() bool { return len(l.reqs) == len(errs) })
	close(hold)
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("large append %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := len(commits) - 1; got < 2 {
		t.Errorf("the %d large entries took %d commits (%v), want them split", len(errs), got, commits[1:])
	}
	if l.Size() != int64(2+len(errs)) {
		t.Errorf("Size() = %d, want %d", l.Size(), 2+len(errs))
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestCloseConcurrently: Close from several goroutines at once, and again
// after, closes the log once; every call says what that closing said
// (nothing, here), none closes a file or a ring a second time.
func TestCloseConcurrently(t *testing.T) {
	k := newKeys(t)
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), k)
	fill(t, l, 10, 2)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = l.Close() })
	}
	wg.Wait()
	for i, err := range append(errs, l.Close()) {
		if err != nil {
			t.Errorf("Close %d: %v", i, err)
		}
	}
	if _, err := l.Append(context.Background(), testEntry(99)); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
}

// TestJournalFailureStopsAppends: once a commit of the journal fails, its
// callers learn their entries may be in the log (the frame may have
// reached the disk), later callers that theirs were not written, each
// with the cause; reopened, the log holds the failed batch (its frame
// was written here) and nothing after it, and appends again.
func TestJournalFailureStopsAppends(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	fill(t, l, 5, 1)
	cause := errors.New("input/output error (test)")
	l.journalFault.Store(&cause)
	_, err := l.Append(ctx, testEntry(5))
	if !errors.Is(err, cause) || !strings.Contains(err.Error(), "this batch's 1 entries from 5 should they have reached the disk") {
		t.Fatalf("the failed commit's Append = %v", err)
	}
	for i := range 3 {
		_, err := l.Append(ctx, testEntry(6+i))
		if !errors.Is(err, cause) || !strings.Contains(err.Error(), "1 entries were not written") || strings.Contains(err.Error(), "this batch's") {
			t.Fatalf("Append after the failed commit = %v, want not written, with the cause", err)
		}
	}
	if l.Size() != 5 {
		t.Errorf("Size() = %d after the failed commit, want 5", l.Size())
	}
	l.Close()
	l = openTest(t, path, k)
	if l.Size() != 6 {
		t.Fatalf("Size() after reopening = %d, want 6: the failed batch's frame reached the journal", l.Size())
	}
	if x, err := l.Append(ctx, testEntry(100)); err != nil || x != 6 {
		t.Fatalf("Append after reopening = %d, %v", x, err)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
