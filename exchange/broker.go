package exchange

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"golang.org/x/mod/sumdb/tlog"

	"samband/exchange/audit"
	"samband/exchange/trust"
	"samband/exchange/upstream"
	"samband/internal/netguard"
	"samband/policies"
)

// Decider decides whether svc may be used as req describes: the policies
// of the service's catalogue record and the gateway's defaults, with the
// consent and mandate registry. An error means no decision could be made
// (the record is not in the catalogue, say); it wraps ErrUnknownService
// when the service is not what the catalogue describes.
type Decider interface {
	Decide(ctx context.Context, svc *Service, req *policies.Request) (policies.Decision, error)
}

// Options configure a Broker. Self, Key, Trust, Decider, SubjectKey and
// Log are required.
type Options struct {
	// Self is this gateway as the other parties know it; its Country
	// decides which requests it provides for and which it forwards.
	Self trust.Party
	// Key is this gateway's private signing key (Ed25519 or P-256, with a
	// kid its peers find in its published set): it signs receipts,
	// countersignatures and the requests it forwards.
	Key jwk.Key
	// Trust holds the authorities and peer gateways and their keys.
	Trust *trust.Registry
	// Services are the services this gateway provides.
	Services []*Service
	// Decider decides on every request for a service of this gateway.
	Decider Decider
	// Outbound, when set, decides on every request of this gateway's
	// authorities for another country's service before it is forwarded;
	// a deny is answered here and never reaches the peer. Nil leaves the
	// decision to the provider's policies alone.
	Outbound *OutboundPolicy
	// SubjectKey hashes data subjects' numbers for the decision and the log.
	SubjectKey policies.SubjectKey
	// Log is the audit log every decision is appended to before its
	// answer leaves.
	Log *audit.Log
	// Classes are the recipient classes of requesters beyond
	// "public-authority", which every party of the exchange is.
	Classes map[string][]string
	// Window is how old a request may be (its Samband-Time) and how long
	// its id is remembered against replay; default 5 minutes. Skew is how
	// far in the future its time may be; default 30 seconds.
	Window, Skew time.Duration
	// Limits bound what a request may carry.
	Limits Limits
	// MaxResponse bounds a service's or peer's answer; default 16 MiB.
	MaxResponse int64
	// UpstreamTimeout bounds one forwarded request; default 30 seconds.
	UpstreamTimeout time.Duration
	// PeersAllowPrivate lets the gateway reach peer gateways on loopback
	// or private addresses (a demo on one machine, a private network).
	PeersAllowPrivate bool
	// TLS, when set, is the base of the upstream HTTPS connections'
	// configuration (roots, a client certificate); by default the
	// system's roots, TLS 1.2 or later.
	TLS     *tls.Config
	Logger  *slog.Logger
	Metrics *Metrics
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Broker is the exchange's HTTP handler, mounted at /exchange/v1/. For a
// service of its own country it checks, decides, forwards to the service,
// signs a receipt and logs; for another country's it checks and forwards
// to that country's gateway, verifies its receipt, countersigns and logs.
type Broker struct {
	o        Options
	sk       *SigningKey // o.Key, checked and exported once
	services map[string]*Service
	replay   *ReplayGuard
	private  *upstream.Client // to services configured for private addresses
	public   *upstream.Client // to every other service
	peers    *upstream.Client // to peer gateways
	logger   *slog.Logger
	m        *Metrics
}

// NewBroker checks o and returns the broker.
func NewBroker(o Options) (*Broker, error) {
	switch {
	case o.Self.ID == "" || o.Self.Country == "":
		return nil, errors.New("exchange: the gateway's own party (id, country) is needed")
	case o.Key == nil:
		return nil, errors.New("exchange: the gateway's signing key is needed")
	case o.Trust == nil || o.Decider == nil || o.Log == nil:
		return nil, errors.New("exchange: trust registry, decider and audit log are needed")
	case len(o.SubjectKey) < 32:
		return nil, errors.New("exchange: the subject key (32 bytes or more) is needed")
	}
	// Exporting a JWK's private key derives its public key again (a scalar
	// multiplication for Ed25519): done here once rather than at every
	// receipt.
	sk, err := NewSigningKey(o.Key)
	if err != nil {
		return nil, fmt.Errorf("exchange: signing key: %w", err)
	}
	if o.Window <= 0 {
		o.Window = 5 * time.Minute
	}
	if o.Skew <= 0 {
		o.Skew = 30 * time.Second
	}
	if o.MaxResponse <= 0 {
		o.MaxResponse = 16 << 20
	}
	if o.UpstreamTimeout <= 0 {
		o.UpstreamTimeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	b := &Broker{
		o:        o,
		sk:       sk,
		services: make(map[string]*Service, len(o.Services)),
		replay:   NewReplayGuard(o.Window + o.Skew),
		logger:   o.Logger.With("component", "exchange"),
		m:        o.Metrics,
	}
	for _, s := range o.Services {
		if s.Country != o.Self.Country {
			return nil, fmt.Errorf("exchange: service %s is not of this gateway's country %s", s.ID, o.Self.Country)
		}
		if _, dup := b.services[s.ID]; dup {
			return nil, fmt.Errorf("exchange: service %s configured twice", s.ID)
		}
		b.services[s.ID] = s
	}
	b.private = guardedClient(o.TLS, true, o.UpstreamTimeout)
	b.public = guardedClient(o.TLS, false, o.UpstreamTimeout)
	b.peers = guardedClient(o.TLS, o.PeersAllowPrivate, o.UpstreamTimeout)
	return b, nil
}

// guardedClient returns a client that connects only to addresses the
// guard allows (checked at dial time, after name resolution). No client
// of the broker's follows a redirect or takes a proxy from the
// environment (package upstream).
func guardedClient(tlsConfig *tls.Config, allowPrivate bool, timeout time.Duration) *upstream.Client {
	return upstream.New(upstream.Config{
		Dialer:  &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: netguard.Control(allowPrivate)},
		TLS:     tlsConfig,
		Timeout: timeout,
		// A connection per caller at once, up to this many, is kept.
		MaxIdlePerHost: 256,
	})
}

// CloseIdle closes the connections the broker keeps to services and
// peers between calls; for a gateway shutting down.
func (b *Broker) CloseIdle() {
	for _, c := range []*upstream.Client{b.private, b.public, b.peers} {
		c.CloseIdle()
	}
}

// LoadRecent remembers the request ids the audit log holds from within the
// replay window, so that a restart does not open a window for replays.
func (b *Broker) LoadRecent(ctx context.Context) (int, error) {
	n := 0
	err := b.o.Log.Since(ctx, b.o.Now().Add(-b.o.Window-b.o.Skew), func(_ int64, e audit.Entry) error {
		if e.RequestID != "" {
			b.replay.Remember(e.RequestID, e.Time)
			n++
		}
		return nil
	})
	return n, err
}

// exchange is one request as it goes through the checks.
type exchange struct {
	req     *Request
	body    []byte
	signer  trust.Party
	authed  bool // the signature verified: failures are audited
	role    string
	service string
	subject policies.Subject
	rep     policies.Subject
	clock   stageClock
}

// ServeHTTP runs the checks in order, each failure answered with
// problem+json of a stable type and logged.
func (b *Broker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &exchange{role: "refused"}
	x.clock.mark = start
	err := b.serve(w, r, x)
	outcome := "ok"
	if err != nil {
		p := ProblemOf(err)
		outcome = p.name()
		b.fail(w, r, x, err, p)
	} else {
		b.m.observe(x.role, &x.clock)
	}
	b.m.requests.WithLabelValues(x.role, outcome).Inc()
	b.m.latency.WithLabelValues(x.role).Observe(time.Since(start).Seconds())
}

func (b *Broker) serve(w http.ResponseWriter, r *http.Request, x *exchange) error {
	ctx := r.Context()
	req, body, sig, err := ReadRequest(r, b.o.Limits)
	if err != nil {
		return err
	}
	x.req, x.body = req, body
	x.service = req.Country + "/" + req.Organisation + "/" + req.Service
	if sig == "" {
		return fmt.Errorf("%w: no %s header; sign the request (see gateway exchange send)", ErrMissingSignature, HeaderSignature)
	}
	now := b.o.Now()
	signed, err := Verify(ctx, req, sig, b.keyAt(now))
	if err != nil {
		return err
	}
	signer, ok := b.o.Trust.Party(signed.Signer)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownRequester, signed.Signer)
	}
	x.signer, x.authed = signer, true
	if req.Audience != b.o.Self.ID {
		return fmt.Errorf("%w: addressed to %q; this gateway is %s", ErrWrongAudience, req.Audience, b.o.Self.ID)
	}
	if err := CheckTime(req.Time, now, b.o.Window, b.o.Skew); err != nil {
		return err
	}
	if err := b.replay.Check(req.ID, req.Time, now); err != nil {
		return err
	}
	reqCountry, _, err := trust.ParseID(req.Requester)
	if err != nil {
		return fmt.Errorf("%w: requester: %v", ErrMalformed, err)
	}
	if x.subject, err = b.person(req.Subject, now); err != nil {
		return fmt.Errorf("%w: subject: %v", ErrMalformed, err)
	}
	if x.rep, err = b.person(req.Representative, now); err != nil {
		return fmt.Errorf("%w: representative: %v", ErrMalformed, err)
	}
	switch {
	case signer.ID == req.Requester && signer.Kind == trust.Authority:
		// An authority asking for itself.
	case signer.Kind == trust.Gateway && signer.ID != b.o.Self.ID:
		// A peer gateway vouches for its own country's authorities, for
		// services of this gateway's country, and relays nothing further.
		if reqCountry != signer.Country {
			return fmt.Errorf("%w: the gateway of %s cannot speak for %s", ErrWrongCountry, signer.Country, req.Requester)
		}
		if req.Country != b.o.Self.Country {
			return fmt.Errorf("%w: a peer gateway's request must be for a service of %s, not %s", ErrWrongCountry, b.o.Self.Country, req.Country)
		}
	default:
		return fmt.Errorf("%w: %s (%s) signed for %s", ErrUnknownRequester, signer.ID, signer.Kind, req.Requester)
	}
	if req.Country == b.o.Self.Country {
		x.role = "provider"
		return b.provide(ctx, w, r, x, reqCountry, now)
	}
	if reqCountry != b.o.Self.Country {
		return fmt.Errorf("%w: this gateway forwards for authorities of %s, not %s", ErrWrongCountry, b.o.Self.Country, req.Requester)
	}
	x.role = "consumer"
	return b.forward(ctx, w, r, x, now)
}

