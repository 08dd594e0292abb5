package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"samband/catalog/search"
	"samband/catalog/sqlite"
)

const reindexUsage = `reindex [flags]

Rebuilds the search index from every record of the catalogue and saves it,
replacing the index file in one step. gateway serve keeps the index up to
date by itself and catches up after a restart; reindex is for an index file
that was lost or damaged, or after an upgrade that changes how records are
indexed. It refuses while a gateway serves with the same index file: stop
the gateway first (it would save its own copy over the new one).`

func runReindex(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "reindex", reindexUsage)
	db := fs.String("db", "", "SQLite file of the catalogue (default: the config's db, data/samband.db)")
	configPath := fs.String("config", "", "YAML configuration (for db and search.path)")
	path := fs.String("index", "", "the index file to write (default: the config's search.path, else DB.search)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("reindex: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath, e.getenv)
	if err != nil {
		return err
	}
	if *db != "" {
		cfg.DB = *db
	}
	if *path == "" {
		*path = cfg.searchPath()
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	rules, err := lifeEventRules(cfg.LifeEvents)
	if err != nil {
		return err
	}
	unlock, err := lockFile(*path + ".lock")
	if err != nil {
		if errors.Is(err, errLocked) {
			return fmt.Errorf("reindex: a gateway is serving with %s (it saves its own copy when it stops); stop it, then reindex", *path)
		}
		return fmt.Errorf("reindex: %w", err)
	}
	defer unlock()
	store, err := sqlite.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("reindex: store %s: %w", cfg.DB, err)
	}
	defer store.Close()

	start := time.Now()
	idx := search.New(indexOptions(rules))
	tty := isTerminal(e.stderr)
	n, last := 0, time.Now()
	err = search.CatchUp(ctx, idx, store.Changes, func(seq int64, batch int) {
		n += batch
		if tty && time.Since(last) >= 250*time.Millisecond {
			last = time.Now()
			fmt.Fprintf(e.stderr, "\rindexed %d changes (seq %d), %.0f a second", n, seq, float64(n)/time.Since(start).Seconds())
		}
	})
	if tty {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	built := time.Since(start)
	if err := idx.SaveAs(*path); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	sum := struct {
		Index      string `json:"index"`
		Records    int    `json:"records"`
		Changes    int    `json:"changes"`
		Seq        int64  `json:"seq"`
		DurationMS int64  `json:"duration_ms"`
	}{*path, idx.Count(), n, idx.LastSeq(), time.Since(start).Milliseconds()}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(sum)
	}
	fmt.Fprintf(e.stdout, "reindexed %d records (store seq %d) into %s in %v (built in %v)\n",
		sum.Records, sum.Seq, sum.Index, time.Since(start).Round(time.Millisecond), built.Round(time.Millisecond))
	return nil
}
