package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"samband/internal/procstat"
	"samband/internal/schedtest"
)

// madeJournal returns a made journal of journalSize bytes in a new
// directory, closed when the test ends.
func madeJournal(tb testing.TB) *os.File {
	tb.Helper()
	f, err := os.Create(filepath.Join(tb.TempDir(), "journal"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	if _, err := makeJournal(f, journalSize); err != nil {
		tb.Fatal(err)
	}
	return f
}

// newTestRing sets up a ring on f, skipping where the kernel refuses
// io_uring (the log then syncs the plain way, TestLogWithoutRing).
func newTestRing(t *testing.T, f *os.File) *ring {
	t.Helper()
	r, err := newRing(f)
	if err != nil {
		t.Skipf("no io_uring here: %v", err)
	}
	t.Cleanup(func() { r.close() })
	return r
}

func TestRingWriteSync(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "j"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := newTestRing(t, f)
	first := bytes.Repeat([]byte("a"), 8192)
	if err := r.writeSync(f, first, 0); err != nil {
		t.Fatal(err)
	}
	// Over written blocks, at an offset, as the journal's commits write.
	second := []byte("second frame")
	if err := r.writeSync(f, second, 4096); err != nil {
		t.Fatal(err)
	}
	if err := r.writeSync(f, nil, 0); err != nil {
		t.Fatalf("sync only: %v", err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), first...)
	copy(want[4096:], second)
	if !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes, not what was written (first difference at %d)", len(got), firstDiff(got, want))
	}
	// The ring is left clean: nothing queued, nothing to reap.
	if c, ok := r.reap(); ok {
		t.Errorf("a completion left over: %+v", c)
	}
	// Closed twice, the second does nothing: its descriptor may be
	// another file's by then.
	if err := r.close(); err != nil {
		t.Fatal(err)
	}
	other, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := r.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Stat(); err != nil {
		t.Errorf("a second close of the ring closed another file: %v", err)
	}
}

// ringWithReadOnly makes a file, a ring on it, and the same file opened
// read-only (which a write fails on), all closed when the test ends.
func ringWithReadOnly(t *testing.T) (r *ring, w, ro *os.File) {
	t.Helper()
	w, err := os.Create(filepath.Join(t.TempDir(), "w"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r = newTestRing(t, w)
	if ro, err = os.Open(w.Name()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return r, w, ro
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestRingErrors: the kernel's errors come back as errors, the sync
// linked to a failed write does not run, and a file the ring cannot
// write is found when the ring is made.
func TestRingErrors(t *testing.T) {
	r, w, ro := ringWithReadOnly(t)
	err := r.writeSync(ro, []byte("x"), 0)
	if !errors.Is(err, unix.EBADF) || !strings.HasPrefix(err.Error(), "write:") {
		t.Errorf("write to a read-only file = %v, want the write's EBADF", err)
	}
	// The ring still works after a failure.
	if err := r.writeSync(w, []byte("after"), 0); err != nil {
		t.Fatalf("write after a failure: %v", err)
	}
	if _, err := newRing(ro); !errors.Is(err, unix.EBADF) {
		t.Errorf("newRing on a read-only file = %v, want EBADF from its probe", err)
	}
	s := newSyncer(ro)
	if s.ring != nil || !strings.HasPrefix(s.how(), "fdatasync (no io_uring: ") {
		t.Errorf("syncer on a read-only file: %s, want the plain way and why", s.how())
	}
}

// TestLogWithoutRing: where io_uring is refused, the log syncs with
// pwrite and fdatasync, says so, and keeps what it acknowledged.
func TestLogWithoutRing(t *testing.T) {
	noRing = true
	t.Cleanup(func() { noRing = false })
	ctx := context.Background()
	k := newKeys(t)
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openTest(t, path, k)
	if got := l.DiskSync(); got != "fdatasync (no io_uring: turned off)" {
		t.Errorf("DiskSync() = %q", got)
	}
	fill(t, l, 40, 4)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	noRing = false
	l = openTest(t, path, k)
	if l.Size() != 40 {
		t.Fatalf("reopened size %d, want 40", l.Size())
	}
	if got := l.DiskSync(); got != "io_uring" {
		if _, err := newRing(l.journal.f); err == nil {
			t.Errorf("DiskSync() = %q, want io_uring where the kernel has it", got)
		}
	}
	if err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkJournalSync: a journal commit's disk work, a 12 KiB frame
// written over written blocks of a made journal and synced, the plain way
// (pwrite, fdatasync) and through the ring; p50 and p99 of one commit
// besides the mean, and the process's CPU a commit.
func BenchmarkJournalSync(b *testing.B) {
	for _, way := range []string{"fdatasync", "io_uring", "io_uring-eventfd"} {
		b.Run(way, func(b *testing.B) {
			f := madeJournal(b)
			s := syncer{f: f}
			if way != "fdatasync" {
				var err error
				if s.ring, err = newRing(f); err != nil {
					b.Skipf("no io_uring here: %v", err)
				}
				defer s.close()
				if way == "io_uring-eventfd" {
					s.ring.poll = 0 // the eventfd alone, as before the read deadline's polls
				}
			}
			frame := bytes.Repeat([]byte{0x5a}, 12<<10)
			var took []time.Duration
			cpu := procstat.CPU()
			i := int64(0)
			for b.Loop() {
				at := journalBlock + (i%64)*int64(len(frame))
				i++
				start := time.Now()
				if err := s.writeSync(frame, at); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			cpu = procstat.CPU() - cpu
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(cpu.Microseconds())/float64(len(took)), "CPU-µs/op")
		})
	}
}

// TestRingStaleCompletions: a completion an earlier call left behind (its
// wait failed) is not taken for this call's.
func TestRingStaleCompletions(t *testing.T) {
	r, w, ro := ringWithReadOnly(t)
	// Two no-ops bearing the last call's write and sync numbers, completed
	// with success and left in the ring.
	for _, op := range []uint64{0, 1} {
		r.put(0, sqe{opcode: 0, userData: r.seq<<1 | op}) // IORING_OP_NOP
		tail := atomic.LoadUint32(r.sqTail)
		atomic.StoreUint32(r.sqTail, tail+1)
		if _, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), 1, 1, ioringEnterGetevents, 0, 0); errno != 0 {
			t.Fatal(errno)
		}
	}
	// This call's write fails; the stale successes must not hide it.
	if err := r.writeSync(ro, []byte("x"), 0); !errors.Is(err, unix.EBADF) {
		t.Errorf("write to a read-only file after stale completions = %v, want EBADF", err)
	}
	if err := r.writeSync(w, []byte("ok"), 0); err != nil {
		t.Errorf("the next call: %v", err)
	}
}

// TestSyncerFallsBack: a ring that cannot be used any more (its wait
// failed) leaves the syncer writing and syncing the plain way.
func TestSyncerFallsBack(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "j"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := newSyncer(f)
	if s.ring == nil {
		t.Skipf("no io_uring here: %s", s.how())
	}
	defer s.close()
	s.ring.dead = errors.New("the wait failed")
	if err := s.writeSync([]byte("plain"), 3); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(f.Name()); string(got) != "\x00\x00\x00plain" {
		t.Errorf("file holds %q", got)
	}
}

// TestRingPolled: waits that the read deadline ends, many a commit here,
// leave every result as the eventfd's would: each call's own completions,
// the data written, the ring clean for the next call.
func TestRingPolled(t *testing.T) {
	f := madeJournal(t)
	r := newTestRing(t, f)
	r.poll = time.Microsecond
	want := make([]byte, 64<<10)
	for i := range 64 {
		frame := bytes.Repeat([]byte{byte(i + 1)}, 1024)
		copy(want[i*1024:], frame)
		if err := r.writeSync(f, frame, journalBlock+int64(i)*1024); err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
	}
	if r.polls.Load() == 0 {
		t.Fatal("no wait was ended by the read deadline: the test tests nothing")
	}
	got := make([]byte, len(want))
	if _, err := f.ReadAt(got, journalBlock); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the journal holds other bytes than were written (first difference at %d)", firstDiff(got, want))
	}
	if _, ok := r.reap(); ok {
		t.Fatal("a completion was left in the ring")
	}
}

// BenchmarkJournalSyncBusy: BenchmarkJournalSync's commit through the ring
// while every P is kept busy, waiting on the eventfd alone (the poller)
// and with the read deadline's polls (the log's way).
func BenchmarkJournalSyncBusy(b *testing.B) {
	for _, way := range []string{"eventfd", "polled"} {
		b.Run(way, func(b *testing.B) {
			f := madeJournal(b)
			r, err := newRing(f)
			if err != nil {
				b.Skipf("no io_uring here: %v", err)
			}
			defer r.close()
			if way == "eventfd" {
				r.poll = 0
			}
			frame := bytes.Repeat([]byte{0x5a}, 12<<10)
			stop := schedtest.KeepBusy()
			defer stop()
			var took []time.Duration
			i := int64(0)
			for b.Loop() {
				at := journalBlock + (i%64)*int64(len(frame))
				i++
				start := time.Now()
				if err := r.writeSync(f, frame, at); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}