// keyAt returns the key function of Verify: the trust registry's keys,
// valid at now, with its errors mapped to the exchange's.
func (b *Broker) keyAt(now time.Time) KeyFunc {
	return func(ctx context.Context, signer, kid string) (jwk.Key, error) {
		k, err := b.o.Trust.Key(ctx, signer, kid, now)
		switch {
		case err == nil:
			return k, nil
		case errors.Is(err, trust.ErrUnknownParty):
			return nil, as(ErrUnknownRequester, err)
		case errors.Is(err, trust.ErrKeyRevoked):
			return nil, as(ErrKeyRevoked, err)
		case errors.Is(err, trust.ErrKeyExpired):
			return nil, as(ErrKeyExpired, err)
		case errors.Is(err, trust.ErrKeyNotYetValid):
			return nil, as(ErrKeyNotYetValid, err)
		case errors.Is(err, trust.ErrKeyType):
			return nil, as(ErrAlgorithm, err)
		default:
			return nil, as(ErrUnknownKey, err)
		}
	}
}

// mapped is an error of another package given the exchange's meaning: it
// reads as the error and is also the exchange's sentinel.
type mapped struct{ sentinel, err error }

func (m *mapped) Error() string   { return m.err.Error() }
func (m *mapped) Unwrap() []error { return []error{m.sentinel, m.err} }

