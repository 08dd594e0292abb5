package linkcheck

import (
	"context"
	"sync"
	"time"
)

// hostLimits spaces the requests to each host: a token bucket of one
// token per host, refilled every interval, so that a host gets at most one
// request an interval however many URLs it has. Hosts whose bucket is full
// again are forgotten, so the map holds only the hosts asked within the
// last interval.
type hostLimits struct {
	interval time.Duration
	now      func() time.Time

	mu        sync.Mutex
	next      map[string]time.Time // when the host may be asked again
	pruneSize int
}

func newHostLimits(interval time.Duration, now func() time.Time) *hostLimits {
	return &hostLimits{interval: interval, now: now, next: map[string]time.Time{}, pruneSize: 1024}
}

// reserve books the host's next free slot and returns how long the caller
// must wait for it.
func (l *hostLimits) reserve(host string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	at := l.next[host]
	if at.Before(now) {
		at = now
	}
	l.next[host] = at.Add(l.interval)
	if len(l.next) > l.pruneSize {
		for h, t := range l.next {
			if !t.After(now) {
				delete(l.next, h)
			}
		}
		l.pruneSize = max(1024, 2*len(l.next))
	}
	return at.Sub(now)
}

// readyAt returns when the host may next be asked without waiting.
func (l *hostLimits) readyAt(host string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next[host]
}

// hold keeps the host from being asked for d from now (a host that
// answered 429 Too Many Requests), unless it is held longer already.
func (l *hostLimits) hold(host string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if at := l.now().Add(d); at.After(l.next[host]) {
		l.next[host] = at
	}
}

// wait books the host's next slot and waits for it, or until ctx ends.
func (l *hostLimits) wait(ctx context.Context, host string) error {
	d := l.reserve(host)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
