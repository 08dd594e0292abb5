package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// The snapshot file: magic, version, then the index, then a CRC-32C of all
// that came before. Numbers are unsigned varints unless said otherwise.
const (
	snapMagic   = "SAMBAND-SEARCH\n"
	snapVersion = 2
)

// ErrSnapshot is returned by Open for a snapshot it cannot read: damaged,
// cut short, or written by another version. The caller rebuilds the index
// from the store (gateway serve does, and says so).
var ErrSnapshot = errors.New("search snapshot unreadable")

// ErrStale is returned by Open for a snapshot saved with options of
// another Fingerprint: its records were classified otherwise. The caller
// rebuilds the index.
var ErrStale = errors.New("search snapshot made with other options")

// Open returns the index saved at path by Save, or an empty one when there
// is no file there. Save and Close write it back to path.
func Open(path string, opt Options) (*Index, error) {
	x := New(opt)
	x.path = path
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return x, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	if err := x.read(raw); err != nil {
		if errors.Is(err, ErrStale) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrSnapshot, path, err)
	}
	x.saved.Store(x.seq.Load())
	return x, nil
}

// Path returns the file the index is saved to, "" for an index in memory only.
func (x *Index) Path() string { return x.path }

// Save writes the index to its file, replacing it atomically, when it
// changed since the last Save. Searches go on meanwhile; Apply waits.
func (x *Index) Save() error {
	if x.path == "" {
		return nil
	}
	x.applyMu.Lock()
	defer x.applyMu.Unlock()
	if !x.dirty.Load() {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(x.path), filepath.Base(x.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save search index: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	x.mu.RLock()
	err = x.write(bw)
	x.mu.RUnlock()
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), x.path)
	}
	if err != nil {
		return fmt.Errorf("save search index: %w", err)
	}
	x.dirty.Store(false)
	x.saved.Store(x.seq.Load())
	return nil
}

// SaveAs makes path the index's file and saves the index there.
func (x *Index) SaveAs(path string) error {
	x.applyMu.Lock()
	x.path = path
	x.dirty.Store(true)
	x.applyMu.Unlock()
	return x.Save()
}

// SavedSeq returns the sequence number the file holds as of the last Save
// or Open.
func (x *Index) SavedSeq() int64 { return x.saved.Load() }

// Close saves the index; the index is not to be used after.
func (x *Index) Close() error { return x.Save() }

// snapWriter writes the snapshot's fields, keeping the checksum and the
// first error.
type snapWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	buf [binary.MaxVarintLen64]byte
	err error
}

func (s *snapWriter) bytes(b []byte) {
	if s.err != nil {
		return
	}
	s.crc.Write(b)
	_, s.err = s.w.Write(b)
}

func (s *snapWriter) uint(v uint64) { s.bytes(s.buf[:binary.PutUvarint(s.buf[:], v)]) }
func (s *snapWriter) int(v int64)   { s.bytes(s.buf[:binary.PutVarint(s.buf[:], v)]) }
func (s *snapWriter) str(v string) {
	s.uint(uint64(len(v)))
	s.bytes([]byte(v))
}

// write writes the index; x.mu is held.
func (x *Index) write(w *bufio.Writer) error {
	s := &snapWriter{w: w, crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
	s.bytes([]byte(snapMagic))
	s.uint(snapVersion)
	s.str(x.opt.Fingerprint)
	s.int(x.seq.Load())
	s.uint(uint64(len(x.keys)))
	for n, k := range x.keys {
		s.str(k)
		live := uint64(0)
		if x.live.has(uint32(n)) {
			live = 1
		}
		s.uint(live)
		s.uint(uint64(x.norms[n]))
		s.int(x.modified[n])
		s.str(x.titles[n])
		s.int(int64(x.quality[n]))
		s.bytes(x.dims[n*len(Dimensions) : (n+1)*len(Dimensions)])
	}
	terms := make([]string, 0, len(x.terms))
	for t := range x.terms {
		terms = append(terms, t)
	}
	sort.Strings(terms) // the same index, the same file
	s.uint(uint64(len(terms)))
	for _, t := range terms {
		pl := x.terms[t]
		s.str(t)
		s.uint(uint64(len(pl.docs)))
		prev := uint32(0)
		for _, d := range pl.docs {
			s.uint(uint64(d - prev))
			prev = d
		}
		s.bytes(pl.tfs)
	}
	s.uint(uint64(len(FacetNames)))
	for _, name := range FacetNames {
		f := x.facets[name]
		s.str(name)
		s.uint(uint64(len(f.values)))
		for _, v := range f.values {
			s.str(v)
		}
		for n := range x.keys {
			vs := f.vals[f.off[n]:f.off[n+1]]
			s.uint(uint64(len(vs)))
			for _, id := range vs {
				s.uint(uint64(id))
			}
		}
	}
	if s.err != nil {
		return s.err
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], s.crc.Sum32())
	_, err := w.Write(sum[:])
	return err
}

// snapReader reads what snapWriter wrote from memory, bounding every
// length by what is left.
type snapReader struct {
	b   []byte
	err error
}

func (s *snapReader) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

