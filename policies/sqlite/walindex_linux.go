package sqlite

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// walIndex is a read-only view of the header of a WAL database's
// wal-index, the shared memory in the file beside it (path + "-shm")
// through which SQLite's connections, of every process, agree on what is
// committed. Its layout is SQLite's file format
// (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): two
// copies of a 48-byte header, the second written first, then a barrier,
// then the first. Every commit increments the header's change counter
// (iChange) and writes both copies before it returns, and a restart of the
// write-ahead log changes its salts: so a header that reads the same as
// before, both copies equal, means no commit has returned in between.
//
// Reading it is a dozen loads from memory, against a read transaction
// (two shared-memory locks, each a system call) for PRAGMA data_version.
//
// The view is SQLite's own mapping of the file in this process, found in
// /proc/self/maps by the file's device and inode; it is not a mapping of
// its own, because mapping the file means opening it, and closing any
// descriptor of a file drops every POSIX lock the process holds on it,
// SQLite's among them. SQLite keeps its mapping, at the same address,
// while a connection of this process has the database open, so the view's
// owner holds one open for as long as it reads.
type walIndex struct {
	mem []byte
}

// walIndexHeader is the two copies of the header, as read.
type walIndexHeader [2 * walHeaderSize / 8]uint64

const (
	walHeaderSize   = 48
	walIndexVersion = 3007000 // iVersion, WALINDEX_MAX_VERSION
)

// openWALIndex finds SQLite's mapping of the wal-index of the database at
// path, which a connection of this process has open.
func openWALIndex(path string) (*walIndex, error) {
	// SQLite keeps the wal-index beside the database's real path, with
	// every link resolved.
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	name := real + "-shm"
	var st syscall.Stat_t
	if err := syscall.Stat(name, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	start, end, ok := findMapping(maps, uint32(unix.Major(st.Dev)), uint32(unix.Minor(st.Dev)), st.Ino)
	if !ok {
		return nil, fmt.Errorf("%s: not mapped by this process from its start", name)
	}
	if end-start < 2*walHeaderSize {
		return nil, fmt.Errorf("%s: mapped %d bytes, fewer than a wal-index header", name, end-start)
	}
	// The address is outside Go's heap, in memory SQLite mapped; vet's
	// check of uintptr conversions cannot know that it stays valid.
	w := &walIndex{mem: unsafe.Slice(*(**byte)(unsafe.Pointer(&start)), 2*walHeaderSize)}
	h, ok := w.read()
	if !ok {
		return nil, fmt.Errorf("%s: no valid wal-index header", name)
	}
	if v := binary.NativeEndian.Uint32(h.bytes()[:4]); v != walIndexVersion {
		return nil, fmt.Errorf("%s: wal-index version %d, not %d", name, v, walIndexVersion)
	}
	return w, nil
}

// findMapping returns the address range of the first mapping in maps (the
// text of /proc/self/maps) of the file with the device and inode given,
// shared and from its offset 0.
func findMapping(maps []byte, major, minor uint32, ino uint64) (start, end uintptr, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(maps))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		// start-end perms offset major:minor inode path
		f := bytes.Fields(sc.Bytes())
		if len(f) < 5 || len(f[1]) != 4 || f[1][3] != 's' || string(f[2]) != "00000000" {
			continue
		}
		if n, err := strconv.ParseUint(string(f[4]), 10, 64); err != nil || n != ino {
			continue
		}
		maj, min, ok := bytes.Cut(f[3], []byte(":"))
		if !ok {
			continue
		}
		if a, err := strconv.ParseUint(string(maj), 16, 32); err != nil || uint32(a) != major {
			continue
		}
		if b, err := strconv.ParseUint(string(min), 16, 32); err != nil || uint32(b) != minor {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(string(lo), 16, 64)
		e, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || e <= s {
			continue
		}
		return uintptr(s), uintptr(e), true
	}
	return 0, 0, false
}

// read returns the header, and whether it can be compared: both copies
// were read equal and the header is initialised. A fault reading the
// memory (the file cut short under it) is reported as false, not a crash.
func (w *walIndex) read() (h walIndexHeader, ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	for i := range h {
		h[i] = atomic.LoadUint64((*uint64)(unsafe.Pointer(&w.mem[8*i])))
	}
	const words = walHeaderSize / 8
	for i := range words {
		if h[i] != h[words+i] {
			return h, false
		}
	}
	// isInit is the byte at offset 12.
	return h, h.bytes()[12] == 1
}

// bytes is the header's first copy as stored.
func (h *walIndexHeader) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&h[0])), walHeaderSize)
}
