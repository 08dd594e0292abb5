package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"samband/catalog"
)

// pass is one pass in progress.
type pass struct {
	c       *Checker
	cancel  context.CancelCauseFunc
	start   time.Time // by Options.Now: statuses checked since are fresh, whatever Force says
	hostCap int

	mu        sync.Mutex
	queues    map[string]*hostQueue // URLs waiting, by host; a host is here while it has some or one is being checked
	inflight  map[string]bool       // URLs waiting or being checked
	queued    int
	closed    bool          // the walk is over: no more URLs will come
	changed   chan struct{} // closed and replaced at every change of the queues
	failHosts map[string]int
	sum       Summary
}

// hostQueue is the URLs of one host waiting for their check.
type hostQueue struct {
	urls []string
	busy bool // a URL of the host is being checked
}

// broadcastLocked wakes whoever waits for the queues to change.
func (p *pass) broadcastLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *pass) snapshotLocked() Summary {
	s := p.sum
	s.Results = make(map[string]int, len(p.sum.Results))
	for k, v := range p.sum.Results {
		s.Results[k] = v
	}
	return s
}

// progress reports what the pass did so far.
func (p *pass) progress() {
	if p.c.opts.Progress == nil {
		return
	}
	p.mu.Lock()
	s := p.snapshotLocked()
	p.mu.Unlock()
	p.c.opts.Progress(s)
}

// due reports whether a URL with status st (known: it has one) needs a
// check in this pass.
func (p *pass) due(st catalog.LinkStatus, known bool) bool {
	if !known {
		return true
	}
	if !st.Checked.Before(p.start) {
		return false // checked in this pass
	}
	if p.c.opts.Force {
		return true
	}
	window := p.c.opts.RecheckAfter
	if !st.Answered {
		window = min(window, retryFailedAfter)
	}
	return p.start.Sub(st.Checked) >= window
}

// walk reads every live record and queues its due URLs.
func (p *pass) walk(ctx context.Context) error {
	after := ""
	for {
		recs, err := p.c.store.DatasetsAfter(ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		after = recs[len(recs)-1].ID
		urls := pageURLs(recs)
		known, err := p.c.store.LinkStatuses(ctx, urls)
		if err != nil {
			return fmt.Errorf("read link statuses: %w", err)
		}
		fresh, due, deferred := 0, 0, 0
		for _, u := range urls {
			if st, ok := known[u]; !p.due(st, ok) {
				fresh++
				continue
			}
			tu, err := target(u)
			if err != nil {
				// Not a URL to request: its status says why, at once.
				due++
				st, result := p.c.Check(ctx, u)
				if err := p.c.store.SetLinkStatus(ctx, st); err != nil {
					return fmt.Errorf("store link status: %w", err)
				}
				p.mu.Lock()
				p.countLocked(st, result, "")
				p.mu.Unlock()
				continue
			}
			added, ok, err := p.enqueue(ctx, u, hostKey(tu))
			if err != nil {
				return err
			}
			switch {
			case !ok:
				due++
				deferred++
			case added:
				due++
			}
		}
		p.mu.Lock()
		p.sum.Records += len(recs)
		p.sum.URLs += len(urls)
		p.sum.Fresh += fresh
		p.sum.Due += due
		p.sum.Deferred += deferred
		p.c.metrics.due.Set(float64(p.queued + p.sum.Deferred))
		p.mu.Unlock()
		p.progress()
	}
}

// enqueue queues u for a check: added when it was not queued yet, !ok when
// its host's queue is full (deferred). It waits while the pass has
// maxQueued URLs waiting.
func (p *pass) enqueue(ctx context.Context, u, host string) (added, ok bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.inflight[u] {
			return false, true, nil
		}
		q := p.queues[host]
		if q != nil && len(q.urls) >= p.hostCap {
			return false, false, nil
		}
		if p.queued < maxQueued {
			if q == nil {
				q = &hostQueue{}
				p.queues[host] = q
			}
			q.urls = append(q.urls, u)
			p.inflight[u] = true
			p.queued++
			p.broadcastLocked()
			return true, true, nil
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		p.mu.Lock()
		if ctx.Err() != nil {
			return false, false, context.Cause(ctx)
		}
	}
}

// closeQueue says no more URLs will come.
func (p *pass) closeQueue() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.broadcastLocked()
}

// work checks queued URLs until the queue is closed and empty, or ctx ends.
func (p *pass) work(ctx context.Context) {
	for {
		u, host := p.next(ctx)
		if u == "" {
			return
		}
		st, result := p.c.Check(ctx, u)
		if ctx.Err() != nil {
			p.done(u, host, nil, "") // cut short: no verdict
			return
		}
		if result == ResultThrottled {
			p.done(u, host, &st, result)
			continue
		}
		if err := p.c.store.SetLinkStatus(ctx, st); err != nil {
			p.cancel(fmt.Errorf("store link status: %w", err))
			p.done(u, host, nil, "")
			return
		}
		p.done(u, host, &st, result)
	}
}

