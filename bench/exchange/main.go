// Command exchange measures the exchange broker under load, on loopback, in
// one process: how many signed, policy-checked, durably logged exchanges a
// second it answers, and what latency it adds to a plain call of the
// service behind it.
//
//	go run ./bench/exchange                 # 64 clients, 2 s warm-up, 10 s a mode
//	go run ./bench/exchange -c 16 -d 5s -keep-client-verify -cpuprofile cpu.prof
//	go run ./bench/exchange -client net/http    # net/http's client as the load client
//
// Three ways to the same provider, a small net/http server answering a
// death record of about 300 bytes of JSON:
//
//   - direct: the load client straight to the provider;
//   - proxy: through a plain httputil.ReverseProxy (no signature, no
//     policy, no log); with -proxy-cpu it first spends that much CPU on
//     each request (SHA-256): a gateway of that cost that does nothing
//     else, to show what tail the machine gives such a gateway; with
//     -proxy-sync it makes a 300-byte record durable before it forwards
//     each request (a textbook group commit, durable.go): the tail of
//     durability alone;
//   - samband: through the real exchange.Broker, served by net/http on its
//     own listener, as Norway's gateway on the provider side. Every
//     request is signed by the load client as a registered Finnish
//     authority (EdDSA, a fresh UUID and time each), and the broker reads
//     it, verifies the signature against the trust registry, checks the
//     audience, the time and the replay guard, decides by the register's
//     estate policy with the consent and mandate registry in SQLite (the
//     request names the deceased and the heir, so the heir's mandate is
//     looked up in the file every time), forwards to the provider, signs
//     a receipt and appends the decision to the audit log (SQLite,
//     durable in its journal before the answer leaves), which signs
//     a checkpoint every second (audit.Log.Run).
//
// Each mode runs closed-loop first: -c clients, each sending its next
// request when the last is answered, for -warmup then -d; the exchanges a
// second and the latencies of the -d part are reported. Then each mode
// runs open-loop at one fixed arrival rate, half of samband's closed-loop
// rate (or -rate): request k is scheduled at start + k/rate and sent by
// worker k mod -c, each worker keeping its own schedule as wrk2's
// connections do; latency counts from the scheduled time, so a stall
// delays the requests behind it and is measured (no coordinated
// omission). The added latency is samband's (and the proxy's) minus
// direct's, at p50 and at p99. -runs open (with -rate) makes the
// open-loop runs alone, for repeated measurements of the tail.
//
// The load client is the same for every mode: by default (-client conn)
// one that sends each request and reads its answer on the calling
// goroutine, over connections of its own, as wrk does; -client net/http
// uses http.Client, whose Transport costs the client more CPU on these
// two cores (client.go).
//
// Every answer must be 200 with the record; samband's must carry a
// receipt, and with -keep-client-verify the client also verifies it (the
// gateway's signature, the request hash, the decision and the answer's
// digest). At the end the audit log must hold exactly one entry per
// answered samband request. Any error makes the run fail, after the
// tables.
//
// Everything runs in this one process on the machine's cores: the load
// client's work (signing, HTTP) counts against the broker's. With
// -load-process each run's load client is a process of its own (this
// program again), still on the same cores, and the servers' CPU time
// (gateway, provider, proxy, audit writer) is reported apart from the
// client's: the gateway's own cost of an exchange. -commit-delay sets the
// audit log's commit delay (audit.Log.SetCommitDelay). Each run
// also reports the process's CPU time per exchange and the cores it kept
// busy (getrusage over the measured part), which move less than the rates
// when other work shares the machine. With -cpuprofile the CPU profile of
// samband's closed-loop measurement (or, with -profile-run open, of its
// open-loop one) is written: client, broker, provider and audit writer.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"samband/exchange"
	"samband/exchange/audit"
	"samband/exchange/trust"
	"samband/internal/procstat"
	"samband/policies"
	"samband/policies/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if os.Getenv(loadEnv) != "" {
		if err := loadChild(ctx, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "exchange bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "exchange bench:", err)
		os.Exit(1)
	}
}

// The parties and the case, as the gateway's exchange demo has them
// (cmd/gateway/demo_exchange.go); the people's numbers are synthetic.
const (
	noGateway    = "NO/991825827" // Norway's gateway: the broker measured
	fiKela       = "FI/0246246-0" // the Finnish authority asking
	organisation = "974760673"    // the register's keeper
	serviceName  = "death-records"
	record       = "https://register.example.no/service/death-records"
	policyUID    = "https://register.example.no/policy/estate"
	purpose      = "urn:samband:purpose:inheritance-settlement"
	legalBasis   = "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj"
	lifeEvent    = "death-and-inheritance"
	deceased     = "31124590062" // NO
	heir         = "170852-234C" // FI, holds the heir certificate
	recordPath   = "/v1/deaths/NO" + deceased
)

