package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog/lifeevent"
	"samband/policies"
	polsqlite "samband/policies/sqlite"
)

// Synthetic national identity numbers (check digits computed for the
// tests; no one known).
const (
	noDeceased = "31124590062" // NO, born 1945
	noKari     = "15038510190" // NO, born 1985
	fiHeir     = "170852-234C" // FI, born 1952
	seSven     = "750623-1237" // SE, born 1975
)

var apiTestKey = policies.SubjectKey("api test key, never in any use!!")

// registryServer serves the API with a real registry in a temporary file,
// logging at debug level into logs.
func registryServer(t *testing.T) (base string, reg *polsqlite.Registry, logs *bytes.Buffer) {
	t.Helper()
	reg, err := polsqlite.Open(context.Background(), filepath.Join(t.TempDir(), "samband.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	logs = &bytes.Buffer{}
	s := newServer(nil, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), prometheus.NewRegistry())
	s.rules = lifeevent.Default()
	s.registry = &registryAPI{reg: reg, key: apiTestKey}
	srv := httptest.NewServer(s.routes(prometheus.NewRegistry()))
	t.Cleanup(srv.Close)
	return srv.URL, reg, logs
}

// post sends body (a string as is, anything else as JSON) and decodes the
// answer into v unless v is nil; it returns the status and the raw answer.
func post(t *testing.T, u string, body any, v any) (int, string) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Post(u, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("POST %s: %v in %s", u, err, out)
		}
	}
	return resp.StatusCode, string(out)
}

