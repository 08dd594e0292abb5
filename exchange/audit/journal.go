package audit

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The journal is where an entry becomes durable. The writer's commit is
// one frame, written into a file of fixed size whose blocks were all
// written (with zeros) and synced when it was made, then synced with
// fdatasync; the answers leave then. The SQLite file gets the same entries
// behind it (the applier), and the frame's space is used again once they
// are there. Overwriting blocks a file already has changes none of its
// metadata, so a commit is one write and a cache flush: on this project's
// virtual disk an fdatasync of 12 KiB overwritten in place takes 0.24 ms
// at the median and 0.47 ms at p99, where appending to a growing file, as
// SQLite's write-ahead log does until it is reset, takes 0.53 and 1.0 ms,
// and a SQLite commit of a few entries, its CPU work included, 0.8 and
// 3.7 ms (docs/decisions.md, "The audit journal").
//
// Layout: block 0 holds journalMagic and, at byte 32, the journal's salt,
// 8 random bytes drawn when it was made; frames start at later block
// boundaries and fill whole blocks. A frame:
//
//	0  "SBJ1"
//	4  CRC-32C (Castagnoli) of bytes 8 to the payload's end
//	8  the index of its first entry (uint64)
//	16 how many entries (uint32)
//	20 the payload's length (uint32)
//	24 the journal's salt
//	32 payload: per entry, its length (uint32) and its MarshalBinary form
//
// The salt is what keeps an entry's own bytes from being read as a frame.
// A frame written over the start of a longer, older one leaves the older
// one's later blocks to be scanned block by block, and an entry's text
// comes from a request: a requester could put there a frame whose CRC
// matches, at what becomes a block boundary. It cannot know the salt,
// which never leaves the journal, so its frame is not one.
//
// All integers are little-endian. Frames are written in the order of
// their entries, each after the one before was synced, so a frame that
// did not reach the disk whole (its CRC does not match) was never
// answered, and every later one is absent too. Reopened, the log takes
// from the journal the frames that continue its SQLite file, in order of
// their first index, and applies them before it answers anything.
const (
	journalBlock  = 4096
	journalMagic  = "Samband audit journal 1\n"
	frameMagic    = "SBJ1"
	frameHeader   = 32
	maxFrameCount = maxBatch
)

// journalSize is the size of a new journal file: 2,047 frames of a block,
// several seconds of commits at the rates docs/benchmarks.md measures, for
// an applier that normally follows within a commit. Tests make it smaller.
var journalSize int64 = 8 << 20

// maxJournalSize bounds the journal Open reads: far above journalSize, so
// that a journal made by a build with a larger one still opens.
const maxJournalSize = 1 << 30

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// ErrLocked is returned by Open when another process has the log open:
// its journal is locked. OpenReadOnly reads such a log.
var ErrLocked = errors.New("locked: another process has the log open")

// lockWait is how long Open waits for a journal's lock another open file
// holds before it fails with ErrLocked (lockFile).
const lockWait = time.Second

// journalPath is where the journal of the log at path is kept.
func journalPath(path string) string { return path + ".journal" }

// A journal is the writer's file of frames.
type journal struct {
	f    *os.File
	salt uint64 // every frame carries it
	size int64  // the file's size, a multiple of journalBlock
	pos  int64  // where the next frame goes, unless it must wrap
	buf  []byte // the frame being written, kept between commits
	sync syncer // writes and syncs the frames
}

// A frame is one commit of the journal, as read back.
type frame struct {
	at, length int64 // where it is and the blocks it fills, in bytes
	first      int64
	data       [][]byte // its entries, MarshalBinary forms
}

// span is the space a frame fills in the journal.
type span struct{ at, end int64 }