// deathRecord is the provider's answer: 300 bytes of JSON.
var deathRecord = func() []byte {
	b, _ := json.Marshal(map[string]string{
		"national_id": deceased, "name": "Ola Nordmann (synthetic)", "date_of_death": "2026-10-30",
		"place_of_death": "Tromsø", "municipality": "5501", "estate": "open; heirs per the certificate",
		"registered": "2026-10-31T08:12:00Z", "source": "Folkeregisteret (benchmark)",
		"certificate": "2026-10-31, Tromsø kommune",
	})
	return append(b, '\n')
}()

type config struct {
	c           int
	d, warmup   time.Duration
	rate        float64
	verify      bool
	cpuprofile  string
	trace       string
	profileRun  string
	dir         string
	logFile     string
	modes       string
	policy      string
	delay       time.Duration
	loadProcess bool
	client      string
	runs        string
	proxyCPU    time.Duration
	proxySync   bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("exchange", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.IntVar(&cfg.c, "c", 64, "concurrent clients of the closed-loop runs, and workers of the open-loop runs")
	fs.DurationVar(&cfg.d, "d", 10*time.Second, "how long each run is measured")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "how long each run goes before it is measured")
	fs.Float64Var(&cfg.rate, "rate", 0, "the open-loop arrival rate, exchanges/s; 0 is half of samband's closed-loop rate")
	fs.BoolVar(&cfg.verify, "keep-client-verify", false, "the client also verifies every receipt (signature, request hash, decision, digest)")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write the CPU profile of samband's measurement (of the run -profile-run names) to this file")
	fs.StringVar(&cfg.trace, "trace", "", "write the execution trace (runtime/trace) of samband's measurement (of the run -profile-run names) to this file")
	fs.StringVar(&cfg.profileRun, "profile-run", "closed", "the samband run -cpuprofile and -trace record: closed or open")
	fs.StringVar(&cfg.dir, "dir", "bench/out/exchange", "where the run's SQLite files go (a new directory under it, removed after)")
	fs.StringVar(&cfg.logFile, "log", "", "write the broker's info log (one JSON line an exchange, as a gateway at log.level info) to this file; default none")
	fs.StringVar(&cfg.modes, "modes", "direct,proxy,samband", "the modes to run, comma-separated")
	fs.StringVar(&cfg.runs, "runs", "closed,open", "the runs of each mode: closed, open or both, comma-separated; open alone needs -rate")
	fs.DurationVar(&cfg.delay, "commit-delay", audit.DefaultCommitDelay, "the audit log's commit delay (audit.Log.SetCommitDelay)")
	fs.BoolVar(&cfg.loadProcess, "load-process", false, "run each run's load client as a process of its own, and report the servers' CPU apart")
	fs.StringVar(&cfg.client, "client", "conn", "the load client's HTTP: conn (its own connections, a request and its answer on the caller's goroutine, as wrk) or net/http (http.Client)")
	fs.DurationVar(&cfg.proxyCPU, "proxy-cpu", 0, "the plain proxy spends this much CPU on each request (SHA-256, timed at start) before it forwards it: a gateway of that cost doing nothing else")
	fs.BoolVar(&cfg.proxySync, "proxy-sync", false, "the plain proxy makes a 300-byte record durable before it forwards each request (a textbook group commit: pwrite and fdatasync, in the run's directory): durability alone")
	fs.StringVar(&cfg.policy, "policy", "exchange/testdata/estate.ttl", "the register's estate policy (Turtle), as the gateway's exchange demo has it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.c < 1 || cfg.d <= 0 || cfg.warmup < 0 || cfg.rate < 0 || cfg.proxyCPU < 0 {
		return errors.New("-c must be at least 1, -d positive, -warmup, -rate and -proxy-cpu not negative")
	}
	if cfg.profileRun != "closed" && cfg.profileRun != "open" {
		return fmt.Errorf("-profile-run %q: closed or open", cfg.profileRun)
	}
	modes := strings.Split(cfg.modes, ",")
	for _, m := range modes {
		if m != "direct" && m != "proxy" && m != "samband" {
			return fmt.Errorf("-modes: unknown mode %q (direct, proxy, samband)", m)
		}
	}
	runs := strings.Split(cfg.runs, ",")
	for _, r := range runs {
		if r != "closed" && r != "open" {
			return fmt.Errorf("-runs: unknown run %q (closed, open)", r)
		}
	}
	if cfg.rate == 0 && slices.Contains(runs, "open") && (!slices.Contains(modes, "samband") || !slices.Contains(runs, "closed")) {
		return errors.New("an open-loop run without samband's closed-loop run needs -rate")
	}
	load0 := procstat.LoadAverage()

	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(cfg.dir, "run-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var servers []*http.Server
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	serve := func(h http.Handler) (string, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, s)
		go s.Serve(ln)
		return "http://" + ln.Addr().String(), nil
	}

	// The provider.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/deaths/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(deathRecord)
	})
	providerURL, err := serve(mux)
	if err != nil {
		return err
	}
	// The plain reverse proxy.
	pu, _ := url.Parse(providerURL)
	proxy := httputil.NewSingleHostReverseProxy(pu)
	proxy.Transport = newTransport(cfg.c)
	var proxied http.Handler = proxy
	var durable *groupSync
	if cfg.proxySync {
		if durable, err = newGroupSync(filepath.Join(dir, "proxy-records")); err != nil {
			return err
		}
		defer durable.close()
		proxied = durable.wrap(proxy)
	}
	burn := newBurner(cfg.proxyCPU)
	proxyURL, err := serve(burn.wrap(proxied))
	if err != nil {
		return err
	}
	// The broker.
	sb, err := openSamband(ctx, dir, providerURL, cfg)
	if err != nil {
		return err
	}
	defer sb.close()
	if sb.url, err = serve(sb.broker); err != nil {
		return err
	}

	client, err := newDoer(cfg.client, cfg.c)
	if err != nil {
		return err
	}
	sends := map[string]sendFunc{
		"direct":  plainSender(client, providerURL),
		"proxy":   plainSender(client, proxyURL),
		"samband": func(ctx context.Context) error { return sb.send(ctx, client) },
	}
	urls := map[string]string{"direct": providerURL, "proxy": proxyURL, "samband": sb.url}
	// A first exchange of each kind, so that a broken setup fails at once.
	for _, m := range modes {
		if err := sends[m](ctx); err != nil {
			return fmt.Errorf("%s: the first exchange failed: %w", m, err)
		}
	}

	fmt.Fprintf(stderr, "exchange bench: %s, GOMAXPROCS %d, %d CPUs, load average %s; files in %s\n",
		runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU(), load0, dir)
	// runAll makes one run of every mode, closed loop or open loop at rate,
	// profiling samband's when -cpuprofile asks for that kind.
	var stagesBefore, stagesOpen stageSnapshot
	runAll := func(kind string, open bool, rate float64) (map[string]result, error) {
		out := map[string]result{}
		for _, m := range modes {
			var prof recorder
			if m == "samband" && cfg.profileRun == kind {
				if prof, err = newRecorder(cfg.cpuprofile, cfg.trace); err != nil {
					return nil, err
				}
			}
			var before stageSnapshot
			if m == "samband" && open {
				if before, err = snapshotStages(sb.metrics); err != nil {
					return nil, err
				}
			}
			r, err := measure(ctx, cfg, m, urls[m], sb, sends[m], open, rate, prof)
			if err != nil {
				return nil, err
			}
			if prof.recording() {
				if err := prof.close(); err != nil {
					return nil, err
				}
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			out[m] = r
			if before != nil {
				if stagesOpen, err = snapshotStages(sb.metrics); err != nil {
					return nil, err
				}
				stagesBefore = before
			}
			fmt.Fprintf(stderr, "%-6s %-8s %8.0f/s  p50 %s  p99 %s  CPU %.0f µs/exchange (servers %.0f, kernel %.0f%%), %.2f cores, %.1f switches/exchange  errors %d%s\n",
				kind, m, r.rate, ms(r.p(0.50)), ms(r.p(0.99)), us(r.cpuPerExchange()), us(r.serversPerExchange()), r.kernelShare(), r.cores(),
				r.switchesPerExchange(), r.errors, r.firstErr())
		}
		return out, nil
	}
	var closed, open map[string]result
	if slices.Contains(runs, "closed") {
		if closed, err = runAll("closed", false, 0); err != nil {
			return err
		}
	}
	rate := cfg.rate
	if rate == 0 {
		rate = closed["samband"].rate / 2
	}
	if slices.Contains(runs, "open") {
		if open, err = runAll("open", true, rate); err != nil {
			return err
		}
	}
	load1 := procstat.LoadAverage()

	// The audit log holds one entry per answered samband request, no more.
	var logErr error
	if slices.Contains(modes, "samband") {
		want := sb.answered.Load()
		for _, r := range []result{closed["samband"], open["samband"]} {
			want += r.answered
		}
		if got := sb.log.Size(); got != want {
			logErr = fmt.Errorf("the audit log holds %d entries for %d answered samband requests", got, want)
		}
	}

	verify := "no"
	if cfg.verify {
		verify = "yes"
	}
	loadClient := "in this process"
	if cfg.loadProcess {
		loadClient = "a process of its own (servers: gateway, provider, proxy, audit writer)"
	}
	fmt.Fprintf(stdout, "Load client: %s, -client %s; it verifies receipts: %s.\n", loadClient, cfg.client, verify)
	if burn.blocks > 0 && slices.Contains(modes, "proxy") {
		fmt.Fprintf(stdout, "The proxy spends %.0f µs of CPU on each request before it forwards it (%d SHA-256 blocks of 1 KiB, %.2f µs each).\n",
			us(burn.cost()), burn.blocks, us(burn.perBlock))
	}
	if durable != nil && slices.Contains(modes, "proxy") {
		durable.mu.Lock()
		syncs := durable.syncs
		durable.mu.Unlock()
		fmt.Fprintf(stdout, "The proxy makes a 300-byte record durable before it forwards each request (group commit, pwrite and fdatasync): %d syncs.\n", syncs)
	}
	if closed != nil {
		fmt.Fprintf(stdout, "\nClosed loop: %d clients, %s warm-up, %s measured.\n\n", cfg.c, cfg.warmup, cfg.d)
		fmt.Fprintln(stdout, "| mode | exchanges/s | p50 ms | p90 ms | p99 ms | CPU µs/exchange | of which servers | kernel % | switches/exchange | cores busy | errors |")
		fmt.Fprintln(stdout, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, m := range modes {
			r := closed[m]
			servers := "–"
			if cfg.loadProcess {
				servers = fmt.Sprintf("%.0f", us(r.serversPerExchange()))
			}
			fmt.Fprintf(stdout, "| %s | %s | %s | %s | %s | %.0f | %s | %.0f | %.1f | %.2f | %d |\n", m, thousands(r.rate),
				ms(r.p(0.50)), ms(r.p(0.90)), ms(r.p(0.99)), us(r.cpuPerExchange()), servers, r.kernelShare(), r.switchesPerExchange(), r.cores(), r.errors)
		}
	}
	if open != nil {
		fmt.Fprintf(stdout, "\nOpen loop at %s exchanges/s (%s), latency from the scheduled send, %d workers, %s warm-up, %s measured.\n\n",
			thousands(rate), rateSource(cfg.rate), cfg.c, cfg.warmup, cfg.d)
		fmt.Fprintln(stdout, "| mode | answered/s | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/exchange | kernel % | switches/exchange | errors |")
		fmt.Fprintln(stdout, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, m := range modes {
			r := open[m]
			added50, added99 := "", ""
			if d, ok := open["direct"]; ok && m != "direct" {
				added50, added99 = ms(r.p(0.50)-d.p(0.50)), ms(r.p(0.99)-d.p(0.99))
			}
			fmt.Fprintf(stdout, "| %s | %s | %s | %s | %s | %s | %.0f | %.0f | %.1f | %d |\n", m, thousands(r.rate), ms(r.p(0.50)), ms(r.p(0.99)),
				added50, added99, us(r.cpuPerExchange()), r.kernelShare(), r.switchesPerExchange(), r.errors)
		}
	}
	if stagesOpen != nil {
		fmt.Fprintf(stdout, "\nWhere samband's open-loop time went, by the gateway's own metrics (warm-up included; p50 and p99 estimated from the buckets):\n\n")
		stageTable(stdout, stagesBefore, stagesOpen, func(v float64) string { return fmt.Sprintf("%.2f ms", v*1000) })
	}
	fmt.Fprintf(stdout, "\nLoad average before: %s; after: %s. %s, GOMAXPROCS %d.\n", load0, load1, runtime.Version(), runtime.GOMAXPROCS(0))
	if slices.Contains(modes, "samband") {
		fmt.Fprintf(stdout, "Audit log: %d entries, one per answered samband request; synced with %s.\n", sb.log.Size(), sb.log.DiskSync())
	}

	var errs []error
	for _, m := range modes {
		for kind, r := range map[string]result{"closed": closed[m], "open": open[m]} {
			if r.errors > 0 {
				errs = append(errs, fmt.Errorf("%s %s: %d errors, the first: %v", kind, m, r.errors, r.err))
			}
		}
	}
	return errors.Join(append(errs, logErr)...)
}

// measure makes one run of mode m: closed loop, or open loop at rate; in
// this process, or with -load-process in a load process of its own.
func measure(ctx context.Context, cfg config, m, url string, sb *samband, send sendFunc, open bool, rate float64, prof recorder) (result, error) {
	start := time.Now().Add(10 * time.Millisecond)
	if !cfg.loadProcess {
		if open {
			r := openLoop(ctx, send, rate, cfg.c, start, cfg.warmup, cfg.d, prof)
			r.rate = openRate(r, start, cfg.warmup)
			return r, nil
		}
		return closedLoop(ctx, send, cfg.c, start, cfg.warmup, cfg.d, prof), nil
	}
	job := loadJob{Mode: m, URL: url, Open: open, C: cfg.c, Rate: rate, Warmup: cfg.warmup, D: cfg.d,
		Start: time.Now().Add(300 * time.Millisecond), Verify: cfg.verify, Client: cfg.client}
	if m == "samband" {
		var err error
		if job.Key, err = json.Marshal(sb.kelaKey); err != nil {
			return result{}, err
		}
		if job.Gateway, err = json.Marshal(sb.gateway); err != nil {
			return result{}, err
		}
	}
	r, err := runLoadProcess(ctx, job, prof)
	if err != nil {
		return result{}, err
	}
	slices.Sort(r.lat)
	if open {
		r.rate = openRate(r, job.Start, cfg.warmup)
	} else {
		r.rate = float64(len(r.lat)) / cfg.d.Seconds()
	}
	return r, nil
}

func rateSource(flagRate float64) string {
	if flagRate > 0 {
		return "-rate"
	}
	return "half of samband's closed-loop rate"
}

// plainSender gets the death record from base (the provider or the
// proxy) and checks it.
func plainSender(client doer, base string) sendFunc {
	u := base + "/api" + recordPath
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, body, err := client.do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, deathRecord) {
			return fmt.Errorf("%s: %d, %d bytes", u, resp.StatusCode, len(body))
		}
		return nil
	}
}

