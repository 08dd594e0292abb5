package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"

	"samband/internal/filesync"
)

// A groupSync makes records durable with the textbook group commit: a
// caller that finds no sync under way becomes the leader, writes every
// record waiting (its own and those that came before it) to a file with
// one pwrite and syncs it with fdatasync; callers that come while it
// syncs wait for the next leader, which takes them all. No timers, no
// other goroutines: the least any gateway that logs each exchange durably
// before answering must wait. With -proxy-sync the plain proxy makes a
// 300-byte record durable this way before it forwards each request, so
// that Samband's tail can be set beside the tail of durability alone.
type groupSync struct {
	f *os.File // of groupSyncSize bytes; records wrap around at its end

	mu      sync.Mutex
	cond    *sync.Cond
	off     int64
	pending []byte
	started uint64 // batches a leader has taken
	synced  uint64 // batches durable (or failed)
	busy    bool
	err     error // of the last batch; once set, every append fails
	syncs   int   // batches written and synced
}

const groupSyncSize = 64 << 20

// newGroupSync makes path a file of groupSyncSize zeros, synced, so that
// a sync later writes data only, never the file's size or its blocks'
// allocation.
func newGroupSync(path string) (*groupSync, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < groupSyncSize; off += int64(len(zeros)) {
		if _, err := f.WriteAt(zeros, off); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	g := &groupSync{f: f}
	g.cond = sync.NewCond(&g.mu)
	return g, nil
}

// append returns once rec is written and synced, or with the error of the
// batch that took it.
func (g *groupSync) append(rec []byte) error {
	if len(rec) == 0 || len(rec) > groupSyncSize/4 {
		return fmt.Errorf("group sync: a record of %d bytes (1 to %d)", len(rec), groupSyncSize/4)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return g.err
	}
	g.pending = append(g.pending, rec...)
	batch := g.started + 1 // the batch the next leader takes, rec with it
	for g.synced < batch {
		if g.busy {
			g.cond.Wait()
			continue
		}
		g.busy = true
		g.started++
		buf := g.pending
		g.pending = nil
		if g.off+int64(len(buf)) > groupSyncSize {
			g.off = 0
		}
		off := g.off
		g.off += int64(len(buf))
		g.mu.Unlock()
		_, err := g.f.WriteAt(buf, off)
		if err == nil {
			err = filesync.Data(g.f)
		}
		g.mu.Lock()
		g.syncs++
		if err != nil && g.err == nil {
			g.err = fmt.Errorf("group sync: %w", err)
		}
		g.synced = g.started
		g.busy = false
		g.cond.Broadcast()
	}
	return g.err
}

func (g *groupSync) close() error { return g.f.Close() }

// wrap returns h making a record durable before each request.
func (g *groupSync) wrap(h http.Handler) http.Handler {
	rec := make([]byte, 300)
	copy(rec, "samband bench: a record made durable before the request goes on\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.append(rec); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})
}
