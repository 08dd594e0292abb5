package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"samband/exchange/audit"
	"samband/harvest/linkcheck"
)

// Config is the gateway's configuration file (gateway.yaml). Every key can be
// overridden by an environment variable named GATEWAY_ and the key's path in
// upper case joined by '_': GATEWAY_DB, GATEWAY_LOG_LEVEL; a source's keys by
// its name: GATEWAY_SOURCES_NO_NAV_URL for the source named "no-nav".
// Command-line flags win over both.
type Config struct {
	// DB is the store: a file path for the embedded SQLite store.
	DB string `yaml:"db"`
	// Addr is where the HTTP API listens.
	Addr string `yaml:"addr"`
	// PublicURL is the gateway's own address as others reach it; it prefixes
	// the IRIs Samband mints (skolem IRIs for blank-node datasets).
	PublicURL string `yaml:"public_url"`
	// LifeEvents is a file of life-event rules (the format of
	// catalog/lifeevent/default.yaml) that replaces the rules built in;
	// empty: the built-in ones.
	LifeEvents string          `yaml:"life_events"`
	Log        LogConfig       `yaml:"log"`
	Harvest    HarvestConfig   `yaml:"harvest"`
	Search     SearchConfig    `yaml:"search"`
	LinkCheck  LinkCheckConfig `yaml:"linkcheck"`
	Policies   PoliciesConfig  `yaml:"policies"`
	Exchange   ExchangeConfig  `yaml:"exchange"`
	Audit      AuditConfig     `yaml:"audit"`
	Citizen    CitizenConfig   `yaml:"citizen"`
	Sources    []SourceConfig  `yaml:"sources"`

	// ShutdownDelay is how long serve, once told to stop, goes on taking
	// requests while /readyz answers 503, so that a load balancer's probes
	// see it and send traffic elsewhere before the listener closes. 0:
	// the listener closes at once.
	ShutdownDelay Duration `yaml:"shutdown_delay"`
}

// PoliciesConfig configures the consent and mandate registry.
type PoliciesConfig struct {
	// SubjectKeyFile is a file holding the key of the data subjects'
	// hashes: at least 64 hexadecimal digits (32 random bytes), as
	// `openssl rand -hex 32` writes them. Every gateway that must recognise
	// the same person uses the same key. Without it the consent and mandate
	// API is off, except in the demo, which makes a key for the run.
	SubjectKeyFile string `yaml:"subject_key_file"`
	// DB is the registry's SQLite file; "" is the catalogue's (db).
	DB string `yaml:"db"`
	// Defaults are files of ODRL policies (Turtle or JSON-LD) that govern
	// every target they do not restrict to others: the gateway's own rules.
	Defaults []string `yaml:"defaults"`
	// Files are files of ODRL policies set locally for catalogue records:
	// those a record names by odrl:hasPolicy, or that name it by
	// odrl:target, beside those its source described inline.
	Files []string `yaml:"files"`
	// APITokenFile holds the bearer tokens that may use the consent,
	// mandate and policy-evaluation API, one a line, each at least 32
	// characters (`openssl rand -hex 32`). Required when the exchange is
	// on: a mandate granted through the API decides exchanges. Without it
	// (and without the exchange) the API takes every caller.
	APITokenFile string `yaml:"api_token_file"`
	// demoKey: serve --demo makes a key in memory when none is configured.
	demoKey bool
}

// policiesDB returns the registry's file.
func (c Config) policiesDB() string {
	if c.Policies.DB != "" {
		return c.Policies.DB
	}
	return c.DB
}

// SearchConfig places the search index and says how often it is saved.
type SearchConfig struct {
	// Path is the index's snapshot file; "" puts it beside the database
	// (DB + ".search").
	Path string `yaml:"path"`
	// SaveEvery is how often a changed index is saved while serving (and
	// always at shutdown): a restart then catches up from the store's
	// changes since the last save rather than rebuilding.
	SaveEvery Duration `yaml:"save_every"`
}

// LogConfig selects the log level ("debug", "info", "warn", "error") and
// format ("text" or "json").
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// HarvestConfig holds what applies to every source.
type HarvestConfig struct {
	// Concurrency is how many sources harvest at once.
	Concurrency int `yaml:"concurrency"`
	// Demo serves the bundled demo catalogues from a local file server and
	// points the sources whose URL starts with "demo:" at it.
	Demo bool `yaml:"demo"`
}

