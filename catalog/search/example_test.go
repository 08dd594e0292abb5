package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"samband/catalog"
	"samband/catalog/search"
)

// An index is brought up to date with the store's changes, then searched in
// Norwegian: "befolkningen" finds "Befolkning", stemmed, and the Swedish
// record too, whose word has the same stem.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "search-example")
	defer os.RemoveAll(dir)
	idx, err := search.Open(filepath.Join(dir, "index"), search.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer idx.Close()

	changes := []catalog.Dataset{
		{ID: "a", Seq: 1, Title: catalog.Text{"nb": {"Befolkning etter kommune"}},
			Sources: []catalog.SourceRecord{{Country: "NO"}}, EUThemes: []string{"SOCI"}},
		{ID: "b", Seq: 2, Title: catalog.Text{"sv": {"Befolkning per kommun"}},
			Sources: []catalog.SourceRecord{{Country: "SE"}}, EUThemes: []string{"SOCI"}},
		{ID: "c", Seq: 3, Withdrawn: true},
	}
	if err := idx.Apply(ctx, changes); err != nil {
		fmt.Println(err)
		return
	}
	res, err := idx.Search(ctx, search.Query{Text: "befolkningen", Lang: "nb"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(idx.LastSeq(), res.Total, res.Hits[0].ID, search.Highlight(changes[0], search.Query{Text: "befolkningen", Lang: "nb"})["title"])
	fmt.Println(res.Facets[search.FacetCountry], res.Facets[search.FacetTheme])
	// Output:
	// 3 2 a [<mark>Befolkning</mark> etter kommune]
	// [{NO 1} {SE 1}] [{SOCI 2}]
}
