package sqlite

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"samband/policies"
)

// sharedLockHeld reports whether some SQLite connection holds its shared
// lock on the wal-index at name: asking through an open file
// description's lock finds the locks of this process too. The file is
// closed only when the test ends, since closing it drops this process's
// locks on it.
func sharedLockHeld(t *testing.T, name string) bool {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart, Start: 128, Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	return lk.Type == unix.F_RDLCK
}

// A registry opened through a link reads the wal-index SQLite uses, beside
// the real file, and not a stale one beside the link; a wal-index this
// process has not mapped is not read; and finding the view leaves SQLite's
// locks on the file as they were.
func TestWALIndexIsSQLites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.db"), filepath.Join(dir, "link.db")
	a, err := Open(ctx, real)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.cache.wal.Load() == nil {
		t.Fatal("the registry does not read its file's wal-index")
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	// A copy of the live wal-index's header beside the link, and beside a
	// database no connection has open: headers that would never change.
	// (Copied from the mapping: reading the file would close it, and so
	// drop this process's locks on it.)
	shm := make([]byte, 32<<10)
	copy(shm, a.cache.wal.Load().mem)
	for _, name := range []string{link + "-shm", filepath.Join(dir, "copy.db-shm")} {
		if err := os.WriteFile(name, shm, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := openWALIndex(filepath.Join(dir, "copy.db")); err == nil {
		t.Fatal("openWALIndex of a wal-index this process has not mapped succeeded")
	}
	if _, err := openWALIndex(filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("openWALIndex of a missing file succeeded")
	}

	b, err := Open(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.cache.wal.Load() == nil || &b.cache.wal.Load().mem[0] != &a.cache.wal.Load().mem[0] {
		t.Fatal("the registry opened through the link does not read SQLite's mapping of the real wal-index")
	}
	if !sharedLockHeld(t, real+"-shm") {
		t.Fatal("SQLite's shared lock on the wal-index is gone once the registries are open")
	}
	s := person(t, "SE", "750623-1237")
	cq := policies.ConsentQuery{Subject: s, Recipient: "2021005448", Purpose: "p", Target: "t"}
	c, err := a.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "2021005448", Purposes: []string{"p"},
		Targets: []string{"t"}, Until: time.Now().Add(time.Hour)}, policies.Note{})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, ok, err := b.Consent(ctx, cq); !ok || err != nil {
			t.Fatalf("Consent through the link = %v, %v", ok, err)
		}
	}
	if _, err := a.RescindConsent(ctx, c.ID, policies.Note{}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.Consent(ctx, cq); ok || err != nil {
		t.Fatalf("Consent through the link after the rescission = %v, %v", ok, err)
	}
}

func TestFindMapping(t *testing.T) {
	maps := []byte(`55d0c0a00000-55d0c0a21000 r--p 00000000 fe:00 1234 /usr/bin/gateway
7f0000000000-7f0000008000 rw-p 00000000 fe:00 9981903 /data/a b.db-shm
7f0000010000-7f0000018000 rw-s 00008000 fe:00 9981903 /data/a b.db-shm
7f0000020000-7f0000028000 rw-s 00000000 fe:01 9981903 /other/x.db-shm
7f0000030000-7f0000038000 rw-s 00000000 fe:00 9981903 /data/a b.db-shm
7f0000040000-7f0000048000 rw-s 00000000 fe:00 9981903 /data/a b.db-shm
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
`)
	for _, tc := range []struct {
		name         string
		major, minor uint32
		ino          uint64
		start, end   uintptr
		ok           bool
	}{
		{"shared, from offset 0, on the device", 0xfe, 0, 9981903, 0x7f0000030000, 0x7f0000038000, true},
		{"another device", 0xfe, 1, 9981903, 0x7f0000020000, 0x7f0000028000, true},
		{"no such inode", 0xfe, 0, 42, 0, 0, false},
		{"no such device", 0xfd, 0, 9981903, 0, 0, false},
		{"private mappings are not SQLite's", 0xfe, 0, 1234, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, e, ok := findMapping(maps, tc.major, tc.minor, tc.ino)
			if s != tc.start || e != tc.end || ok != tc.ok {
				t.Fatalf("findMapping = %#x, %#x, %v; want %#x, %#x, %v", s, e, ok, tc.start, tc.end, tc.ok)
			}
		})
	}
	for _, bad := range []string{"", "garbage\n", "zz-7f rw-s 00000000 fe:00 9981903 x\n",
		"7f0000030000-7f0000020000 rw-s 00000000 fe:00 9981903 x\n", "7f0000030000-7f0000038000 rw-s 00000000 fe00 9981903 x\n"} {
		if _, _, ok := findMapping([]byte(bad), 0xfe, 0, 9981903); ok {
			t.Errorf("findMapping(%q) found a mapping", bad)
		}
	}
}

// A wal-index cut short under its mapping reads as unusable, not as a
// crash.
func TestWALIndexCutShort(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "cut"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(4096); err != nil {
		t.Fatal(err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, 4096, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	w := &walIndex{mem: mem}
	if _, ok := w.read(); ok {
		t.Fatal("a header of zeros reads as usable")
	}
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.read(); ok {
		t.Fatal("a wal-index cut short reads as usable")
	}
}