// LinkCheckConfig configures the link checker, which asks the records'
// access, download and endpoint URLs whether they answer and feeds the
// answers to their quality scores (see harvest/linkcheck).
type LinkCheckConfig struct {
	// Enabled runs the checker in the background while serving; off by
	// default: it makes requests to every host the catalogue links to.
	Enabled bool `yaml:"enabled"`
	// PerHostInterval is the least time between two requests to one host.
	PerHostInterval Duration `yaml:"per_host_interval"`
	// RecheckAfter is how long a URL's status stands before it is checked again.
	RecheckAfter Duration `yaml:"recheck_after"`
	// Timeout bounds one request.
	Timeout Duration `yaml:"timeout"`
	// Concurrency is how many checks run at once.
	Concurrency int `yaml:"concurrency"`
	// MaxRedirects is how many redirects a check follows.
	MaxRedirects int `yaml:"max_redirects"`
	// Every is how long serve waits between passes.
	Every Duration `yaml:"every"`
	// AllowPrivate lets checks connect to loopback and private addresses,
	// refused by default (URLs come from sources the gateway does not
	// control); for tests, and for gateways whose data is on a private network.
	AllowPrivate bool `yaml:"allow_private"`
}

// options returns the link checker's options of c.
func (c LinkCheckConfig) options() linkcheck.Options {
	return linkcheck.Options{
		PerHostInterval: time.Duration(c.PerHostInterval),
		RecheckAfter:    time.Duration(c.RecheckAfter),
		Timeout:         time.Duration(c.Timeout),
		Concurrency:     c.Concurrency,
		MaxRedirects:    c.MaxRedirects,
		Every:           time.Duration(c.Every),
		AllowPrivate:    c.AllowPrivate,
	}
}

// SourceConfig is one source to harvest.
type SourceConfig struct {
	Name    string `yaml:"name"`
	Country string `yaml:"country"` // ISO 3166-1 alpha-2
	// Kind is "dcat" (DCAT over HTTP, any RDF syntax, Hydra paging), "ckan"
	// (CKAN package_search API) or "file" (a file:// URL).
	Kind string `yaml:"kind"`
	URL  string `yaml:"url"`
	// Schedule is how often to harvest the source while serving; 0: only at start.
	Schedule Duration `yaml:"schedule"`
	// Aggregator marks a source that re-publishes other sources' records
	// (data.europa.eu): its copies merge into the original records.
	Aggregator bool         `yaml:"aggregator"`
	Limits     SourceLimits `yaml:"limits"`
}

// SourceLimits bound one run of a source. Zero takes the default.
type SourceLimits struct {
	MaxPages int      `yaml:"max_pages"`
	MaxBytes int64    `yaml:"max_bytes"`
	Timeout  Duration `yaml:"timeout"`
}

// Duration is a time.Duration written as "6h", "30m" or "90s".
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// defaultConfig is what runs with no file at all.
func defaultConfig() Config {
	return Config{
		DB:        "data/samband.db",
		Addr:      "127.0.0.1:8080",
		PublicURL: "http://127.0.0.1:8080",
		Log:       LogConfig{Level: "info", Format: "text"},
		Harvest:   HarvestConfig{Concurrency: 2},
		Search:    SearchConfig{SaveEvery: Duration(5 * time.Minute)},
		Audit:     AuditConfig{CheckpointEvery: Duration(time.Second), CommitDelay: Duration(audit.DefaultCommitDelay)},
		LinkCheck: LinkCheckConfig{
			PerHostInterval: Duration(linkcheck.DefaultPerHostInterval),
			RecheckAfter:    Duration(linkcheck.DefaultRecheckAfter),
			Timeout:         Duration(linkcheck.DefaultTimeout),
			Concurrency:     linkcheck.DefaultConcurrency,
			MaxRedirects:    linkcheck.DefaultMaxRedirects,
			Every:           Duration(linkcheck.DefaultEvery),
		},
	}
}

// searchPath returns where the search index is saved.
func (c Config) searchPath() string {
	if c.Search.Path != "" {
		return c.Search.Path
	}
	return c.DB + ".search"
}

// loadConfig reads the file at path (none when path is ""), applies the
// GATEWAY_* environment variables and checks the result.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	var raw []byte
	if path != "" {
		var err error
		if raw, err = os.ReadFile(path); err != nil {
			return defaultConfig(), fmt.Errorf("config: %w", err)
		}
	}
	return parseConfig(raw, path, getenv)
}

