// Package search is the catalogue's full-text index: ranked, multilingual
// search over titles, keywords and descriptions, with facets (country,
// publisher, theme, format, licence, access rights, life event, kind), held
// in memory and saved to one file.
//
// The index follows the store's change sequence: Apply takes records in the
// order of their changes (live ones are upserted, withdrawn ones removed)
// and remembers the sequence number of the last one; Follow polls a Changes
// function from there; Save writes the index, with that number, to its file,
// and Open reads it back, so that a restart catches up from the store rather
// than rebuilding. Every replica keeps its own index.
//
//	idx, err := search.Open("/var/lib/samband/samband.db.search", search.Options{})
//	...
//	go search.Follow(ctx, idx, store.Changes, time.Second)
//	res, err := idx.Search(ctx, search.Query{Text: "befolkningen", Lang: "nb",
//		Filters: map[string][]string{"country": {"NO"}}, Limit: 20})
//
// Analysis: a text is split into words (letters and digits, apostrophes
// inside a word kept), lower-cased, and each word becomes one term: its
// Snowball stem for texts in Norwegian (nb, nn, no), Swedish, Danish,
// Finnish and English, stop words left out; its first five letters for texts
// in any other language (Icelandic, Estonian) or none. A query in a language
// looks for its words' terms in that language and as truncated; a query
// without a language looks for every language's terms of each word.
//
// Ranking is BM25 (k1 1.2, b 0.75) over one field whose term frequencies
// weigh a title word three, a keyword two and a description word one;
// every word of a query must match. Facets are counted for all hits, from
// each value's bitset (few values, many hits) or from the hits' rows, one
// cache line a record holding all its facet values. docs/decisions.md says
// why Samband has its own index; docs/benchmarks.md what it does at a
// million records.
package search