// openJournal opens the journal at path, locked, making it if there is
// none, and returns it with every whole frame it holds, by first index. A
// file that is not a journal is refused, and so is one another process
// has locked (ErrLocked).
func openJournal(path string) (*journal, []frame, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*journal, []frame, error) {
		f.Close()
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		return fail(fmt.Errorf("%w (%v)", ErrLocked, err))
	}
	// A journal is read whole: one far larger than any this program
	// makes is refused rather than read into memory.
	if st, err := f.Stat(); err != nil {
		return fail(err)
	} else if st.Size() > maxJournalSize {
		return fail(fmt.Errorf("%d bytes, larger than a journal is (at most %d)", st.Size(), int64(maxJournalSize)))
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fail(err)
	}
	if !bytes.HasPrefix(b, []byte(journalMagic)) {
		// Made now, or its making was cut short: it is all zeros (or
		// nothing), as a journal is until its header, written last, is
		// synced, and no frame was ever written to it.
		if slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) {
			return fail(errors.New("not a Samband audit journal"))
		}
		if b, err = makeJournal(f, journalSize); err != nil {
			return fail(err)
		}
		if err := syncDir(filepath.Dir(path)); err != nil {
			return fail(err)
		}
	}
	frames, err := scanJournal(b)
	if err != nil {
		return fail(err)
	}
	j := &journal{f: f, salt: journalSalt(b), size: int64(len(b)), pos: journalBlock}
	j.sync = newSyncer(f)
	return j, frames, nil
}

