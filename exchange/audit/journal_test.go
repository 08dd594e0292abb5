package audit

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// journalEntries returns the MarshalBinary forms of count entries from
// first on, each with a rule of pad bytes, to make them larger.
func journalEntries(t testing.TB, first, count, pad int) [][]byte {
	t.Helper()
	data := make([][]byte, count)
	for i := range data {
		e := testEntry(first + i)
		if pad > 0 {
			e.Rule = strings.Repeat("r", pad)
		}
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		data[i] = b
	}
	return data
}

// requests returns data as the writer's batch.
func requests(data [][]byte) []appendReq {
	batch := make([]appendReq, len(data))
	for i, d := range data {
		batch[i] = appendReq{data: d}
	}
	return batch
}

// emptyJournal returns a journal of n blocks, in memory, with no frames.
func emptyJournal(n int) []byte {
	b := make([]byte, n*journalBlock)
	copy(b, journalMagic)
	return b
}

// putFrame writes the frame of data, entries first, first+1, ..., into the
// journal b at at, and returns it as scanJournal should read it back.
func putFrame(b []byte, at, first int64, data [][]byte) frame {
	enc := (&journal{}).encode(first, requests(data))
	copy(b[at:], enc)
	return frame{at: at, length: int64(len(enc)), first: first, data: data}
}

// frameList describes frames as first@at+length/count, for messages.
func frameList(frames []frame) string {
	s := make([]string, len(frames))
	for i, fr := range frames {
		s[i] = fmt.Sprintf("%d@%d+%d/%d", fr.first, fr.at, fr.length, len(fr.data))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// checkFrames fails t unless got are want: the same frames, where want
// has them, with the same entries.
func checkFrames(t *testing.T, got, want []frame) {
	t.Helper()
	if frameList(got) != frameList(want) {
		t.Fatalf("frames = %s, want %s", frameList(got), frameList(want))
	}
	for i := range got {
		for k := range got[i].data {
			if !bytes.Equal(got[i].data[k], want[i].data[k]) {
				t.Errorf("frame %d, entry %d = %x, want %x", got[i].first, k, got[i].data[k], want[i].data[k])
			}
		}
	}
}

// reseal sets the CRC of the frame at the start of b to match its bytes,
// so that a frame edited to be wrong is wrong in what its CRC covers.
func reseal(b []byte) {
	end := frameHeader + int(binary.LittleEndian.Uint32(b[20:]))
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:end], crc32c))
}

// TestParseFrame reads a frame as encode wrote it, and refuses frames that
// are not whole or not as encode writes them, even where the CRC matches
// what the frame holds: a wrong magic or CRC, an index of 2⁶² or past it,
// no entries or more than a commit takes, a count that is not the
// payload's, an entry or payload that runs past its end, a payload that
// ends within a length, too few bytes for a header.
func TestParseFrame(t *testing.T) {
	data := journalEntries(t, 7, 3, 0)
	valid := func() []byte {
		b := make([]byte, 2*journalBlock)
		copy(b, (&journal{}).encode(7, requests(data)))
		return b
	}
	plen := func(b []byte) uint32 { return binary.LittleEndian.Uint32(b[20:]) }
	fr, ok := parseFrame(valid(), 0)
	if !ok {
		t.Fatal("parseFrame of an encoded frame: not a frame")
	}
	want := frame{length: journalBlock, first: 7, data: data}
	checkFrames(t, []frame{fr}, []frame{want})

	tests := []struct {
		name string
		b    func() []byte
	}{
		{"wrong magic", func() []byte { b := valid(); b[3] = '2'; return b }},
		{"wrong CRC", func() []byte { b := valid(); b[4] ^= 1; return b }},
		{"first index changed, not resealed", func() []byte { b := valid(); b[8]++; return b }},
		{"entry byte changed, not resealed", func() []byte { b := valid(); b[frameHeader+10] ^= 0x80; return b }},
		{"first index past 2^62", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint64(b[8:], 1<<62+1)
			reseal(b)
			return b
		}},
		{"first index 2^62", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint64(b[8:], 1<<62)
			reseal(b)
			return b
		}},
		{"entries running past 2^62", func() []byte {
			b := valid() // three entries
			binary.LittleEndian.PutUint64(b[8:], 1<<62-2)
			reseal(b)
			return b
		}},
		{"no entries", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint32(b[16:], 0)
			binary.LittleEndian.PutUint32(b[20:], 0)
			reseal(b)
			return b
		}},
		{"more entries than a commit takes", func() []byte {
			b := make([]byte, 4*journalBlock)
			copy(b, (&journal{}).encode(0, requests(make([][]byte, maxFrameCount+1))))
			return b
		}},
		{"count above the payload's", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint32(b[16:], 4)
			reseal(b)
			return b
		}},
		{"count below the payload's", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint32(b[16:], 2)
			reseal(b)
			return b
		}},
		{"entry runs past the payload", func() []byte {
			b := valid()
			p := frameHeader + 4 + len(data[0]) + 4 + len(data[1]) // the last entry's length
			binary.LittleEndian.PutUint32(b[p:], uint32(len(data[2])+1))
			reseal(b)
			return b
		}},
		{"payload ends within a length", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint32(b[20:], plen(b)+2)
			reseal(b)
			return b
		}},
		{"payload runs past the bytes", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint32(b[20:], uint32(len(b)-frameHeader+1))
			return b
		}},
		{"payload length 2^32-1", func() []byte {
			b := valid()
			binary.LittleEndian.PutUint32(b[20:], 1<<32-1)
			return b
		}},
		{"shorter than a header", func() []byte { return valid()[:frameHeader-1] }},
		{"nothing", func() []byte { return nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if fr, ok := parseFrame(tc.b(), 0); ok {
				t.Errorf("parseFrame = %s, want no frame", frameList([]frame{fr}))
			}
		})
	}
}