func subjectFor(t *testing.T, country, number string) policies.Subject {
	t.Helper()
	s, err := personArg{Country: country, NationalID: number}.subject(apiTestKey, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConsentAPI(t *testing.T) {
	base, reg, logs := registryServer(t)
	ctx := context.Background()
	grant := map[string]any{
		"subject":   map[string]string{"country": "NO", "national_id": "150385 10190"},
		"recipient": "0192:974760673",
		"purposes":  []string{"inheritance-settlement"},
		"targets":   []string{"https://data.norge.no/dataservices/folkeregisteret-death-record"},
		"until":     "2099-12-31",
		"reference": "urn:altinn:consent:0a7d59f8",
		"reason":    "given in the citizen portal",
	}
	var c consentView
	resp, err := http.Post(base+"/api/v1/consents", "application/json", strings.NewReader(mustJSON(t, grant)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &c) != nil {
		t.Fatalf("POST /api/v1/consents = %d %s", resp.StatusCode, raw)
	}
	kari := subjectFor(t, "NO", noKari)
	if resp.Header.Get("Location") != "/api/v1/consents/"+c.ID || c.Status != "active" || c.Subject != string(kari[:12]) ||
		c.Until.Format("2006-01-02") != "2099-12-31" || len(c.History) != 1 || c.History[0].Via != "api" ||
		c.History[0].Reason != "given in the citizen portal" {
		t.Fatalf("granted %+v (Location %q)", c, resp.Header.Get("Location"))
	}

	// Facts answers from the file.
	q := policies.ConsentQuery{Subject: kari, Recipient: "0192:974760673", Purpose: "inheritance-settlement",
		Target: "https://data.norge.no/dataservices/folkeregisteret-death-record"}
	if _, ok, err := reg.Consent(ctx, q); !ok || err != nil {
		t.Fatalf("Consent = %v, %v; want it to hold", ok, err)
	}

	// The subject's consents, by the number in the body.
	var list subjectList[consentView]
	if code, body := post(t, base+"/api/v1/consents/query", map[string]string{"country": "no", "national_id": noKari}, &list); code != 200 ||
		len(list.Items) != 1 || list.Items[0].ID != c.ID || list.Subject != c.Subject {
		t.Fatalf("query = %d %s", code, body)
	}
	var one consentView
	getJSON(t, base+"/api/v1/consents/"+c.ID, http.StatusOK, &one)
	if one.ID != c.ID || one.Reference != "urn:altinn:consent:0a7d59f8" {
		t.Fatalf("GET = %+v", one)
	}

	// Rescinded: the very next question finds nothing.
	var rescinded consentView
	if code, body := post(t, base+"/api/v1/consents/"+c.ID+"/rescind", map[string]string{"reason": "withdrawn"}, &rescinded); code != 200 {
		t.Fatalf("rescind = %d %s", code, body)
	}
	if _, ok, err := reg.Consent(ctx, q); ok || err != nil {
		t.Fatalf("Consent after rescission = %v, %v", ok, err)
	}
	if rescinded.Status != "rescinded" || rescinded.Rescinded == nil || len(rescinded.History) != 2 || rescinded.History[1].Reason != "withdrawn" {
		t.Fatalf("rescinded = %+v", rescinded)
	}
	problemIs(t, "POST", base+"/api/v1/consents/"+c.ID+"/rescind", "", 409, "already rescinded")
	problemIs(t, "POST", base+"/api/v1/consents/nosuchid/rescind", "", 404, "no such consent")
	problemIs(t, "GET", base+"/api/v1/consents/nosuchid", "", 404, "no such consent")
	post(t, base+"/api/v1/consents/query", map[string]string{"country": "NO", "national_id": noKari}, &list)
	if len(list.Items) != 1 || list.Items[0].Status != "rescinded" || len(list.Items[0].History) != 2 {
		t.Fatalf("history after rescission = %+v", list)
	}

	// Bad requests are problem+json that say what to do, and never repeat the number.
	with := func(k string, v any) string {
		g := map[string]any{}
		for k, v := range grant {
			g[k] = v
		}
		if v == nil {
			delete(g, k)
		} else {
			g[k] = v
		}
		return mustJSON(t, g)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		detail     string
	}{
		{"check digits", with("subject", map[string]string{"country": "NO", "national_id": "15038510191"}), 400, "NO: the check digits do not match"},
		{"no country", with("subject", map[string]string{"national_id": noKari}), 400, "subject.country"},
		{"no targets", with("targets", []string{}), 400, `targets: at least one is required, or "*" alone for all`},
		{"no until", with("until", nil), 400, "until: required"},
		{"bad until", with("until", "next year"), 400, "not a date"},
		{"both recipients", with("recipient_class", "municipality"), 400, "not both"},
		{"past", with("until", "2001-01-01"), 400, "until"},
		{"unknown field", with("nationalId", noKari), 400, `unknown field "nationalId"`},
		{"not JSON", `{"subject": ` + noKari, 400, "ends too early"},
		{"two objects", with("x", nil) + "{}", 400, "nothing after it"},
		{"empty", "", 400, "empty body"},
		{"wrong type", with("purposes", "inheritance-settlement"), 400, "purposes: want a []string"},
		{"too large", `{"reason": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problemIs(t, "POST", base+"/api/v1/consents", tc.body, tc.status, tc.detail)
		})
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/consents", strings.NewReader(mustJSON(t, grant)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 415 {
		t.Errorf("form-encoded body = %v, %v; want 415", resp.StatusCode, err)
	}

	// The number is in no answer and no log line.
	if strings.Contains(logs.String(), noKari) || strings.Contains(logs.String(), "150385") {
		t.Errorf("the log holds the number:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "/api/v1/consents/query") {
		t.Errorf("the requests were not logged (so the test above proves nothing):\n%s", logs)
	}
}

func TestMandateAPIEstate(t *testing.T) {
	base, reg, logs := registryServer(t)
	ctx := context.Background()
	const deathRecords = "https://data.norge.no/dataservices/folkeregisteret-death-record"
	grant := map[string]any{
		"grantor":          map[string]string{"country": "NO", "national_id": noDeceased},
		"grantor_deceased": true,
		"representative":   map[string]string{"country": "FI", "national_id": fiHeir},
		"targets":          []string{deathRecords},
		"purposes":         []string{"inheritance-settlement"},
		"life_events":      []string{"death-and-inheritance"},
		"basis":            "heir-certificate",
		"evidence":         "Oslo tingrett, skifteattest 26-123456SKI-OTIR/05",
		"issuer":           "no",
	}
	var m mandateView
	if code, body := post(t, base+"/api/v1/mandates", grant, &m); code != 201 {
		t.Fatalf("POST /api/v1/mandates = %d %s", code, body)
	}
	deceased, heir := subjectFor(t, "NO", noDeceased), subjectFor(t, "FI", fiHeir)
	if m.Grantor != string(deceased[:12]) || m.Representative != string(heir[:12]) || !m.GrantorDeceased || m.Issuer != "NO" ||
		m.Basis != "heir-certificate" || m.Status != "active" || !m.Until.IsZero() {
		t.Fatalf("granted %+v", m)
	}
	q := policies.MandateQuery{Representative: heir, Grantor: deceased, Target: deathRecords, Purpose: "inheritance-settlement",
		LifeEvent: "death-and-inheritance"}
	if g, ok, err := reg.Mandate(ctx, q); !ok || err != nil || g.Basis != "heir-certificate" {
		t.Fatalf("Mandate = %+v, %v, %v", g, ok, err)
	}
	// The heir finds it as representative, the estate as grantor.
	var list subjectList[mandateView]
	post(t, base+"/api/v1/mandates/query", map[string]string{"country": "FI", "national_id": fiHeir}, &list)
	if len(list.Items) != 1 || list.Items[0].Role != "representative" {
		t.Fatalf("heir's mandates = %+v", list)
	}
	post(t, base+"/api/v1/mandates/query", map[string]string{"country": "FI", "national_id": fiHeir, "role": "grantor"}, &list)
	if len(list.Items) != 0 {
		t.Fatalf("heir's mandates as grantor = %+v", list)
	}
	post(t, base+"/api/v1/mandates/query", map[string]string{"country": "NO", "national_id": noDeceased}, &list)
	if len(list.Items) != 1 || list.Items[0].Role != "grantor" {
		t.Fatalf("estate's mandates = %+v", list)
	}
	problemIs(t, "POST", base+"/api/v1/mandates/query", `{"country": "NO", "national_id": "`+noDeceased+`", "role": "heir"}`, 400, "role")

	// Revoked: at once.
	var revoked mandateView
	if code, body := post(t, base+"/api/v1/mandates/"+m.ID+"/revoke", "", &revoked); code != 200 || revoked.Status != "revoked" {
		t.Fatalf("revoke = %d %s", code, body)
	}
	if _, ok, err := reg.Mandate(ctx, q); ok || err != nil {
		t.Fatalf("Mandate after revocation = %v, %v", ok, err)
	}
	problemIs(t, "POST", base+"/api/v1/mandates/"+m.ID+"/revoke", "{}", 409, "already revoked")
	var got mandateView
	getJSON(t, base+"/api/v1/mandates/"+m.ID, http.StatusOK, &got)
	if got.Status != "revoked" || len(got.History) != 2 {
		t.Fatalf("GET = %+v", got)
	}

	with := func(k string, v any) string {
		g := map[string]any{}
		for k, v := range grant {
			g[k] = v
		}
		g[k] = v
		return mustJSON(t, g)
	}
	for _, tc := range []struct {
		name, body, detail string
	}{
		{"unknown life event", with("life_events", []string{"death"}), `"death" is not a life event; known: having-a-child`},
		{"heir certificate for the living", with("grantor_deceased", false), "set grantor_deceased"},
		{"unknown basis", with("basis", "friendship"), `basis: "friendship" is not one of heir-certificate`},
		{"no evidence", with("evidence", ""), "evidence: required"},
		{"representative's number", with("representative", map[string]string{"country": "FI", "national_id": "170852-234D"}), "representative: invalid national identity number: FI: the check character"},
		{"self", with("representative", map[string]string{"country": "NO", "national_id": noDeceased}), "the same person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problemIs(t, "POST", base+"/api/v1/mandates", tc.body, 400, tc.detail)
		})
	}
	for _, n := range []string{noDeceased, "311245", "170852"} {
		if strings.Contains(logs.String(), n) {
			t.Errorf("the log holds %s", n)
		}
	}
}

// Without a subject key, the routes answer 503 saying how to configure one.
func TestRegistryOff(t *testing.T) {
	s := newServer(nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	srv := httptest.NewServer(s.routes(prometheus.NewRegistry()))
	defer srv.Close()
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/v1/consents"}, {"POST", "/api/v1/consents/query"}, {"GET", "/api/v1/consents/x"},
		{"POST", "/api/v1/consents/x/rescind"}, {"POST", "/api/v1/mandates"}, {"POST", "/api/v1/mandates/query"},
		{"GET", "/api/v1/mandates/x"}, {"POST", "/api/v1/mandates/x/revoke"},
	} {
		problemIs(t, r.method, srv.URL+r.path, "{}", 503, "policies.subject_key_file")
	}
}

func problemIs(t *testing.T, method, u, body string, status int, detail string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var p problem
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal(raw, &p) != nil || p.Status != status || !strings.Contains(p.Detail, detail) {
		t.Errorf("%s %s = %d %s %s, want %d problem+json with %q", method, u, resp.StatusCode, resp.Header.Get("Content-Type"), raw, status, detail)
	}
	for _, n := range []string{noKari, noDeceased, "170852", "15038510191"} {
		if strings.Contains(string(raw), n) {
			t.Errorf("%s %s: the answer repeats a national identity number: %s", method, u, raw)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
