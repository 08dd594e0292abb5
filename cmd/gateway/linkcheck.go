package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"samband/catalog/sqlite"
	"samband/harvest"
	"samband/harvest/linkcheck"
)

const linkcheckUsage = `linkcheck [flags]

Checks once whether the access, download and endpoint URLs of the
catalogue's live records answer (HEAD, or GET of one byte where HEAD is
refused), stores what it finds and re-scores the records whose quality score
changes (the MQA checks accessUrlStatusCode and downloadUrlStatusCode). A URL
checked within --recheck-after is not asked again (--force asks anyway).
Requests to one host are at least --per-host-interval apart. Loopback and
private addresses are refused unless --allow-private is given.

Flags default to the config's linkcheck section. Progress goes to stderr, a
summary to stdout. Exits 0 whatever the links answered; 1 when the store
failed or the pass was interrupted.`

func runLinkcheck(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "linkcheck", linkcheckUsage)
	db := fs.String("db", "", "SQLite file of the catalogue (default: the config's db, data/samband.db)")
	configPath := fs.String("config", "", "YAML configuration whose linkcheck section to use")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	allowPrivate := fs.Bool("allow-private", false, "connect to loopback and private addresses too (default: the config's linkcheck.allow_private)")
	force := fs.Bool("force", false, "check every URL, however recently it was checked")
	verbose := fs.Bool("verbose", false, "log every check to stderr")
	interval := fs.Duration("per-host-interval", 0, "least time between two requests to one host (default: the config's, 2s)")
	recheck := fs.Duration("recheck-after", 0, "check a URL again once its status is this old (default: the config's, 168h)")
	timeout := fs.Duration("timeout", 0, "give up on one request after this long (default: the config's, 10s)")
	concurrency := fs.Int("concurrency", 0, "checks at once (default: the config's, 8)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("linkcheck: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath, e.getenv)
	if err != nil {
		return err
	}
	if *db == "" {
		*db = cfg.DB
	}
	opts := cfg.LinkCheck.options()
	opts.AllowPrivate = opts.AllowPrivate || *allowPrivate
	opts.Force = *force
	for _, f := range []struct {
		name string
		v    time.Duration
		dst  *time.Duration
	}{{"per-host-interval", *interval, &opts.PerHostInterval}, {"recheck-after", *recheck, &opts.RecheckAfter}, {"timeout", *timeout, &opts.Timeout}} {
		if f.v < 0 {
			return usagef("linkcheck: --%s must not be negative", f.name)
		}
		if f.v > 0 {
			*f.dst = f.v
		}
	}
	if *concurrency < 0 {
		return usagef("linkcheck: --concurrency must not be negative")
	}
	if *concurrency > 0 {
		opts.Concurrency = *concurrency
	}
	opts.UserAgent = harvest.UserAgent(version, cfg.PublicURL)

	// The catalogue must be there: a new, empty file would have no links.
	if _, err := os.Stat(*db); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store %s: no such file (harvest into it first)", *db)
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return fmt.Errorf("store %s: %w", *db, err)
	}
	defer store.Close()

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	var prog *linkcheckProgress
	if isTerminal(e.stderr) {
		prog = &linkcheckProgress{w: e.stderr}
		opts.Progress = prog.update
	}
	sum, err := linkcheck.New(store, logger, opts).Pass(ctx)
	if prog != nil {
		prog.clear()
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(sum); jerr != nil {
			return jerr
		}
	} else {
		printLinkcheckSummary(e.stdout, sum)
	}
	return err
}

// printLinkcheckSummary writes what a pass did, for a person.
func printLinkcheckSummary(w io.Writer, s linkcheck.Summary) {
	fmt.Fprintf(w, "records  %d, with %d links: %d due, %d checked recently\n", s.Records, s.URLs, s.Due, s.Fresh)
	fmt.Fprintf(w, "checked  %d: %d answered, %d did not", s.Checked, s.Answered, s.Failed)
	var kinds []string
	for k, n := range s.Results {
		if k != linkcheck.ResultAnswered && k != linkcheck.ResultThrottled {
			kinds = append(kinds, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), n))
		}
	}
	sort.Strings(kinds)
	if len(kinds) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(kinds, ", "))
	}
	fmt.Fprintln(w)
	if s.Deferred+s.Throttled > 0 {
		fmt.Fprintf(w, "later    %d deferred (their host had enough waiting), %d throttled (429 Too Many Requests)\n", s.Deferred, s.Throttled)
	}
	fmt.Fprintf(w, "scores   re-scored: %d", s.Rescored)
	if s.Changed > 0 {
		fmt.Fprintf(w, ", changed meanwhile (next pass): %d", s.Changed)
	}
	if s.Pruned > 0 {
		fmt.Fprintf(w, "; old statuses pruned: %d", s.Pruned)
	}
	fmt.Fprintf(w, " (%s)\n", (time.Duration(s.DurationMS) * time.Millisecond).String())
}

// linkcheckProgress draws a pass's progress on one terminal line.
type linkcheckProgress struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	drawn bool
}

func (p *linkcheckProgress) update(s linkcheck.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.drawn = true
	switch s.Phase {
	case "rescoring":
		fmt.Fprintf(p.w, "\r\033[Krescoring: %d records re-scored", s.Rescored)
	default:
		fmt.Fprintf(p.w, "\r\033[Kchecking: %d records read, %d links checked (%d answered, %d did not), %d deferred",
			s.Records, s.Checked, s.Answered, s.Failed, s.Deferred)
	}
}

func (p *linkcheckProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