// TestScanJournal writes frames into a journal, of one entry, of several
// and of more than a block, and reads them back, by first index, each
// where it was written and as long as it was; a block where no whole
// frame starts is skipped, and the frames after it are found: a frame
// with a byte changed, one whose last block is lost, one whose payload
// would run past the file's end. The rest of a frame is not read for
// frames, even one held in an entry, and frames written where the
// journal wraps, so not in their order in the file, come back in order.
func TestScanJournal(t *testing.T) {
	b := emptyJournal(16)
	frames := []frame{
		putFrame(b, 1*journalBlock, 0, journalEntries(t, 0, 1, 0)),
		putFrame(b, 2*journalBlock, 1, journalEntries(t, 1, 5, 0)),
		putFrame(b, 3*journalBlock, 6, journalEntries(t, 6, 20, 150)),
	}
	if frames[2].length != 2*journalBlock {
		t.Fatalf("a frame of 20 entries fills %d bytes, want two blocks", frames[2].length)
	}
	frames = append(frames, putFrame(b, 5*journalBlock, 26, journalEntries(t, 26, 2, 0)))
	got, err := scanJournal(b)
	if err != nil {
		t.Fatal(err)
	}
	checkFrames(t, got, frames)

	// each edits a copy of b, and scanJournal returns the frames but
	// those numbered skip.
	tests := []struct {
		name string
		edit func([]byte)
		skip []int
	}{
		{"payload byte changed", func(b []byte) { b[2*journalBlock+frameHeader+20] ^= 1 }, []int{1}},
		{"first index changed", func(b []byte) { b[journalBlock+8] = 1 }, []int{0}},
		{"last block lost", func(b []byte) { clear(b[4*journalBlock : 5*journalBlock]) }, []int{2}},
		{"first block lost", func(b []byte) { clear(b[3*journalBlock : 4*journalBlock]) }, []int{2}},
		{"payload past the end", func(b []byte) {
			// the first block of a frame of two, as the file's last
			copy(b[15*journalBlock:], b[3*journalBlock:4*journalBlock])
		}, nil},
		{"torn frame over an older one", func(b []byte) {
			// a frame of three blocks, only its first block written, over frame 0
			enc := (&journal{}).encode(30, requests(journalEntries(t, 30, 30, 150)))
			copy(b[1*journalBlock:2*journalBlock], enc)
		}, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := bytes.Clone(b)
			tc.edit(c)
			got, err := scanJournal(c)
			if err != nil {
				t.Fatal(err)
			}
			var want []frame
			for i, fr := range frames {
				if !slices.Contains(tc.skip, i) {
					want = append(want, fr)
				}
			}
			checkFrames(t, got, want)
		})
	}

	t.Run("frame in an entry", func(t *testing.T) {
		// An entry whose bytes hold a whole frame at a block boundary
		// of the frame that holds it.
		b := emptyJournal(8)
		inner := (&journal{}).encode(100, requests(journalEntries(t, 100, 1, 0)))
		entry := append(make([]byte, journalBlock-frameHeader-4), inner...)
		outer := putFrame(b, journalBlock, 0, [][]byte{entry})
		if outer.length != 2*journalBlock {
			t.Fatalf("the outer frame fills %d bytes, want two blocks", outer.length)
		}
		if _, ok := parseFrame(b[2*journalBlock:], 0); !ok {
			t.Fatal("the inner frame is not a frame where it is")
		}
		got, err := scanJournal(b)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, got, []frame{outer})
	})

	t.Run("wrapped", func(t *testing.T) {
		// A journal of 8 blocks that wrapped: 10 and 12 at its end, then
		// 14 and 15 from its start, 15 over the start of an older frame
		// (6) whose last block is still there.
		b := emptyJournal(8)
		putFrame(b, 2*journalBlock, 6, journalEntries(t, 6, 20, 150))
		want := []frame{
			putFrame(b, 5*journalBlock, 10, journalEntries(t, 10, 2, 0)),
			putFrame(b, 6*journalBlock, 12, journalEntries(t, 12, 12, 150)),
			putFrame(b, 1*journalBlock, 14, journalEntries(t, 14, 1, 0)),
			putFrame(b, 2*journalBlock, 15, journalEntries(t, 15, 3, 0)),
		}
		got, err := scanJournal(b)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, got, want)
	})
}

