package exchange

import (
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"sync"
	"time"
)

// replayShards is how many independently locked parts a ReplayGuard has.
const replayShards = 64

// replayBuckets is how many time buckets a window spans; an id is
// forgotten at most one bucket's width after its time leaves the window.
const replayBuckets = 8

// ReplayGuard remembers the request ids it has seen for a window of time,
// to refuse a request whose id it has seen before. An id is remembered by
// the request's time: it is forgotten once that time is older than
// now-window. A request whose time lies outside the window is refused
// before it reaches the guard (CheckTime), so an id can only be replayed
// while the guard remembers it.
//
// The guard is split in 64 shards, each with its own lock and map, and
// forgets ids in time buckets, a shard at a time as ids are added to it:
// it needs no goroutine, and its memory is bounded by the requests of one
// window (plus the allowed clock skew and one bucket), about 60 bytes an
// id of whatever length: a UUID is kept as its 16 bytes, any other id as
// the first 16 bytes of its SHA-256. It is safe for concurrent use.
type ReplayGuard struct {
	window time.Duration
	bucket int64 // the width of a bucket, nanoseconds
	seed   maphash.Seed
	shards [replayShards]replayShard
}

// replayKey is an id as the guard keeps it.
type replayKey [16]byte

// keyOf returns the replayKey of id: a UUID's 16 bytes, or the first 16
// bytes of the SHA-256 of any other id.
func keyOf(id string) replayKey {
	var k replayKey
	if validUUID(id) {
		j := 0
		for i := 0; i < len(id); i += 2 {
			if id[i] == '-' {
				i++
			}
			k[j] = unhex(id[i])<<4 | unhex(id[i+1])
			j++
		}
		return k
	}
	h := sha256.Sum256([]byte(id))
	copy(k[:], h[:])
	return k
}

// replayShard holds the ids whose hash falls to it: seen maps an id to its
// request time (Unix nanoseconds), buckets lists the ids by the bucket of
// that time.
type replayShard struct {
	mu      sync.Mutex
	seen    map[replayKey]int64
	buckets map[int64][]replayKey
	oldest  int64    // no bucket is older than this; sweeping starts here
	_       [32]byte // a cache line to itself
}

// NewReplayGuard returns a guard that remembers ids for window, which must
// be positive.
func NewReplayGuard(window time.Duration) *ReplayGuard {
	if window <= 0 {
		window = time.Nanosecond
	}
	g := &ReplayGuard{
		window: window,
		bucket: max(int64(window)/replayBuckets, 1),
		seed:   maphash.MakeSeed(),
	}
	for i := range g.shards {
		g.shards[i].seen = make(map[replayKey]int64)
		g.shards[i].buckets = make(map[int64][]replayKey)
	}
	return g
}

// Check records id, of a request made at t, and refuses it with ErrReplay
// if the guard remembers it: seen with a time no older than now-window.
// The id of a request whose time is already older than now-window is not
// recorded (CheckTime refuses such a request).
func (g *ReplayGuard) Check(id string, t, now time.Time) error {
	tn, cutoff := t.UnixNano(), now.UnixNano()-int64(g.window)
	k := keyOf(id)
	s := &g.shards[maphash.Comparable(g.seed, k)%replayShards]
	s.mu.Lock()
	if prev, ok := s.seen[k]; ok && prev >= cutoff {
		s.mu.Unlock()
		return fmt.Errorf("%w: request id %.64q was seen before", ErrReplay, id)
	}
	g.sweep(s, cutoff)
	if tn >= cutoff {
		g.add(s, k, tn)
	}
	s.mu.Unlock()
	return nil
}

// Remember records id with its request time t, as Check does, without
// checking it: for loading the ids of recent requests, from the audit log,
// when a gateway starts.
func (g *ReplayGuard) Remember(id string, t time.Time) {
	tn := t.UnixNano()
	k := keyOf(id)
	s := &g.shards[maphash.Comparable(g.seed, k)%replayShards]
	s.mu.Lock()
	if prev, ok := s.seen[k]; !ok || prev < tn {
		g.add(s, k, tn)
	}
	s.mu.Unlock()
}

// Len returns how many ids the guard holds, forgotten ones not yet swept
// included.
func (g *ReplayGuard) Len() int {
	n := 0
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		n += len(s.seen)
		s.mu.Unlock()
	}
	return n
}

// add records id at tn in s; s is locked.
func (g *ReplayGuard) add(s *replayShard, id replayKey, tn int64) {
	b := floorDiv(tn, g.bucket)
	if len(s.buckets) == 0 || b < s.oldest {
		s.oldest = b
	}
	s.seen[id] = tn
	s.buckets[b] = append(s.buckets[b], id)
}

// sweep forgets the ids of s whose buckets lie wholly before cutoff; s is
// locked. It costs nothing until the oldest bucket expires, then the ids
// of the expired buckets once.
func (g *ReplayGuard) sweep(s *replayShard, cutoff int64) {
	limit := floorDiv(cutoff, g.bucket) // buckets before limit end at or before cutoff
	if len(s.buckets) == 0 || s.oldest >= limit {
		return
	}
	if limit-s.oldest > int64(len(s.buckets)) {
		// A long pause: walk the buckets rather than every width since.
		for b, ids := range s.buckets {
			if b < limit {
				g.drop(s, b, ids)
			}
		}
	} else {
		for b := s.oldest; b < limit; b++ {
			if ids, ok := s.buckets[b]; ok {
				g.drop(s, b, ids)
			}
		}
	}
	s.oldest = limit
	if len(s.buckets) > 0 && len(s.buckets) <= replayBuckets*4 {
		// Find the true oldest, so that the next sweep starts there.
		first := true
		for b := range s.buckets {
			if first || b < s.oldest {
				s.oldest, first = b, false
			}
		}
	}
}

// drop removes bucket b and those of its ids that were not seen again later.
func (g *ReplayGuard) drop(s *replayShard, b int64, ids []replayKey) {
	for _, id := range ids {
		if tn, ok := s.seen[id]; ok && floorDiv(tn, g.bucket) == b {
			delete(s.seen, id)
		}
	}
	delete(s.buckets, b)
}

// floorDiv is a/b rounded down, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
