package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"samband/catalog/sqlite"
	"samband/exchange/audit"
	"samband/harvest"
	"samband/harvest/linkcheck"
)

const serveUsage = `serve [flags]

Serves the HTTP API (/api/v1/...) and /metrics, and harvests the configured
sources on their schedules until interrupted; then /readyz answers 503 (for
shutdown_delay, GATEWAY_SHUTDOWN_DELAY, requests are still taken, so that a
load balancer drains the gateway), it stops taking requests, lets running
harvests record their reports, and exits. With linkcheck.enabled
in the configuration (GATEWAY_LINKCHECK_ENABLED=true), it also checks the
records' links in the background (see gateway linkcheck).

It also serves the consent and mandate API (/api/v1/consents,
/api/v1/mandates) when policies.subject_key_file names the key that hashes
national identity numbers (GATEWAY_POLICIES_SUBJECT_KEY_FILE); without one
those routes answer 503, and a key file that cannot be read stops serve.

It keeps the exchange audit log (/api/v1/audit/...) when audit.key_file names
the key gateway audit keygen made (GATEWAY_AUDIT_KEY_FILE), and signs its
checkpoints every audit.checkpoint_every; citizens read their entries at
/api/v1/me/accesses, signed in by the OpenID Connect providers of
citizen.providers. Without a key those routes answer 503.

With exchange.id set it brokers exchange between authorities at
/exchange/v1/{country}/{organisation}/{service}/...: signed requests checked,
decided, forwarded to the registered services (or the peer gateway of their
country) and logged, with a receipt (see gateway exchange). The exchange needs
exchange.key_file, the parties it trusts, the subject key, the audit log and
policies.api_token_file; its own keys are at /api/v1/exchange/keys.

With --demo it runs the bundled demo: real catalogues from Norway, Sweden,
Denmark and the EU, served by a local file server it starts itself, and,
unless keys are configured, a subject key, an audit key and an audit log
made for the run.`

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve", serveUsage)
	configPath := fs.String("config", "", "YAML configuration file (see README); none: defaults and GATEWAY_* variables")
	demo := fs.Bool("demo", false, "run the bundled demo configuration and catalogues")
	db := fs.String("db", "", "SQLite file of the catalogue (overrides the config's db)")
	addr := fs.String("addr", "", "listen address HOST:PORT (overrides the config's addr)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := serveConfig(e, *configPath, *demo)
	if err != nil {
		return err
	}
	if *db != "" {
		cfg.DB = *db
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	logger, err := newLogger(cfg.Log, e.stderr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, logger, nil)
}

// serveConfig reads the configuration: the demo's, or a file, or none.
func serveConfig(e env, path string, demo bool) (Config, error) {
	if demo {
		if path != "" {
			return Config{}, usagef("serve: --demo and --config exclude each other")
		}
		raw, err := demoConfig()
		if err != nil {
			return Config{}, err
		}
		cfg, err := parseConfig(raw, "demo", e.getenv)
		cfg.Policies.demoKey = true
		cfg.Audit.demoKey = true
		return cfg, err
	}
	return loadConfig(path, e.getenv)
}

// serve runs the gateway until ctx ends. When ready is not nil, it receives
// the address the server listens on once it does.
func serve(ctx context.Context, cfg Config, logger *slog.Logger, ready chan<- string) error {
	lifeEvents, err := lifeEventRules(cfg.LifeEvents)
	if err != nil {
		return err
	}
	if cfg.Harvest.Demo {
		base, err := startDemoServer(ctx, logger)
		if err != nil {
			return err
		}
		resolveDemoURLs(&cfg, base)
		logger.Info("demo catalogues served", "url", base)
	}
	if dir := filepath.Dir(cfg.DB); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	store, err := sqlite.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("store %s: %w", cfg.DB, err)
	}
	defer store.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := harvest.New(store, nil, logger, harvest.Options{
		UserAgent:   harvest.UserAgent(version, cfg.PublicURL),
		SkolemBase:  cfg.PublicURL + "/.well-known/genid/",
		Registerer:  reg,
		Concurrency: cfg.Harvest.Concurrency,
	})
	// One process at a time writes the index file: a serving gateway holds
	// its lock, and reindex waits for the gateway to stop.
	unlock, err := lockFile(cfg.searchPath() + ".lock")
	if err != nil {
		if errors.Is(err, errLocked) {
			return fmt.Errorf("search index %s is in use by another gateway process (serve or reindex); stop it first", cfg.searchPath())
		}
		return err
	}
	defer unlock()
	idx, err := openIndex(cfg.searchPath(), indexOptions(lifeEvents), logger)
	if err != nil {
		return err
	}
	logger.Info("search index open", "path", idx.Path(), "records", idx.Count(), "seq", idx.LastSeq())
	policyReg, policyAPI, err := openServeRegistry(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if policyReg != nil {
		defer policyReg.Close()
	}
	auditLog, auditKey, closeAudit, err := openServeAudit(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeAudit() // after the HTTP server and the checkpoints have stopped
	citizens, err := newCitizenAuth(ctx, cfg.Citizen, logger)
	if err != nil {
		return err
	}
	api := newServer(store, logger, reg)
	api.registry = policyAPI
	if api.apiTokens, err = loadAPITokens(cfg.Policies.APITokenFile, func(msg string) { logger.Warn(msg) }); err != nil {
		return err
	}
	if api.apiTokens == nil && policyAPI != nil {
		logger.Warn("the consent, mandate and evaluation API takes every caller: set policies.api_token_file, or keep addr on a trusted network")
	}
	api.audit, api.auditKey, api.citizens, api.embargo = auditLog, auditKey, citizens, cfg.Audit.Embargo
	if auditLog != nil {
		auditLog.OnCommit(audit.CommitMetrics(reg))
	}
	if api.policies, err = loadGatewayPolicies(cfg.Policies); err != nil {
		return err
	}
	api.publicURL = cfg.PublicURL
	api.index = idx
	api.rules = lifeEvents
	api.past = &pastIndexes{store: store, opt: indexOptions(lifeEvents)}
	if cfg.Exchange.on() {
		x, err := openExchange(ctx, cfg, api, auditLog, reg, logger)
		if err != nil {
			return err
		}
		defer x.close()
		api.exchange = x
	}
	srv := &http.Server{
		Handler:           withExchange(api.exchange, api.routes(reg)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	logger.Info("gateway serving", "addr", ln.Addr().String(), "db", cfg.DB, "sources", len(cfg.Sources), "version", version,
		"life_events", len(lifeEvents.Concepts()))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	harvestCtx, stopHarvest := context.WithCancel(ctx)
	defer stopHarvest()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.Schedule(harvestCtx, harvestConfigs(cfg))
	}()
	// The index follows the store until the harvests have stopped, so that
	// it saves their last changes.
	followCtx, stopFollow := context.WithCancel(context.Background())
	defer stopFollow()
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		followChanges(followCtx, idx, store, time.Duration(cfg.Search.SaveEvery), logger)
	}()
	stopIndex := func() {
		stopFollow()
		<-followed
	}
	if cfg.LinkCheck.Enabled {
		opts := cfg.LinkCheck.options()
		opts.UserAgent = harvest.UserAgent(version, cfg.PublicURL)
		opts.Registerer = reg
		lc := linkcheck.New(store, logger.With("component", "linkcheck"), opts)
		logger.Info("link checker on", "per_host_interval", opts.PerHostInterval, "recheck_after", opts.RecheckAfter,
			"every", opts.Every, "allow_private", opts.AllowPrivate)
		wg.Add(1)
		go func() {
			defer wg.Done()
			lc.Run(harvestCtx)
		}()
	}

	stopCheckpoints := runCheckpoints(auditLog, time.Duration(cfg.Audit.CheckpointEvery), logger)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		stopHarvest()
		wg.Wait()
		stopIndex()
		stopCheckpoints()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// /readyz answers 503 from here on, while requests are still taken for
	// shutdown_delay, then while those in flight finish.
	d := time.Duration(cfg.ShutdownDelay)
	var again chan os.Signal
	if d > 0 {
		// Heard before /readyz says so: a second signal ends the drain.
		again = make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	}
	api.stopping.Store(true)
	if d > 0 {
		logger.Info("gateway draining: /readyz answers 503; requests are taken until the delay ends (a second signal ends it now)", "shutdown_delay", d)
		select {
		case <-time.After(d):
		case <-again:
			logger.Info("second signal: draining cut short")
		}
		signal.Stop(again)
	}
	logger.Info("gateway stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	stopCheckpoints()
	stopHarvest()
	wg.Wait()
	stopIndex()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("gateway stopped")
	return nil
}

// harvestConfigs turns the configured sources into harvest configurations.
func harvestConfigs(cfg Config) []harvest.Config {
	out := make([]harvest.Config, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		out = append(out, harvestConfig(s))
	}
	return out
}

func harvestConfig(s SourceConfig) harvest.Config {
	return harvest.Config{
		Name:       s.Name,
		Country:    s.Country,
		Kind:       s.Kind,
		URL:        s.URL,
		Aggregator: s.Aggregator,
		Every:      time.Duration(s.Schedule),
		Limits: harvest.Limits{
			MaxPages: s.Limits.MaxPages,
			MaxBytes: s.Limits.MaxBytes,
			Timeout:  time.Duration(s.Limits.Timeout),
		},
	}
}