// TestScanJournalNotAJournal: scanJournal refuses bytes too short for a
// journal (a block for the magic and one for a frame), not whole blocks,
// or without the magic, and takes the smallest journal there is.
func TestScanJournalNotAJournal(t *testing.T) {
	wrongMagic := emptyJournal(4)
	wrongMagic[len(journalMagic)-2]++
	tests := []struct {
		name string
		b    []byte
	}{
		{"nothing", nil},
		{"the magic", []byte(journalMagic)},
		{"one block", emptyJournal(1)},
		{"a byte short", emptyJournal(4)[:4*journalBlock-1]},
		{"a byte more", append(emptyJournal(4), 0)},
		{"no magic", make([]byte, 4*journalBlock)},
		{"wrong magic", wrongMagic},
		{"frames but no magic", func() []byte {
			b := emptyJournal(4)
			putFrame(b, journalBlock, 0, journalEntries(t, 0, 1, 0))
			clear(b[:journalBlock])
			return b
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frames, err := scanJournal(tc.b)
			if err == nil || !strings.Contains(err.Error(), "not a Samband audit journal") {
				t.Errorf("scanJournal = %s, %v; want not a Samband audit journal", frameList(frames), err)
			}
		})
	}
	if frames, err := scanJournal(emptyJournal(2)); err != nil || len(frames) != 0 {
		t.Errorf("scanJournal of a journal of two blocks = %s, %v; want no frames", frameList(frames), err)
	}
}

