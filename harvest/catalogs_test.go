package harvest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"samband/catalog"
)

// TestCatalogs: a harvest of the NAV/Skatteetaten catalogue of 2017 stores
// the source's catalogue with its title, publisher and dataset count.
func TestCatalogs(t *testing.T) {
	s := newSite(t)
	s.set("/nav.ttl", page{body: readCorpus(t, "no-fdk-legacy/nav-2017-10-31.ttl"), contentType: "text/turtle"})
	st := newStore(t)
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "nav", Country: "NO", Kind: KindDCAT, URL: s.URL + "/nav.ttl"})
	if rep.Status != catalog.StatusComplete {
		t.Fatalf("run %+v, want complete", rep)
	}
	src, err := st.Source(context.Background(), "nav")
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Catalogs) != 1 {
		t.Fatalf("Source(nav).Catalogs = %+v, want one", src.Catalogs)
	}
	c := src.Catalogs[0]
	if c.IRI != "http://brreg.no/catalogs/974761076" || c.Title.Get("nb") != "Datakatalog for SKATTEETATEN" ||
		c.Publisher == nil || c.Publisher.Identifier != "974761076" || c.Datasets != 42 {
		t.Errorf("Source(nav).Catalogs[0] = %+v, want the SKATTEETATEN catalogue, its publisher and 42 datasets", c)
	}
}

// TestCatalogsAcrossRuns: the catalogues of every page of a run, each as
// the first page that describes it (counts not summed; a blank-node
// catalogue described twice kept once), ordered by IRI; a 304 run and a
// partial run keep them, the next complete run replaces them.
func TestCatalogsAcrossRuns(t *testing.T) {
	const prefixes = "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
	s := newSite(t)
	page1 := prefixes + `<https://ex.org/c> a dcat:Catalog ; dct:title "First page"@en ;
		dcat:dataset <https://ex.org/d/1>, <https://ex.org/d/2> .
	[] a dcat:Catalog ; dct:title "No IRI"@en .
	<https://ex.org/d/1> a dcat:Dataset ; dct:title "One" .
	<https://ex.org/d/2> a dcat:Dataset ; dct:title "Two" .
	` + nextIRI(s, 1)
	page2 := prefixes + `<https://ex.org/c> a dcat:Catalog ; dct:title "Second page"@en ; dcat:dataset <https://ex.org/d/3> .
	[] a dcat:Catalog ; dct:title "No IRI"@en .
	<https://ex.org/b> a dcat:Catalog ; dct:title "Other"@en ; dcat:dataset <https://ex.org/d/3> .
	<https://ex.org/d/3> a dcat:Dataset ; dct:title "Three" .
	`
	st := newStore(t)
	h := newTestHarvester(st, Options{})
	cfg := Config{Name: "paged", Kind: KindDCAT, URL: s.URL + "/catalog?page=1"}
	catalogs := func() string {
		t.Helper()
		src, err := st.Source(context.Background(), "paged")
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, c := range src.Catalogs {
			out += fmt.Sprintf("[%s %q %d]", c.IRI, c.Title.Get("en"), c.Datasets)
		}
		return out
	}
	all := `[ "No IRI" 0][https://ex.org/b "Other" 1][https://ex.org/c "First page" 2]`

	ok := func(body string) page {
		return page{body: []byte(body), contentType: "text/turtle", header: map[string]string{"ETag": `"v1"`}}
	}
	broken := ok(page2 + "<https://ex.org/x> dct:title \"cut")
	steps := []struct {
		name         string
		page1, page2 page
		status       string
		want         string
	}{
		{"complete", ok(page1), ok(page2), catalog.StatusComplete, all},
		{"not modified", page{status: http.StatusNotModified}, ok(page2), catalog.StatusComplete, all},
		{"partial", ok(strings.Replace(page1, "First page", "Changed", 1)), broken, catalog.StatusPartial, all},
		{"complete without catalogues", ok(prefixes + `<https://ex.org/d/1> a dcat:Dataset ; dct:title "One" .`), ok(page2), catalog.StatusComplete, ""},
	}
	for _, step := range steps {
		s.set("/catalog?page=1", step.page1)
		s.set("/catalog?page=2", step.page2)
		rep := mustRun(t, h, cfg)
		if rep.Status != step.status || rep.NotModified != (step.name == "not modified") {
			t.Fatalf("%s: run %+v, want %s", step.name, rep, step.status)
		}
		if got := catalogs(); got != step.want {
			t.Errorf("%s: Source(paged).Catalogs = %s, want %s", step.name, got, step.want)
		}
	}
}

// TestCatalogsCKAN: a CKAN portal publishes no DCAT catalogue: a complete
// run leaves the source with none.
func TestCatalogsCKAN(t *testing.T) {
	srv := newCKANServer(t, ckanPackages(t))
	st := newStore(t)
	ctx := context.Background()
	if err := st.UpsertSource(ctx, catalog.Source{Name: "fi", Kind: KindCKAN, URL: srv.URL + "/data"}); err != nil {
		t.Fatal(err)
	}
	// Left from when the source was configured as DCAT.
	if err := st.SetCatalogs(ctx, "fi", []catalog.Catalog{{IRI: "https://www.avoindata.fi/catalog"}}); err != nil {
		t.Fatal(err)
	}
	rep := mustRun(t, newTestHarvester(st, Options{}), Config{Name: "fi", Country: "FI", Kind: KindCKAN, URL: srv.URL + "/data", PageSize: 2})
	if rep.Status != catalog.StatusComplete {
		t.Fatalf("run %+v, want complete", rep)
	}
	if src, err := st.Source(ctx, "fi"); err != nil || len(src.Catalogs) != 0 {
		t.Errorf("Source(fi).Catalogs after a CKAN run = %+v, %v; want none", src.Catalogs, err)
	}
}
