package exchange

import (
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// replayShards is how many independently locked parts a ReplayGuard has.
const replayShards = 64

// replayEpoch is the time from which a ReplayGuard counts seconds.
var replayEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ReplayGuard remembers the request ids it has seen for a window of time,
// to refuse a request whose id it has seen before. An id is remembered by
// the request's time: it is a replay while that time is no older than
// now-window (to the second, rounded towards refusing), and kept at least
// an eighth of the window and a second longer, to be forgotten after. A
// request whose time lies outside the window is refused before it reaches
// the guard (CheckTime), so an id can only be replayed while the guard
// remembers it.
//
// The guard is split in 64 shards, each an open-addressing hash table
// (linear probing) under its own lock, and needs no goroutine: every id
// added sweeps the next eight slots of its table, removing the ids past
// the window, so that a table is swept whole in the time it takes to fill
// it a quarter; an id past the window met on the way is overwritten. A
// slot is 16 bytes whatever the id's length: 96 bits of the id (of a
// UUID, its own bits; of any other id, its SHA-256) and the time in
// seconds. A table grows to keep at most three quarters of its slots in
// use and shrinks when an eighth or less are, about 32 to 64 bytes an id
// remembered: memory is bounded by the requests of one window. The guard
// is safe for concurrent use.
type ReplayGuard struct {
	window time.Duration
	slack  time.Duration // how long past the window an id may still be kept
	seed   maphash.Seed
	shards [replayShards]replayShard
}

// replayKey is an id as the guard keeps it: 96 bits.
type replayKey [12]byte

// replaySlot is a slot of a shard's table.
type replaySlot struct {
	key replayKey
	t   uint32 // the request's time: seconds since replayEpoch, rounded up; 0 for an empty slot
}

// replayShard is a table of slots with linear probing; an id is removed
// by shifting the rest of its run back (no tombstones), so a probe ends
// at the first empty slot.
type replayShard struct {
	mu     sync.Mutex
	slots  []replaySlot // a power of two long, or nil
	used   int          // slots not empty
	cursor int          // the next slot to sweep
	keep   uint32       // the last cutoff below which ids may be dropped
	live   uint32       // the last cutoff from which ids are replays
	_      [8]byte      // a cache line to itself
}

// NewReplayGuard returns a guard that remembers ids for window, which must
// be positive.
func NewReplayGuard(window time.Duration) *ReplayGuard {
	if window <= 0 {
		window = time.Nanosecond
	}
	return &ReplayGuard{window: window, slack: window/8 + time.Second, seed: maphash.MakeSeed()}
}

// keyOf returns the replayKey of id: a UUID's 16 bytes with the last four
// folded into the first four by exclusive or (so that the random bits of
// a UUID of any version count), or the first 12 bytes of the SHA-256 of
// any other id.
func keyOf(id string) replayKey {
	var u [16]byte
	if len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-' {
		j, ok := 0, true
		for i := 0; i < 36; i += 2 {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				i++
			}
			hi, lo := lowerHex[id[i]], lowerHex[id[i+1]]
			ok = ok && hi != 0xff && lo != 0xff
			u[j] = hi<<4 | lo
			j++
		}
		if ok {
			var k replayKey
			copy(k[:], u[:12])
			for i := range 4 {
				k[i] ^= u[12+i]
			}
			return k
		}
	}
	h := sha256.Sum256([]byte(id))
	return replayKey(h[:12])
}

// lowerHex maps a lower-case hexadecimal digit to its value, any other
// byte to 0xff.
var lowerHex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
	}
	return t
}()

// secondsUp returns t in seconds since replayEpoch, rounded up, from 1 to
// the largest uint32.
func secondsUp(t time.Time) uint32 {
	s := t.Unix() - replayEpoch.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return uint32(min(max(s, 1), math.MaxUint32))
}

// secondsDown returns t in seconds since replayEpoch, rounded down, from 0
// to the largest uint32.
func secondsDown(t time.Time) uint32 {
	return uint32(min(max(t.Unix()-replayEpoch.Unix(), 0), math.MaxUint32))
}

// Check records id, of a request made at t, and refuses it with ErrReplay
// if the guard remembers it: seen with a time no older than now-window.
// The id of a request whose time is already older than now-window is not
// recorded (CheckTime refuses such a request).
func (g *ReplayGuard) Check(id string, t, now time.Time) error {
	k := keyOf(id)
	h := maphash.Comparable(g.seed, k)
	cutoff := now.Add(-g.window)
	live, keep, ts := secondsDown(cutoff), secondsDown(cutoff.Add(-g.slack)), secondsUp(t)
	s := &g.shards[h>>(64-6)]
	s.mu.Lock()
	s.live, s.keep = max(s.live, live), max(s.keep, keep)
	i, found := s.find(k, h)
	if found && s.slots[i].t >= live {
		s.mu.Unlock()
		return fmt.Errorf("%w: request id %.64q was seen before", ErrReplay, id)
	}
	if ts >= live {
		g.put(s, i, found, k, ts)
	}
	s.mu.Unlock()
	return nil
}

