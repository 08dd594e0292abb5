package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samband/catalog"
	"samband/catalog/lifeevent"
	"samband/catalog/search"
	"samband/harvest"
)

// searchServer serves the API of the feed sources' store with a search
// index caught up with it.
func searchServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, _ := feedServer(t)
	idx := search.New(indexOptions(lifeevent.Default()))
	if err := search.CatchUp(context.Background(), idx, st.Changes, nil); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	api := newServer(st, slog.New(slog.DiscardHandler), reg)
	api.index = idx
	srv := httptest.NewServer(api.routes(reg))
	t.Cleanup(srv.Close)
	return srv
}

func TestSearchAPI(t *testing.T) {
	srv := searchServer(t)
	get := func(query string) searchPage {
		t.Helper()
		var p searchPage
		getJSON(t, srv.URL+"/api/v1/datasets?"+query, http.StatusOK, &p)
		return p
	}

	all := get("")
	if all.Total != 48 || len(all.Items) != 20 || all.Seq == 0 {
		t.Fatalf("everything: total %d, %d items, seq %d; want 48, 20 and a seq", all.Total, len(all.Items), all.Seq)
	}
	countries := map[string]int{}
	for _, c := range all.Facets["country"] {
		countries[c.Value] = c.Count
	}
	if countries["NO"] != 42 || countries["SE"] != 2 || countries["DK"] != 1 || countries["BE"] != 3 {
		t.Errorf("country facet = %v", all.Facets["country"])
	}

	// Stemmed Norwegian; the item is the whole record, with highlights.
	p := get("q=" + url.QueryEscape("skattefrie utbetalingene") + "&lang=nb")
	if p.Total == 0 {
		t.Fatal("q=skattefrie utbetalingene found nothing")
	}
	it := p.Items[0]
	if it.IRI == "" || it.Score <= 0 || len(it.Sources) != 1 || !strings.Contains(strings.Join(it.Highlights["title"], " "), "<mark>") {
		t.Errorf("first hit = %+v", it)
	}

	// Filters: comma-separated or repeated; facets computed on the hits.
	for _, q := range []string{"country=SE,DK", "country=SE&country=DK"} {
		p = get(q)
		if p.Total != 3 || len(p.Facets["country"]) != 2 {
			t.Errorf("%s: total %d, countries %v; want 3 in two countries", q, p.Total, p.Facets["country"])
		}
	}
	if p = get("format=CSV&facets=false"); p.Facets != nil || p.Total == 0 {
		t.Errorf("facets=false: %+v", p)
	}

	// Sort by title, ascending, paged.
	p = get("sort=title&limit=48")
	for i := 1; i < len(p.Items); i++ {
		a := strings.ToLower(p.Items[i-1].Title.Get("en", "nb", "no", "nn", "sv", "da", "fi"))
		b := strings.ToLower(p.Items[i].Title.Get("en", "nb", "no", "nn", "sv", "da", "fi"))
		if a > b {
			t.Errorf("sort=title: %q before %q", a, b)
		}
	}
	second := get("sort=title&limit=5&offset=5")
	if len(second.Items) != 5 || second.Items[0].ID != p.Items[5].ID {
		t.Errorf("sort=title offset 5 starts with %v, want %s", second.Items, p.Items[5].ID)
	}

	// The listing of the store, withdrawn records included, is still there.
	var listed struct{ Total int }
	getJSON(t, srv.URL+"/api/v1/datasets?withdrawn=true&limit=1", http.StatusOK, &listed)
	if listed.Total != 48 {
		t.Errorf("withdrawn=true: total %d, want 48", listed.Total)
	}

	for _, tc := range []struct{ query, detail string }{
		{"contry=NO", "unknown parameter contry"},
		{"sort=popularity", "unknown sort"},
		{"limit=1001", "at most 1000"},
		{"offset=20000", "at most 10000"},
		{"facets=maybe", "true or false"},
		{"withdrawn=true&q=skatt", "takes only limit and offset"},
		{"q=" + strings.Repeat("a", 1001), "at most 1000"},
	} {
		resp, err := http.Get(srv.URL + "/api/v1/datasets?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var prob problem
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(body, &prob) != nil || !strings.Contains(prob.Detail, tc.detail) {
			t.Errorf("?%.40s = %d %s, want 400 problem+json with %q", tc.query, resp.StatusCode, body, tc.detail)
		}
	}
}

// TestReindex rebuilds the index of a harvested catalogue from the command
// line; the file it writes opens with every record.
func TestReindex(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	path, _ := filepath.Abs(filepath.Join(corpus, "no-fdk-legacy/nav-2017-10-31.ttl"))
	if _, _, err := gateway(t, nil, "harvest", "--db", db, "--country", "NO", path); err != nil {
		t.Fatal(err)
	}
	out, _, err := gateway(t, nil, "reindex", "--json", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Index   string
		Records int
		Seq     int64
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Records != 42 || sum.Index != db+".search" {
		t.Fatalf("reindex printed %q (%v); want 42 records in %s.search", out, err, db)
	}
	idx, err := search.Open(sum.Index, indexOptions(lifeevent.Default()))
	if err != nil {
		t.Fatal(err)
	}
	if idx.Count() != 42 || idx.LastSeq() != sum.Seq {
		t.Fatalf("reopened: %d records at seq %d, %v; want 42 at %d", idx.Count(), idx.LastSeq(), err, sum.Seq)
	}
	res, err := idx.Search(context.Background(), search.Query{Text: "fagforeningskontingent", Lang: "nb"})
	if err != nil || res.Total == 0 {
		t.Errorf("search after reindex = %+v, %v", res, err)
	}
	// Not while another process holds the index (a serving gateway).
	unlock, err := lockFile(sum.Index + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gateway(t, nil, "reindex", "--db", db); err == nil || !strings.Contains(err.Error(), "stop it") {
		t.Errorf("reindex while the index is locked = %v, want a refusal", err)
	}
	unlock()
	if _, _, err := gateway(t, nil, "reindex", "--db", filepath.Join(t.TempDir(), "none.db")); err == nil {
		t.Error("reindex of a missing database succeeded")
	}
}

func TestQualityAPI(t *testing.T) {
	srv := searchServer(t)
	var got struct {
		By    string
		Max   int
		Items []qualityRow
	}
	getJSON(t, srv.URL+"/api/v1/quality?by=country", http.StatusOK, &got)
	rows := map[string]qualityRow{}
	for _, r := range got.Items {
		rows[r.Value] = r
	}
	no := rows["NO"]
	if got.By != "country" || got.Max != 405 || no.Records != 42 || no.Scored != 42 || no.Score <= 0 || no.Percent <= 0 ||
		len(no.Dimensions) != 5 || no.Dimensions["findability"].Max != 100 || got.Items[0].Value != "NO" {
		t.Fatalf("quality by country = %+v", got)
	}
	// The mean is the records' own scores averaged.
	var page searchPage
	getJSON(t, srv.URL+"/api/v1/datasets?country=SE&limit=10", http.StatusOK, &page)
	sum := 0
	for _, it := range page.Items {
		sum += it.Quality.Score
	}
	if want := round1(float64(sum) / float64(len(page.Items))); rows["SE"].Score != want {
		t.Errorf("SE mean score = %v, want %v", rows["SE"].Score, want)
	}

	// CSV, by Accept or by format=csv; of a search.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/quality?by=source&country=NO,SE", nil)
	req.Header.Set("Accept", "application/json;q=0.5, text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || len(lines) != 3 ||
		lines[0] != "source,records,scored,score,percent,findability,accessibility,interoperability,reusability,contextuality" ||
		!strings.HasPrefix(lines[1], "no-nav,42,42,") {
		t.Errorf("CSV = %s %q", resp.Header.Get("Content-Type"), body)
	}
	for _, q := range []string{"by=colour", "by=country&frobnicate=1"} {
		resp, err := http.Get(srv.URL + "/api/v1/quality?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("?%s = %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestLifeEventsAPI(t *testing.T) {
	srv := searchServer(t)
	var list struct {
		Countries []string
		Items     []lifeEventSummary
	}
	getJSON(t, srv.URL+"/api/v1/life-events", http.StatusOK, &list)
	if len(list.Items) != 7 || !slices.Equal(list.Countries, []string{"BE", "DK", "NO", "SE"}) {
		t.Fatalf("life events: %d items, countries %v; want 7 and BE, DK, NO, SE", len(list.Items), list.Countries)
	}
	var job lifeEventSummary
	for _, it := range list.Items {
		if it.ID == "job-loss" {
			job = it
		}
		if it.Labels["nb"] == "" || it.Labels["en"] == "" || len(it.Countries) != 4 {
			t.Errorf("life event %s: labels %v, countries %v", it.ID, it.Labels, it.Countries)
		}
	}
	if job.Records < 2 || job.Countries["NO"] != job.Records {
		t.Errorf("job-loss = %+v, want the Norwegian employment records", job)
	}

	var one struct {
		Concept   lifeevent.Concept
		Countries []lifeEventCountry
		Gaps      []string
	}
	getJSON(t, srv.URL+"/api/v1/life-events/job-loss?countries=no,FI&limit=1", http.StatusOK, &one)
	if one.Concept.ID != "job-loss" || len(one.Countries) != 2 || !slices.Equal(one.Gaps, []string{"FI"}) {
		t.Fatalf("job-loss in NO and FI = %+v", one)
	}
	no := one.Countries[0]
	if no.Country != "NO" || no.Records != job.Records || no.Datasets+no.Services != no.Records || len(no.Items) != 1 ||
		len(no.Items[0].How) == 0 || !strings.HasPrefix(no.Items[0].How[0], "keyword") {
		t.Errorf("job-loss in NO = %+v", no)
	}
	if fi := one.Countries[1]; fi.Records != 0 || len(fi.Items) != 0 {
		t.Errorf("job-loss in FI = %+v, want a gap", fi)
	}
	for _, tc := range []struct {
		path   string
		status int
		detail string
	}{
		{"/api/v1/life-events/retirement", 404, "job-loss"},
		{"/api/v1/life-events/job-loss?countries=NOR", 400, "alpha-2"},
		{"/api/v1/life-events/job-loss?limit=1000", 400, "at most 100"},
		{"/api/v1/life-events?x=1", 400, "unknown parameter"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.detail) {
			t.Errorf("GET %s = %d %s, want %d with %q", tc.path, resp.StatusCode, body, tc.status, tc.detail)
		}
	}
}

// TestCoverageAPI harvests three sources one after the other and asks for
// coverage now, at a past time and over time.
func TestCoverageAPI(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "coverage.db")
	h := harvest.New(st, nil, nil, harvest.Options{})
	idx := search.New(indexOptions(lifeevent.Default()))
	run := func(name, country, file string) time.Time {
		t.Helper()
		path, _ := filepath.Abs(filepath.Join(corpus, file))
		rep, err := h.Run(ctx, harvest.Config{Name: name, Country: country, Kind: harvest.KindFile, URL: path})
		if err != nil || rep.Status != catalog.StatusComplete {
			t.Fatalf("harvest %s = %+v, %v", file, rep, err)
		}
		if err := search.CatchUp(ctx, idx, st.Changes, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		return time.Now()
	}
	run("no-tax", "NO", "no-fdk-legacy/nav-2017-10-31.ttl")
	afterSE := run("se-example", "SE", "se-dcat-ap-se/exempel_rekommenderat.ttl")
	run("dk-example", "DK", "dk-dcat-ap-dk/extended-example1.ttl")

	reg := prometheus.NewRegistry()
	api := newServer(st, slog.New(slog.DiscardHandler), reg)
	api.index = idx
	srv := httptest.NewServer(api.routes(reg))
	defer srv.Close()

	type page struct {
		By    []string
		At    *time.Time
		Since *coverageSince
		Items []coverageRow
	}
	byCountry := func(p page) map[string]coverageRow {
		m := map[string]coverageRow{}
		for _, r := range p.Items {
			m[r.Values["country"]] = r
		}
		return m
	}
	var now page
	getJSON(t, srv.URL+"/api/v1/coverage?by=country", http.StatusOK, &now)
	rows := byCountry(now)
	if now.Since == nil || now.Since.Source != "se-example" || now.At != nil {
		t.Fatalf("since = %+v, at %v; want the Swedish run, now", now.Since, now.At)
	}
	for c, want := range map[string][2]int{"NO": {42, 0}, "SE": {2, 0}, "DK": {1, 1}} {
		r := rows[c]
		if r.Records != want[0] || r.Change == nil || *r.Change != want[1] || r.Quality == nil || *r.Percent <= 0 {
			t.Errorf("coverage of %s = %+v, want %d records, change %d, a quality", c, r, want[0], want[1])
		}
	}

	// As it stood after the Swedish harvest: no Danish record yet, and the
	// Swedish ones new since the run before.
	var then page
	getJSON(t, srv.URL+"/api/v1/coverage?by=country&at="+url.QueryEscape(afterSE.UTC().Format(time.RFC3339Nano)), http.StatusOK, &then)
	rows = byCountry(then)
	if then.At == nil || then.Since == nil || then.Since.Source != "no-tax" || rows["DK"].Records != 0 ||
		rows["SE"].Records != 2 || *rows["SE"].Change != 2 || rows["NO"].Records != 42 {
		t.Errorf("coverage at %v = %+v", afterSE, then)
	}

	// Narrowed by a search: the Danish record matched by its words, new
	// since the run before.
	var found page
	getJSON(t, srv.URL+"/api/v1/coverage?by=country&q=datasæt&lang=da", http.StatusOK, &found)
	if rows := byCountry(found); len(found.Items) != 1 || rows["DK"].Records != 1 || rows["DK"].Change == nil || *rows["DK"].Change != 1 {
		t.Errorf("coverage of a search = %+v", found.Items)
	}

	// Two dimensions, as CSV; narrowed by a filter.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/coverage?by=country,accessRights&country=SE", nil)
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if lines[0] != "country,accessRights,records,change,scored,quality,percent" || !strings.HasPrefix(lines[1], "SE,") {
		t.Errorf("coverage CSV = %q", body)
	}

	// History: a point per run, country and theme.
	var hist struct{ Items []catalog.CoveragePoint }
	getJSON(t, srv.URL+"/api/v1/coverage/history?country=DK", http.StatusOK, &hist)
	if len(hist.Items) == 0 || hist.Items[len(hist.Items)-1].Source != "dk-example" {
		t.Errorf("history of DK = %+v", hist.Items)
	}
	n := 0
	for _, p := range hist.Items {
		n += p.Count
	}
	if n != 1 {
		t.Errorf("history of DK counts %d records, want 1", n)
	}

	for _, q := range []string{"by=colour", "by=country,country", "by=country,theme,format", "at=yesterday", "at=2999-01-01", "bogus=1", "at=2026-01-01&q=skatt"} {
		resp, err := http.Get(srv.URL + "/api/v1/coverage?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("?%s = %d, want 400", q, resp.StatusCode)
		}
	}
}