// TestChain takes from a journal's frames those that continue a log of
// size entries, in order: frames of entries the log has are old and left
// out; a frame overlapping entries the log (or a frame before it) has is
// an error, and so is a frame after a gap, which names the entries lost.
func TestChain(t *testing.T) {
	// fr is a frame of entries first to first+n-1, at first's block.
	fr := func(first, n int64) frame {
		return frame{at: (first + 1) * journalBlock, length: journalBlock, first: first, data: make([][]byte, n)}
	}
	tests := []struct {
		name    string
		frames  []frame
		size    int64
		want    []int64 // the first indexes of the frames returned
		wantErr string
	}{
		{"no frames", nil, 0, nil, ""},
		{"no frames, a log", nil, 5, nil, ""},
		{"all old", []frame{fr(0, 3), fr(3, 2)}, 5, nil, ""},
		{"all old, the log longer", []frame{fr(0, 3), fr(3, 2)}, 9, nil, ""},
		{"all continue", []frame{fr(0, 3), fr(3, 2), fr(5, 1)}, 0, []int64{0, 3, 5}, ""},
		{"old ones, then continuing", []frame{fr(0, 3), fr(3, 2), fr(5, 4), fr(9, 1)}, 5, []int64{5, 9}, ""},
		{"the last continues", []frame{fr(0, 3), fr(3, 2)}, 3, []int64{3}, ""},
		{"overlapping the log", []frame{fr(0, 3), fr(3, 4)}, 5, nil, "entries 3 to 6, which overlap entries the log has (up to 4)"},
		{"overlapping the one before", []frame{fr(5, 3), fr(6, 2)}, 5, nil, "entries 6 to 7, which overlap entries the log has (up to 7)"},
		{"same first index twice", []frame{fr(5, 1), fr(5, 1)}, 5, nil, "overlap"},
		{"gap after the log", []frame{fr(0, 3), fr(7, 2)}, 5, nil, "entries 5 to 6 are lost"},
		{"gap between frames", []frame{fr(5, 2), fr(8, 1)}, 5, nil, "entries 7 to 7 are lost"},
		{"gap in an empty log", []frame{fr(1, 1)}, 0, nil, "entries 0 to 0 are lost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := chain(tc.frames, tc.size)
			var got []int64
			for _, fr := range out {
				got = append(got, fr.first)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("chain(%s, %d): %v", frameList(tc.frames), tc.size, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("chain(%s, %d) = %v, %v; want an error saying %q", frameList(tc.frames), tc.size, got, err, tc.wantErr)
			case !slices.Equal(got, tc.want):
				t.Errorf("chain(%s, %d) = frames from %v, want %v", frameList(tc.frames), tc.size, got, tc.want)
			}
		})
	}
}

// TestPlace puts frames in a journal of 8 blocks: at pos when the frame
// fits before the end, else at block 1, but not over a frame not yet
// applied (a busy span), whether at pos or after wrapping, and never a
// frame larger than the journal's 7 frame blocks.
func TestPlace(t *testing.T) {
	const B = journalBlock
	busy := func(spans ...span) []applyBatch {
		q := make([]applyBatch, len(spans))
		for i, s := range spans {
			q[i].span = s
		}
		return q
	}
	tests := []struct {
		name   string
		pos, n int64
		busy   []applyBatch
		want   int64 // 0 for no room
	}{
		{"at pos", 2 * B, 2 * B, nil, 2 * B},
		{"at pos, the first", B, B, nil, B},
		{"up to the end", 6 * B, 2 * B, nil, 6 * B},
		{"past the end wraps", 7 * B, 2 * B, nil, B},
		{"at the end wraps", 8 * B, B, nil, B},
		{"the largest, at block 1", B, 7 * B, nil, B},
		{"the largest, wrapping", 3 * B, 7 * B, nil, B},
		{"larger than the journal", B, 8 * B, nil, 0},
		{"much larger", 3 * B, 20 * B, nil, 0},
		{"busy at pos", 2 * B, 2 * B, busy(span{3 * B, 5 * B}), 0},
		{"busy before pos, reaching it", 3 * B, B, busy(span{B, 4 * B}), 0},
		{"busy within", 2 * B, 4 * B, busy(span{3 * B, 4 * B}), 0},
		{"busy around", 3 * B, B, busy(span{2 * B, 5 * B}), 0},
		{"busy next to it", 2 * B, 2 * B, busy(span{B, 2 * B}, span{4 * B, 6 * B}), 2 * B},
		{"busy after wrapping", 7 * B, 2 * B, busy(span{2 * B, 3 * B}), 0},
		{"busy at block 1 after wrapping", 7 * B, 2 * B, busy(span{B, 2 * B}), 0},
		{"busy after where it wraps to", 7 * B, 2 * B, busy(span{3 * B, 4 * B}), B},
		{"busy where it would not wrap to", 6 * B, 3 * B, busy(span{6 * B, 8 * B}), B},
		{"the largest, a block busy", B, 7 * B, busy(span{7 * B, 8 * B}), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := &journal{size: 8 * B, pos: tc.pos}
			at, ok := j.place(tc.n, tc.busy)
			if !ok {
				at = 0
			}
			if at != tc.want || ok != (tc.want != 0) {
				t.Errorf("place(%d) at %d = %d, %v; want block %d (0 for none)", tc.n/B, tc.pos/B, at/B, ok, tc.want/B)
			}
		})
	}
}

