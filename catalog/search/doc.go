// Package search is the catalogue's full-text index: ranked, multilingual
// search over titles, descriptions and keywords, with facets (country,
// publisher, theme, format, licence, access rights), kept in a bleve index on
// disk.
//
// The index follows the store's change sequence: Apply takes records in the
// order of their changes (live ones are upserted, withdrawn ones deleted) and
// remembers, in the index itself, the sequence number of the last one; Follow
// polls a Changes function from there. Every replica so keeps its own index.
//
//	idx, err := search.Open("/var/lib/samband/search")
//	...
//	go search.Follow(ctx, idx, store.Changes, time.Second)
//	res, err := idx.Search(ctx, search.Query{Text: "befolkningen", Lang: "nb",
//		Filters: map[string][]string{"country": {"NO"}}, Limit: 20})
//
// Each language of a text goes into a field of its own with the analyzer of
// that language where bleve has one (en, da, fi, sv, and no for nb, nn and
// no), so that a query in that language is stemmed the same way; texts in
// other languages go into fields with the standard analyzer. Every text also
// goes into one language-agnostic field, which a query without a language
// searches.
package search