// as gives err the meaning of sentinel.
func as(sentinel, err error) error { return &mapped{sentinel: sentinel, err: err} }

// person hashes a subject or representative as the request gives them
// ("NO01017012345"); "" is no one.
func (b *Broker) person(v string, now time.Time) (policies.Subject, error) {
	if v == "" {
		return "", nil
	}
	if len(v) < 3 {
		return "", fmt.Errorf("%q is not a country code and a national identity number", v)
	}
	id, err := policies.ParseNationalID(v[:2], v[2:], now)
	if err != nil {
		return "", err
	}
	return id.Subject(b.o.SubjectKey)
}

// provide serves a request for a service of this gateway: decide, forward
// when permitted, receipt and log.
func (b *Broker) provide(ctx context.Context, w http.ResponseWriter, r *http.Request, x *exchange, reqCountry string, now time.Time) error {
	req := x.req
	svc, ok := b.services[x.service]
	if !ok {
		return fmt.Errorf("%w: %s is not a service of this gateway", ErrUnknownService, x.service)
	}
	if err := svc.allows(req.Method, req.Path); err != nil {
		return err
	}
	_, org, _ := strings.Cut(req.Requester, "/")
	preq := &policies.Request{
		Action: "use", Target: svc.Record, Purpose: req.Purpose, LegalBasis: req.LegalBasis,
		RecipientOrg: org, RecipientClasses: b.classes(req.Requester), RecipientCountry: reqCountry,
		Time: now, Subject: x.subject, Representative: x.rep, LifeEvent: req.LifeEvent,
		ExplicitRequest: req.ExplicitRequest,
	}
	x.clock.done(stageChecks)
	dec, err := b.o.Decider.Decide(ctx, svc, preq)
	if err != nil {
		return err
	}
	x.clock.done(stageDecide)
	b.m.decisions.WithLabelValues(string(dec.Effect), decisionReason(dec)).Inc()
	var status int
	var header http.Header
	var body []byte
	if dec.Permitted() {
		status, header, body, err = b.call(ctx, svc, r, req, x.body)
		if err != nil {
			b.m.upstreamErrors.WithLabelValues(ProblemOf(err).name()).Inc()
			b.logger.Warn("service failed", "request_id", req.ID, "service", svc.ID, "err", err)
			status, header, body = b.problemBody(r, err)
		}
		x.clock.done(stageUpstream)
	} else {
		status, header, body = b.problemBody(r, fmt.Errorf("%w: %s", ErrDenied, dec.Reason))
		x.clock.skip()
	}
	rc := Receipt{
		Issuer: b.o.Self.ID, RequestID: req.ID, RequestHash: req.HashText(),
		Requester: req.Requester, Service: svc.ID, ResponseDigest: ContentDigest(body),
		Status: status, Decision: string(dec.Effect), Rule: ruleOf(dec), PolicyHash: dec.Policy.Hash,
		Time: now.Unix(),
	}
	entry := b.entry(x, now, string(dec.Effect), rc.Rule, status)
	entry.ReceiptHash = tlog.Hash(rc.Binding())
	// The decision is logged even when the requester has hung up: the
	// service may have been asked already.
	index, cp, err := b.o.Log.AppendSealed(context.WithoutCancel(ctx), entry)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrAudit, err)
	}
	x.clock.done(stageAudit)
	rc.LogIndex, rc.Checkpoint = index, string(cp)
	signed, err := b.sk.SignReceipt(&rc)
	if err != nil {
		return fmt.Errorf("sign receipt: %w", err)
	}
	x.clock.done(stageReceipt)
	b.logger.Info("exchange", "role", x.role, "request_id", req.ID, "requester", req.Requester, "signer", x.signer.ID,
		"service", svc.ID, "purpose", req.Purpose, "effect", dec.Effect, "rule", rc.Rule, "status", status, "log_index", index)
	h := w.Header()
	for k, vs := range header {
		h[k] = vs
	}
	h.Set(HeaderReceipt, signed)
	b.answerHeaders(h, req, body)
	w.WriteHeader(status)
	w.Write(body)
	return nil
}

