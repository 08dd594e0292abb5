package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"samband/catalog"
	"samband/exchange"
	"samband/exchange/audit"
	"samband/exchange/trust"
)

// The parties of the exchange demo. Organisation numbers are those the
// tests use; the people's numbers are synthetic (valid check digits, no one
// known).
const (
	demoNOGateway  = "NO/991825827" // the Norwegian gateway's operator
	demoFIGateway  = "FI/0245437-2" // the Finnish gateway's operator
	demoFIKela     = "FI/0246246-0" // the Finnish authority settling the estate
	demoNORegister = "NO/974760673" // the population register's keeper
	demoService    = "death-records"
	demoRecord     = "https://register.example.no/service/death-records"
	demoPurpose    = "urn:samband:purpose:inheritance-settlement"
	demoLegalBasis = "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj"
	demoLifeEvent  = "death-and-inheritance"
	demoDeceased   = "31124590062" // NO
	demoHeir       = "170852-234C" // FI, holds the heir certificate
	demoOtherHeir  = "010170-999R" // FI, holds none
	// demoOtherPurpose is a purpose Finland's outbound policy does not
	// allow Kela to ask Norway for.
	demoOtherPurpose = "urn:samband:purpose:debt-collection"
	demoLoginIss     = "urn:samband:demo:fi-login"
	demoLoginAud     = "samband-demo"
)

const exchangeDemoUsage = `exchange demo [--dir DIR] [--fi-addr A] [--no-addr A] [--keep]

Runs the death-and-inheritance case on two gateways, Finland's and Norway's,
and a sample population register, all on this machine: a Finnish authority
asks Norway's register for a death record on behalf of an heir holding a
Norwegian heir certificate (a mandate in Norway's registry); the request is
signed, checked and decided at both gateways, logged at both, and answered
with a receipt and a countersignature; the heir sees the access in the
citizen's view; the same request for someone without a mandate is denied
with the reason; the same request for another purpose is denied at
Finland's gateway by its outbound policy and never reaches Norway. With --keep the gateways go on serving until interrupted.`

func runExchangeDemo(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "exchange demo", exchangeDemoUsage)
	dir := fs.String("dir", "", "where the demo keeps its files (keys, databases); default a new temporary directory")
	fiAddr := fs.String("fi-addr", "127.0.0.1:8181", "the Finnish gateway's address")
	noAddr := fs.String("no-addr", "127.0.0.1:8182", "the Norwegian gateway's address")
	keep := fs.Bool("keep", false, "keep the gateways serving after the case ran, until interrupted")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("exchange demo: unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "samband-exchange-demo-")
		if err != nil {
			return err
		}
		*dir = d
		if !*keep {
			defer os.RemoveAll(d)
		}
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, err := startExchangeDemo(ctx, *dir, *fiAddr, *noAddr, logger)
	if err != nil {
		return err
	}
	defer d.stop()
	if _, err := d.run(ctx, e.stdout); err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(e.stdout, "\nThe gateways go on serving (Ctrl-C stops them): Finland %s, Norway %s; files in %s\n", d.fiURL, d.noURL, d.dir)
		fmt.Fprintf(e.stdout, "The heir's ID token, for GET %s/api/v1/me/accesses:\n%s\n", d.fiURL, d.heirToken)
		<-ctx.Done()
	}
	return nil
}

// exchangeDemo is the two gateways and the register of the demo, running.
type exchangeDemo struct {
	dir          string
	fiURL, noURL string
	registerURL  string
	kelaKey      string // the Finnish authority's private key file
	apiToken     string // the token of the consent and mandate API
	loginKey     jwk.Key
	heirToken    string
	// fiKeysMissing: Finland's samband_trust_keys_missing of Norway's
	// gateway once Finland's had started, before Norway's had ("1");
	// fiKeysAfter: how long after Norway's gateway started Finland's had
	// its keys.
	fiKeysMissing string
	fiKeysAfter   time.Duration
	stopOnce      sync.Once
	cancel        context.CancelFunc
	done          sync.WaitGroup
	errs          chan error
}

// demoOutcome is what the case showed, for the test to check.
type demoOutcome struct {
	Permitted   exchangeResult
	Denied      exchangeResult
	FILogSize   int64
	NOLogSize   int64
	HeirSees    []map[string]any
	HeirSeesNO  []map[string]any
	DeathRecord map[string]any
	// OutboundDenied is the request for a purpose Finland's outbound
	// policy does not allow; the log sizes are Norway's before and after
	// it, and HeirSeesAfter the heir's view at Finland's gateway after it.
	OutboundDenied                exchangeResult
	NOLogBeforeOut, NOLogAfterOut int64
	HeirSeesAfter                 []map[string]any
	// KeysMissingAtStart is Finland's keys-missing gauge of Norway's
	// gateway when Finland's had started and Norway's not yet ("1").
	KeysMissingAtStart string
}