func (s *snapReader) uint() uint64 {
	if s.err != nil {
		return 0
	}
	v, n := binary.Uvarint(s.b)
	if n <= 0 {
		s.fail(io.ErrUnexpectedEOF)
		return 0
	}
	s.b = s.b[n:]
	return v
}

func (s *snapReader) int() int64 {
	if s.err != nil {
		return 0
	}
	v, n := binary.Varint(s.b)
	if n <= 0 {
		s.fail(io.ErrUnexpectedEOF)
		return 0
	}
	s.b = s.b[n:]
	return v
}

// count reads a length, refusing one longer than what is left.
func (s *snapReader) count() int {
	v := s.uint()
	if v > uint64(len(s.b)) {
		s.fail(fmt.Errorf("length %d with %d bytes left", v, len(s.b)))
		return 0
	}
	return int(v)
}

func (s *snapReader) bytes(n int) []byte {
	if s.err != nil {
		return nil
	}
	if n > len(s.b) {
		s.fail(io.ErrUnexpectedEOF)
		return nil
	}
	b := s.b[:n:n]
	s.b = s.b[n:]
	return b
}

func (s *snapReader) str() string { return string(s.bytes(s.count())) }

// read fills an empty x from a snapshot.
func (x *Index) read(raw []byte) error {
	if len(raw) < len(snapMagic)+4 || string(raw[:len(snapMagic)]) != snapMagic {
		return errors.New("not a search snapshot")
	}
	body := raw[:len(raw)-4]
	if crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)) != binary.BigEndian.Uint32(raw[len(raw)-4:]) {
		return errors.New("checksum mismatch: the file is damaged or cut short")
	}
	s := &snapReader{b: body[len(snapMagic):]}
	if v := s.uint(); v != snapVersion && s.err == nil {
		return fmt.Errorf("snapshot version %d, this program reads %d", v, snapVersion)
	}
	if fp := s.str(); fp != x.opt.Fingerprint && s.err == nil {
		return fmt.Errorf("%w (%q, now %q)", ErrStale, fp, x.opt.Fingerprint)
	}
	x.seq.Store(s.int())
	ndocs := s.count()
	dead := make([]uint32, 0)
	for n := 0; n < ndocs && s.err == nil; n++ {
		k := s.str()
		live := s.uint() == 1
		nm := s.uint()
		mod := s.int()
		title := s.str()
		q := s.int()
		x.dims = append(x.dims, s.bytes(len(Dimensions))...)
		if nm > math.MaxUint8 || q < math.MinInt32 || q > math.MaxInt32 {
			s.fail(fmt.Errorf("document %d: bad norm or quality", n))
		}
		x.keys = append(x.keys, k)
		x.norms = append(x.norms, uint8(nm))
		x.modified = append(x.modified, mod)
		x.titles = append(x.titles, title)
		x.quality = append(x.quality, int32(q))
		if live {
			if _, dup := x.byKey[k]; dup {
				s.fail(fmt.Errorf("record %s twice", k))
			}
			x.live.set(uint32(n))
			x.byKey[k] = uint32(n)
			x.nLive++
			x.sumLen += normLength(uint8(nm))
		} else {
			dead = append(dead, uint32(n))
		}
	}
	x.dead = len(dead)
	nterms := s.count()
	for i := 0; i < nterms && s.err == nil; i++ {
		t := s.str()
		np := s.count()
		pl := &postings{docs: make([]uint32, np)}
		prev := uint64(0)
		for j := range pl.docs {
			d := prev + s.uint()
			if d >= uint64(ndocs) || (j > 0 && d == prev) {
				s.fail(fmt.Errorf("term %q: document %d out of order or range", t, d))
				break
			}
			pl.docs[j] = uint32(d)
			prev = d
		}
		pl.tfs = append([]byte(nil), s.bytes(np)...)
		x.terms[t] = pl
	}
	x.rows = make([]uint64, len(x.keys)*rowStride)
	nf := s.count()
	if nf != len(FacetNames) && s.err == nil {
		return fmt.Errorf("%d facets, want %d", nf, len(FacetNames))
	}
	for i := 0; i < nf && s.err == nil; i++ {
		name := s.str()
		if name != FacetNames[i] {
			s.fail(fmt.Errorf("facet %q, want %q", name, FacetNames[i]))
			break
		}
		f := x.facets[name]
		nv := s.count()
		values := make([]string, 0, nv)
		for j := 0; j < nv && s.err == nil; j++ {
			values = append(values, s.str())
		}
		var vs []string
		for n := 0; n < ndocs && s.err == nil; n++ {
			vs = vs[:0]
			for k := s.count(); k > 0 && s.err == nil; k-- {
				id := s.uint()
				if id >= uint64(len(values)) {
					s.fail(fmt.Errorf("facet %s: value %d of %d", name, id, len(values)))
					break
				}
				vs = append(vs, values[id])
			}
			sl := rowSlots[i]
			x.rows[n*rowStride+int(sl.word)] |= f.add(uint32(n), vs, sl)
		}
	}
	if s.err != nil {
		return s.err
	}
	if len(s.b) != 0 {
		return fmt.Errorf("%d bytes after the index", len(s.b))
	}
	for _, n := range dead {
		for _, f := range x.facets {
			f.remove(n)
		}
	}
	x.setBM25()
	return nil
}
