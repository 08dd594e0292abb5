package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

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
	dir := t.TempDir()
	w, err := os.Create(filepath.Join(dir, "w"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r := newTestRing(t, w)
	ro, err := os.Open(w.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = r.writeSync(ro, []byte("x"), 0)
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