// classes returns the recipient classes of requester.
func (b *Broker) classes(requester string) []string {
	return append([]string{"public-authority"}, b.o.Classes[requester]...)
}

// answerHeaders sets what every answer carries: the digest of its body,
// the request's id and hash.
func (b *Broker) answerHeaders(h http.Header, req *Request, body []byte) {
	h.Set(HeaderContentDigest, ContentDigest(body))
	h.Set(HeaderRequestID, req.ID)
	h.Set(HeaderXRoadID, req.ID)
	h.Set(HeaderXRoadRequestHash, req.XRoadRequestHash())
	h.Set("X-Content-Type-Options", "nosniff")
}

// Headers passed to a service from the requester, and back.
var (
	requestHeaders  = []string{"Accept", "Accept-Language", "Content-Type"}
	responseHeaders = []string{"Content-Type", "Content-Language", "Cache-Control", "Last-Modified", "Etag"}
	peerHeaders     = append([]string{HeaderReceipt}, responseHeaders...)
)

// call forwards the request to the service's endpoint and reads its
// answer, bounded.
func (b *Broker) call(ctx context.Context, svc *Service, in *http.Request, req *Request, body []byte) (int, http.Header, []byte, error) {
	up, err := http.NewRequestWithContext(ctx, req.Method, svc.upstreamURL(req.Path, req.RawQuery), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%w: %v", ErrUpstream, err)
	}
	for _, k := range requestHeaders {
		if v := in.Header.Get(k); v != "" {
			up.Header.Set(k, v)
		}
	}
	// The service learns what the gateway checked: who asks, why, about
	// whom, under which request id. The signature stays with the gateway.
	fwd := *req
	fwd.SetHeaders(up.Header)
	up.Header.Del(HeaderSignature)
	up.Header.Del(HeaderAudience)
	client := b.public
	if svc.AllowPrivate {
		client = b.private
	}
	return b.roundTrip(client, up, svc.ID, responseHeaders)
}

