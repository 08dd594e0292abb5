package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// readyTimeout bounds each readiness check that does I/O, so that a wedged
// disk makes the probe answer 503 rather than hang.
const readyTimeout = time.Second

// auditFailHold is how long a failed audit commit keeps the gateway
// unready.
const auditFailHold = 10 * time.Second

// The statuses of a readiness check. A check that is degraded says how
// ("degraded: no keys yet for NO/991825827").
const (
	checkOK       = "ok"
	checkOff      = "off"      // the part checked is not configured
	checkFailing  = "failing"  // why is in the gateway's log
	checkTimeout  = "timeout"  // no answer within readyTimeout
	checkStopping = "stopping" // shutdown has begun
	checkDegraded = "degraded"
)

// readiness remembers each check's last status, so that the gateway logs
// a check's change once, not at every probe, and bounds the store reads
// left waiting on a wedged disk.
type readiness struct {
	mu   sync.Mutex
	last map[string]string

	pings chan struct{} // a slot per store read under way; maxPings of them
}

// maxPings bounds the store reads /readyz leaves under way: past it, a
// probe answers the store's timeout without starting another, so that
// probes of a gateway whose disk is wedged do not pile up goroutines.
const maxPings = 4

// notReady is the answer of /readyz when a check fails: writeProblem makes
// it a 503 problem of type urn:samband:problem:not-ready that names the
// failing checks and gives every check's status.
type notReady struct {
	failing []string // sorted
	checks  map[string]string
}

func (e *notReady) Error() string {
	parts := make([]string, len(e.failing))
	for i, name := range e.failing {
		parts[i] = name + " " + e.checks[name]
	}
	return "the gateway is not ready: " + strings.Join(parts, ", ") +
		"; the reasons are in its log, and /readyz answers 200 again once they are gone"
}

// readyz answers GET /readyz: 200 when the gateway can do its work (some
// of it may be degraded: a peer's keys not fetched yet), 503 when it
// cannot or is shutting down. A load balancer sends it traffic on 200 only.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) error {
	checks := map[string]string{}
	errs := map[string]error{} // the reasons, for the log
	if s.stopping.Load() {
		checks["serving"] = checkStopping
	} else {
		checks["serving"] = checkOK
	}
	switch err := s.pingStore(r.Context()); {
	case err == nil:
		checks["store"] = checkOK
	case errors.Is(err, context.DeadlineExceeded):
		checks["store"], errs["store"] = checkTimeout, err
	default:
		checks["store"], errs["store"] = checkFailing, err
	}
	degraded := false
	if s.audit == nil {
		checks["audit"] = checkOff
	} else if at, err := s.audit.CommitFailure(); err != nil {
		// Only an append can show the log writable again, and no append
		// comes while the load balancer keeps the gateway out: after
		// auditFailHold the gateway is degraded, takes traffic again, and
		// the next append that fails makes it unready for as long again.
		if since := s.now().Sub(at); since < auditFailHold {
			checks["audit"], errs["audit"] = checkFailing, fmt.Errorf("the last commit failed: %w", err)
		} else {
			checks["audit"] = fmt.Sprintf("%s: the last commit failed %s ago; taking requests again to retry", checkDegraded, since.Round(time.Second))
			degraded = true
		}
	} else {
		checks["audit"] = checkOK
	}
	if s.exchange == nil {
		checks["trust"] = checkOff
	} else if ids := s.exchange.trust.WithoutKeys(); len(ids) > 0 {
		checks["trust"] = checkDegraded + ": no keys yet for " + strings.Join(ids, ", ")
		degraded = true
	} else {
		checks["trust"] = checkOK
	}
	s.ready.logChanges(s.logger, checks, errs)

	var failing []string
	for name, st := range checks {
		if st != checkOK && st != checkOff && !strings.HasPrefix(st, checkDegraded) {
			failing = append(failing, name)
		}
	}
	if len(failing) > 0 {
		slices.Sort(failing)
		return &notReady{failing: failing, checks: checks}
	}
	status := "ready"
	if degraded {
		status = "degraded"
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, map[string]any{"status": status, "checks": checks})
}

// pingStore asks the store for a trivial read, waiting at most
// readyTimeout: the read goes on in the background if the store does not
// heed its context (a read blocked on the disk), and the probe answers.
func (s *server) pingStore(ctx context.Context) error {
	select {
	case s.ready.pings <- struct{}{}:
	default:
		return fmt.Errorf("%d store reads of earlier probes still under way: %w", maxPings, context.DeadlineExceeded)
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() { <-s.ready.pings }()
		done <- s.store.Ping(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// logChanges logs each check whose status differs from the last probe's:
// a warning with the reason when it is no longer ok, a note when it is ok
// again. Degraded trust is the trust registry's to log.
func (rd *readiness) logChanges(logger *slog.Logger, checks map[string]string, errs map[string]error) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	for name, st := range checks {
		prev, seen := rd.last[name]
		rd.last[name] = st
		if st == prev || (!seen && (st == checkOK || st == checkOff)) {
			continue
		}
		switch err := errs[name]; {
		case err != nil:
			logger.Warn("readiness check failing; /readyz answers 503", "check", name, "status", st, "err", err)
		case st == checkOK:
			logger.Info("readiness check ok again", "check", name)
		}
	}
}