// samband is the broker under test and the load client's side of it.
type samband struct {
	broker   *exchange.Broker
	metrics  *prometheus.Registry // the broker's and the audit log's commits'
	url      string
	kela     *exchange.SigningKey // the Finnish authority's key
	kelaKey  jwk.Key              // the same, for a load process
	gateway  jwk.Key              // the gateway's public key, for receipts
	verify   bool
	log      *audit.Log
	reg      *sqlite.Registry
	tr       *trust.Registry
	logFile  *os.File
	stop     context.CancelFunc
	done     chan struct{}
	answered atomic.Int64 // samband requests answered 200 with a receipt
}

// openSamband sets up Norway's gateway as the provider side: keys, the
// trust registry with the Finnish authority's key set inline, the consent
// and mandate registry with the heir's mandate, the estate policy, the
// audit log with checkpoints every second, and the broker.
func openSamband(ctx context.Context, dir, providerURL string, cfg config) (*samband, error) {
	kela, kelaSet, err := signingKey("kela-1")
	if err != nil {
		return nil, err
	}
	gw, _, err := signingKey("no-gateway-1")
	if err != nil {
		return nil, err
	}
	gwPub, err := jwk.PublicKeyOf(gw)
	if err != nil {
		return nil, err
	}
	kelaSigner, err := exchange.NewSigningKey(kela)
	if err != nil {
		return nil, err
	}
	s := &samband{kela: kelaSigner, kelaKey: kela, gateway: gwPub, verify: cfg.verify, done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()

	s.tr, err = trust.Open(ctx, trust.Config{Parties: []trust.PartyConfig{{
		ID: fiKela, Kind: trust.Authority, Scheme: "FI:YTUNNUS", Name: "Kansaneläkelaitos (benchmark)", JWKS: string(kelaSet),
	}}}, nil, nil)
	if err != nil {
		return nil, err
	}

	subjectKey, err := policies.NewSubjectKey()
	if err != nil {
		return nil, err
	}
	if s.reg, err = sqlite.Open(ctx, filepath.Join(dir, "registry.db")); err != nil {
		return nil, err
	}
	subject := func(country, number string) (policies.Subject, error) {
		id, err := policies.ParseNationalID(country, number, time.Now())
		if err != nil {
			return "", err
		}
		return id.Subject(subjectKey)
	}
	grantor, err := subject("NO", deceased)
	if err != nil {
		return nil, err
	}
	representative, err := subject("FI", heir)
	if err != nil {
		return nil, err
	}
	if _, err := s.reg.GrantMandate(ctx, policies.Mandate{
		Grantor: grantor, GrantorDeceased: true, Representative: representative,
		Targets: []string{record}, Purposes: []string{purpose}, LifeEvents: []string{lifeEvent},
		From: time.Now().Add(-time.Hour), Until: time.Now().Add(90 * 24 * time.Hour),
		Basis: policies.BasisHeirCertificate, Evidence: "skifteattest (benchmark)", Issuer: "NO",
	}, policies.Note{Via: "bench"}); err != nil {
		return nil, err
	}

	policy, err := os.ReadFile(cfg.policy)
	if err != nil {
		return nil, fmt.Errorf("-policy: %w", err)
	}
	ps, err := policies.Load(bytes.NewReader(policy), cfg.policy, policies.LoadOptions{})
	if err != nil {
		return nil, err
	}
	lib, err := policies.NewLibrary(nil, ps)
	if err != nil {
		return nil, err
	}
	decider := &setDecider{set: lib.For(record, policyUID), target: record, facts: s.reg}

	skey, vkey, err := audit.GenerateKey("samband.bench.no")
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	if s.log, err = audit.Open(ctx, filepath.Join(dir, "audit.db"), signer, verifier); err != nil {
		return nil, err
	}
	s.log.SetCommitDelay(cfg.delay)
	s.metrics = prometheus.NewRegistry()
	s.log.OnCommit(audit.CommitMetrics(s.metrics))
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go func() {
		defer close(s.done)
		s.log.Run(runCtx, time.Second)
	}()

	svc, err := exchange.NewService(exchange.ServiceConfig{
		Country: "NO", Organisation: organisation, Name: serviceName, Record: record,
		Endpoint: providerURL + "/api", Methods: []string{http.MethodGet}, Paths: []string{"/v1/deaths/*"}, AllowPrivate: true,
	})
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	if cfg.logFile != "" {
		if s.logFile, err = os.Create(cfg.logFile); err != nil {
			return nil, err
		}
		logger = slog.New(slog.NewJSONHandler(s.logFile, nil))
	}
	s.broker, err = exchange.NewBroker(exchange.Options{
		Self:       trust.Party{ID: noGateway, Country: "NO", Name: "Samband Norge (benchmark)", Kind: trust.Gateway},
		Key:        gw,
		Trust:      s.tr,
		Services:   []*exchange.Service{svc},
		Decider:    decider,
		SubjectKey: subjectKey,
		Log:        s.log,
		Logger:     logger,
		Metrics:    exchange.NewMetrics(s.metrics),
	})
	if err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// close stops the checkpoints and closes the files.
func (s *samband) close() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
	if s.log != nil {
		s.log.Close()
	}
	if s.reg != nil {
		s.reg.Close()
	}
	if s.tr != nil {
		s.tr.Close()
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
}

// setDecider decides as the gateway's catalogueDecider does once it holds
// a service's policies: one policy set, built once, and the registry.
type setDecider struct {
	set    *policies.Set
	target string
	facts  policies.Facts
}

func (d *setDecider) Decide(ctx context.Context, _ *exchange.Service, req *policies.Request) (policies.Decision, error) {
	req.Target = d.target
	return d.set.Decide(ctx, req, d.facts), nil
}

// send signs a fresh request as the Finnish authority, for the heir, sends
// it and checks the answer.
func (s *samband) send(ctx context.Context, client doer) error {
	req := &exchange.Request{
		Method: http.MethodGet, Country: "NO", Organisation: organisation, Service: serviceName, Path: recordPath,
		Audience: noGateway, ID: uuid.NewString(), Requester: fiKela, Purpose: purpose, LegalBasis: legalBasis,
		Subject: "NO" + deceased, Representative: "FI" + heir, LifeEvent: lifeEvent,
		Time: time.Now().UTC().Truncate(time.Second),
	}
	hr, err := exchange.NewRequest(ctx, s.url, req, nil)
	if err != nil {
		return err
	}
	sig, err := s.kela.SignRequest(req, fiKela)
	if err != nil {
		return err
	}
	hr.Header.Set(exchange.HeaderSignature, sig)
	resp, body, err := client.do(hr)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, deathRecord) {
		return fmt.Errorf("samband: %d: %.200s", resp.StatusCode, body)
	}
	receipt := resp.Header.Get(exchange.HeaderReceipt)
	if receipt == "" {
		return errors.New("samband: 200 without a receipt")
	}
	s.answered.Add(1)
	if !s.verify {
		return nil
	}
	rc, err := exchange.ReadReceipt(ctx, receipt, func(_ context.Context, iss, kid string) (jwk.Key, error) {
		if k, _ := s.gateway.KeyID(); iss != noGateway || kid != k {
			return nil, fmt.Errorf("receipt signed by %s key %s", iss, kid)
		}
		return s.gateway, nil
	})
	if err != nil {
		return fmt.Errorf("samband: receipt: %w", err)
	}
	switch {
	case rc.RequestID != req.ID, rc.RequestHash != req.HashText():
		return errors.New("samband: the receipt is of another request")
	case rc.Decision != "permit", rc.Status != http.StatusOK:
		return fmt.Errorf("samband: the receipt says %s %d", rc.Decision, rc.Status)
	}
	if err := exchange.CheckContentDigest(rc.ResponseDigest, body); err != nil {
		return fmt.Errorf("samband: receipt: %w", err)
	}
	return nil
}

// signingKey makes an Ed25519 key with kid: its private JWK and its public
// set as JSON.
func signingKey(kid string) (jwk.Key, []byte, error) {
	k, err := exchange.GenerateKey("EdDSA", kid)
	if err != nil {
		return nil, nil, err
	}
	pub, err := jwk.PublicKeyOf(k)
	if err != nil {
		return nil, nil, err
	}
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		return nil, nil, err
	}
	js, err := json.Marshal(set)
	return k, js, err
}

