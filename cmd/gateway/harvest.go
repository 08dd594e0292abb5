package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"samband/catalog"
	"samband/catalog/sqlite"
	"samband/harvest"
)

const harvestUsage = `harvest [flags] [SOURCE...]

Harvests sources once into the catalogue and prints a report per source.
A SOURCE is a DCAT document or paged collection (http, https or file URL,
in any RDF syntax), or a CKAN site written ckan+https://HOST. With no SOURCE,
it harvests every source of --config. Exits 0 when every source completed
and 1 when any did not.`

// harvestReport is one line of `gateway harvest --json`.
type harvestReport struct {
	Source     string            `json:"source"`
	Status     string            `json:"status"`
	Added      int               `json:"added"`
	Updated    int               `json:"updated"`
	Unchanged  int               `json:"unchanged"`
	Withdrawn  int               `json:"withdrawn"`
	Merged     int               `json:"merged"`
	Rejected   int               `json:"rejected"`
	Conflicts  int               `json:"conflicts"`
	Errors     []catalog.Problem `json:"errors"`
	Warnings   int               `json:"warnings"`
	Pages      int               `json:"pages"`
	Bytes      int64             `json:"bytes"`
	DurationMS int64             `json:"duration_ms"`
	Run        int64             `json:"run"`
	// NotModified: the source answered 304 to a conditional GET.
	NotModified bool `json:"not_modified,omitempty"`
}

func runHarvest(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "harvest", harvestUsage)
	db := fs.String("db", "", "SQLite file of the catalogue (default: the config's db, data/samband.db)")
	configPath := fs.String("config", "", "YAML configuration whose sources to harvest when no SOURCE is given")
	asJSON := fs.Bool("json", false, "print the reports as a JSON array")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of the SOURCE arguments")
	aggregator := fs.Bool("aggregator", false, "the SOURCE arguments re-publish other sources' records")
	maxPages := fs.Int("max-pages", 0, "stop a source after this many pages (0: 10,000)")
	timeout := fs.Duration("timeout", 0, "give up on a source after this long (0: 30m)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, e.getenv)
	if err != nil {
		return err
	}
	// The rules are not used by a harvest, but a configuration that the
	// server would refuse is refused here too.
	if _, err := lifeEventRules(cfg.LifeEvents); err != nil {
		return err
	}
	if *db == "" {
		*db = cfg.DB
	}
	var sources []harvest.Config
	if fs.NArg() == 0 {
		if len(cfg.Sources) == 0 {
			fs.Usage()
			return usagef("harvest: give a SOURCE or a --config with sources")
		}
		if cfg.Harvest.Demo {
			base, err := startDemoServer(ctx, slog.New(slog.DiscardHandler))
			if err != nil {
				return err
			}
			resolveDemoURLs(&cfg, base)
		}
		sources = harvestConfigs(cfg)
	}
	for _, arg := range fs.Args() {
		src, err := sourceFromArg(arg)
		if err != nil {
			return usagef("harvest: %v", err)
		}
		src.Country = strings.ToUpper(*country)
		src.Aggregator = *aggregator
		sources = append(sources, harvestConfig(src))
	}
	for i := range sources {
		if *maxPages > 0 {
			sources[i].Limits.MaxPages = *maxPages
		}
		if *timeout > 0 {
			sources[i].Limits.Timeout = *timeout
		}
	}
	if dir := filepath.Dir(*db); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return fmt.Errorf("store %s: %w", *db, err)
	}
	defer store.Close()

	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var prog *harvestProgress
	if isTerminal(e.stderr) {
		prog = &harvestProgress{w: e.stderr}
	}
	opts := harvest.Options{
		UserAgent:   harvest.UserAgent(version, cfg.PublicURL),
		SkolemBase:  cfg.PublicURL + "/.well-known/genid/",
		Concurrency: cfg.Harvest.Concurrency,
	}
	if prog != nil {
		opts.Progress = prog.update
	}
	h := harvest.New(store, nil, logger, opts)

	reports := make([]harvestReport, len(sources))
	sem := make(chan struct{}, max(cfg.Harvest.Concurrency, 1))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rep, err := h.Run(ctx, src)
			if err != nil && rep.Status == "" {
				rep = catalog.Report{Source: src.Name, Status: catalog.StatusFailed,
					Errors: []catalog.Problem{{Severity: "error", URL: src.URL, Message: err.Error()}}}
			}
			reports[i] = toHarvestReport(rep)
		}()
	}
	wg.Wait()
	if prog != nil {
		prog.clear()
	}

	failed := 0
	for _, r := range reports {
		if r.Status != catalog.StatusComplete {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	} else {
		printHarvestReports(e.stdout, reports)
	}
	if failed > 0 {
		return &silentError{fmt.Errorf("%d of %d sources did not complete", failed, len(reports))}
	}
	return nil
}