// roundTrip sends up and reads the answer, bounded; a redirect, a refused
// address or an answer over the bound is an error.
func (b *Broker) roundTrip(client *upstream.Client, up *http.Request, to string, keep []string) (int, http.Header, []byte, error) {
	resp, data, err := client.Do(up, b.o.MaxResponse)
	switch {
	case errors.Is(err, netguard.ErrForbiddenAddress):
		return 0, nil, nil, fmt.Errorf("%w: %s: %v", ErrUpstreamAddress, to, err)
	case errors.Is(err, upstream.ErrTooLarge):
		return 0, nil, nil, fmt.Errorf("%w: %s answered more than %d bytes", ErrUpstream, to, b.o.MaxResponse)
	case err != nil:
		return 0, nil, nil, fmt.Errorf("%w: %s: %v", ErrUpstream, to, err)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return 0, nil, nil, fmt.Errorf("%w: %s answered %d to %s; redirects are not followed", ErrUpstreamRedirect, to, resp.StatusCode, resp.Header.Get("Location"))
	}
	h := make(http.Header)
	for _, k := range keep {
		if v := resp.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	return resp.StatusCode, h, data, nil
}

// forward sends a request for another country's service to that
// country's gateway, signed as this gateway; checks the receipt it
// answers with, logs, countersigns and answers.
func (b *Broker) forward(ctx context.Context, w http.ResponseWriter, r *http.Request, x *exchange, now time.Time) error {
	req := x.req
	// The outbound policy decides before anything of the request leaves,
	// before even which peers this gateway knows is told.
	x.clock.done(stageChecks)
	var outboundRule string
	if b.o.Outbound != nil {
		var err error
		if outboundRule, err = b.outbound(ctx, x, now); err != nil {
			return err
		}
		x.clock.done(stageDecide)
	}
	peer, ok := b.o.Trust.Gateway(req.Country)
	if !ok {
		return fmt.Errorf("%w: no gateway of %s is registered here", ErrUnknownService, req.Country)
	}
	fwd := *req
	fwd.Audience = peer.ID
	out, err := NewRequest(ctx, peer.BaseURL, &fwd, x.body)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUpstream, err)
	}
	sig, err := b.sk.SignRequest(&fwd, b.o.Self.ID)
	if err != nil {
		return fmt.Errorf("sign forwarded request: %w", err)
	}
	out.Header.Set(HeaderSignature, sig)
	for _, k := range requestHeaders {
		if v := r.Header.Get(k); v != "" {
			out.Header.Set(k, v)
		}
	}
	x.clock.skip() // signing the forwarded request is the gateway's own work, not the peer's
	status, header, body, err := b.roundTrip(b.peers, out, peer.ID, peerHeaders)
	if err != nil {
		b.m.upstreamErrors.WithLabelValues(ProblemOf(err).name()).Inc()
		return err
	}
	x.clock.done(stageUpstream)
	decision, rule := "deny", ""
	var receiptHash tlog.Hash
	receipt := header.Get(HeaderReceipt)
	header.Del(HeaderReceipt)
	if receipt != "" {
		rc, err := b.checkReceipt(ctx, receipt, peer, &fwd, status, body)
		if err != nil {
			b.m.upstreamErrors.WithLabelValues("receipt").Inc()
			return err
		}
		decision, rule = rc.Decision, rc.Rule
		receiptHash = sha256.Sum256([]byte(receipt))
		x.clock.done(stageReceipt)
	} else {
		// The peer refused before deciding (a signature, a time, an
		// unknown service): its problem is passed on and logged. A
		// success without a receipt is no refusal, and nothing a provider
		// vouched for: it is not passed on.
		if status < 400 {
			b.m.upstreamErrors.WithLabelValues("receipt").Inc()
			return fmt.Errorf("%w: %s answered %d without a receipt", ErrUpstream, peer.ID, status)
		}
		rule = "peer refused: " + problemType(header, body)
	}
	entry := b.entry(x, now, decision, rule, status)
	entry.ReceiptHash = receiptHash
	x.clock.skip()
	index, cp, err := b.o.Log.AppendSealed(context.WithoutCancel(ctx), entry)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrAudit, err)
	}
	x.clock.done(stageAudit)
	h := w.Header()
	for k, vs := range header {
		h[k] = vs
	}
	if receipt != "" {
		cs, err := b.sk.Countersign(&Countersignature{
			Issuer: b.o.Self.ID, ReceiptHash: base64.RawURLEncoding.EncodeToString(receiptHash[:]),
			RequestID: req.ID, Time: now.Unix(), LogIndex: index, Checkpoint: string(cp),
		})
		if err != nil {
			return fmt.Errorf("countersign receipt: %w", err)
		}
		x.clock.done(stageReceipt)
		h.Set(HeaderReceipt, receipt)
		h.Set(HeaderCountersignature, cs)
	}
	attrs := []any{"role", x.role, "request_id", req.ID, "requester", req.Requester, "peer", peer.ID,
		"service", x.service, "purpose", req.Purpose, "effect", decision, "rule", rule, "status", status, "log_index", index}
	if outboundRule != "" {
		attrs = append(attrs, "outbound_rule", outboundRule)
	}
	b.logger.Info("exchange", attrs...)
	b.answerHeaders(h, req, body)
	w.WriteHeader(status)
	w.Write(body)
	return nil
}