// sendFunc makes one exchange and checks its answer.
type sendFunc func(ctx context.Context) error

// result is what a run measured.
type result struct {
	rate   float64         // answers a second in the measured part
	lat    []time.Duration // sorted
	errors int
	err    error // the first
	// What the process used in the measured part (client and servers):
	// CPU time, the kernel's part of it, and the context switches of its
	// threads (a thread leaving its CPU to wait, which costs a wake-up
	// later).
	use procstat.Usage
	d   time.Duration // the measured part
	// With -load-process: the servers' part of the CPU time (gateway, provider,
	// proxy, audit writer), else 0.
	servers  time.Duration
	last     time.Time // open loop: when the last measured answer came
	answered int64     // by a load process: samband answers with a receipt
}

// cpuPerExchange is the process's CPU time per answer: client, servers
// and all.
func (r result) cpuPerExchange() time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.use.CPU() / time.Duration(len(r.lat))
}

// kernelShare is the kernel's part of the CPU time, in per cent.
func (r result) kernelShare() float64 {
	if r.use.CPU() <= 0 {
		return 0
	}
	return 100 * r.use.System.Seconds() / r.use.CPU().Seconds()
}

// switchesPerExchange is the threads' context switches per answer.
func (r result) switchesPerExchange() float64 {
	if len(r.lat) == 0 {
		return 0
	}
	return float64(r.use.Switches) / float64(len(r.lat))
}

