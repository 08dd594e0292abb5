package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"samband/exchange"
)

const exchangeUsage = `exchange <subcommand> [flags]

Subcommands:
  send [flags] COUNTRY/ORGANISATION/SERVICE[/PATH][?QUERY]
        sign a request as an authority, send it to a gateway, print the answer's
        body to stdout and the receipt (checked) to stderr
  demo [--keep]
        run the death-and-inheritance case on two gateways (Finland, Norway) and a
        sample population register on this machine`

func runExchange(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: gateway %s\n", exchangeUsage)
		return usagef("exchange: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: gateway %s\n", exchangeUsage)
		return nil
	case "send":
		return runExchangeSend(ctx, e, args[1:])
	case "demo":
		return runExchangeDemo(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "Usage: gateway %s\n", exchangeUsage)
	return usagef("exchange: unknown subcommand %q", args[0])
}

func runExchangeSend(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "exchange send", "exchange send [flags] COUNTRY/ORGANISATION/SERVICE[/PATH][?QUERY]\n\n"+
		"Signs a request as the authority --as with its private key and sends it to\n"+
		"--gateway (its own country's gateway, addressed as --audience). The answer's\n"+
		"body goes to stdout; its status, the receipt of the provider's gateway and\n"+
		"the countersignature of the authority's own gateway go to stderr, each checked\n"+
		"against the keys the gateway publishes (GET /api/v1/exchange/keys). Exits 1\n"+
		"when the answer is an error or a signature does not verify.\n\n"+
		"Example:\n"+
		"  gateway exchange send --gateway http://127.0.0.1:8081 --audience FI/0245437-2 \\\n"+
		"    --as FI/0245437-9 --key kela.jwk --purpose inheritance-settlement \\\n"+
		"    --legal-basis http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj \\\n"+
		"    --subject NO01017012345 --representative FI131052-308T --life-event death-and-inheritance \\\n"+
		"    NO/974760673/death-records/v1/deaths/NO01017012345")
	gateway := fs.String("gateway", "", "the gateway's base URL")
	audience := fs.String("audience", "", "the gateway's party ID (COUNTRY/ORGANISATION)")
	as := fs.String("as", "", "the requesting authority's party ID")
	keyFile := fs.String("key", "", "the authority's private key (gateway keys generate)")
	purpose := fs.String("purpose", "", "the purpose of the request (IRI or code)")
	legalBasis := fs.String("legal-basis", "", "the legal basis (IRI)")
	subject := fs.String("subject", "", "the data subject: country and national identity number, NO01017012345")
	representative := fs.String("representative", "", "who acts for the subject, in the same form")
	mandate := fs.String("mandate", "", "the id of the representative's mandate")
	lifeEvent := fs.String("life-event", "", "the life event the request is part of (death-and-inheritance, ...)")
	explicit := fs.Bool("explicit-request", false, "the data subject explicitly asked for this exchange")
	issue := fs.String("issue", "", "the case the request belongs to")
	method := fs.String("method", http.MethodGet, "HTTP method")
	data := fs.String("data", "", "a file whose content is the request body; - reads stdin")
	contentType := fs.String("content-type", "application/json", "the body's media type, with --data")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the answer")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *gateway == "" || *audience == "" || *as == "" || *keyFile == "" {
		return usagef("exchange send: give --gateway, --audience, --as, --key and one target")
	}
	key, err := readPrivateKey(*keyFile)
	if err != nil {
		return fmt.Errorf("exchange send: %w", err)
	}
	req, err := sendTarget(fs.Arg(0))
	if err != nil {
		return usagef("exchange send: %v", err)
	}
	req.Method = strings.ToUpper(*method)
	req.Audience, req.ID, req.Requester = *audience, uuid.NewString(), *as
	req.Purpose, req.LegalBasis = *purpose, *legalBasis
	req.Subject, req.Representative, req.Mandate = *subject, *representative, *mandate
	req.LifeEvent, req.ExplicitRequest, req.Issue = *lifeEvent, *explicit, *issue
	req.Time = time.Now().UTC().Truncate(time.Second)
	var body []byte
	switch *data {
	case "":
	case "-":
		if body, err = io.ReadAll(e.stdin); err != nil {
			return fmt.Errorf("exchange send: %w", err)
		}
	default:
		if body, err = os.ReadFile(*data); err != nil {
			return fmt.Errorf("exchange send: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	hr, err := exchange.NewRequest(ctx, strings.TrimSuffix(*gateway, "/"), req, body)
	if err != nil {
		return fmt.Errorf("exchange send: %w", err)
	}
	sig, err := exchange.Sign(req, *as, key)
	if err != nil {
		return fmt.Errorf("exchange send: %w", err)
	}
	hr.Header.Set(exchange.HeaderSignature, sig)
	if len(body) > 0 {
		hr.Header.Set("Content-Type", *contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(hr)
	if err != nil {
		return fmt.Errorf("exchange send: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("exchange send: %w", err)
	}
	e.stdout.Write(answer)
	fmt.Fprintf(e.stderr, "request %s: %s\n", req.ID, resp.Status)
	keys := gatewayKeys(client, *gateway, *audience)
	failed := resp.StatusCode >= 400
	if rc := resp.Header.Get(exchange.HeaderReceipt); rc != "" {
		r, err := exchange.ReadReceipt(ctx, rc, keys)
		if err != nil {
			fmt.Fprintf(e.stderr, "receipt: DOES NOT VERIFY: %v\n", err)
			failed = true
		} else {
			fmt.Fprintf(e.stderr, "receipt of %s: %s by %q, status %d, audit log index %d\n", r.Issuer, r.Decision, r.Rule, r.Status, r.LogIndex)
			if exchange.CheckContentDigest(r.ResponseDigest, answer) != nil {
				fmt.Fprintf(e.stderr, "receipt: its digest is not of the answer received\n")
				failed = true
			}
		}
		if cs := resp.Header.Get(exchange.HeaderCountersignature); cs != "" {
			c, err := exchange.ReadCountersignature(ctx, cs, rc, keys)
			if err != nil {
				fmt.Fprintf(e.stderr, "countersignature: DOES NOT VERIFY: %v\n", err)
				failed = true
			} else {
				fmt.Fprintf(e.stderr, "countersigned by %s, audit log index %d\n", c.Issuer, c.LogIndex)
			}
		}
	} else {
		fmt.Fprintf(e.stderr, "no receipt: the request was refused before a decision\n")
	}
	if failed {
		return &silentError{err: errors.New("exchange send: " + resp.Status)}
	}
	return nil
}

// sendTarget reads COUNTRY/ORGANISATION/SERVICE[/PATH][?QUERY].
func sendTarget(arg string) (*exchange.Request, error) {
	p, q, _ := strings.Cut(arg, "?")
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 4)
	if len(parts) < 3 {
		return nil, fmt.Errorf("target %q: COUNTRY/ORGANISATION/SERVICE[/PATH]", arg)
	}
	r := &exchange.Request{Country: parts[0], Organisation: parts[1], Service: parts[2], Path: "/", RawQuery: q}
	if len(parts) == 4 {
		r.Path = "/" + parts[3]
	}
	if _, err := url.ParseQuery(q); err != nil {
		return nil, fmt.Errorf("target %q: %v", arg, err)
	}
	return r, nil
}

// gatewayKeys returns a key function that asks the gateway for the public
// keys of a party, its own when the party is the gateway; each party's set
// is fetched once.
func gatewayKeys(client *http.Client, gateway, self string) exchange.KeyFunc {
	sets := make(map[string]jwk.Set)
	return func(ctx context.Context, party, kid string) (jwk.Key, error) {
		set, ok := sets[party]
		if !ok {
			var err error
			if set, err = fetchKeySet(ctx, client, gateway, self, party); err != nil {
				return nil, err
			}
			sets[party] = set
		}
		k, ok := set.LookupKeyID(kid)
		if !ok {
			return nil, fmt.Errorf("%s has no key %q", party, kid)
		}
		return k, nil
	}
}

// fetchKeySet reads the gateway's key set of party.
func fetchKeySet(ctx context.Context, client *http.Client, gateway, self, party string) (jwk.Set, error) {
	u := strings.TrimSuffix(gateway, "/") + "/api/v1/exchange/keys"
	if party != self {
		u += "?party=" + url.QueryEscape(party)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the gateway has no keys of %s: %s", party, resp.Status)
	}
	return jwk.Parse(raw)
}