// Remember records id with its request time t, as Check does, without
// checking it: for loading the ids of recent requests, from the audit log,
// when a gateway starts.
func (g *ReplayGuard) Remember(id string, t time.Time) {
	k := keyOf(id)
	h := maphash.Comparable(g.seed, k)
	ts := secondsUp(t)
	s := &g.shards[h>>(64-6)]
	s.mu.Lock()
	i, found := s.find(k, h)
	if !found || s.slots[i].t < ts {
		g.put(s, i, found, k, ts)
	}
	s.mu.Unlock()
}

// Len returns how many ids the guard remembers, by the latest time each
// shard was asked at.
func (g *ReplayGuard) Len() int {
	n := 0
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		for _, sl := range s.slots {
			if sl.t != 0 && sl.t >= s.live {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}

// find returns the slot of k in s, or where to put k: the first slot of
// the probe that holds an id below s.keep, else the empty slot that ends
// it. s is locked; -1 when s has no table yet.
func (s *replayShard) find(k replayKey, h uint64) (int, bool) {
	if s.slots == nil {
		return -1, false
	}
	mask := uint64(len(s.slots) - 1)
	reuse := -1
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &s.slots[i]
		switch {
		case sl.t == 0:
			if reuse >= 0 {
				return reuse, false
			}
			return int(i), false
		case sl.key == k:
			return int(i), true
		case reuse < 0 && sl.t < s.keep:
			reuse = int(i)
		}
	}
}

// put writes k at ts into slot i, which find returned; a new id then
// sweeps the next slots, and the table grows when three quarters full.
// s is locked.
func (g *ReplayGuard) put(s *replayShard, i int, found bool, k replayKey, ts uint32) {
	if i < 0 {
		s.slots = make([]replaySlot, 16)
		i, found = s.find(k, maphash.Comparable(g.seed, k))
	}
	if found || s.slots[i].t != 0 {
		s.slots[i] = replaySlot{key: k, t: ts}
		return
	}
	s.slots[i] = replaySlot{key: k, t: ts}
	s.used++
	g.sweep(s, 8)
	if s.used*4 > len(s.slots)*3 {
		g.resize(s)
	}
}

// sweep looks at the next n slots of s, removing the ids below s.keep, and
// shrinks the table at the end of a round if it holds few. s is locked.
func (g *ReplayGuard) sweep(s *replayShard, n int) {
	mask := len(s.slots) - 1
	for ; n > 0; n-- {
		i := s.cursor
		if sl := s.slots[i]; sl.t != 0 && sl.t < s.keep {
			g.remove(s, i) // slot i now holds the next id of its run, or none
			continue
		}
		s.cursor = (i + 1) & mask
		if s.cursor == 0 && len(s.slots) > 16 && s.used*8 <= len(s.slots) {
			g.resize(s)
			return
		}
	}
}

// remove empties slot i and shifts back the ids after it in its run that
// may move there. s is locked.
func (g *ReplayGuard) remove(s *replayShard, i int) {
	mask := len(s.slots) - 1
	for {
		s.slots[i] = replaySlot{}
		j := i
		for {
			j = (j + 1) & mask
			if s.slots[j].t == 0 {
				s.used--
				return
			}
			home := int(maphash.Comparable(g.seed, s.slots[j].key)) & mask
			// The id at j may move to i unless its home lies cyclically in (i, j].
			if i <= j && (home <= i || home > j) || i > j && home <= i && home > j {
				s.slots[i] = s.slots[j]
				i = j
				break
			}
		}
	}
}

// resize makes a new table for the ids of s from s.keep on, at most half
// full. s is locked.
func (g *ReplayGuard) resize(s *replayShard) {
	n := 0
	for _, sl := range s.slots {
		if sl.t != 0 && sl.t >= s.keep {
			n++
		}
	}
	size := 16
	for size < 2*n {
		size <<= 1
	}
	old := s.slots
	s.slots, s.used, s.cursor = make([]replaySlot, size), n, 0
	mask := uint64(size - 1)
	for _, sl := range old {
		if sl.t == 0 || sl.t < s.keep {
			continue
		}
		i := maphash.Comparable(g.seed, sl.key) & mask
		for s.slots[i].t != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = sl
	}
}