// next takes a URL whose host may be asked now and is not being asked
// already, waiting for one if need be; "" when there are no more or ctx
// ended.
func (p *pass) next(ctx context.Context) (u, host string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return "", ""
		}
		now := p.c.opts.Now()
		var soonest time.Time
		for h, q := range p.queues {
			if q.busy || len(q.urls) == 0 {
				continue
			}
			at := p.c.limits.readyAt(h)
			if !at.After(now) {
				u = q.urls[0]
				q.urls[0] = ""
				q.urls = q.urls[1:]
				q.busy = true
				p.queued--
				p.broadcastLocked()
				return u, h
			}
			if soonest.IsZero() || at.Before(soonest) {
				soonest = at
			}
		}
		if p.closed && p.queued == 0 {
			return "", ""
		}
		ch := p.changed
		var t *time.Timer
		var timer <-chan time.Time
		if !soonest.IsZero() {
			t = time.NewTimer(soonest.Sub(now))
			timer = t.C
		}
		p.mu.Unlock()
		select {
		case <-ch:
		case <-timer:
		case <-ctx.Done():
		}
		if t != nil {
			t.Stop()
		}
		p.mu.Lock()
	}
}

// done ends the check of u: st is what it found (nil when cut short).
func (p *pass) done(u, host string, st *catalog.LinkStatus, result string) {
	p.mu.Lock()
	if q := p.queues[host]; q != nil {
		q.busy = false
		if len(q.urls) == 0 {
			delete(p.queues, host)
		}
	}
	delete(p.inflight, u)
	if st != nil {
		p.countLocked(*st, result, host)
	}
	p.c.metrics.due.Set(float64(p.queued + p.sum.Deferred + p.sum.Throttled))
	p.broadcastLocked()
	p.mu.Unlock()
	if st != nil {
		p.progress()
	}
}

// countLocked adds a check to the summary.
func (p *pass) countLocked(st catalog.LinkStatus, result, host string) {
	p.sum.Results[result]++
	switch {
	case result == ResultThrottled:
		p.sum.Throttled++
		return
	case st.Answered:
		p.sum.Answered++
	default:
		p.sum.Failed++
		if _, ok := p.failHosts[host]; ok || len(p.failHosts) < maxFailHosts {
			p.failHosts[host]++
		}
	}
	p.sum.Checked++
}

// failingHosts names the n hosts with the most failed checks in the pass.
func (p *pass) failingHosts(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	type hc struct {
		host string
		n    int
	}
	var hs []hc
	for h, c := range p.failHosts {
		if h == "" {
			h = "(no host)"
		}
		hs = append(hs, hc{h, c})
	}
	sort.Slice(hs, func(i, j int) bool {
		if hs[i].n != hs[j].n {
			return hs[i].n > hs[j].n
		}
		return hs[i].host < hs[j].host
	})
	var b strings.Builder
	for i, h := range hs {
		if i == n {
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%d)", h.host, h.n)
	}
	return b.String()
}

// finish prunes old statuses and re-scores the records, unless no status
// changed since this Checker last did: a harvest scores what it stores
// with the statuses there are, so the scores are right already. The first
// pass of a Checker always re-scores, for the passes of a process that
// stopped before it could.
func (p *pass) finish(ctx context.Context) error {
	keep := max(4*p.c.opts.RecheckAfter, keepStatuses)
	pruned, err := p.c.store.PruneLinkStatuses(ctx, p.start.Add(-keep))
	if err != nil {
		return fmt.Errorf("prune link statuses: %w", err)
	}
	p.mu.Lock()
	p.sum.Pruned = pruned
	p.sum.Phase = "rescoring"
	changed := p.sum.Checked > 0 || pruned > 0
	p.mu.Unlock()
	if p.c.rescored && !changed {
		return nil
	}
	if err := p.rescore(ctx); err != nil {
		return err
	}
	p.c.rescored = true
	return nil
}

// rescore walks the live records again and writes the score of every
// record with URLs whose score the stored link statuses change.
func (p *pass) rescore(ctx context.Context) error {
	after := ""
	for {
		recs, err := p.c.store.DatasetsAfter(ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		after = recs[len(recs)-1].ID
		known, err := p.c.store.LinkStatuses(ctx, pageURLs(recs))
		if err != nil {
			return fmt.Errorf("read link statuses: %w", err)
		}
		rescored, changed := 0, 0
		for i := range recs {
			d := &recs[i]
			if len(catalog.LinkURLs(d)) == 0 {
				continue
			}
			q := catalog.ScoreWith(*d, known)
			if d.Quality != nil && reflect.DeepEqual(*d.Quality, q) {
				continue
			}
			err := p.c.store.SetQuality(ctx, d.ID, d.Seq, q)
			switch {
			case errors.Is(err, catalog.ErrChanged), errors.Is(err, catalog.ErrNotFound):
				changed++ // harvested or withdrawn meanwhile: the next pass sees it
			case err != nil:
				return fmt.Errorf("store quality: %w", err)
			default:
				rescored++
				p.c.metrics.rescored.Inc()
			}
		}
		p.mu.Lock()
		p.sum.Rescored += rescored
		p.sum.Changed += changed
		p.mu.Unlock()
		p.progress()
	}
}

// pageURLs returns the URLs of recs whose answers count, each once.
func pageURLs(recs []catalog.Dataset) []string {
	var urls []string
	seen := map[string]bool{}
	for i := range recs {
		for _, u := range catalog.LinkURLs(&recs[i]) {
			if !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	return urls
}

// resultsText writes checks by result as "answered=3 http_error=1".
func resultsText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}
