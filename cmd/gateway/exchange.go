package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/exchange"
	"samband/exchange/audit"
	"samband/exchange/trust"
	"samband/policies"
)

// ExchangeConfig turns the gateway into a broker of exchange between
// authorities: who it is, whom it trusts, and which services it offers.
// The exchange is on when id is set.
type ExchangeConfig struct {
	// ID is this gateway's party ID, COUNTRY/ORGANISATION of the
	// organisation that runs it ("NO/991825827"); its peers list it so.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// KeyFile holds this gateway's private signing key as a JWK (Ed25519
	// or P-256, with a kid), as `gateway keys generate` writes it.
	KeyFile string `yaml:"key_file"`
	// Parties are the authorities and peer gateways this gateway trusts,
	// with their keys.
	Parties []trust.PartyConfig `yaml:"parties"`
	// JWKSAllow lists the URL prefixes parties' jwks_url may have.
	JWKSAllow []string `yaml:"jwks_allow"`
	// AllowPrivate lets the gateway reach peer gateways and key sets on
	// loopback or private addresses: a demo on one machine, a private
	// network. Services say so one by one (services[].allow_private).
	AllowPrivate bool `yaml:"allow_private"`
	// JWKSFirstFetch is what the gateway does at start when a jwks_url
	// cannot be fetched and no earlier copy is stored: background (the
	// default: start, refuse that party's requests as unknown-key and try
	// again every jwks_retry) or wait (do not start). Background is the
	// default because a gateway should start while a peer is down, and two
	// peers that name each other's jwks_url and start together would
	// otherwise each wait for the other for ever.
	JWKSFirstFetch trust.FirstFetch `yaml:"jwks_first_fetch"`
	// JWKSRetry is how often a key set never fetched is tried again, and
	// the longest the start waits for one in background mode.
	JWKSRetry Duration `yaml:"jwks_retry"`
	// Services are the services of this gateway's country it provides.
	Services []exchange.ServiceConfig `yaml:"services"`
	// Classes are recipient classes of requesters beyond
	// "public-authority", by party ID ("NO/974760673": [municipality]).
	Classes map[string][]string `yaml:"classes"`
	// Window is how old a signed request may be, and how long its id is
	// remembered against replay; Skew how far ahead its clock may be.
	Window Duration `yaml:"window"`
	Skew   Duration `yaml:"skew"`
	// MaxBody bounds a request's body, MaxResponse a service's answer.
	MaxBody     int64 `yaml:"max_body"`
	MaxResponse int64 `yaml:"max_response"`
	// UpstreamTimeout bounds one forwarded request.
	UpstreamTimeout Duration `yaml:"upstream_timeout"`
	// OutboundPolicy is a file of ODRL policies (Turtle or JSON-LD) that
	// decides which of this gateway's authorities may ask which country or
	// service, for which purpose and legal basis, before a request leaves
	// (exchange.OutboundPolicy). Empty: outbound requests are not
	// restricted, and the providers' policies alone decide.
	OutboundPolicy string `yaml:"outbound_policy"`
}

// on reports whether the exchange is configured.
func (c ExchangeConfig) on() bool { return c.ID != "" }

// check lists the configuration's problems.
func (c ExchangeConfig) check(tokenFile string) []string {
	if !c.on() {
		if len(c.Parties) > 0 || len(c.Services) > 0 || c.OutboundPolicy != "" {
			return []string{"exchange.id: empty, yet parties, services or an outbound policy are configured; set this gateway's party ID"}
		}
		return nil
	}
	var problems []string
	if _, _, err := trust.ParseID(c.ID); err != nil {
		problems = append(problems, fmt.Sprintf("exchange.id: %v", err))
	}
	if c.KeyFile == "" {
		problems = append(problems, "exchange.key_file: empty; make one with `gateway keys generate`")
	}
	if tokenFile == "" {
		problems = append(problems, "policies.api_token_file: empty, yet the exchange is on: the consent and mandate API decides exchanges, "+
			"so it takes only callers with a token (openssl rand -hex 32 > api.tokens)")
	}
	for i, s := range c.Services {
		if _, err := exchange.NewService(s); err != nil {
			problems = append(problems, fmt.Sprintf("exchange.services[%d]: %v", i, err))
		}
	}
	if c.Window < 0 || c.Skew < 0 || c.UpstreamTimeout < 0 || c.MaxBody < 0 || c.MaxResponse < 0 {
		problems = append(problems, "exchange: window, skew, upstream_timeout, max_body and max_response may not be negative")
	}
	if err := c.JWKSFirstFetch.Check(); err != nil {
		problems = append(problems, fmt.Sprintf("exchange.jwks_first_fetch: %v", err))
	}
	if c.JWKSRetry != 0 && time.Duration(c.JWKSRetry) < minJWKSRetry {
		problems = append(problems, fmt.Sprintf("exchange.jwks_retry: at least %s (or 0 for the default), so that a peer's key server is not asked many times a second", minJWKSRetry))
	}
	return problems
}