// exchangeResult is one request's answer as gateway exchange send sees it.
type exchangeResult struct {
	Status           int
	Body             []byte
	Receipt          *exchange.Receipt
	Countersignature *exchange.Countersignature
}

// startExchangeDemo writes the demo's keys and configuration into dir and
// starts the register and the two gateways; it returns once both gateways
// have harvested the register's catalogue.
func startExchangeDemo(ctx context.Context, dir, fiAddr, noAddr string, logger *slog.Logger) (*exchangeDemo, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	d := &exchangeDemo{dir: dir, errs: make(chan error, 3)}
	ctx, d.cancel = context.WithCancel(ctx)

	// The sample population register, on the Norwegian side's network.
	regLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.registerURL = "http://" + regLn.Addr().String()
	register := &http.Server{Handler: demoRegister(), ReadHeaderTimeout: 10 * time.Second}
	d.done.Add(1)
	go func() {
		defer d.done.Done()
		register.Serve(regLn)
	}()
	go func() {
		<-ctx.Done()
		register.Close()
	}()

	fiLn, err := net.Listen("tcp", fiAddr)
	if err != nil {
		return nil, fmt.Errorf("exchange demo: the Finnish gateway's address: %w", err)
	}
	noLn, err := net.Listen("tcp", noAddr)
	if err != nil {
		fiLn.Close()
		return nil, fmt.Errorf("exchange demo: the Norwegian gateway's address: %w", err)
	}
	d.fiURL, d.noURL = "http://"+fiLn.Addr().String(), "http://"+noLn.Addr().String()
	// serve listens itself: free the addresses for it.
	fiLn.Close()
	noLn.Close()

	write := func(name string, data []byte) (string, error) {
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, data, 0o600)
	}
	subjectKey := make([]byte, 32)
	rand.Read(subjectKey)
	subjectKeyFile, err := write("subject.key", []byte(hex.EncodeToString(subjectKey)+"\n"))
	if err != nil {
		return nil, err
	}
	token := make([]byte, 32)
	rand.Read(token)
	d.apiToken = hex.EncodeToString(token)
	tokenFile, err := write("api.tokens", []byte(d.apiToken+"\n"))
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}   // party -> private key file
	public := map[string]string{} // party -> public set JSON
	for _, p := range []string{demoFIGateway, demoNOGateway, demoFIKela} {
		name := strings.ReplaceAll(p, "/", "-")
		priv, pub, err := demoSigningKey(name + "-1")
		if err != nil {
			return nil, err
		}
		if keys[p], err = write(name+".jwk", priv); err != nil {
			return nil, err
		}
		public[p] = string(pub)
	}
	d.kelaKey = keys[demoFIKela]
	// The Finnish login service of the citizen's view.
	rawLogin, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if d.loginKey, err = jwk.Import(rawLogin); err != nil {
		return nil, err
	}
	d.loginKey.Set(jwk.KeyIDKey, "fi-login-1")
	loginPub, _ := jwk.PublicKeyOf(d.loginKey)
	loginSet := jwk.NewSet()
	loginSet.AddKey(loginPub)
	loginJSON, _ := json.Marshal(loginSet)
	loginFile, err := write("fi-login.jwks", loginJSON)
	if err != nil {
		return nil, err
	}
	// The register's catalogue, with its real endpoint, and its policy.
	// The register's catalogue as its keeper would publish it, with where
	// the demo's register listens, and its policy (demo/exchange).
	catalogue, err := demoFiles.ReadFile("demo/exchange/register.ttl")
	if err != nil {
		return nil, err
	}
	catalogueFile, err := write("register.ttl", bytes.ReplaceAll(catalogue, []byte("{{endpoint}}"), []byte(d.registerURL+"/api")))
	if err != nil {
		return nil, err
	}
	policy, err := demoFiles.ReadFile("demo/exchange/estate.ttl")
	if err != nil {
		return nil, err
	}
	policyFile, err := write("estate.ttl", policy)
	if err != nil {
		return nil, err
	}
	outbound, err := demoFiles.ReadFile("demo/exchange/outbound.ttl")
	if err != nil {
		return nil, err
	}
	outboundFile, err := write("outbound.ttl", outbound)
	if err != nil {
		return nil, err
	}

	base := func(name, addr, url string) (Config, error) {
		cfg := defaultConfig()
		cfg.DB = filepath.Join(dir, name+".db")
		cfg.Addr, cfg.PublicURL = addr, url
		cfg.Search.SaveEvery = Duration(time.Hour)
		cfg.Policies.SubjectKeyFile = subjectKeyFile
		cfg.Policies.APITokenFile = tokenFile
		skey, vkey, err := audit.GenerateKey("samband.demo." + name)
		if err != nil {
			return cfg, err
		}
		if cfg.Audit.KeyFile, err = write(name+"-audit.key", []byte(skey+"\n"+vkey+"\n")); err != nil {
			return cfg, err
		}
		cfg.Audit.CheckpointEvery = Duration(time.Second)
		cfg.Exchange.AllowPrivate = true
		cfg.Citizen.Providers = []OIDCProvider{{
			Name: "fi-login", Issuer: demoLoginIss, Audience: demoLoginAud, JWKSFile: loginFile, Country: "FI", IDClaim: "pid",
		}}
		return cfg, nil
	}
	fi, err := base("fi", fiLn.Addr().String(), d.fiURL)
	if err != nil {
		return nil, err
	}
	fi.Exchange.ID, fi.Exchange.Name, fi.Exchange.KeyFile = demoFIGateway, "Samband Finland (demo)", keys[demoFIGateway]
	// The gateways know each other's keys from where each publishes its
	// own (/api/v1/exchange/keys), as peers across a border would, and
	// they start together: Finland's first, while Norway's is not up yet,
	// so Finland starts without Norway's keys and fetches them again
	// every jwks_retry until it has them (jwks_first_fetch: background).
	keysURL := func(gatewayURL string) string { return gatewayURL + "/api/v1/exchange/keys" }
	fi.Exchange.Parties = []trust.PartyConfig{
		{ID: demoFIKela, Kind: trust.Authority, Scheme: "FI:YTUNNUS", Name: "Kansaneläkelaitos (demo)", JWKS: public[demoFIKela]},
		{ID: demoNOGateway, Kind: trust.Gateway, Scheme: "NO:ORGNR", Name: "Samband Norge (demo)", BaseURL: d.noURL, JWKSURL: keysURL(d.noURL)},
	}
	fi.Exchange.JWKSAllow = []string{d.noURL + "/api/v1/exchange/"}
	fi.Exchange.JWKSRetry = Duration(demoKeysRetry)
	// What Kela may ask of other countries, decided before a request
	// leaves Finland (demo/exchange/outbound.ttl).
	fi.Exchange.OutboundPolicy = outboundFile
	no, err := base("no", noLn.Addr().String(), d.noURL)
	if err != nil {
		return nil, err
	}
	no.Exchange.ID, no.Exchange.Name, no.Exchange.KeyFile = demoNOGateway, "Samband Norge (demo)", keys[demoNOGateway]
	no.Exchange.Parties = []trust.PartyConfig{
		{ID: demoFIGateway, Kind: trust.Gateway, Scheme: "FI:YTUNNUS", Name: "Samband Finland (demo)", BaseURL: d.fiURL, JWKSURL: keysURL(d.fiURL)},
	}
	no.Exchange.JWKSAllow = []string{d.fiURL + "/api/v1/exchange/"}
	no.Exchange.JWKSRetry = Duration(demoKeysRetry)
	no.Exchange.Services = []exchange.ServiceConfig{{
		Country: "NO", Organisation: "974760673", Name: demoService, Record: demoRecord,
		Endpoint: d.registerURL + "/api", Methods: []string{http.MethodGet}, Paths: []string{"/v1/deaths/*"}, AllowPrivate: true,
	}}
	no.Policies.Files = []string{policyFile}
	no.Sources = []SourceConfig{{Name: "no-register", Country: "NO", Kind: "file", URL: catalogueFile}}

	var started time.Time // when the last gateway started
	for _, g := range []struct {
		name string
		cfg  Config
	}{{"fi", fi}, {"no", no}} {
		if err := g.cfg.check(); err != nil {
			return nil, fmt.Errorf("exchange demo: %s: %w", g.name, err)
		}
		ready := make(chan string, 1)
		d.done.Add(1)
		go func(name string, cfg Config) {
			defer d.done.Done()
			if err := serve(ctx, cfg, logger.With("gateway", name), ready); err != nil {
				d.errs <- fmt.Errorf("exchange demo: the %s gateway: %w", name, err)
				d.cancel()
			}
		}(g.name, g.cfg)
		select {
		case <-ready:
			if g.name == "fi" {
				if d.fiKeysMissing, err = peerKeysMissing(ctx, d.fiURL, demoNOGateway); err != nil {
					d.stop()
					return nil, fmt.Errorf("exchange demo: %w", err)
				}
			}
			started = time.Now()
		case err := <-d.errs:
			d.stop()
			return nil, err
		case <-ctx.Done():
			d.stop()
			return nil, ctx.Err()
		}
	}
	// Finland's gateway started before Norway's: it has Norway's keys once
	// a retry has fetched them.
	deadline := time.Now().Add(30 * time.Second)
	for !d.hasPeerKeys(ctx, d.fiURL, demoNOGateway) {
		if time.Now().After(deadline) {
			d.stop()
			return nil, errors.New("exchange demo: Finland's gateway did not fetch Norway's keys within 30 seconds")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.fiKeysAfter = time.Since(started)
	// Norway's gateway harvests the register's catalogue at start; the
	// service is exchangeable once its record is in.
	deadline = time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(d.noURL + "/api/v1/datasets/" + url.PathEscape(catalog.IDFor(demoRecord)))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			d.stop()
			return nil, errors.New("exchange demo: the register's catalogue was not harvested within 30 seconds")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d.heirToken, err = d.idToken(demoHeir, time.Hour); err != nil {
		d.stop()
		return nil, err
	}
	return d, nil
}

// demoKeysRetry is how often a demo gateway fetches again a peer's key set
// it does not have yet.
const demoKeysRetry = 200 * time.Millisecond

// hasPeerKeys reports whether the gateway at gatewayURL holds keys of the
// party peer, as its metrics say (samband_trust_keys_missing is 0).
func (d *exchangeDemo) hasPeerKeys(ctx context.Context, gatewayURL, peer string) bool {
	v, err := peerKeysMissing(ctx, gatewayURL, peer)
	return err == nil && v == "0"
}

// peerKeysMissing reads the gateway's samband_trust_keys_missing gauge of
// the party peer: "1" while it has no keys of it, "0" once it has.
func peerKeysMissing(ctx context.Context, gatewayURL, peer string) (string, error) {
	return metricValue(ctx, gatewayURL, `samband_trust_keys_missing{party="`+peer+`"}`)
}

// metricValue reads the value of the series named series (with its
// labels, as /metrics writes them) from the gateway's metrics.
func metricValue(ctx context.Context, gatewayURL, series string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, gatewayURL+"/metrics", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s/metrics: %s", gatewayURL, resp.Status)
	}
	prefix := series + " "
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s/metrics: no %s", gatewayURL, strings.TrimSpace(prefix))
}

