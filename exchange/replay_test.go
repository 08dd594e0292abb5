package exchange

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

func TestReplayGuard(t *testing.T) {
	const window = 5 * time.Minute
	g := NewReplayGuard(window)
	now := testTime
	if err := g.Check("a", now, now); err != nil {
		t.Fatalf("first Check = %v", err)
	}
	if err := g.Check("a", now, now); !errors.Is(err, ErrReplay) {
		t.Fatalf("second Check = %v, want ErrReplay", err)
	}
	// The same id with another time is still a replay while remembered.
	if err := g.Check("a", now.Add(time.Minute), now.Add(time.Minute)); !errors.Is(err, ErrReplay) {
		t.Fatalf("Check with another time = %v, want ErrReplay", err)
	}
	if err := g.Check("b", now, now); err != nil {
		t.Fatalf("Check of another id = %v", err)
	}
	// Still remembered at the window's last instant.
	if err := g.Check("a", now, now.Add(window)); !errors.Is(err, ErrReplay) {
		t.Fatalf("Check at the window's end = %v, want ErrReplay", err)
	}
	// Forgotten once its time leaves the window, to the second.
	later := now.Add(window + time.Second)
	if err := g.Check("a", later, later); err != nil {
		t.Fatalf("Check after the window = %v, want nil", err)
	}
	if err := g.Check("a", later, later); !errors.Is(err, ErrReplay) {
		t.Fatalf("Check again after the window = %v, want ErrReplay", err)
	}
	// A request already older than the window is not recorded.
	if err := g.Check("old", now.Add(-2*window), now); err != nil {
		t.Fatalf("Check of a stale request = %v", err)
	}
	if err := g.Check("old", now, now); err != nil {
		t.Fatalf("Check of an id first seen stale = %v, want nil", err)
	}
}

func TestReplayGuardFutureTime(t *testing.T) {
	const window = time.Minute
	g := NewReplayGuard(window)
	now := testTime
	// A request from a clock ahead is remembered until its own time
	// leaves the window, however late the buckets of the present expire.
	future := now.Add(30 * time.Second)
	if err := g.Check("f", future, now); err != nil {
		t.Fatal(err)
	}
	for s := time.Duration(0); s <= window+30*time.Second; s += 5 * time.Second {
		at := now.Add(s)
		g.Check(fmt.Sprintf("filler-%d", s), at, at) // sweeps along the way
		if err := g.Check("f", future, at); !errors.Is(err, ErrReplay) {
			t.Fatalf("Check %v later = %v, want ErrReplay", s, err)
		}
	}
}

func TestReplayGuardRemember(t *testing.T) {
	g := NewReplayGuard(time.Minute)
	now := testTime
	g.Remember("r", now.Add(-30*time.Second))
	if err := g.Check("r", now, now); !errors.Is(err, ErrReplay) {
		t.Fatalf("Check of a remembered id = %v, want ErrReplay", err)
	}
	g.Remember("gone", now.Add(-2*time.Minute))
	if err := g.Check("gone", now, now); err != nil {
		t.Fatalf("Check of an id remembered before the window = %v, want nil", err)
	}
	// An older Remember does not shorten what is remembered.
	g.Remember("r", now.Add(-10*time.Minute))
	if err := g.Check("r", now, now); !errors.Is(err, ErrReplay) {
		t.Fatalf("Check after an older Remember = %v, want ErrReplay", err)
	}
}

// TestReplayGuardForgets runs many windows of traffic through the guard:
// what it holds stays bounded by the traffic of about one window.
func TestReplayGuardForgets(t *testing.T) {
	const window = time.Minute
	const perSecond = 50
	g := NewReplayGuard(window)
	now := testTime
	n := 0
	maxLen := 0
	for s := 0; s < 10*60; s++ {
		at := now.Add(time.Duration(s) * time.Second)
		for i := 0; i < perSecond; i++ {
			if err := g.Check(fmt.Sprintf("id-%d", n), at, at); err != nil {
				t.Fatalf("Check: %v", err)
			}
			n++
		}
		maxLen = max(maxLen, g.Len())
	}
	// One window, and the seconds of the shards not asked lately.
	bound := perSecond * (60 + 3)
	if maxLen > bound {
		t.Errorf("the guard remembered %d ids, more than %d for %d a second over a %v window", maxLen, bound, perSecond, window)
	}
	if maxLen < perSecond*60 {
		t.Errorf("the guard remembered at most %d ids, fewer than one window's %d", maxLen, perSecond*60)
	}
	// Its tables hold at most about six slots an id of the window and
	// its slack, and sixteen a shard.
	slots := 0
	for i := range g.shards {
		slots += len(g.shards[i].slots)
	}
	kept := perSecond * int((window+g.slack)/time.Second+1)
	if slots > 6*kept+16*replayShards {
		t.Errorf("the guard's tables hold %d slots for %d ids", slots, kept)
	}
	// After a long pause the next Check on a shard sweeps the shard; a
	// request on every shard empties the guard of the old ids.
	later := now.Add(24 * time.Hour)
	for i := 0; i < 64*20; i++ {
		g.Check(fmt.Sprintf("late-%d", i), later, later)
	}
	if got := g.Len(); got != 64*20 {
		t.Errorf("after a day's pause the guard holds %d ids, want %d", got, 64*20)
	}
}

