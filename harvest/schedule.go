package harvest

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Schedule runs every source on its interval (Config.Every, default a day)
// until ctx ends, and then waits for the runs in progress, which ctx
// cancels, to record their reports. Each source runs once soon after the
// start (within two seconds, or a tenth of its interval if less) and then about every interval, a
// tenth either way, so that sources spread out; a source never runs twice
// at once, and at most Options.Concurrency sources run together. It blocks:
// the caller decides to go it. Errors of single runs are logged.
func (h *Harvester) Schedule(ctx context.Context, sources []Config) {
	sem := make(chan struct{}, h.opts.Concurrency)
	var wg sync.WaitGroup
	for _, cfg := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.loop(ctx, cfg, sem)
		}()
	}
	wg.Wait()
}

// loop runs one source on its interval until ctx ends.
func (h *Harvester) loop(ctx context.Context, cfg Config, sem chan struct{}) {
	every := cfg.Every
	if every <= 0 {
		every = DefaultEvery
	}
	log := h.logger.With("source", cfg.Name)
	// The first run comes within seconds of the start, so that a gateway
	// that starts (or restarts) shows a current catalogue; conditional GET
	// makes that cheap for sources that did not change.
	wait := jitter(min(every/10, 2*time.Second), 1)
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		started := time.Now()
		rep, err := h.Run(ctx, cfg)
		<-sem
		if err != nil {
			log.Error("harvest run not recorded", "err", err)
		} else {
			log.Debug("scheduled run done", "run", rep.ID, "status", rep.Status)
		}
		wait = max(jitter(every, 0.1)-time.Since(started), 0)
	}
}

// jitter returns d changed by up to frac of it either way (frac 1: between
// 0 and d).
func jitter(d time.Duration, frac float64) time.Duration {
	if d <= 0 {
		return 0
	}
	if frac >= 1 {
		return rand.N(d + 1)
	}
	spread := time.Duration(float64(d) * frac)
	if spread <= 0 {
		return d
	}
	return d - spread + rand.N(2*spread+1)
}