// stop stops the gateways and the register and waits for them.
func (d *exchangeDemo) stop() {
	d.stopOnce.Do(func() {
		d.cancel()
		d.done.Wait()
	})
}

// demoSigningKey makes an Ed25519 key: its private JWK and its public set.
func demoSigningKey(kid string) (priv, pub []byte, err error) {
	k, err := exchange.GenerateKey("EdDSA", kid)
	if err != nil {
		return nil, nil, err
	}
	pk, err := jwk.PublicKeyOf(k)
	if err != nil {
		return nil, nil, err
	}
	set := jwk.NewSet()
	if err := set.AddKey(pk); err != nil {
		return nil, nil, err
	}
	if priv, err = json.Marshal(k); err != nil {
		return nil, nil, err
	}
	pub, err = json.Marshal(set)
	return priv, pub, err
}

// idToken is an ID token of the demo's Finnish login service for a person.
func (d *exchangeDemo) idToken(nationalID string, valid time.Duration) (string, error) {
	now := time.Now()
	tok, err := jwt.NewBuilder().Issuer(demoLoginIss).Audience([]string{demoLoginAud}).Subject(uuid.NewSHA1(uuid.NameSpaceOID, []byte(nationalID)).String()).
		IssuedAt(now).Expiration(now.Add(valid)).Claim("pid", nationalID).Build()
	if err != nil {
		return "", err
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), d.loginKey))
	return string(signed), err
}