// minJWKSRetry is the shortest exchange.jwks_retry the gateway takes.
const minJWKSRetry = 100 * time.Millisecond

// readPrivateKey reads a private JWK (Ed25519 or P-256, with a kid) from a file.
func readPrivateKey(path string) (jwk.Key, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The signer's own checks: a private Ed25519 or P-256 key with a kid.
	if _, err := exchange.NewSigningKey(k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// readOutboundPolicy reads the outbound policy of the file at path; nil
// when path is "" (outbound requests not restricted).
func readOutboundPolicy(path string) (*exchange.OutboundPolicy, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return exchange.LoadOutboundPolicy(f, path)
}

// exchangeSide is what serve runs for the exchange.
type exchangeSide struct {
	broker *exchange.Broker
	trust  *trust.Registry
	public jwk.Set // this gateway's public key set, as its peers fetch it
	self   string  // this gateway's party ID
	close  func()  // closes the trust registry and its store
}

// openExchange builds the broker of cfg.Exchange over the catalogue, the
// consent and mandate registry and the audit log. It needs the subject key
// and the audit log; without them it says how to turn them on.
func openExchange(ctx context.Context, cfg Config, s *server, log *audit.Log, reg prometheus.Registerer, logger *slog.Logger) (*exchangeSide, error) {
	x := cfg.Exchange
	if s.registry == nil {
		return nil, fmt.Errorf("exchange: %w", errNoSubjectKey)
	}
	if log == nil {
		return nil, errors.New("exchange: the audit log is off; set audit.key_file (make one with `gateway audit keygen`)")
	}
	key, err := readPrivateKey(x.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("exchange.key_file: %w", err)
	}
	pub, err := jwk.PublicKeyOf(key)
	if err != nil {
		return nil, fmt.Errorf("exchange.key_file: %w", err)
	}
	public := jwk.NewSet()
	public.AddKey(pub)
	outbound, err := readOutboundPolicy(x.OutboundPolicy)
	if err != nil {
		return nil, fmt.Errorf("exchange.outbound_policy: %w", err)
	}
	if outbound == nil {
		logger.Info("exchange outbound requests are not restricted: no exchange.outbound_policy is configured, so the providers' policies alone decide")
	} else {
		logger.Info("exchange outbound policy", "file", x.OutboundPolicy, "policies", len(outbound.Policies()))
	}
	country, _, _ := trust.ParseID(x.ID)
	// The parties and every key seen are recorded in the catalogue's file:
	// a key set whose URL is down at start is read from its last good copy.
	store, err := trust.OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	tr, err := trust.Open(ctx, trust.Config{
		Parties: x.Parties, JWKSAllow: x.JWKSAllow, AllowPrivate: x.AllowPrivate, Registerer: reg,
		FirstFetch: x.JWKSFirstFetch, Retry: time.Duration(x.JWKSRetry),
	}, store, logger.With("component", "trust"))
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("exchange: %w", err)
	}
	closeTrust := func() { tr.Close(); store.Close() }
	var services []*exchange.Service
	for _, c := range x.Services {
		svc, err := exchange.NewService(c)
		if err != nil {
			closeTrust()
			return nil, err
		}
		services = append(services, svc)
	}
	var facts policies.Facts = unavailableFacts{}
	if f, ok := s.registry.reg.(policies.Facts); ok {
		facts = f
	}
	b, err := exchange.NewBroker(exchange.Options{
		Self:              trust.Party{ID: x.ID, Country: country, Name: x.Name, Kind: trust.Gateway, BaseURL: cfg.PublicURL},
		Key:               key,
		Trust:             tr,
		Services:          services,
		Decider:           &catalogueDecider{s: s, facts: facts, ttl: 5 * time.Second},
		Outbound:          outbound,
		SubjectKey:        s.registry.key,
		Log:               log,
		Classes:           x.Classes,
		Window:            time.Duration(x.Window),
		Skew:              time.Duration(x.Skew),
		Limits:            exchange.Limits{MaxBody: x.MaxBody},
		MaxResponse:       x.MaxResponse,
		UpstreamTimeout:   time.Duration(x.UpstreamTimeout),
		PeersAllowPrivate: x.AllowPrivate,
		Logger:            logger,
		Metrics:           exchange.NewMetrics(reg),
	})
	if err != nil {
		closeTrust()
		return nil, err
	}
	n, err := b.LoadRecent(ctx)
	if err != nil {
		closeTrust()
		return nil, fmt.Errorf("exchange: reading recent requests from the audit log: %w", err)
	}
	logger.Info("exchange on", "id", x.ID, "services", len(services), "parties", len(x.Parties), "recent_requests", n)
	return &exchangeSide{broker: b, trust: tr, public: public, self: x.ID, close: func() { b.CloseIdle(); closeTrust() }}, nil
}

// withExchange sends every request under /exchange/v1/ to the broker as it
// came, before the API's router could clean or redirect its path: the
// broker judges the path itself.
func withExchange(x *exchangeSide, api http.Handler) http.Handler {
	if x == nil {
		return api
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.RequestURI, "/exchange/v1/") {
			x.broker.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// exchangeKeys answers GET /api/v1/exchange/keys: this gateway's public
// key set, which its peers configure as its jwks_url; with ?party=ID the
// set this gateway holds for that party (so that its authorities can check
// the receipts of a peer gateway).
func (s *server) exchangeKeys(w http.ResponseWriter, r *http.Request) error {
	if s.exchange == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "the exchange is off: set exchange.id, exchange.key_file and the parties in the configuration"}
	}
	set := s.exchange.public
	if party := r.URL.Query().Get("party"); party != "" && party != s.exchange.self {
		var err error
		if set, err = s.exchange.trust.PublicSet(party); err != nil {
			return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf("party %q: %v", party, err)}
		}
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=300")
	_, err = w.Write(raw)
	return err
}

// exchangeParties answers GET /api/v1/exchange/parties: the authorities
// and peer gateways this gateway trusts.
func (s *server) exchangeParties(w http.ResponseWriter, r *http.Request) error {
	if s.exchange == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "the exchange is off: set exchange.id, exchange.key_file and the parties in the configuration"}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": s.exchange.trust.Parties()})
}

