package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"samband/exchange/trust"
	"samband/internal/procstat"
	"samband/policies"
	"samband/policies/sqlite"
)

const (
	brokerBenchRecord   = "https://register.example.no/service/death-records"
	brokerBenchPurpose  = "urn:samband:purpose:inheritance-settlement"
	brokerBenchBasis    = "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj"
	brokerBenchEvent    = "death-and-inheritance"
	brokerBenchDeceased = "31124590062"
	brokerBenchHeir     = "170852-234C"
)

// setDecider decides by one policy set with the registry's facts, as the
// gateway's decider does once it holds a service's policies.
type setDecider struct {
	set   *policies.Set
	facts policies.Facts
}

func (d setDecider) Decide(ctx context.Context, _ *Service, req *policies.Request) (policies.Decision, error) {
	req.Target = brokerBenchRecord
	return d.set.Decide(ctx, req, d.facts), nil
}

// newBenchBroker returns Norway's gateway as the provider side of the
// death-and-inheritance case, over real parts: a provider on loopback
// answering a death record, the trust registry holding the Finnish
// authority's key, the estate policy, the consent and mandate registry in
// SQLite with the heir's mandate, and the audit log (durable in its journal)
// with checkpoints every second. It returns the broker and the
// authority's signing key.
func newBenchBroker(b *testing.B) (*Broker, jwk.Key) {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	record, _ := json.Marshal(map[string]string{
		"national_id": brokerBenchDeceased, "name": "Ola Nordmann (synthetic)", "date_of_death": "2026-10-30",
		"place_of_death": "Tromsø", "municipality": "5501", "estate": "open; heirs per the certificate",
		"registered": "2026-10-31T08:12:00Z", "source": "Folkeregisteret (benchmark)",
	})
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(record)
	}))
	b.Cleanup(provider.Close)

	authority := edKey(b, "bench authority", "fi-1")
	set := jwk.NewSet()
	if err := set.AddKey(publicOf(b, authority)); err != nil {
		b.Fatal(err)
	}
	js, err := json.Marshal(set)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := trust.Open(ctx, trust.Config{Parties: []trust.PartyConfig{{
		ID: testRequester, Kind: trust.Authority, Scheme: "FI:YTUNNUS", JWKS: string(js),
	}}}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })

	key, err := policies.NewSubjectKey()
	if err != nil {
		b.Fatal(err)
	}
	reg, err := sqlite.Open(ctx, filepath.Join(dir, "registry.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { reg.Close() })
	subject := func(country, number string) policies.Subject {
		id, err := policies.ParseNationalID(country, number, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		s, err := id.Subject(key)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	if _, err := reg.GrantMandate(ctx, policies.Mandate{
		Grantor: subject("NO", brokerBenchDeceased), GrantorDeceased: true, Representative: subject("FI", brokerBenchHeir),
		Targets: []string{brokerBenchRecord}, Purposes: []string{brokerBenchPurpose}, LifeEvents: []string{brokerBenchEvent},
		Basis: policies.BasisHeirCertificate, Evidence: "skifteattest (benchmark)", Issuer: "NO",
	}, policies.Note{Via: "benchmark"}); err != nil {
		b.Fatal(err)
	}
	policy, err := os.ReadFile("testdata/estate.ttl")
	if err != nil {
		b.Fatal(err)
	}
	ps, err := policies.Load(bytes.NewReader(policy), "testdata/estate.ttl", policies.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	lib, err := policies.NewLibrary(nil, ps)
	if err != nil {
		b.Fatal(err)
	}

	log := OpenTestLog(b, filepath.Join(dir, "audit.db"), "samband.bench.no")
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		log.Run(runCtx, time.Second)
	}()
	b.Cleanup(func() { // before the log closes
		stop()
		<-done
	})

	svc, err := NewService(ServiceConfig{
		Country: "NO", Organisation: "974760673", Name: "death-records", Record: brokerBenchRecord,
		Endpoint: provider.URL + "/api", Paths: []string{"/v1/deaths/*"}, AllowPrivate: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	broker, err := NewBroker(Options{
		Self:       trust.Party{ID: testAudience, Country: "NO", Kind: trust.Gateway},
		Key:        edKey(b, "bench gateway", "no-1"),
		Trust:      tr,
		Services:   []*Service{svc},
		Decider:    setDecider{set: lib.For(brokerBenchRecord, "https://register.example.no/policy/estate"), facts: reg},
		SubjectKey: key,
		Log:        log,
	})
	if err != nil {
		b.Fatal(err)
	}
	return broker, authority
}

// signedRequests returns n server-side requests of the case, each with a
// fresh id, signed by the authority.
func signedRequests(b *testing.B, n int, authority jwk.Key) []*http.Request {
	b.Helper()
	out := make([]*http.Request, n)
	for i := range out {
		r := &Request{
			Method: http.MethodGet, Country: "NO", Organisation: "974760673", Service: "death-records",
			Path: "/v1/deaths/NO" + brokerBenchDeceased, Audience: testAudience, ID: uuid.NewString(),
			Requester: testRequester, Purpose: brokerBenchPurpose, LegalBasis: brokerBenchBasis,
			Subject: "NO" + brokerBenchDeceased, Representative: "FI" + brokerBenchHeir, LifeEvent: brokerBenchEvent,
			Time: time.Now().UTC().Truncate(time.Second),
		}
		if _, err := NewRequest(context.Background(), "http://gateway.example.no", r, nil); err != nil {
			b.Fatal(err)
		}
		sig, err := Sign(r, testRequester, authority)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = testHTTPRequest(b, r, nil, sig)
	}
	return out
}

// BenchmarkBrokerServe measures the provider side of an exchange through
// Broker.ServeHTTP, requests signed beforehand: read, verify the
// signature, check the audience, time and replay, decide by the estate
// policy with the mandate looked up in SQLite, forward to the provider on
// loopback, sign the receipt and append the decision to the audit log
// durably. Serial waits for a commit (an fsync) per exchange; parallel
// has 16 exchanges per CPU at once, whose appends share commits.
func BenchmarkBrokerServe(b *testing.B) {
	serve := func(broker *Broker, r *http.Request) error {
		w := httptest.NewRecorder()
		broker.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Header().Get(HeaderReceipt) == "" {
			return fmt.Errorf("ServeHTTP = %d, receipt %q: %s", w.Code, w.Header().Get(HeaderReceipt), w.Body)
		}
		return nil
	}
	b.Run("serial", func(b *testing.B) {
		broker, authority := newBenchBroker(b)
		reqs := signedRequests(b, b.N, authority)
		b.ReportAllocs()
		cpu := procstat.CPU()
		b.ResetTimer()
		for i := range b.N {
			if err := serve(broker, reqs[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		reportCPU(b, cpu)
	})
	b.Run("parallel", func(b *testing.B) {
		broker, authority := newBenchBroker(b)
		reqs := signedRequests(b, b.N, authority)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(16)
		cpu := procstat.CPU()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := serve(broker, reqs[next.Add(1)-1]); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		reportCPU(b, cpu)
	})
}

// reportCPU reports exchanges a second and the CPU time of the process
// per exchange since since: on a machine shared with other work, the CPU
// time moves less than the wall time.
func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
	b.ReportMetric(float64(procstat.CPU()-since)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
}