// TestOpenJournalNew: openJournal of a path where there is none makes a
// journal of journalSize bytes, with no frames, and leaves no temporary
// file; a file there that is not a journal is refused, and left as it is,
// and so is one far larger than a journal is, unread.
func TestOpenJournalNew(t *testing.T) {
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 16 * journalBlock
	dir := t.TempDir()
	path := filepath.Join(dir, "log.journal")
	j, frames, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if len(frames) != 0 {
		t.Errorf("a new journal has frames %s", frameList(frames))
	}
	if j.size != journalSize || j.pos != journalBlock {
		t.Errorf("a new journal: size %d, pos %d; want %d, %d", j.size, j.pos, journalSize, journalBlock)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := emptyJournal(16)
	binary.LittleEndian.PutUint64(want[32:], j.salt)
	if j.salt == 0 || !bytes.Equal(b, want) {
		t.Errorf("a new journal of %d bytes is not the magic, its salt (%x) and zeros to %d bytes", len(b), j.salt, journalSize)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0].Name() != "log.journal" {
		var s []string
		for _, n := range names {
			s = append(s, n.Name())
		}
		t.Errorf("files after openJournal: %v, want [log.journal] (no %s)", s, "log.journal.new")
	}

	// A journal whose making was cut short is zeros, or nothing: made
	// again, with a salt of its own.
	for _, n := range []int{0, 3} {
		cut := filepath.Join(dir, fmt.Sprintf("cut%d.journal", n))
		if err := os.WriteFile(cut, make([]byte, n*journalBlock+100), 0o600); err != nil {
			t.Fatal(err)
		}
		j2, frames, err := openJournal(cut)
		if err != nil || len(frames) != 0 || j2.size != journalSize || j2.salt == 0 || j2.salt == j.salt {
			t.Errorf("openJournal of %d zero blocks = %v, %d frames, size %d, salt %x; want a new journal, a salt of its own", n, err, len(frames), j2.size, j2.salt)
		}
		if j2 != nil {
			j2.close()
		}
		os.Remove(cut)
	}

	other := filepath.Join(dir, "other.journal")
	garbage := bytes.Repeat([]byte("not a journal\n"), 4*journalBlock)
	if err := os.WriteFile(other, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	if j, _, err := openJournal(other); err == nil || !strings.Contains(err.Error(), "not a Samband audit journal") {
		j.close()
		t.Errorf("openJournal of a file that is not a journal: %v, want not a Samband audit journal", err)
	}
	if b, err := os.ReadFile(other); err != nil || !bytes.Equal(b, garbage) {
		t.Errorf("openJournal changed a file that is not a journal (%v)", err)
	}

	// A file far larger than a journal is refused unread (a sparse one
	// here: reading it would take a gibibyte).
	huge := filepath.Join(dir, "huge.journal")
	if err := os.WriteFile(huge, []byte(journalMagic), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, maxJournalSize+1); err != nil {
		t.Fatal(err)
	}
	if j, _, err := openJournal(huge); err == nil || !strings.Contains(err.Error(), "larger than a journal is") {
		if err == nil {
			j.close()
		}
		t.Errorf("openJournal of a file of %d bytes: %v, want it refused", int64(maxJournalSize+1), err)
	}
}

// TestOpenJournalLocked: while a journal is open, openJournal of it fails,
// saying it is locked; once it is closed, it opens, and holds the frames
// written to it, each where place put it.
func TestOpenJournalLocked(t *testing.T) {
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 8 * journalBlock
	path := filepath.Join(t.TempDir(), "log.journal")
	j, _, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	var want []frame
	for _, c := range []struct{ first, n, pad int }{{0, 3, 0}, {3, 20, 150}, {23, 1, 0}} {
		data := journalEntries(t, c.first, c.n, c.pad)
		b := j.encode(int64(c.first), requests(data))
		at, ok := j.place(int64(len(b)), nil)
		if !ok {
			t.Fatalf("no room for a frame of %d bytes at %d", len(b), j.pos)
		}
		if err := j.write(b, at); err != nil {
			t.Fatal(err)
		}
		want = append(want, frame{at: at, length: int64(len(b)), first: int64(c.first), data: data})
	}
	if frameList(want) != "[0@4096+4096/3 3@8192+8192/20 23@16384+4096/1]" {
		t.Fatalf("frames written: %s, want one after another from block 1", frameList(want))
	}

	if runtime.GOOS == "linux" {
		if j2, _, err := openJournal(path); err == nil || !strings.Contains(err.Error(), "locked") {
			j2.close()
			t.Fatalf("openJournal of an open journal: %v, want an error saying it is locked", err)
		}
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	j, frames, err := openJournal(path)
	if err != nil {
		t.Fatalf("openJournal once closed: %v", err)
	}
	defer j.close()
	checkFrames(t, frames, want)
}

// FuzzScanJournal: on any bytes, scanJournal fails exactly when they are
// not a journal, and otherwise returns frames by first index, each whole
// (parseFrame reads the same where it is) in whole blocks after block 0
// and within the bytes, none over another; chain, on them, returns
// consecutive frames from the size it is given, or an error.
//
// It scans three journals: raw as it is; raw as the blocks after a
// journal's first, padded with zeros to a whole block; and one that
// layout describes (fuzzJournal), with raw XORed over its blocks after
// the first. So the inputs stay small, and what the fuzzer finds is
// minimized quickly, while the journals hold frames of many blocks,
// written over each other and cut by the file's end, and frames that
// differ from such frames only in a few bytes.
func FuzzScanJournal(f *testing.F) {
	one := emptyJournal(2)
	putFrame(one, journalBlock, 5, journalEntries(f, 5, 1, 0))
	f.Add(bytes.TrimRight(one[journalBlock:], "\x00"), []byte(nil))
	f.Add([]byte(journalMagic), []byte(nil))
	f.Add([]byte(nil), []byte{6, 0, 0, 0, 0, 1, 1, 4, 10, 2, 5, 30, 100})   // one after another
	f.Add([]byte(nil), []byte{6, 3, 10, 1, 0, 4, 11, 60, 200, 0, 20, 9, 9}) // out of order, one cut by the end
	f.Add([]byte(nil), []byte{6, 1, 0, 30, 100, 1, 40, 0, 0})               // one over the first block of another
	f.Add([]byte(nil), []byte{4, 0, 7, 0, 255})                             // a frame in an entry
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		[]byte{6, 0, 0, 0, 0, 1, 1, 4, 10}) // a payload byte changed

	f.Fuzz(func(t *testing.T, raw, layout []byte) {
		if len(raw) > 1<<20 || len(layout) > 64 {
			return
		}
		checkScan(t, raw)
		padded := emptyJournal(1 + max(1, int(blocks(int64(len(raw)))/journalBlock)))
		copy(padded[journalBlock:], raw)
		checkScan(t, padded)
		b := fuzzJournal(layout)
		for i, x := range raw[:min(len(raw), len(b)-journalBlock)] {
			b[journalBlock+i] ^= x
		}
		checkScan(t, b)
	})
}

// fuzzJournal returns the journal layout describes: layout[0] its size,
// 2 to 16 blocks, then four bytes a frame, written in turn, each over
// what is there and cut by the file's end: the block it starts at, its
// first index, its count less one (to 32) and its entries' size in 4
// bytes, except 255: one entry holding a frame at the second block.
func fuzzJournal(layout []byte) []byte {
	if len(layout) == 0 {
		return emptyJournal(2)
	}
	n := 2 + int(layout[0])%15
	b := emptyJournal(n)
	for ops := layout[1:]; len(ops) >= 4; ops = ops[4:] {
		at := int64(1+int(ops[0])%(n-1)) * journalBlock
		first := int64(ops[1])
		var data [][]byte
		if ops[3] == 255 {
			inner := (&journal{}).encode(first+100, requests([][]byte{{ops[2]}}))
			data = [][]byte{append(make([]byte, journalBlock-frameHeader-4), inner...)}
		} else {
			data = make([][]byte, 1+int(ops[2])%32)
			for i := range data {
				data[i] = bytes.Repeat([]byte{byte(first) + byte(i)}, 4*int(ops[3]))
			}
		}
		copy(b[at:], (&journal{}).encode(first, requests(data)))
	}
	return b
}

// checkScan checks what scanJournal returns for b (FuzzScanJournal).
func checkScan(t *testing.T, b []byte) {
	t.Helper()
	frames, err := scanJournal(b)
	isJournal := len(b) >= 2*journalBlock && len(b)%journalBlock == 0 && bytes.HasPrefix(b, []byte(journalMagic))
	if (err == nil) != isJournal {
		t.Fatalf("scanJournal of %d bytes: %v; a journal: %v", len(b), err, isJournal)
	}
	if err != nil {
		return
	}
	for i, fr := range frames {
		switch {
		case fr.at%journalBlock != 0 || fr.at < journalBlock || fr.at+fr.length > int64(len(b)):
			t.Fatalf("frame %d at %d, %d bytes, in %d bytes", fr.first, fr.at, fr.length, len(b))
		case fr.length <= 0 || fr.length%journalBlock != 0:
			t.Fatalf("frame %d at %d is %d bytes long", fr.first, fr.at, fr.length)
		case len(fr.data) < 1 || len(fr.data) > maxFrameCount:
			t.Fatalf("frame %d at %d has %d entries", fr.first, fr.at, len(fr.data))
		case i > 0 && frames[i-1].first > fr.first:
			t.Fatalf("frames not by first index: %s", frameList(frames))
		}
		again, ok := parseFrame(b[fr.at:], journalSalt(b))
		again.at = fr.at
		if !ok || frameList([]frame{again}) != frameList([]frame{fr}) {
			t.Fatalf("frame %s, read again where it is: %s, %v", frameList([]frame{fr}), frameList([]frame{again}), ok)
		}
		for k := range fr.data {
			if !bytes.Equal(fr.data[k], again.data[k]) {
				t.Fatalf("frame %d, entry %d: %x, read again %x", fr.first, k, fr.data[k], again.data[k])
			}
		}
	}
	byAt := slices.SortedFunc(slices.Values(frames), func(a, b frame) int { return cmp.Compare(a.at, b.at) })
	for i := 1; i < len(byAt); i++ {
		if byAt[i-1].at+byAt[i-1].length > byAt[i].at {
			t.Fatalf("frames overlap in the file: %s", frameList(byAt))
		}
	}

	sizes := []int64{0}
	if len(frames) > 0 {
		sizes = append(sizes, frames[0].first, frames[len(frames)/2].first+1, frames[len(frames)-1].first)
	}
	for _, size := range sizes {
		out, err := chain(frames, size)
		if err != nil {
			continue
		}
		next := size
		for _, fr := range out {
			if fr.first != next {
				t.Fatalf("chain(%s, %d) = %s, not consecutive from %d", frameList(frames), size, frameList(out), size)
			}
			next += int64(len(fr.data))
		}
	}
}

// TestScanJournalSalt: a frame is the journal's only if it carries the
// journal's salt: one encoded for another salt, such as a requester could
// hide in an entry's text at what becomes a block boundary once a shorter
// frame is written over the start of a longer one, is not read.
func TestScanJournalSalt(t *testing.T) {
	b := emptyJournal(16)
	binary.LittleEndian.PutUint64(b[32:], 0x5a17)
	ours := &journal{salt: 0x5a17}
	forged := &journal{salt: 0x0bad}
	data := journalEntries(t, 0, 2, 0)
	copy(b[journalBlock:], ours.encode(0, requests(data)))
	copy(b[3*journalBlock:], forged.encode(2, requests(journalEntries(t, 2, 1, 0))))
	copy(b[5*journalBlock:], (&journal{}).encode(2, requests(journalEntries(t, 2, 1, 0))))
	got, err := scanJournal(b)
	if err != nil {
		t.Fatal(err)
	}
	checkFrames(t, got, []frame{{at: journalBlock, length: journalBlock, first: 0, data: data}})
}

// TestOpenJournalWaitsForLock: a lock given up within lockWait (as a killed
// process's, once the kernel has done its last sync) does not fail the
// open; one held longer does.
func TestOpenJournalWaitsForLock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("journals are locked on Linux only")
	}
	defer func(n int64) { journalSize = n }(journalSize)
	journalSize = 8 * journalBlock
	path := filepath.Join(t.TempDir(), "log.journal")
	j, _, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	// Another open file holding the lock, as another process's would.
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	if err := lockFile(other); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	time.AfterFunc(lockWait/5, func() { unlockFile(other); close(released) })
	j, _, err = openJournal(path)
	if err != nil {
		t.Fatalf("openJournal while the lock is given up within lockWait: %v", err)
	}
	<-released
	j.close()

	if err := lockFile(other); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openJournal(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("openJournal while the lock is held past lockWait: %v, want ErrLocked", err)
	}
}