// catalogueDecider decides exchange requests by the policies of the
// service's catalogue record (its own, those its source described, those
// set locally) and the gateway's defaults, with the consent and mandate
// registry. The policies of a record are read once and kept for ttl, so a
// decision costs the policy's checks and the registry's lookups alone.
type catalogueDecider struct {
	s     *server
	facts policies.Facts
	ttl   time.Duration

	mu    sync.Mutex
	cache map[string]*decisionSet
}

// decisionSet is a service's policies as last read.
type decisionSet struct {
	set    *policies.Set
	target string
	err    error
	read   time.Time
}

// Decide implements exchange.Decider.
func (d *catalogueDecider) Decide(ctx context.Context, svc *exchange.Service, req *policies.Request) (policies.Decision, error) {
	ds := d.policies(ctx, svc)
	if ds.err != nil {
		return policies.Decision{}, ds.err
	}
	req.Target = ds.target
	return ds.set.Decide(ctx, req, d.facts), nil
}

// policies returns the service's policies, read again when older than ttl.
func (d *catalogueDecider) policies(ctx context.Context, svc *exchange.Service) *decisionSet {
	d.mu.Lock()
	ds := d.cache[svc.ID]
	d.mu.Unlock()
	if ds != nil && time.Since(ds.read) < d.ttl {
		return ds
	}
	ds = &decisionSet{read: time.Now()}
	lib, named, rec, warnings, err := d.s.libraryFor(ctx, svc.Record)
	switch {
	case err != nil:
		ds.err = err
	case rec == nil:
		ds.err = fmt.Errorf("%w: %s is not in the catalogue (yet): its record %s is missing", exchange.ErrUnknownService, svc.ID, svc.Record)
	case rec.Kind != catalog.KindDataService:
		ds.err = fmt.Errorf("%w: the record %s of %s is a %s, not a data service", exchange.ErrUnknownService, rec.IRI, svc.ID, rec.Kind)
	case !hasEndpoint(rec.EndpointURLs, svc.Endpoint.String()):
		ds.err = fmt.Errorf("%w: the catalogue gives %s no endpoint %s", exchange.ErrUnknownService, rec.IRI, svc.Endpoint)
	default:
		ds.set, ds.target = lib.For(rec.IRI, named...), rec.IRI
		for _, w := range warnings {
			d.s.logger.Warn("exchange policies", "service", svc.ID, "warning", w)
		}
	}
	if ds.err != nil && !errors.Is(ds.err, exchange.ErrUnknownService) {
		return ds // an error reading the store: not kept
	}
	d.mu.Lock()
	if d.cache == nil {
		d.cache = make(map[string]*decisionSet)
	}
	d.cache[svc.ID] = ds
	d.mu.Unlock()
	return ds
}

// hasEndpoint reports whether urls holds u, trailing slashes aside.
func hasEndpoint(urls []string, u string) bool {
	u = strings.TrimSuffix(u, "/")
	for _, v := range urls {
		if strings.TrimSuffix(v, "/") == u {
			return true
		}
	}
	return false
}
