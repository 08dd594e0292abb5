// Package harvest brings the catalogues of other portals into the store:
// DCAT documents over HTTP with Hydra paging, the CKAN API, and local files.
//
// One Run of one source fetches every page (conditional GET, retries with
// capped back-off, byte, page and time limits), decodes it from what its
// content is, maps it to records and puts them in the store, then closes the
// run with a report: counts, and every error and warning with its URL, line
// and column. Only a complete run withdraws what the source no longer lists;
// a partial or failed run withdraws nothing, and a 304 answer writes nothing.
// A complete run also replaces the source's catalogues: the dcat:Catalog
// descriptions its pages held (a CKAN portal's: none).
//
//	h := harvest.New(store, nil, logger, harvest.Options{UserAgent: harvest.UserAgent(version, "https://example.org/gateway")})
//	rep, err := h.Run(ctx, harvest.Config{Name: "no", Country: "NO", Kind: harvest.KindDCAT, URL: "https://data.norge.no/api/dcat/datasets"})
//
// Schedule runs a list of sources on their intervals until its context ends.
package harvest
