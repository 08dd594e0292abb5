package harvest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"samband/catalog"
)

const linkedTurtle = `@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://data.example/catalog> a dcat:Catalog ; dct:title "Katalog"@nb ; dcat:dataset <https://data.example/ds/1> .
<https://data.example/ds/1> a dcat:Dataset ; dct:title "%s"@nb ; dct:description "Befolkning"@nb ;
  dcat:distribution [ a dcat:Distribution ;
    dcat:accessURL <https://data.example/api/befolkning> ;
    dcat:downloadURL <https://data.example/files/befolkning.csv> ] .
`

// TestScoreKeepsReachability: a harvest scores a record with what the link
// checker found at its URLs, so that a new version keeps it.
func TestScoreKeepsReachability(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	s := newSite(t)
	h := newTestHarvester(st, Options{})
	cfg := Config{Name: "example", Kind: KindDCAT, URL: s.URL + "/catalog"}

	s.set("/catalog", page{body: []byte(fmt.Sprintf(linkedTurtle, "Befolkning 1")), contentType: "text/turtle"})
	if rep := mustRun(t, h, cfg); rep.Added != 1 {
		t.Fatalf("first harvest: %+v, want 1 added", rep)
	}
	d, err := st.Dataset(ctx, "https://data.example/ds/1")
	if err != nil {
		t.Fatal(err)
	}
	checks := qualityChecks(d)
	if checks["accessUrlStatusCode"].Note != catalog.NoteNotChecked || checks["downloadUrlStatusCode"].Note != catalog.NoteNotChecked {
		t.Errorf("reachability before any check = %+v, %+v; want not checked", checks["accessUrlStatusCode"], checks["downloadUrlStatusCode"])
	}

	now := time.Now()
	for _, ls := range []catalog.LinkStatus{
		{URL: "https://data.example/api/befolkning", Checked: now, Answered: true, Status: 200},
		{URL: "https://data.example/files/befolkning.csv", Checked: now, Status: 404, Error: "404 Not Found"},
	} {
		if err := st.SetLinkStatus(ctx, ls); err != nil {
			t.Fatal(err)
		}
	}
	s.set("/catalog", page{body: []byte(fmt.Sprintf(linkedTurtle, "Befolkning 2")), contentType: "text/turtle"})
	if rep := mustRun(t, h, cfg); rep.Updated != 1 {
		t.Fatalf("second harvest: %+v, want 1 updated", rep)
	}
	d, err = st.Dataset(ctx, "https://data.example/ds/1")
	if err != nil {
		t.Fatal(err)
	}
	checks = qualityChecks(d)
	if c := checks["accessUrlStatusCode"]; !c.Passed {
		t.Errorf("accessUrlStatusCode after the link checker found it answering = %+v, want passed", c)
	}
	if c := checks["downloadUrlStatusCode"]; c.Passed || c.Note != catalog.NoteNoAnswer {
		t.Errorf("downloadUrlStatusCode after a 404 = %+v, want failed with %q", c, catalog.NoteNoAnswer)
	}
	if d.Quality.Unchecked != 0 {
		t.Errorf("Quality.Unchecked = %d, want 0", d.Quality.Unchecked)
	}
}

// qualityChecks returns d's quality checks by id.
func qualityChecks(d catalog.Dataset) map[string]catalog.Check {
	m := map[string]catalog.Check{}
	if d.Quality != nil {
		for _, c := range d.Quality.Checks {
			m[c.ID] = c
		}
	}
	return m
}
