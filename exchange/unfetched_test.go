package exchange

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"samband/exchange/trust"
	"samband/exchange/trust/trusttest"
	"samband/policies"
)

// denyAll is a Decider that permits nothing; the test below never gets as
// far as a decision.
type denyAll struct{}

func (denyAll) Decide(context.Context, *Service, *policies.Request) (policies.Decision, error) {
	return policies.Decision{}, nil
}

// TestRequesterKeysNotFetched: a gateway whose trust registry started
// before the requester's key server was up (first_fetch background)
// refuses the requester's signed requests as unknown-key, with a detail
// that says the key set is not fetched yet; once the server is up and the
// set fetched, the same requester's signature verifies and the request
// goes on to the next check.
func TestRequesterKeysNotFetched(t *testing.T) {
	ctx := context.Background()
	authority := edKey(t, "unfetched authority", "fi-1")
	set := jwk.NewSet()
	if err := set.AddKey(publicOf(t, authority)); err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	keys := trusttest.NewKeyServer(t, body)
	keys.Down.Store(true)

	tr, err := trust.Open(ctx, trust.Config{
		Parties: []trust.PartyConfig{{ID: testRequester, Kind: trust.Authority, Scheme: "FI:YTUNNUS",
			JWKSURL: keys.URL + "/keys/fi.json"}},
		JWKSAllow: []string{keys.URL + "/keys/"}, AllowPrivate: true,
		FirstFetch: trust.FirstFetchBackground, Retry: 20 * time.Millisecond,
	}, nil, nil)
	if err != nil {
		t.Fatalf("trust.Open with the key server down = %v", err)
	}
	defer tr.Close()
	log := OpenTestLog(t, filepath.Join(t.TempDir(), "audit.db"), "samband.test.no")
	subjectKey, err := policies.NewSubjectKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBroker(Options{
		Self:       trust.Party{ID: testAudience, Country: "NO", Kind: trust.Gateway},
		Key:        edKey(t, "unfetched gateway", "no-1"),
		Trust:      tr,
		Decider:    denyAll{},
		SubjectKey: subjectKey,
		Log:        log,
	})
	if err != nil {
		t.Fatal(err)
	}

	// send signs a fresh request of the authority and returns the type and
	// detail of the broker's problem answer.
	send := func() (typ, detail string) {
		r := &Request{
			Method: http.MethodGet, Country: "NO", Organisation: "974760673", Service: "death-records",
			Path: "/v1/deaths/NO31124590062", Audience: testAudience, ID: uuid.NewString(), Requester: testRequester,
			Purpose: "urn:samband:purpose:inheritance-settlement", LegalBasis: "http://data.europa.eu/eli/reg/2016/679/art_6/par_1/pnt_e/oj",
			Time: time.Now().UTC().Truncate(time.Second),
		}
		if _, err := NewRequest(ctx, "http://gateway.example.no", r, nil); err != nil {
			t.Fatal(err)
		}
		sig, err := Sign(r, testRequester, authority)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		b.ServeHTTP(w, testHTTPRequest(t, r, nil, sig))
		var p struct{ Type, Detail string }
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("answer %d %q: %v", w.Code, w.Body, err)
		}
		return p.Type, p.Detail
	}

	typ, detail := send()
	if typ != "urn:samband:problem:unknown-key" || !strings.Contains(detail, `key "fi-1" of `+testRequester+`: the party's key set has not been fetched yet`) {
		t.Errorf("before the first fetch: %s %q; want unknown-key saying the set is not fetched yet", typ, detail)
	}

	keys.Down.Store(false)
	deadline := time.Now().Add(30 * time.Second)
	for typ == "urn:samband:problem:unknown-key" {
		if time.Now().After(deadline) {
			t.Fatalf("still %s %q once the key server is up", typ, detail)
		}
		time.Sleep(20 * time.Millisecond)
		typ, detail = send()
	}
	// Past the signature, the broker stops at the service this test does
	// not register.
	if typ != "urn:samband:problem:unknown-service" {
		t.Errorf("once the keys are fetched: %s %q; want the signature to verify and unknown-service", typ, detail)
	}
}