// checkReceipt verifies a peer's receipt and that it is about this
// request and this answer.
func (b *Broker) checkReceipt(ctx context.Context, receipt string, peer trust.Party, fwd *Request, status int, body []byte) (*Receipt, error) {
	now := b.o.Now()
	rc, err := ReadReceipt(ctx, receipt, func(ctx context.Context, iss, kid string) (jwk.Key, error) {
		if iss != peer.ID {
			return nil, fmt.Errorf("receipt issued by %s, not by %s", iss, peer.ID)
		}
		return b.keyAt(now)(ctx, iss, kid)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: the receipt of %s: %v", ErrUpstream, peer.ID, err)
	}
	var problems []string
	if rc.RequestID != fwd.ID {
		problems = append(problems, "another request id")
	}
	if rc.RequestHash != fwd.HashText() {
		problems = append(problems, "another request's hash")
	}
	if rc.Status != status {
		problems = append(problems, fmt.Sprintf("status %d, answered %d", rc.Status, status))
	}
	if CheckContentDigest(rc.ResponseDigest, body) != nil {
		problems = append(problems, "another answer's digest")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: the receipt of %s does not match: %s", ErrUpstream, peer.ID, strings.Join(problems, "; "))
	}
	return rc, nil
}

// entry is the audit entry of x.
func (b *Broker) entry(x *exchange, now time.Time, decision, rule string, status int) audit.Entry {
	return audit.Entry{
		Time: now, RequestID: x.req.ID, Requester: x.req.Requester, Service: x.service,
		Purpose: x.req.Purpose, LegalBasis: x.req.LegalBasis, Decision: decision, Rule: rule,
		Subject: x.subject, Representative: x.rep, Status: status,
	}
}

// fail answers err as problem+json. A request whose signature verified is
// attributable: its refusal is appended to the audit log too, by the rule
// that refused it when a rule did (the outbound policy's; sealed then),
// else by the problem's type. One whose signature did not is only logged
// (anyone can send those).
func (b *Broker) fail(w http.ResponseWriter, r *http.Request, x *exchange, err error, p Problem) {
	rule, decided := p.Type, false
	if rf, ok := errors.AsType[*refusal](err); ok {
		rule, decided = rf.rule, true
	}
	attrs := []any{"role", x.role, "problem", p.Type, "status", p.Status, "rule", rule, "err", err, "remote", r.RemoteAddr}
	if x.req != nil {
		attrs = append(attrs, "request_id", x.req.ID, "requester", x.req.Requester, "service", x.service)
	}
	if x.authed && !errors.Is(err, ErrAudit) {
		e := b.entry(x, b.o.Now(), "deny", rule, p.Status)
		// A refusal a rule decided is a decision like the provider's, and
		// sealed like one: the log's latest checkpoint holds it at once.
		ctx := context.WithoutCancel(r.Context())
		var index int64
		var aerr error
		if decided {
			index, _, aerr = b.o.Log.AppendSealed(ctx, e)
		} else {
			index, aerr = b.o.Log.Append(ctx, e)
		}
		if aerr != nil {
			b.logger.Error("exchange refusal not logged", append(attrs, "audit_err", aerr)...)
			p = ProblemOf(ErrAudit)
			err = fmt.Errorf("%w: %v", ErrAudit, aerr)
		} else {
			attrs = append(attrs, "log_index", index)
		}
	}
	b.logger.Warn("exchange refused", attrs...)
	status, header, body := b.problemBody(r, err)
	for k, vs := range header {
		w.Header()[k] = vs
	}
	if x.req != nil {
		b.answerHeaders(w.Header(), x.req, body)
	}
	w.WriteHeader(status)
	w.Write(body)
}

// problemBody is the problem+json answer of err.
func (b *Broker) problemBody(r *http.Request, err error) (int, http.Header, []byte) {
	p := ProblemOf(err)
	body, _ := json.Marshal(struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Status   int    `json:"status"`
		Detail   string `json:"detail"`
		Instance string `json:"instance,omitempty"`
	}{p.Type, p.Title, p.Status, err.Error(), r.URL.EscapedPath()})
	body = append(body, '\n')
	h := http.Header{}
	h.Set("Content-Type", "application/problem+json")
	return p.Status, h, body
}

// problemType reads the type of a peer's problem+json answer.
func problemType(h http.Header, body []byte) string {
	if !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
		return "status without a problem"
	}
	var p struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(body, &p) != nil || p.Type == "" || len(p.Type) > 200 {
		return "unreadable problem"
	}
	return p.Type
}

// ruleOf names the rule of a decision for the log and the receipt:
// "policy-uid permission[0]", with the failing constraint on a deny.
func ruleOf(d policies.Decision) string {
	if d.Policy.UID == "" {
		return "no policy permits"
	}
	s := d.Policy.UID + " " + d.Rule.Kind + "[" + strconv.Itoa(d.Rule.Index) + "]"
	if d.Rule.Constraint != "" {
		s += " " + d.Rule.Constraint
	}
	return s
}

// decisionReason is a bounded label for the decisions metric.
func decisionReason(d policies.Decision) string {
	switch {
	case d.Permitted():
		return "permission"
	case d.Policy.UID == "":
		return "no-policy"
	case d.Rule.Kind == "prohibition":
		return "prohibition"
	default:
		return "constraint"
	}
}