// parseConfig reads a YAML configuration (unknown keys are errors), applies
// the GATEWAY_* environment variables and checks the result.
func parseConfig(raw []byte, name string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	if len(raw) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
			return cfg, fmt.Errorf("config %s: %w", name, err)
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return cfg, err
	}
	return cfg, cfg.check()
}

func (c *Config) check() error {
	var problems []string
	if c.DB == "" {
		problems = append(problems, "db: empty")
	}
	if c.ShutdownDelay < 0 {
		problems = append(problems, "shutdown_delay: may not be negative")
	}
	if c.Harvest.Concurrency < 1 {
		problems = append(problems, "harvest.concurrency: must be at least 1")
	}
	lc := c.LinkCheck
	for _, d := range []struct {
		key string
		v   Duration
	}{{"per_host_interval", lc.PerHostInterval}, {"recheck_after", lc.RecheckAfter}, {"timeout", lc.Timeout}, {"every", lc.Every}} {
		if d.v <= 0 {
			problems = append(problems, fmt.Sprintf("linkcheck.%s: must be more than 0", d.key))
		}
	}
	if lc.Concurrency < 1 {
		problems = append(problems, "linkcheck.concurrency: must be at least 1")
	}
	if lc.MaxRedirects < 1 {
		problems = append(problems, "linkcheck.max_redirects: must be at least 1")
	}
	problems = append(problems, c.Audit.check()...)
	problems = append(problems, c.Citizen.check()...)
	seen := make(map[string]bool)
	for i, s := range c.Sources {
		where := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			problems = append(problems, where+".name: empty")
		case seen[s.Name]:
			problems = append(problems, where+".name: "+s.Name+" named twice")
		}
		seen[s.Name] = true
		switch s.Kind {
		case "dcat", "ckan", "file":
		default:
			problems = append(problems, fmt.Sprintf("%s.kind: %q is not dcat, ckan or file", where, s.Kind))
		}
		if s.URL == "" {
			problems = append(problems, where+".url: empty")
		}
		if s.Country != "" && (len(s.Country) != 2 || strings.ToUpper(s.Country) != s.Country) {
			problems = append(problems, fmt.Sprintf("%s.country: %q is not an ISO 3166-1 alpha-2 code such as NO", where, s.Country))
		}
	}
	problems = append(problems, c.Exchange.check(c.Policies.APITokenFile)...)
	if len(problems) > 0 {
		return fmt.Errorf("config: %s", strings.Join(problems, "; "))
	}
	return nil
}

// applyEnv sets every key that has a GATEWAY_* variable.
func applyEnv(cfg *Config, getenv func(string) string) error {
	return envWalk(reflect.ValueOf(cfg).Elem(), "GATEWAY", getenv)
}

func envWalk(v reflect.Value, prefix string, getenv func(string) string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		key := prefix + "_" + envName(tag)
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Struct:
			if err := envWalk(fv, key, getenv); err != nil {
				return err
			}
		case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
			for j := 0; j < fv.Len(); j++ {
				el := fv.Index(j)
				name := el.FieldByName("Name")
				if !name.IsValid() || name.String() == "" {
					continue
				}
				if err := envWalk(el, key+"_"+envName(name.String()), getenv); err != nil {
					return err
				}
			}
		default:
			val := getenv(key)
			if val == "" {
				continue
			}
			if err := setScalar(fv, val); err != nil {
				return fmt.Errorf("config: %s=%q: %w", key, val, err)
			}
		}
	}
	return nil
}

func envName(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_", " ", "_").Replace(s))
}

func setScalar(v reflect.Value, s string) error {
	if v.Type() == reflect.TypeOf(Duration(0)) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("cannot set a %s from the environment", v.Kind())
	}
	return nil
}

// envKeys lists every environment variable cfg would read, for --help.
func envKeys(cfg Config) []string {
	var keys []string
	var walk func(t reflect.Type, v reflect.Value, prefix string)
	walk = func(t reflect.Type, v reflect.Value, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			key := prefix + "_" + envName(tag)
			switch {
			case f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration(0)):
				walk(f.Type, v.Field(i), key)
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
				if _, named := f.Type.Elem().FieldByName("Name"); named { // envWalk overrides named elements only
					keys = append(keys, key+"_<NAME>_...")
				}
			default:
				keys = append(keys, key)
			}
		}
	}
	walk(reflect.TypeOf(cfg), reflect.ValueOf(cfg), "GATEWAY")
	sort.Strings(keys)
	return keys
}