// TestReplayGuardConcurrent checks ids from many goroutines at once (run
// with -race): of every id checked twice, exactly one Check passes.
func TestReplayGuardConcurrent(t *testing.T) {
	g := NewReplayGuard(time.Minute)
	now := testTime
	const workers, ids = 8, 2000
	var passed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < ids; i++ {
				// Every id is checked by two workers.
				id := fmt.Sprintf("id-%d-%d", (w/2)*ids, i)
				at := now.Add(time.Duration(i) * time.Millisecond)
				if err := g.Check(id, at, at); err == nil {
					passed.Add(1)
				} else if !errors.Is(err, ErrReplay) {
					t.Errorf("Check = %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if got, want := passed.Load(), int64(workers/2*ids); got != want {
		t.Errorf("%d Checks passed, want %d", got, want)
	}
}

func TestReplayKey(t *testing.T) {
	if size := unsafe.Sizeof(replaySlot{}); size != 16 {
		t.Errorf("a slot is %d bytes, want 16: four to a cache line", size)
	}
	u, _ := hex.DecodeString(strings.ReplaceAll(testID, "-", ""))
	want := bytes.Clone(u[:12])
	for i := range 4 {
		want[i] ^= u[12+i]
	}
	if k := keyOf(testID); !bytes.Equal(k[:], want) {
		t.Errorf("keyOf(%s) = %x, want %x", testID, k, want)
	}
	// Other ids are hashed, so that no two forms meet and a long id
	// costs no more than a short one.
	seen := map[replayKey]string{}
	for _, id := range []string{testID, strings.ToUpper(testID), "x", "y", strings.Repeat("z", 4096), "", hex.EncodeToString(u), "1b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40", "0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a41"} {
		k := keyOf(id)
		if prev, ok := seen[k]; ok {
			t.Errorf("keyOf(%.40q) = keyOf(%.40q)", id, prev)
		}
		seen[k] = id
	}
	g := NewReplayGuard(time.Minute)
	long := strings.Repeat("z", 4096)
	if err := g.Check(long, testTime, testTime); err != nil {
		t.Fatal(err)
	}
	if err := g.Check(long, testTime, testTime); !errors.Is(err, ErrReplay) {
		t.Errorf("Check of a long id again = %v, want ErrReplay", err)
	}
}

// TestReplayGuardModel runs random requests through the guard and through
// a map of every id's last time: an id the map says is within the window
// must be refused, one it says is past the window and the slack must pass.
func TestReplayGuardModel(t *testing.T) {
	const window = 10 * time.Second
	g := NewReplayGuard(window)
	rnd := rand.New(rand.NewPCG(1, 2))
	model := map[string]time.Time{}
	now := testTime
	refused, passed := 0, 0
	for op := 0; op < 200000; op++ {
		now = now.Add(time.Duration(rnd.IntN(3)) * 100 * time.Millisecond)
		id := fmt.Sprintf("id-%d", rnd.IntN(3000))
		at := now.Add(-time.Duration(rnd.IntN(int(window/time.Second))) * time.Second).Truncate(time.Second)
		prev, seen := model[id]
		err := g.Check(id, at, now)
		switch {
		case seen && !prev.Before(now.Add(-window)):
			if !errors.Is(err, ErrReplay) {
				t.Fatalf("op %d: Check(%s) = %v; last seen at %v, now %v: want ErrReplay", op, id, err, prev, now)
			}
		case !seen || prev.Before(now.Add(-window-g.slack-time.Second)):
			if err != nil {
				t.Fatalf("op %d: Check(%s) = %v; last seen at %v (%v), now %v: want nil", op, id, err, prev, seen, now)
			}
		}
		if err == nil {
			model[id] = at
			passed++
		} else {
			refused++
		}
		if op%5000 == 0 {
			checkTables(t, g)
		}
	}
	checkTables(t, g)
	if refused == 0 || passed == 0 {
		t.Errorf("%d refused, %d passed: the test tests nothing", refused, passed)
	}
}

// checkTables checks that every id in the guard's tables is found where it
// is: none is cut off from its home slot by an empty one.
func checkTables(t *testing.T, g *ReplayGuard) {
	t.Helper()
	for n := range g.shards {
		s := &g.shards[n]
		used := 0
		for i, sl := range s.slots {
			if sl.t == 0 {
				continue
			}
			used++
			if j, found := s.find(sl.key, maphash.Comparable(g.seed, sl.key)); !found || j != i {
				t.Fatalf("shard %d: the id in slot %d is found at %d (%v)", n, i, j, found)
			}
		}
		if used != s.used {
			t.Fatalf("shard %d: %d slots in use, counted %d", n, used, s.used)
		}
	}
}
