// Package linkcheck checks whether the access, download and endpoint URLs
// of the catalogue's records answer, and feeds what it finds to their
// metadata-quality scores: the MQA checks accessUrlStatusCode and
// downloadUrlStatusCode, which catalog.Score leaves "not checked".
//
// Checking is opt-in and polite: a pass walks the live records a page at a
// time, checks each URL that is due (never checked, or not for
// Options.RecheckAfter) with HEAD, or GET of one byte where HEAD is
// refused, at most one request per Options.PerHostInterval to any one host
// and Options.Concurrency at once, stores each URL's status in the store,
// then re-scores the records whose score changed. The URLs come from
// sources the gateway does not control, so only http and https URLs are
// requested, through no proxy, and the dialer refuses loopback, private,
// link-local, multicast and reserved addresses at connect time, after name
// resolution, so that DNS rebinding cannot lead a check inside the network
// (Options.AllowPrivate lets loopback and private addresses through, for
// tests and for gateways whose data lives on a private network).
//
//	lc := linkcheck.New(store, logger, linkcheck.Options{UserAgent: harvest.UserAgent(version, publicURL)})
//	go lc.Run(ctx) // a pass now, then every hour until ctx ends
//
// or one pass, as `gateway linkcheck` makes it:
//
//	sum, err := lc.Pass(ctx)
package linkcheck
