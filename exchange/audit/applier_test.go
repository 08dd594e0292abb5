package audit

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestJournalWraps: in a journal of a few blocks the writer's frames go
// round it many times, each into the space of frames the applier has
// stored, while callers append one after another and many at once; the
// log holds every entry, verifies, and reopens whole.
func TestJournalWraps(t *testing.T) {
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 6 * journalBlock
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	fill(t, l, 40, 1)
	fill(t, l, 400, 16)
	if l.Size() != 440 {
		t.Fatalf("Size() = %d, want 440", l.Size())
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(journalPath(path)); err != nil || fi.Size() != 6*journalBlock {
		t.Fatalf("the journal after 440 appends: %v, %v; want its 6 blocks", fi, err)
	}
	l = openTest(t, path, k)
	if l.Size() != 440 {
		t.Fatalf("Size() after reopening = %d, want 440", l.Size())
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify after reopening: %v", err)
	}
}

// TestOpenLocked: one process at a time keeps a log: a second Open of
// the same file fails, saying the log is open elsewhere, and succeeds once
// the first is closed.
func TestOpenLocked(t *testing.T) {
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l, err := Open(context.Background(), path, k.signer, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if l2, err := Open(context.Background(), path, k.signer, k.verifier); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another process has the log open") {
		if err == nil {
			l2.Close()
		}
		t.Fatalf("a second Open = %v, want another process has the log open", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	openTest(t, path, k)
}

// holdFile makes the file of l refuse entries (a trigger, added through
// a connection of the test's own, aborts every insert of one, as a failing
// disk would): the applier fails, and the entries stay in the journal
// until the returned func drops the trigger.
func holdFile(t *testing.T, l *Log) (release func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: l.path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER hold BEFORE INSERT ON audit_entries
		BEGIN SELECT RAISE(ABORT, 'held by the test'); END`); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if _, err := db.ExecContext(ctx, `DROP TRIGGER hold`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseLeavesJournal: a log closed while its file refuses entries
// says how many stay in the journal only; the next Open applies them,
// and the log verifies with them all.
func TestCloseLeavesJournal(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	fill(t, l, 20, 1)
	var mu sync.Mutex
	var last Commit
	l.OnCommit(func(c Commit) {
		mu.Lock()
		last = c
		mu.Unlock()
	})
	release := holdFile(t, l)
	for i := range 200 {
		if _, err := l.Append(ctx, testEntry(20+i)); err != nil {
			t.Fatal(err)
		}
	}
	l.amu.Lock()
	behind := l.Size() - l.applied
	l.amu.Unlock()
	if behind == 0 {
		t.Fatal("the file took every entry: the test holds nothing in the journal")
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return last.Unstored == int(behind)
	})
	err := l.Close()
	if err == nil || !strings.Contains(err.Error(), strconv.FormatInt(behind, 10)+" entries are in its journal") || !strings.Contains(err.Error(), "the next Open applies them") {
		t.Fatalf("Close with %d entries in the journal only = %v, want it to say so", behind, err)
	}
	release()
	l = openTest(t, path, k)
	if l.Size() != 220 {
		t.Fatalf("Size() after reopening = %d, want 220", l.Size())
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatalf("Verify after reopening: %v", err)
	}
	for _, x := range []int64{0, 219} {
		if e, err := l.Entry(ctx, x); err != nil || !e.Time.Equal(testEntry(int(x)).Time) {
			t.Errorf("Entry(%d) = %v, %v; want the entry appended", x, e.Time, err)
		}
	}
}

// TestOpenRefusesLostFrames: a journal that holds entries past a frame
// that is not whole (here its CRC no longer matches), entries acknowledged
// and lost, makes Open fail naming them, not open a log with a gap or
// without them; a torn last frame, as a crash in its write leaves it
// (before its append returned), is left out.
func TestOpenRefusesLostFrames(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	for _, tc := range []struct {
		name    string
		corrupt func(frames []frame) frame // the frame to break
		wantErr string
		size    int64 // when Open succeeds
	}{
		{"middle", func(fs []frame) frame { return fs[1] }, "are lost", 0},
		{"last", func(fs []frame) frame { return fs[len(fs)-1] }, "", 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.db")
			l := openTest(t, path, k)
			fill(t, l, 10, 1)
			if err := l.stored(ctx, 10); err != nil {
				t.Fatal(err)
			}
			release := holdFile(t, l)
			// Three frames past what the file holds: 10, 11 and 12.
			for i := range 3 {
				if _, err := l.Append(ctx, testEntry(10+i)); err != nil {
					t.Fatal(err)
				}
			}
			l.amu.Lock()
			applied := l.applied
			l.amu.Unlock()
			l.Close()
			release()
			if applied != 10 {
				t.Fatalf("the file took %d entries, want 10", applied)
			}
			b, err := os.ReadFile(journalPath(path))
			if err != nil {
				t.Fatal(err)
			}
			frames, err := scanJournal(b)
			if err != nil {
				t.Fatal(err)
			}
			frames, err = chain(frames, applied)
			if err != nil || len(frames) != 3 {
				t.Fatalf("the journal's frames past the file: %d, %v; want 3", len(frames), err)
			}
			fr := tc.corrupt(frames)
			b[fr.at+frameHeader+1] ^= 0xff
			if err := os.WriteFile(journalPath(path), b, 0o600); err != nil {
				t.Fatal(err)
			}
			l2, err := Open(ctx, path, k.signer, k.verifier)
			if tc.wantErr != "" {
				if err == nil {
					l2.Close()
					t.Fatalf("Open with a broken frame before others = nil error, want %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open with a broken frame before others = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open with a torn last frame: %v", err)
			}
			defer l2.Close()
			if l2.Size() != tc.size-1 {
				t.Errorf("Size() with a torn last frame = %d, want %d", l2.Size(), tc.size-1)
			}
			if err := l2.Verify(ctx, nil); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

// TestReadsWaitForTheFile: a read of an entry the writer has committed
// and the applier not yet stored waits for it, and gets it: callers see
// what an append returned as soon as it returns.
func TestReadsWaitForTheFile(t *testing.T) {
	ctx := context.Background()
	l := openTest(t, filepath.Join(t.TempDir(), "audit.db"), newKeys(t))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				tag := w*50 + i
				x, cp, err := l.AppendSealed(ctx, testEntry(tag))
				if err != nil {
					t.Error(err)
					return
				}
				e, err := l.Entry(ctx, x)
				if err != nil || !e.Time.Equal(testEntry(tag).Time) {
					t.Errorf("Entry(%d) at once after its append = %v, %v", x, e.Time, err)
					return
				}
				n, err := note.Open(cp, note.VerifierList(l.Verifier()))
				if err != nil {
					t.Error(err)
					return
				}
				tree, err := tlog.ParseTree([]byte(n.Text))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := l.InclusionProof(ctx, x, tree.N); err != nil {
					t.Errorf("InclusionProof(%d, %d) at once after its append: %v", x, tree.N, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestOpenReadOnly: while a process keeps the log (Open), OpenReadOnly
// reads and verifies what its file holds, a prefix of the log that leaves
// out the entries only in the journal, and refuses to write; a verifier
// of another key is refused.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	fill(t, l, 30, 4)
	if _, _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	release := holdFile(t, l)
	for i := range 5 {
		if _, err := l.Append(ctx, testEntry(30+i)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := OpenReadOnly(ctx, path, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if r.Size() != 30 || l.Size() != 35 {
		t.Errorf("read-only Size() = %d with the writer's at %d; want the file's 30", r.Size(), l.Size())
	}
	if err := r.Verify(ctx, nil); err != nil {
		t.Errorf("read-only Verify: %v", err)
	}
	if cp, n := r.Latest(); n != 30 || cp == nil {
		t.Errorf("read-only Latest() = size %d; want the stored checkpoint of 30", n)
	}
	if e, err := r.Entry(ctx, 29); err != nil || e.RequestID == "" {
		t.Errorf("read-only Entry(29) = %v, %v", e, err)
	}
	if _, err := r.InclusionProof(ctx, 3, 30); err != nil {
		t.Errorf("read-only InclusionProof: %v", err)
	}
	if _, err := r.Append(ctx, testEntry(99)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Append = %v, want ErrReadOnly", err)
	}
	if _, _, err := r.Checkpoint(ctx); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Checkpoint = %v, want ErrReadOnly", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("read-only Close: %v", err)
	}
	release()
	if _, err := OpenReadOnly(ctx, path, newKeys(t).verifier); err == nil || !strings.Contains(err.Error(), "another key") {
		t.Errorf("OpenReadOnly with another key's verifier = %v, want refused", err)
	}
	if _, err := OpenReadOnly(ctx, path+".missing", k.verifier); err == nil {
		t.Error("OpenReadOnly of a missing file succeeded")
	}
	if _, err := Open(ctx, path, k.signer, k.verifier); !errors.Is(err, ErrLocked) {
		t.Errorf("Open while open = %v, want ErrLocked", err)
	}
}

// TestWALSyncFailure: once a sync of the file's write-ahead log fails, the
// log says so and keeps saying so (no later sync is trusted: the kernel
// may have dropped the pages it could not write), the journal keeps every
// entry from then on, and the next Open puts them all in the file.
func TestWALSyncFailure(t *testing.T) {
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	fill(t, l, 20, 1)
	failSyncs(l) // every sync of the file's write-ahead log fails from now on
	for i := range 100 {
		if _, err := l.Append(ctx, testEntry(20+i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool {
		_, err := l.CommitFailure()
		return err != nil
	})
	_, err := l.CommitFailure()
	if !strings.Contains(err.Error(), "no later sync is trusted") {
		t.Errorf("CommitFailure() = %v, want the failed sync", err)
	}
	// Reads still see every entry: the file has them, unsynced.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if e, err := l.Entry(rctx, 119); err != nil || !e.Time.Equal(testEntry(119).Time) {
		t.Fatalf("Entry(119) = %v, %v", e.Time, err)
	}
	time.Sleep(2 * syncEvery) // syncs come and fail again; the failure stays
	if _, err := l.CommitFailure(); err == nil {
		t.Error("the failure went away without the log being opened again")
	}
	l.amu.Lock()
	kept := queued(l.queue)
	l.amu.Unlock()
	if kept < 100 {
		t.Errorf("the journal keeps %d entries, want at least the 100 appended since the failure", kept)
	}
	if err := l.Close(); err == nil {
		t.Error("Close after a failed sync says nothing")
	}
	l = openTest(t, path, k)
	if l.Size() != 120 {
		t.Fatalf("Size() after reopening = %d, want 120", l.Size())
	}
	if _, err := l.CommitFailure(); err != nil {
		t.Errorf("after reopening: %v", err)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestWALSyncFailureFillsJournal: after a failed sync of the file's
// write-ahead log no frame's space is freed, so once the journal is full
// an append fails, saying why, rather than waiting for room that cannot
// come; the entries appended until then are all there after reopening.
func TestWALSyncFailureFillsJournal(t *testing.T) {
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 32 * journalBlock
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	fill(t, l, 5, 1)
	failSyncs(l) // every sync of the file's write-ahead log fails from now on
	done := make(chan error, 1)
	var appended int64
	go func() {
		for i := range 10_000 {
			if _, err := l.Append(ctx, testEntry(5+i)); err != nil {
				done <- err
				return
			}
			appended++
		}
		done <- nil
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("appends neither failed nor finished in 20 s: the writer waits for room that cannot come")
	}
	if err == nil || !strings.Contains(err.Error(), "journal is full") || !strings.Contains(err.Error(), "cannot be made durable in the file") {
		t.Fatalf("the append that found the journal full = %v, want the journal is full, and why", err)
	}
	if appended < 10 {
		t.Errorf("only %d appends before a journal of 32 blocks was full", appended)
	}
	// Reads wait for the file, which still takes the entries unsynced.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if e, err := l.Entry(rctx, 4+appended); err != nil || !e.Time.Equal(testEntry(4+int(appended)).Time) {
		t.Errorf("Entry(%d) = %v, %v", 4+appended, e.Time, err)
	}
	if err := l.Close(); err == nil || !strings.Contains(err.Error(), "could not be synced") {
		t.Errorf("Close after a failed sync = %v, want it said", err)
	}
	l = openTest(t, path, k)
	defer l.Close()
	if l.Size() != 5+appended {
		t.Fatalf("Size() after reopening = %d, want %d", l.Size(), 5+appended)
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// failSyncs makes every later sync of l's write-ahead log fail, as a
// failing disk's would.
func failSyncs(l *Log) {
	err := errors.New("input/output error (injected)")
	l.walFault.Store(&err)
}