// makeJournal makes f, empty or all zeros, a journal of size bytes: it
// writes every block, syncs them, then writes the header with a new salt
// and syncs it. It returns what f then holds.
func makeJournal(f *os.File, size int64) ([]byte, error) {
	b := make([]byte, size)
	if err := f.Truncate(size); err != nil {
		return nil, fmt.Errorf("make journal: %w", err)
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		return nil, fmt.Errorf("make journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("make journal: %w", err)
	}
	var salt [8]byte
	for binary.LittleEndian.Uint64(salt[:]) == 0 {
		if _, err := rand.Read(salt[:]); err != nil {
			return nil, fmt.Errorf("make journal: %w", err)
		}
	}
	copy(b, journalMagic)
	copy(b[32:], salt[:])
	if _, err := f.WriteAt(b[:journalBlock], 0); err != nil {
		return nil, fmt.Errorf("make journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("make journal: %w", err)
	}
	return b, nil
}

// journalSalt is the salt in the header of journal b.
func journalSalt(b []byte) uint64 { return binary.LittleEndian.Uint64(b[32:]) }

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// scanJournal returns the whole frames of the journal b, by first index.
// A block where no whole frame starts is skipped: zeros, the rest of a
// longer frame, or the torn last frame of a crash. It fails only when b
// is not a journal.
func scanJournal(b []byte) ([]frame, error) {
	if len(b) < 2*journalBlock || len(b)%journalBlock != 0 || !bytes.HasPrefix(b, []byte(journalMagic)) {
		return nil, errors.New("not a Samband audit journal")
	}
	var frames []frame
	salt := journalSalt(b)
	for at := int64(journalBlock); at < int64(len(b)); {
		fr, ok := parseFrame(b[at:], salt)
		if !ok {
			at += journalBlock
			continue
		}
		fr.at = at
		frames = append(frames, fr)
		at += fr.length
	}
	slices.SortStableFunc(frames, func(a, b frame) int { return cmp.Compare(a.first, b.first) })
	return frames, nil
}

// maxIndex bounds a log's indexes: its entries are 0 to maxIndex-1. The
// stored hash indexes of tlog overflow an int64 not far above.
const maxIndex = 1 << 62

// parseFrame reads the frame at the start of b, if a whole one of the
// journal with salt is there.
func parseFrame(b []byte, salt uint64) (frame, bool) {
	if len(b) < frameHeader || string(b[:4]) != frameMagic || binary.LittleEndian.Uint64(b[24:]) != salt {
		return frame{}, false
	}
	first := binary.LittleEndian.Uint64(b[8:])
	count := binary.LittleEndian.Uint32(b[16:])
	plen := binary.LittleEndian.Uint32(b[20:])
	if first >= maxIndex || count == 0 || count > maxFrameCount || first+uint64(count) > maxIndex || int64(plen) > int64(len(b))-frameHeader {
		return frame{}, false
	}
	end := frameHeader + int(plen)
	if crc32.Checksum(b[8:end], crc32c) != binary.LittleEndian.Uint32(b[4:]) {
		return frame{}, false
	}
	data := make([][]byte, 0, count)
	for p := b[frameHeader:end]; len(p) > 0; {
		if len(p) < 4 || int64(binary.LittleEndian.Uint32(p)) > int64(len(p)-4) {
			return frame{}, false
		}
		n := int(binary.LittleEndian.Uint32(p))
		data = append(data, bytes.Clone(p[4:4+n]))
		p = p[4+n:]
	}
	if len(data) != int(count) {
		return frame{}, false
	}
	return frame{length: blocks(int64(end)), first: int64(first), data: data}, true
}

// blocks rounds n up to whole journal blocks.
func blocks(n int64) int64 {
	return (n + journalBlock - 1) / journalBlock * journalBlock
}

// chain returns the frames that continue a log of size entries: the one
// whose first entry is size, then the one after it, and so on. Frames of
// entries the log has are old. A frame of later entries that none leads
// to means entries the journal held are lost, and is an error.
func chain(frames []frame, size int64) ([]frame, error) {
	var out []frame
	next := size
	for _, fr := range frames {
		switch {
		case fr.first+int64(len(fr.data)) <= size:
			continue // applied before
		case fr.first == next:
			out = append(out, fr)
			next += int64(len(fr.data))
		case fr.first < next:
			return nil, fmt.Errorf("frame at byte %d holds entries %d to %d, which overlap entries the log has (up to %d)",
				fr.at, fr.first, fr.first+int64(len(fr.data))-1, next-1)
		default:
			return nil, fmt.Errorf("frame at byte %d holds entries from %d, but the log and the journal end at %d: entries %d to %d are lost",
				fr.at, fr.first, next, next, fr.first-1)
		}
	}
	return out, nil
}

// encode makes j.buf the frame of batch, entries first, first+1, ...,
// padded to whole blocks.
func (j *journal) encode(first int64, batch []appendReq) []byte {
	b := append(j.buf[:0], make([]byte, frameHeader)...)
	for _, r := range batch {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r.data)))
		b = append(b, r.data...)
	}
	end := len(b)
	copy(b, frameMagic)
	binary.LittleEndian.PutUint64(b[8:], uint64(first))
	binary.LittleEndian.PutUint32(b[16:], uint32(len(batch)))
	binary.LittleEndian.PutUint32(b[20:], uint32(end-frameHeader))
	binary.LittleEndian.PutUint64(b[24:], j.salt)
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:end], crc32c))
	b = append(b, make([]byte, blocks(int64(end))-int64(end))...)
	j.buf = b
	return b
}

// place returns where a frame of n bytes goes: at pos, or at the first
// frame block when it would run past the end; ok is false when that space
// holds a frame not yet applied (one of busy's), or the frame is larger
// than the journal can hold at all.
func (j *journal) place(n int64, busy []applyBatch) (at int64, ok bool) {
	at = j.pos
	if at+n > j.size {
		at = journalBlock
	}
	if at+n > j.size {
		return 0, false
	}
	for _, b := range busy {
		if at < b.span.end && b.span.at < at+n {
			return 0, false
		}
	}
	return at, true
}

// write writes frame b at at and syncs it.
func (j *journal) write(b []byte, at int64) error {
	if err := j.sync.writeSync(b, at); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.pos = at + int64(len(b))
	return nil
}

func (j *journal) close() error {
	if j == nil || j.f == nil {
		return nil
	}
	return errors.Join(j.sync.close(), unlockFile(j.f), j.f.Close())
}