// cores is how many CPUs the run kept busy, on average.
func (r result) cores() float64 { return r.use.CPU().Seconds() / r.d.Seconds() }

// serversPerExchange is the servers' CPU time per answer, with
// -load-process; else 0.
func (r result) serversPerExchange() time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.servers / time.Duration(len(r.lat))
}

// p returns the q-quantile of the latencies (nearest rank).
func (r result) p(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.999999) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

func (r result) firstErr() string {
	if r.err == nil {
		return ""
	}
	return fmt.Sprintf(" (first: %v)", r.err)
}

// worker gathers one goroutine's measurements.
type worker struct {
	lat    []time.Duration
	errors int
	err    error
	last   time.Time // when its last measured request was answered
}

func (w *worker) record(lat time.Duration, err error) {
	if err != nil {
		w.errors++
		if w.err == nil {
			w.err = err
		}
		return
	}
	w.lat = append(w.lat, lat)
}

func merge(ws []*worker, d time.Duration, use procstat.Usage) result {
	r := result{use: use, d: d}
	for _, w := range ws {
		r.lat = append(r.lat, w.lat...)
		r.errors += w.errors
		if r.err == nil {
			r.err = w.err
		}
	}
	slices.Sort(r.lat)
	r.rate = float64(len(r.lat)) / d.Seconds()
	return r
}