// run plays the case and tells it on out.
func (d *exchangeDemo) run(ctx context.Context, out io.Writer) (*demoOutcome, error) {
	var o demoOutcome
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	say("Samband exchange demo: death and inheritance across the Finnish-Norwegian border")
	say("  Finland's gateway %s (%s), Norway's gateway %s (%s), Norway's population register %s", d.fiURL, demoFIGateway, d.noURL, demoNOGateway, d.registerURL)
	say("  the gateways fetch each other's keys from /api/v1/exchange/keys: Finland's started first, without Norway's keys (samband_trust_keys_missing %s), and had them %v after Norway's started",
		d.fiKeysMissing, d.fiKeysAfter.Round(time.Millisecond))
	o.KeysMissingAtStart = d.fiKeysMissing

	logSize := func(gatewayURL string) (int64, error) {
		var cp struct {
			Size int64 `json:"size"`
		}
		err := demoGetJSON(ctx, gatewayURL+"/api/v1/audit/checkpoint", "", &cp)
		return cp.Size, err
	}

	// 1. Norway's registry records the heir's certificate as a mandate.
	mandate := map[string]any{
		"grantor":          map[string]string{"country": "NO", "national_id": demoDeceased},
		"grantor_deceased": true,
		"representative":   map[string]string{"country": "FI", "national_id": demoHeir},
		"targets":          []string{demoRecord},
		"purposes":         []string{demoPurpose},
		"life_events":      []string{demoLifeEvent},
		"from":             time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
		"until":            time.Now().Add(90 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"basis":            "heir-certificate",
		"evidence":         "skifteattest 21-123456TVA-OTIR/06 (demo)",
		"issuer":           "NO",
	}
	raw, _ := json.Marshal(mandate)
	mreq, err := http.NewRequestWithContext(ctx, http.MethodPost, d.noURL+"/api/v1/mandates", bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	mreq.Header.Set("Content-Type", "application/json")
	mreq.Header.Set("Authorization", "Bearer "+d.apiToken)
	resp, err := http.DefaultClient.Do(mreq)
	if err != nil {
		return nil, err
	}
	mbody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("exchange demo: registering the heir certificate: %s: %s", resp.Status, mbody)
	}
	say("1. Norway's registry holds the heir's certificate as a mandate: %s", strings.TrimSpace(string(mbody)))

	// 2. The Finnish authority asks, for the heir.
	o.Permitted, err = d.send(ctx, demoHeir, demoPurpose)
	if err != nil {
		return nil, err
	}
	say("2. Kela asks Norway's register for the death record, for the heir: %d", o.Permitted.Status)
	if o.Permitted.Receipt != nil {
		say("   receipt of %s: %s by %q, Norway's audit log index %d", o.Permitted.Receipt.Issuer, o.Permitted.Receipt.Decision, o.Permitted.Receipt.Rule, o.Permitted.Receipt.LogIndex)
	}
	if o.Permitted.Countersignature != nil {
		say("   countersigned by %s, Finland's audit log index %d", o.Permitted.Countersignature.Issuer, o.Permitted.Countersignature.LogIndex)
	}
	json.Unmarshal(o.Permitted.Body, &o.DeathRecord)
	say("   the record: %s", strings.TrimSpace(string(o.Permitted.Body)))

	// 3. Both logs hold it.
	for _, g := range []struct {
		url  string
		size *int64
	}{{d.fiURL, &o.FILogSize}, {d.noURL, &o.NOLogSize}} {
		if *g.size, err = logSize(g.url); err != nil {
			return nil, err
		}
	}
	say("3. the audit logs: Finland's holds %d, Norway's %d (signed checkpoints at /api/v1/audit/checkpoint)", o.FILogSize, o.NOLogSize)

	// 4. The heir signs in and sees the access.
	for _, g := range []struct {
		url  string
		into *[]map[string]any
	}{{d.fiURL, &o.HeirSees}, {d.noURL, &o.HeirSeesNO}} {
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if err := demoGetJSON(ctx, g.url+"/api/v1/me/accesses", d.heirToken, &page); err != nil {
			return nil, err
		}
		*g.into = page.Items
	}
	say("4. the heir, signed in, sees the accesses to the deceased's data at Finland's gateway (%d) and at Norway's (%d):", len(o.HeirSees), len(o.HeirSeesNO))
	for _, it := range o.HeirSeesNO {
		say("   %v asked %v for %v under %v: %v (%v)", it["requester"], it["service"], it["purpose"], it["legal_basis"], it["decision"], it["role"])
	}

	// 5. Someone without a mandate is refused, with the reason.
	o.Denied, err = d.send(ctx, demoOtherHeir, demoPurpose)
	if err != nil {
		return nil, err
	}
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	json.Unmarshal(o.Denied.Body, &p)
	say("5. the same request for someone holding no mandate: %d %s: %s", o.Denied.Status, p.Type, p.Detail)

	// 6. Kela asks for a purpose Finland's outbound policy does not
	// allow: Finland's gateway refuses, and Norway's never hears of it.
	if o.NOLogBeforeOut, err = logSize(d.noURL); err != nil {
		return nil, err
	}
	if o.OutboundDenied, err = d.send(ctx, demoHeir, demoOtherPurpose); err != nil {
		return nil, err
	}
	if o.NOLogAfterOut, err = logSize(d.noURL); err != nil {
		return nil, err
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := demoGetJSON(ctx, d.fiURL+"/api/v1/me/accesses", d.heirToken, &page); err != nil {
		return nil, err
	}
	o.HeirSeesAfter = page.Items
	p.Type, p.Detail = "", ""
	json.Unmarshal(o.OutboundDenied.Body, &p)
	say("6. the same request for the heir, to collect a debt: %d %s: %s", o.OutboundDenied.Status, p.Type, p.Detail)
	say("   Norway's audit log: %d entries before, %d after: the request never left Finland", o.NOLogBeforeOut, o.NOLogAfterOut)
	return &o, nil
}

// send signs the case's request as the Finnish authority, for a
// representative and purpose, and sends it to Finland's gateway.
func (d *exchangeDemo) send(ctx context.Context, representative, purpose string) (exchangeResult, error) {
	var res exchangeResult
	key, err := readPrivateKey(d.kelaKey)
	if err != nil {
		return res, err
	}
	req := &exchange.Request{
		Method: http.MethodGet, Country: "NO", Organisation: "974760673", Service: demoService,
		Path: "/v1/deaths/NO" + demoDeceased, Audience: demoFIGateway, ID: uuid.NewString(), Requester: demoFIKela,
		Purpose: purpose, LegalBasis: demoLegalBasis, Subject: "NO" + demoDeceased, Representative: "FI" + representative,
		LifeEvent: demoLifeEvent, Time: time.Now().UTC().Truncate(time.Second),
	}
	hr, err := exchange.NewRequest(ctx, d.fiURL, req, nil)
	if err != nil {
		return res, err
	}
	sig, err := exchange.Sign(req, demoFIKela, key)
	if err != nil {
		return res, err
	}
	hr.Header.Set(exchange.HeaderSignature, sig)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	if res.Body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20)); err != nil {
		return res, err
	}
	client := &http.Client{}
	keys := gatewayKeys(client, d.fiURL, demoFIGateway)
	if rc := resp.Header.Get(exchange.HeaderReceipt); rc != "" {
		if res.Receipt, err = exchange.ReadReceipt(ctx, rc, keys); err != nil {
			return res, fmt.Errorf("exchange demo: the receipt does not verify: %w", err)
		}
		if cs := resp.Header.Get(exchange.HeaderCountersignature); cs != "" {
			if res.Countersignature, err = exchange.ReadCountersignature(ctx, cs, rc, keys); err != nil {
				return res, fmt.Errorf("exchange demo: the countersignature does not verify: %w", err)
			}
		}
	}
	return res, nil
}

// demoGetJSON reads a JSON answer, with a bearer token when given.
func demoGetJSON(ctx context.Context, u, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, raw)
	}
	return json.Unmarshal(raw, v)
}

// demoRegister is the sample population register: death records by
// national identity number, for the gateway alone to ask.
func demoRegister() http.Handler {
	records := map[string]map[string]any{
		"NO" + demoDeceased: {
			"national_id": demoDeceased, "name": "Ola Nordmann (demo)", "date_of_death": "2026-10-30",
			"place_of_death": "Tromsø", "municipality": "5501", "estate": "open; heirs per the certificate",
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/deaths/{id}", func(w http.ResponseWriter, r *http.Request) {
		known, ok := records[r.PathValue("id")]
		if !ok || r.Header.Get(exchange.HeaderRequestID) == "" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"type":"about:blank","title":"Not Found","status":404,"detail":"no death recorded for that number"}`+"\n")
			return
		}
		rec := make(map[string]any, len(known)+2)
		for k, v := range known {
			rec[k] = v
		}
		rec["asked_by"] = r.Header.Get(exchange.HeaderRequester)
		rec["request_id"] = r.Header.Get(exchange.HeaderRequestID)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rec)
	})
	return mux
}
