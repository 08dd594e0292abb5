package harvest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"samband/catalog/sqlite"
	"samband/harvest"
)

// A run of a file source: the Norwegian Labour and Welfare Administration's
// catalogue of 2017, read into a new store, then read again.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "harvest-example")
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	h := harvest.New(st, nil, nil, harvest.Options{UserAgent: harvest.UserAgent("1.0", "https://example.org/gateway")})
	src := harvest.Config{Name: "nav", Country: "NO", Kind: harvest.KindFile,
		URL: "../testdata/corpus/no-fdk-legacy/nav-2017-10-31.ttl"}
	for range 2 {
		rep, err := h.Run(ctx, src)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d pages, %d added, %d unchanged, %d withdrawn\n", rep.Status, rep.Pages, rep.Added, rep.Unchanged, rep.Withdrawn)
	}
	// Output:
	// complete: 1 pages, 42 added, 0 unchanged, 0 withdrawn
	// complete: 1 pages, 0 added, 42 unchanged, 0 withdrawn
}