// closedLoop runs c clients from start for warmup+d; it measures the
// requests sent in the last d, profiling them to prof when it is not nil.
func closedLoop(ctx context.Context, send sendFunc, c int, start time.Time, warmup, d time.Duration, prof recorder) result {
	from, until := start.Add(warmup), start.Add(warmup+d)
	time.Sleep(time.Until(start))
	ws := make([]*worker, c)
	var wg sync.WaitGroup
	for i := range ws {
		w := &worker{lat: make([]time.Duration, 0, 1<<14)}
		ws[i] = w
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(until) {
					return
				}
				err := send(ctx)
				if !t0.Before(from) {
					w.record(time.Since(t0), err)
				}
			}
		})
	}
	time.Sleep(time.Until(from))
	use := measureUsage(until, prof)
	wg.Wait()
	return merge(ws, d, use)
}

// openLoop sends at rate from start for warmup+d: request k is scheduled
// at start+k/rate and sent by worker k mod c, whose latency runs from the
// scheduled time. The requests scheduled in the last d are measured.
//
// Each worker keeps its own schedule, as wrk2's connections do: an
// arrival wakes the one goroutine that sends it. (A dispatcher handing
// each arrival to a free worker costs a second wake-up per request, which
// on two cores is CPU the servers under test do not get.) A worker whose
// request outlasts its next slot sends that one late, and the lateness
// counts in its latency, so a slow server is still measured in full.
func openLoop(ctx context.Context, send sendFunc, rate float64, c int, start time.Time, warmup, d time.Duration, prof recorder) result {
	n := int(rate * (warmup + d).Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	from := start.Add(warmup)
	ws := make([]*worker, c)
	var wg sync.WaitGroup
	for i := range ws {
		w := &worker{lat: make([]time.Duration, 0, n/c+1)}
		ws[i] = w
		wg.Go(func() {
			timer := time.NewTimer(0)
			defer timer.Stop()
			<-timer.C
			for k := i; k < n; k += c {
				t := start.Add(time.Duration(k) * interval)
				if wait := time.Until(t); wait > 0 {
					timer.Reset(wait)
					select {
					case <-timer.C:
					case <-ctx.Done():
						return
					}
				}
				if ctx.Err() != nil {
					return
				}
				err := send(ctx)
				if !t.Before(from) {
					w.last = time.Now()
					w.record(w.last.Sub(t), err)
				}
			}
		})
	}
	time.Sleep(time.Until(from))
	use := measureUsage(from.Add(d), prof)
	wg.Wait()
	r := merge(ws, d, use)
	r.last = from.Add(d)
	for _, w := range ws {
		if w.last.After(r.last) {
			r.last = w.last
		}
	}
	return r
}

// openRate is the answers a second of an open-loop run over the time they
// took: below the arrival rate when the server fell behind.
func openRate(r result, start time.Time, warmup time.Duration) float64 {
	return float64(len(r.lat)) / r.last.Sub(start.Add(warmup)).Seconds()
}

// measureUsage returns what this process uses from now until until,
// recording its CPU profile and execution trace as prof asks.
func measureUsage(until time.Time, prof recorder) procstat.Usage {
	prof.start()
	before := procstat.Read()
	time.Sleep(time.Until(until))
	use := procstat.Read().Sub(before)
	prof.stop()
	return use
}

// recorder holds the files a measured run's CPU profile and execution
// trace go to; either may be nil.
type recorder struct{ cpu, trace *os.File }

// newRecorder creates the files named; an empty name records nothing.
func newRecorder(cpu, tr string) (recorder, error) {
	var r recorder
	var err error
	if cpu != "" {
		if r.cpu, err = os.Create(cpu); err != nil {
			return r, err
		}
	}
	if tr != "" {
		if r.trace, err = os.Create(tr); err != nil {
			r.close()
			return recorder{}, err
		}
	}
	return r, nil
}

func (r recorder) recording() bool { return r.cpu != nil || r.trace != nil }

func (r recorder) start() {
	if r.cpu != nil {
		pprof.StartCPUProfile(r.cpu)
	}
	if r.trace != nil {
		trace.Start(r.trace)
	}
}

func (r recorder) stop() {
	if r.cpu != nil {
		pprof.StopCPUProfile()
	}
	if r.trace != nil {
		trace.Stop()
	}
}

func (r recorder) close() error {
	var errs []error
	for _, f := range []*os.File{r.cpu, r.trace} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

// thousands writes v rounded, with commas: 12,345.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[0] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
