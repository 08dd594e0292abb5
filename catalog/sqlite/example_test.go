package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"samband/catalog"
	"samband/catalog/sqlite"
)

func Example() {
	dir, err := os.MkdirTemp("", "samband")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	st, err := sqlite.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	if err := st.UpsertSource(ctx, catalog.Source{Name: "fdk", Country: "NO", Kind: "dcat",
		URL: "https://data.norge.no/api/dcat/catalogs"}); err != nil {
		log.Fatal(err)
	}
	run, err := st.StartRun(ctx, "fdk", time.Now())
	if err != nil {
		log.Fatal(err)
	}
	rec := catalog.Dataset{
		IRI:   "https://data.norge.no/datasets/4f9e0b44",
		Title: catalog.Text{"nb": {"Befolkning etter kommune"}, "en": {"Population by municipality"}},
		Sources: []catalog.SourceRecord{{Hash: "sha256:6b1d…",
			Original: "<https://data.norge.no/datasets/4f9e0b44> <http://purl.org/dc/terms/title> \"Befolkning etter kommune\"@nb .\n"}},
	}
	outcome, err := st.Put(ctx, run, rec, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("added:", outcome == catalog.Added)
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete, Added: 1}); err != nil {
		log.Fatal(err)
	}

	d, err := st.Dataset(ctx, rec.IRI)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.ID, d.Title.Get("en"), d.Sources[0].Source, d.Sources[0].Country)
	changes, err := st.Changes(ctx, 0, 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("changes:", len(changes), "seq", changes[0].Seq)
	// Output:
	// added: true
	// gpklzegyueuc4zyf Population by municipality fdk NO
	// changes: 1 seq 1
}