// sourceFromArg makes a source of a command-line argument.
func sourceFromArg(arg string) (SourceConfig, error) {
	kind := "dcat"
	raw := arg
	if rest, ok := strings.CutPrefix(arg, "ckan+"); ok {
		kind, raw = "ckan", rest
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// A plain path is a local file.
		abs, aerr := filepath.Abs(arg)
		if aerr != nil || err != nil && u == nil {
			return SourceConfig{}, fmt.Errorf("source %q: not a URL or a file", arg)
		}
		u = &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
		raw = u.String()
	}
	switch u.Scheme {
	case "http", "https":
	case "file":
		kind = "file"
	default:
		return SourceConfig{}, fmt.Errorf("source %q: scheme %q is not http, https or file", arg, u.Scheme)
	}
	name := u.Host + strings.TrimSuffix(u.Path, "/")
	if u.Scheme == "file" {
		name = filepath.Base(u.Path)
	}
	return SourceConfig{Name: name, Kind: kind, URL: raw}, nil
}

func toHarvestReport(r catalog.Report) harvestReport {
	errs := r.Errors
	if errs == nil {
		errs = []catalog.Problem{}
	}
	return harvestReport{
		Source: r.Source, Status: r.Status, Added: r.Added, Updated: r.Updated, Unchanged: r.Unchanged,
		Withdrawn: r.Withdrawn, Merged: r.Merged, Rejected: r.Rejected, Conflicts: r.Conflicts, Errors: errs,
		Warnings: len(r.Warnings), Pages: r.Pages, Bytes: r.Bytes, DurationMS: r.DurationMS, Run: r.ID,
		NotModified: r.NotModified,
	}
}

func printHarvestReports(w io.Writer, reports []harvestReport) {
	for _, r := range reports {
		if r.NotModified {
			fmt.Fprintf(w, "%-24s %-9s not modified since the last run (%s)\n", r.Source, r.Status,
				(time.Duration(r.DurationMS) * time.Millisecond).String())
			continue
		}
		fmt.Fprintf(w, "%-24s %-9s added %d, updated %d, unchanged %d, withdrawn %d, merged %d, rejected %d, conflicts %d, errors %d, warnings %d (%d pages, %.1f MB, %s)\n",
			r.Source, r.Status, r.Added, r.Updated, r.Unchanged, r.Withdrawn, r.Merged, r.Rejected, r.Conflicts,
			len(r.Errors), r.Warnings, r.Pages, float64(r.Bytes)/1e6, (time.Duration(r.DurationMS) * time.Millisecond).String())
		for i, p := range r.Errors {
			if i == 5 {
				fmt.Fprintf(w, "    ... %d more errors (see --json or /api/v1/harvests/%d)\n", len(r.Errors)-5, r.Run)
				break
			}
			where := p.URL
			if p.Line > 0 {
				where = fmt.Sprintf("%s:%d:%d", p.URL, p.Line, p.Column)
			}
			fmt.Fprintf(w, "    %s: %s\n", where, p.Message)
		}
	}
}

// harvestProgress draws one terminal line of progress across sources.
type harvestProgress struct {
	mu    sync.Mutex
	w     io.Writer
	state map[string]string
	last  time.Time
}

func (p *harvestProgress) update(source string, pages, records int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == nil {
		p.state = make(map[string]string)
	}
	p.state[source] = fmt.Sprintf("%s: %d pages, %d records, %.1f MB", source, pages, records, float64(bytes)/1e6)
	if time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	var parts []string
	for _, s := range p.state {
		parts = append(parts, s)
	}
	line := strings.Join(parts, " | ")
	if len(line) > 160 {
		line = line[:160]
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *harvestProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
