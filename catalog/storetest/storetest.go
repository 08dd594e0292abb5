// Package storetest is the conformance suite of catalog.Store: every
// behaviour the contract documents, and the choices an engine must make the
// same way where it is silent, so that the SQLite and PostgreSQL stores
// cannot drift apart.
//
// A store's tests call Run with a function that opens a new, empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) catalog.Store {
//			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return st
//		})
//	}
//
// Run closes each store when its test ends; Close called a second time
// must return nil.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"samband/catalog"
)

// Run runs the conformance suite, one subtest per behaviour, each on a
// store of its own from open.
func Run(t *testing.T, open func(t *testing.T) catalog.Store) {
	tests := []struct {
		name string
		fn   func(h *harness)
	}{
		{"Sources", testSources},
		{"Validators", testValidators},
		{"Catalogs", testCatalogs},
		{"Runs", testRuns},
		{"SupersededRun", testSupersededRun},
		{"AddUpdateUnchanged", testAddUpdateUnchanged},
		{"ReadYourWrites", testReadYourWrites},
		{"Conflict", testConflict},
		{"MergeViaAggregator", testMergeViaAggregator},
		{"MergeViaSameHash", testMergeViaSameHash},
		{"AuthorityTakesOverFromAggregator", testAuthorityTakesOver},
		{"IdentityByIdentifier", testIdentityByIdentifier},
		{"WithdrawAfterCompleteRun", testWithdraw},
		{"PartialFailedAndNotModifiedWithdrawNothing", testPartialFailed},
		{"WithdrawnOnlyWhenNoSourceLists", testWithdrawnOnlyWhenNoSource},
		{"ComeBack", testComeBack},
		{"ClaimAfterOwnerWithdrew", testClaimAfterWithdrawal},
		{"Paging", testPaging},
		{"DatasetsByID", testDatasetsByID},
		{"DatasetsAfter", testDatasetsAfter},
		{"SetQuality", testSetQuality},
		{"LinkStatuses", testLinkStatuses},
		{"InvalidPut", testInvalidPut},
		{"ConcurrentReaders", testConcurrentReaders},
		{"DatasetsAt", testDatasetsAt},
		{"ChangedSince", testChangedSince},
		{"DatasetsAtMany", testDatasetsAtMany},
		{"Coverage", testCoverage},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { st.Close() })
			tc.fn(&harness{t: t, st: st, ctx: context.Background()})
		})
	}
}

// harness holds a test's store and does the steps every test repeats.
type harness struct {
	t   *testing.T
	st  catalog.Store
	ctx context.Context
}

func (h *harness) sources(srcs ...catalog.Source) {
	h.t.Helper()
	for _, s := range srcs {
		if err := h.st.UpsertSource(h.ctx, s); err != nil {
			h.t.Fatalf("UpsertSource(%s) = %v", s.Name, err)
		}
	}
}

func (h *harness) start(source string, at time.Time) int64 {
	h.t.Helper()
	run, err := h.st.StartRun(h.ctx, source, at)
	if err != nil {
		h.t.Fatalf("StartRun(%s) = %v", source, err)
	}
	return run
}

func (h *harness) put(run int64, rec catalog.Dataset, seen time.Time, want catalog.PutOutcome) {
	h.t.Helper()
	got, err := h.st.Put(h.ctx, run, rec, seen)
	if err != nil {
		h.t.Fatalf("Put(run %d, %s) = %v", run, rec.IRI, err)
	}
	if got != want {
		h.t.Fatalf("Put(run %d, %s from %s) = %s, want %s", run, rec.IRI, rec.Sources[0].Source, outcome(got), outcome(want))
	}
}

func (h *harness) finish(run int64, status string, at time.Time) int {
	h.t.Helper()
	n, err := h.st.FinishRun(h.ctx, run, catalog.Report{Status: status, Finished: at})
	if err != nil {
		h.t.Fatalf("FinishRun(%d, %s) = %v", run, status, err)
	}
	return n
}

// harvest runs one harvest of source listing recs (each given the source's
// provenance) and finishing with status; it returns what FinishRun did.
func (h *harness) harvest(source string, when time.Time, status string, recs ...catalog.Dataset) int {
	h.t.Helper()
	run := h.start(source, when)
	for _, rec := range recs {
		if _, err := h.st.Put(h.ctx, run, from(source, rec), when); err != nil {
			h.t.Fatalf("Put(run %d, %s) = %v", run, rec.IRI, err)
		}
	}
	return h.finish(run, status, when.Add(time.Minute))
}

func (h *harness) dataset(idOrIRI string) catalog.Dataset {
	h.t.Helper()
	d, err := h.st.Dataset(h.ctx, idOrIRI)
	if err != nil {
		h.t.Fatalf("Dataset(%s) = %v", idOrIRI, err)
	}
	return d
}

func (h *harness) history(id string) []catalog.Dataset {
	h.t.Helper()
	v, err := h.st.History(h.ctx, id)
	if err != nil {
		h.t.Fatalf("History(%s) = %v", id, err)
	}
	return v
}

func (h *harness) page(opt catalog.ListOptions) catalog.Page {
	h.t.Helper()
	p, err := h.st.Datasets(h.ctx, opt)
	if err != nil {
		h.t.Fatalf("Datasets(%+v) = %v", opt, err)
	}
	return p
}

func (h *harness) source(name string) catalog.SourceStatus {
	h.t.Helper()
	s, err := h.st.Source(h.ctx, name)
	if err != nil {
		h.t.Fatalf("Source(%s) = %v", name, err)
	}
	return s
}

func outcome(o catalog.PutOutcome) string {
	switch o {
	case catalog.Added:
		return "Added"
	case catalog.Updated:
		return "Updated"
	case catalog.Unchanged:
		return "Unchanged"
	case catalog.Conflict:
		return "Conflict"
	case catalog.Merged:
		return "Merged"
	}
	return fmt.Sprintf("PutOutcome(%d)", int(o))
}

// timeIs reports whether p is set and equals want.
func timeIs(p *time.Time, want time.Time) bool { return p != nil && p.Equal(want) }

// sourceNames returns the names of d's sources, in the order given.
func sourceNames(d catalog.Dataset) []string {
	var names []string
	for _, s := range d.Sources {
		names = append(names, s.Source)
	}
	return names
}

// provenanceOf returns d's provenance of source, or fails.
func provenanceOf(t *testing.T, d catalog.Dataset, source string) catalog.SourceRecord {
	t.Helper()
	for _, s := range d.Sources {
		if s.Source == source {
			return s
		}
	}
	t.Fatalf("%s has sources %v, want one from %s", d.IRI, sourceNames(d), source)
	return catalog.SourceRecord{}
}

func testSources(h *harness) {
	t := h.t
	all, err := h.st.Sources(h.ctx)
	if err != nil || len(all) != 0 {
		t.Fatalf("Sources() of an empty store = %v, %v; want none", all, err)
	}
	h.sources(fdk, dataportal, europa)
	all, err = h.st.Sources(h.ctx)
	if err != nil {
		t.Fatalf("Sources() = %v", err)
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
		if s.Records != 0 || s.LastRun != nil {
			t.Errorf("source %s before any run: %d records, last run %v; want 0, nil", s.Name, s.Records, s.LastRun)
		}
	}
	if want := []string{"data-europa-eu", "dataportal-se", "fdk"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Sources() = %v, want %v (by name)", names, want)
	}
	if got := h.source("data-europa-eu").Source; got != europa {
		t.Errorf("Source(data-europa-eu) = %+v, want %+v", got, europa)
	}
	if _, err := h.st.Source(h.ctx, "data.gov.uk"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Source(unknown) = %v, want ErrNotFound", err)
	}

	moved := fdk
	moved.URL = "https://data.norge.no/api/dcat/v2/catalogs"
	moved.Country = "no"
	h.sources(moved)
	if got := h.source("fdk").Source; got != moved {
		t.Errorf("Source(fdk) after UpsertSource = %+v, want %+v", got, moved)
	}
	if n := len(h.sourcesAll()); n != 3 {
		t.Errorf("UpsertSource of a known source: %d sources, want 3", n)
	}

	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(ssb(1), 1), norwegian(ssb(2), 1))
	h.harvest("data-europa-eu", at(10), catalog.StatusComplete, norwegian(ssb(1), 1))
	st := h.source("fdk")
	if st.Records != 2 || st.LastRun == nil || st.LastRun.Status != catalog.StatusComplete {
		t.Errorf("Source(fdk) after a run = %d records, last run %+v; want 2, complete", st.Records, st.LastRun)
	}
	if st := h.source("data-europa-eu"); st.Records != 1 {
		t.Errorf("Source(data-europa-eu).Records = %d, want 1 (merged records count for every source listing them)", st.Records)
	}
}

func (h *harness) sourcesAll() []catalog.SourceStatus {
	h.t.Helper()
	all, err := h.st.Sources(h.ctx)
	if err != nil {
		h.t.Fatalf("Sources() = %v", err)
	}
	return all
}

func testValidators(h *harness) {
	t := h.t
	h.sources(fdk)
	etag, lm := `W/"5f2a-17e4c"`, "Mon, 03 Mar 2025 05:12:09 GMT"
	if err := h.st.SetValidators(h.ctx, "fdk", etag, lm); err != nil {
		t.Fatalf("SetValidators = %v", err)
	}
	if s := h.source("fdk"); s.ETag != etag || s.LastModified != lm {
		t.Errorf("validators = %q, %q; want %q, %q", s.ETag, s.LastModified, etag, lm)
	}
	if err := h.st.SetValidators(h.ctx, "nope", etag, lm); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("SetValidators(unknown source) = %v, want ErrNotFound", err)
	}
	// The configuration is upserted at every start: that keeps them.
	h.sources(fdk)
	if s := h.source("fdk"); s.ETag != etag || s.LastModified != lm {
		t.Errorf("validators after UpsertSource with the same URL = %q, %q; want them kept", s.ETag, s.LastModified)
	}
	// A new URL makes them meaningless.
	moved := fdk
	moved.URL = "https://data.norge.no/api/dcat/v2/catalogs"
	h.sources(moved)
	if s := h.source("fdk"); s.ETag != "" || s.LastModified != "" {
		t.Errorf("validators after the URL changed = %q, %q; want none", s.ETag, s.LastModified)
	}
}

// testCatalogs: SetCatalogs replaces a source's catalogues, every field
// kept and in the order given; Sources and Source return them; other
// sources, runs and configuration upserts leave them alone.
func testCatalogs(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	if s := h.source("fdk"); s.Catalogs != nil {
		t.Errorf("Source(fdk).Catalogs before SetCatalogs = %+v, want none", s.Catalogs)
	}
	if err := h.st.SetCatalogs(h.ctx, "nope", fdkCatalogs); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("SetCatalogs(unknown source) = %v, want ErrNotFound", err)
	}
	if err := h.st.SetCatalogs(h.ctx, "fdk", fdkCatalogs); err != nil {
		t.Fatalf("SetCatalogs = %v", err)
	}
	if got := h.source("fdk").Catalogs; !reflect.DeepEqual(got, fdkCatalogs) {
		t.Errorf("Source(fdk).Catalogs =\n%+v\nwant\n%+v", got, fdkCatalogs)
	}
	for _, s := range h.sourcesAll() {
		want := fdkCatalogs
		if s.Name != "fdk" {
			want = nil
		}
		if !reflect.DeepEqual(s.Catalogs, want) {
			t.Errorf("Sources(): %s has catalogues %+v, want %+v", s.Name, s.Catalogs, want)
		}
	}
	// A run and the configuration upserted at every start keep them.
	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(ssb(1), 1))
	h.sources(fdk)
	if got := h.source("fdk").Catalogs; !reflect.DeepEqual(got, fdkCatalogs) {
		t.Errorf("Source(fdk).Catalogs after a run and UpsertSource = %+v, want them kept", got)
	}
	// A second call replaces them all.
	one := fdkCatalogs[1:]
	if err := h.st.SetCatalogs(h.ctx, "fdk", one); err != nil {
		t.Fatalf("SetCatalogs = %v", err)
	}
	if got := h.source("fdk").Catalogs; !reflect.DeepEqual(got, one) {
		t.Errorf("Source(fdk).Catalogs after a second SetCatalogs = %+v, want %+v", got, one)
	}
	if err := h.st.SetCatalogs(h.ctx, "fdk", nil); err != nil {
		t.Fatalf("SetCatalogs(nil) = %v", err)
	}
	if got := h.source("fdk").Catalogs; len(got) != 0 {
		t.Errorf("Source(fdk).Catalogs after SetCatalogs(nil) = %+v, want none", got)
	}
}

func testRuns(h *harness) {
	t := h.t
	if _, err := h.st.StartRun(h.ctx, "nope", at(0)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("StartRun(unknown source) = %v, want ErrNotFound", err)
	}
	if _, err := h.st.Run(h.ctx, 4711); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Run(unknown) = %v, want ErrNotFound", err)
	}
	h.sources(fdk)
	run := h.start("fdk", at(0))
	rep, err := h.st.Run(h.ctx, run)
	if err != nil {
		t.Fatalf("Run(%d) = %v", run, err)
	}
	if rep.ID != run || rep.Source != "fdk" || rep.Status != catalog.StatusRunning || !rep.Started.Equal(at(0)) {
		t.Errorf("Run(%d) while running = %+v, want id, source fdk, running, started %v", run, rep, at(0))
	}
	if s := h.source("fdk"); s.LastRun == nil || s.LastRun.ID != run || s.LastRun.Status != catalog.StatusRunning {
		t.Errorf("Source(fdk).LastRun while running = %+v, want run %d running", s.LastRun, run)
	}
	h.put(run, from("fdk", norwegian(ssb(1), 1)), at(1), catalog.Added)
	if _, err := h.st.FinishRun(h.ctx, run, catalog.Report{Status: catalog.StatusRunning}); err == nil {
		t.Errorf("FinishRun with status running = nil, want an error")
	}
	sent := catalog.Report{
		Status: catalog.StatusComplete, Started: at(0), Finished: at(2), DurationMS: 120000,
		Pages: 3, Bytes: 123456, Added: 1, Rejected: 1,
		Errors: []catalog.Problem{{Severity: "error", URL: "https://data.norge.no/api/dcat/catalogs?page=2",
			Line: 412, Column: 17, Message: "unterminated literal"}},
		Warnings: []catalog.Problem{{Severity: "warning", Record: ssb(1), Message: "dct:issued is not a date: \"i fjor\""}},
	}
	if _, err := h.st.FinishRun(h.ctx, run, sent); err != nil {
		t.Fatalf("FinishRun = %v", err)
	}
	rep, err = h.st.Run(h.ctx, run)
	if err != nil {
		t.Fatalf("Run(%d) = %v", run, err)
	}
	want := sent
	want.ID, want.Source = run, "fdk"
	if !rep.Started.Equal(want.Started) || !rep.Finished.Equal(want.Finished) {
		t.Errorf("Run(%d) times = %v, %v; want %v, %v", run, rep.Started, rep.Finished, want.Started, want.Finished)
	}
	rep.Started, rep.Finished, want.Started, want.Finished = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("Run(%d) =\n%+v\nwant\n%+v", run, rep, want)
	}
	if s := h.source("fdk"); s.LastRun == nil || s.LastRun.ID != run || s.LastRun.Status != catalog.StatusComplete {
		t.Errorf("Source(fdk).LastRun = %+v, want run %d complete", s.LastRun, run)
	}
	if _, err := h.st.Put(h.ctx, run, from("fdk", norwegian(ssb(2), 1)), at(3)); err == nil {
		t.Errorf("Put to a finished run = nil, want an error")
	}
	if _, err := h.st.FinishRun(h.ctx, run, sent); err == nil {
		t.Errorf("FinishRun of a finished run = nil, want an error")
	}
	if _, err := h.st.Dataset(h.ctx, ssb(2)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Dataset(record put to a finished run) = %v, want ErrNotFound", err)
	}

	// A failed run with its report: the store completes what it knows.
	run2 := h.start("fdk", at(60))
	if _, err := h.st.FinishRun(h.ctx, run2, catalog.Report{Status: catalog.StatusFailed,
		Errors: []catalog.Problem{{Severity: "error", Message: "GET: 503 Service Unavailable"}}}); err != nil {
		t.Fatalf("FinishRun(failed) = %v", err)
	}
	rep, err = h.st.Run(h.ctx, run2)
	if err != nil {
		t.Fatalf("Run(%d) = %v", run2, err)
	}
	if rep.ID != run2 || rep.Source != "fdk" || rep.Status != catalog.StatusFailed || !rep.Started.Equal(at(60)) ||
		rep.Finished.IsZero() || len(rep.Errors) != 1 {
		t.Errorf("Run(%d) = %+v, want failed, started %v, finished set, one error", run2, rep, at(60))
	}
}

func testSupersededRun(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	first := h.start("fdk", at(0))
	other := h.start("dataportal-se", at(0))
	h.put(first, from("fdk", norwegian(ssb(1), 1)), at(1), catalog.Added)
	second := h.start("fdk", at(30))
	if second == first {
		t.Fatalf("StartRun returned run %d twice", first)
	}
	rep, err := h.st.Run(h.ctx, first)
	if err != nil {
		t.Fatalf("Run(%d) = %v", first, err)
	}
	if rep.Status != catalog.StatusFailed || len(rep.Errors) == 0 || rep.Finished.IsZero() {
		t.Errorf("Run(%d) after another run of its source started = %+v, want failed with an error and a finish", first, rep)
	}
	if _, err := h.st.Put(h.ctx, first, from("fdk", norwegian(ssb(2), 1)), at(31)); err == nil {
		t.Errorf("Put to a superseded run = nil, want an error")
	}
	if _, err := h.st.FinishRun(h.ctx, first, catalog.Report{Status: catalog.StatusComplete}); err == nil {
		t.Errorf("FinishRun of a superseded run = nil, want an error")
	}
	if rep, _ := h.st.Run(h.ctx, other); rep.Status != catalog.StatusRunning {
		t.Errorf("run of another source = %s, want it still running", rep.Status)
	}
	h.put(second, from("fdk", norwegian(ssb(1), 1)), at(31), catalog.Unchanged)
	h.put(second, from("fdk", norwegian(ssb(3), 1)), at(31), catalog.Added)
	if n := h.finish(second, catalog.StatusComplete, at(32)); n != 0 {
		t.Errorf("FinishRun(second) withdrew %d, want 0", n)
	}
	h.finish(other, catalog.StatusComplete, at(33))
}

func testAddUpdateUnchanged(h *harness) {
	t := h.t
	h.sources(fdk)
	iri := ssb(1)
	run := h.start("fdk", at(0))
	v1 := from("fdk", norwegian(iri, 1))
	h.put(run, v1, at(1), catalog.Added)
	h.finish(run, catalog.StatusComplete, at(2))

	d := h.dataset(iri)
	if d.ID != catalog.IDFor(iri) || d.IRI != iri || d.Kind != catalog.KindDataset {
		t.Errorf("Dataset(%s) = id %q iri %q kind %q; want %q, %q, Dataset", iri, d.ID, d.IRI, d.Kind, catalog.IDFor(iri), iri)
	}
	if byID := h.dataset(d.ID); !reflect.DeepEqual(byID, d) {
		t.Errorf("Dataset(id) differs from Dataset(iri):\n%+v\n%+v", byID, d)
	}
	if _, err := h.st.Dataset(h.ctx, "https://data.norge.no/datasets/nope"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Dataset(unknown) = %v, want ErrNotFound", err)
	}
	content := d
	content.ID, content.Sources, content.Seq = "", nil, 0
	want := norwegian(iri, 1)
	if !reflect.DeepEqual(content, want) {
		t.Errorf("Dataset(%s) content =\n%+v\nwant\n%+v", iri, content, want)
	}
	if d.Withdrawn || d.WithdrawnAt != nil || d.Seq <= 0 {
		t.Errorf("Dataset(%s): withdrawn %v at %v, seq %d; want live with a seq", iri, d.Withdrawn, d.WithdrawnAt, d.Seq)
	}
	if len(d.Sources) != 1 {
		t.Fatalf("Dataset(%s).Sources = %v, want fdk's", iri, sourceNames(d))
	}
	p := d.Sources[0]
	if p.Source != "fdk" || p.Country != "NO" || p.Hash != v1.Sources[0].Hash || p.Original != v1.Sources[0].Original ||
		!p.FirstSeen.Equal(at(1)) || !p.LastChanged.Equal(at(1)) || !p.LastSeen.Equal(at(1)) || p.Withdrawn != nil {
		t.Errorf("provenance = %+v, want fdk, NO, the hash and original sent, all times %v", p, at(1))
	}
	if hist := h.history(d.ID); len(hist) != 0 {
		t.Errorf("History of a new record = %d versions, want 0", len(hist))
	}

	// Again, the same: nothing changes but when it was last seen.
	run = h.start("fdk", at(60))
	h.put(run, from("fdk", norwegian(iri, 1)), at(61), catalog.Unchanged)
	h.finish(run, catalog.StatusComplete, at(62))
	d2 := h.dataset(iri)
	if d2.Seq != d.Seq {
		t.Errorf("Seq after an unchanged put = %d, want %d", d2.Seq, d.Seq)
	}
	p = provenanceOf(t, d2, "fdk")
	if !p.FirstSeen.Equal(at(1)) || !p.LastChanged.Equal(at(1)) || !p.LastSeen.Equal(at(61)) {
		t.Errorf("provenance after an unchanged put = first %v changed %v seen %v; want %v, %v, %v",
			p.FirstSeen, p.LastChanged, p.LastSeen, at(1), at(1), at(61))
	}
	if hist := h.history(d.ID); len(hist) != 0 {
		t.Errorf("History after an unchanged put = %d versions, want 0", len(hist))
	}

	// A new version: the old one goes to the history.
	run = h.start("fdk", at(120))
	v2 := from("fdk", norwegian(iri, 2))
	h.put(run, v2, at(121), catalog.Updated)
	h.finish(run, catalog.StatusComplete, at(122))
	d3 := h.dataset(iri)
	if d3.Seq <= d.Seq {
		t.Errorf("Seq after an update = %d, want more than %d", d3.Seq, d.Seq)
	}
	if got, want := d3.Title.Get("nb"), norwegian(iri, 2).Title.Get("nb"); got != want {
		t.Errorf("title after update = %q, want %q", got, want)
	}
	p = provenanceOf(t, d3, "fdk")
	if p.Hash != v2.Sources[0].Hash || !p.FirstSeen.Equal(at(1)) || !p.LastChanged.Equal(at(121)) || !p.LastSeen.Equal(at(121)) {
		t.Errorf("provenance after update = %+v, want new hash, first %v, changed and seen %v", p, at(1), at(121))
	}
	hist := h.history(d.ID)
	if len(hist) != 1 {
		t.Fatalf("History after one update = %d versions, want 1", len(hist))
	}
	if hist[0].Title.Get("nb") != norwegian(iri, 1).Title.Get("nb") || hist[0].Seq != d.Seq || hist[0].IRI != iri {
		t.Errorf("History[0] = title %q seq %d, want the first version's (seq %d)", hist[0].Title.Get("nb"), hist[0].Seq, d.Seq)
	}
	if len(hist[0].Sources) == 0 || hist[0].Sources[0].Hash != v1.Sources[0].Hash {
		t.Errorf("History[0].Sources = %+v, want the first version's hash", hist[0].Sources)
	}

	// And a third: newest first.
	run = h.start("fdk", at(180))
	h.put(run, from("fdk", norwegian(iri, 3)), at(181), catalog.Updated)
	h.finish(run, catalog.StatusComplete, at(182))
	hist = h.history(iri)
	if len(hist) != 2 || hist[0].Seq <= hist[1].Seq || hist[0].Title.Get("nb") != norwegian(iri, 2).Title.Get("nb") {
		t.Errorf("History after two updates: %d versions, want 2, newest (version 2) first", len(hist))
	}
	if _, err := h.st.History(h.ctx, "aaaaaaaaaaaaaaaa"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("History(unknown) = %v, want ErrNotFound", err)
	}
}

func testReadYourWrites(h *harness) {
	t := h.t
	h.sources(fdk)
	run := h.start("fdk", at(0))
	h.put(run, from("fdk", norwegian(ssb(1), 1)), at(1), catalog.Added)
	// No FinishRun yet: what Put returned is what a read sees.
	if d := h.dataset(ssb(1)); d.IRI != ssb(1) {
		t.Errorf("Dataset right after Put = %q", d.IRI)
	}
	if p := h.page(catalog.ListOptions{}); p.Total != 1 {
		t.Errorf("Datasets right after Put: total %d, want 1", p.Total)
	}
	h.put(run, from("fdk", norwegian(ssb(1), 2)), at(2), catalog.Updated)
	if d := h.dataset(ssb(1)); d.Title.Get("nb") != norwegian(ssb(1), 2).Title.Get("nb") {
		t.Errorf("Dataset right after an update = %q", d.Title.Get("nb"))
	}
	h.finish(run, catalog.StatusComplete, at(3))
}

func testConflict(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	iri := ssb(1)
	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(iri, 1))
	before := h.dataset(iri)

	run := h.start("dataportal-se", at(10))
	h.put(run, from("dataportal-se", norwegian(iri, 2)), at(11), catalog.Conflict)
	h.finish(run, catalog.StatusComplete, at(12))

	after := h.dataset(iri)
	if !reflect.DeepEqual(after, before) {
		t.Errorf("a conflict changed the record:\n%+v\nwant\n%+v", after, before)
	}
	if s := h.source("dataportal-se"); s.Records != 0 {
		t.Errorf("Source(dataportal-se).Records after a conflict = %d, want 0", s.Records)
	}
	// Harvested again, it is still a conflict, and fdk still owns it.
	run = h.start("dataportal-se", at(20))
	h.put(run, from("dataportal-se", norwegian(iri, 2)), at(21), catalog.Conflict)
	h.finish(run, catalog.StatusComplete, at(22))
	run = h.start("fdk", at(30))
	h.put(run, from("fdk", norwegian(iri, 1)), at(31), catalog.Unchanged)
	h.finish(run, catalog.StatusComplete, at(32))
}

func testMergeViaAggregator(h *harness) {
	t := h.t
	h.sources(fdk, europa)
	iri := ssb(1)
	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(iri, 1))
	before := h.dataset(iri)

	// data.europa.eu says it differently (its own harvest is older).
	run := h.start("data-europa-eu", at(10))
	eu := from("data-europa-eu", norwegian(iri, 7))
	h.put(run, eu, at(11), catalog.Merged)
	h.finish(run, catalog.StatusComplete, at(12))

	d := h.dataset(iri)
	if got := d.Title.Get("nb"); got != before.Title.Get("nb") {
		t.Errorf("title after merge = %q, want fdk's %q", got, before.Title.Get("nb"))
	}
	if names := sourceNames(d); !reflect.DeepEqual(names, []string{"fdk", "data-europa-eu"}) {
		t.Errorf("sources after merge = %v, want [fdk data-europa-eu]: the owner first", names)
	}
	p := provenanceOf(t, d, "data-europa-eu")
	if p.Hash != eu.Sources[0].Hash || p.Original != eu.Sources[0].Original || p.Country != "EU" || !p.FirstSeen.Equal(at(11)) {
		t.Errorf("aggregator's provenance = %+v, want its own hash, original, country and first seen %v", p, at(11))
	}
	if d.Seq <= before.Seq {
		t.Errorf("Seq after a merge = %d, want more than %d: the record's sources changed", d.Seq, before.Seq)
	}
	if hist := h.history(iri); len(hist) != 0 {
		t.Errorf("History after a merge = %d versions, want 0: the record did not change", len(hist))
	}
	// Harvested again, unchanged: still merged, and nothing moves.
	run = h.start("data-europa-eu", at(20))
	h.put(run, eu, at(21), catalog.Merged)
	h.finish(run, catalog.StatusComplete, at(22))
	d2 := h.dataset(iri)
	if d2.Seq != d.Seq {
		t.Errorf("Seq after the same merge again = %d, want %d", d2.Seq, d.Seq)
	}
	if p := provenanceOf(t, d2, "data-europa-eu"); !p.LastSeen.Equal(at(21)) || !p.FirstSeen.Equal(at(11)) {
		t.Errorf("aggregator's provenance after a second merge = %+v, want first seen %v, last seen %v", p, at(11), at(21))
	}
	// The owner updates it: still one record, two sources.
	run = h.start("fdk", at(30))
	h.put(run, from("fdk", norwegian(iri, 2)), at(31), catalog.Updated)
	h.finish(run, catalog.StatusComplete, at(32))
	if d := h.dataset(iri); len(d.Sources) != 2 || d.Title.Get("nb") != norwegian(iri, 2).Title.Get("nb") {
		t.Errorf("after the owner's update: sources %v, title %q", sourceNames(d), d.Title.Get("nb"))
	}
	if p := h.page(catalog.ListOptions{}); p.Total != 1 {
		t.Errorf("Datasets total = %d, want 1", p.Total)
	}
}

func testMergeViaSameHash(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	iri := ssb(1)
	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(iri, 1))
	run := h.start("dataportal-se", at(10))
	h.put(run, from("dataportal-se", norwegian(iri, 1)), at(11), catalog.Merged)
	h.finish(run, catalog.StatusComplete, at(12))
	d := h.dataset(iri)
	if names := sourceNames(d); !reflect.DeepEqual(names, []string{"fdk", "dataportal-se"}) {
		t.Errorf("sources = %v, want [fdk dataportal-se]", names)
	}
	if p := provenanceOf(t, d, "dataportal-se"); p.Country != "SE" {
		t.Errorf("dataportal-se's provenance country = %q, want SE (the source's)", p.Country)
	}
	// When the second source then says something else, that is a conflict.
	run = h.start("dataportal-se", at(20))
	h.put(run, from("dataportal-se", norwegian(iri, 5)), at(21), catalog.Conflict)
	h.finish(run, catalog.StatusPartial, at(22))
}

func testAuthorityTakesOver(h *harness) {
	t := h.t
	h.sources(fdk, europa)
	iri := ssb(1)
	// The aggregator is harvested first and so stores the record first.
	run := h.start("data-europa-eu", at(0))
	h.put(run, from("data-europa-eu", norwegian(iri, 7)), at(1), catalog.Added)
	h.finish(run, catalog.StatusComplete, at(2))
	// The national source then takes it over: its statement is the record.
	run = h.start("fdk", at(10))
	h.put(run, from("fdk", norwegian(iri, 1)), at(11), catalog.Updated)
	h.finish(run, catalog.StatusComplete, at(12))
	d := h.dataset(iri)
	if d.Title.Get("nb") != norwegian(iri, 1).Title.Get("nb") {
		t.Errorf("title = %q, want fdk's", d.Title.Get("nb"))
	}
	if names := sourceNames(d); !reflect.DeepEqual(names, []string{"fdk", "data-europa-eu"}) {
		t.Errorf("sources = %v, want [fdk data-europa-eu]", names)
	}
	if hist := h.history(iri); len(hist) != 1 || len(hist[0].Sources) == 0 || hist[0].Sources[0].Source != "data-europa-eu" {
		t.Errorf("History = %+v, want the aggregator's version", hist)
	}
	// From then on the aggregator merges, and fdk is unchanged.
	run = h.start("data-europa-eu", at(20))
	h.put(run, from("data-europa-eu", norwegian(iri, 7)), at(21), catalog.Merged)
	h.finish(run, catalog.StatusComplete, at(22))
	run = h.start("fdk", at(30))
	h.put(run, from("fdk", norwegian(iri, 1)), at(31), catalog.Unchanged)
	h.finish(run, catalog.StatusComplete, at(32))
}

func testIdentityByIdentifier(h *harness) {
	t := h.t
	h.sources(dataportal, europa, avoindata)
	iri := scb(1)
	h.harvest("dataportal-se", at(0), catalog.StatusComplete, swedish(iri, 1))
	id := catalog.IDFor(iri)

	// The aggregator's copy has an IRI of its own, and the identifier.
	copyIRI := "http://data.europa.eu/88u/dataset/scb-be0101-00001"
	eu := swedish(copyIRI, 1)
	eu.Identifiers = []string{"SCB-BE010100001"}
	run := h.start("data-europa-eu", at(10))
	h.put(run, from("data-europa-eu", eu), at(11), catalog.Merged)
	h.finish(run, catalog.StatusComplete, at(12))
	d := h.dataset(id)
	if d.IRI != iri || len(d.Sources) != 2 {
		t.Errorf("record found by identifier: IRI %q, sources %v; want %q with two sources", d.IRI, sourceNames(d), iri)
	}
	if p := h.page(catalog.ListOptions{IncludeWithdrawn: true}); p.Total != 1 {
		t.Errorf("Datasets total = %d, want 1: the copy is the same record", p.Total)
	}

	// An identifier that is the IRI of a stored record identifies it too:
	// here a national source that says something else, so a conflict, not
	// a second record.
	other := swedish("https://www.avoindata.fi/data/dataset/ruotsin-vaesto", 1)
	other.Identifiers = []string{"urn:fi:ruotsin-vaesto", iri}
	run = h.start("avoindata", at(20))
	h.put(run, from("avoindata", other), at(21), catalog.Conflict)
	h.finish(run, catalog.StatusComplete, at(22))
	if _, err := h.st.Dataset(h.ctx, other.IRI); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Dataset(%s) = %v, want ErrNotFound: it is the same record", other.IRI, err)
	}

	// Two IRIs from one source are two records, even with one identifier
	// (real catalogues copy a dct:identifier onto several datasets).
	twinA, twinB := swedish(scb(7), 1), swedish(scb(8), 1)
	twinA.Identifiers, twinB.Identifiers = []string{"shared-7-8"}, []string{"shared-7-8"}
	run = h.start("dataportal-se", at(25))
	h.put(run, from("dataportal-se", twinA), at(26), catalog.Added)
	h.put(run, from("dataportal-se", twinB), at(26), catalog.Added)
	h.finish(run, catalog.StatusPartial, at(27))
	if d := h.dataset(scb(8)); d.IRI != scb(8) {
		t.Errorf("Dataset(%s) = %s: one source's second IRI was folded into its first", scb(8), d.IRI)
	}

	// An identifier two records share identifies neither.
	h.harvest("dataportal-se", at(30), catalog.StatusComplete, swedish(scb(2), 1), swedish(scb(3), 1))
	for _, n := range []int{2, 3} {
		run := h.start("dataportal-se", at(40))
		rec := swedish(scb(n), 1)
		rec.Identifiers = []string{"1"}
		h.put(run, from("dataportal-se", rec), at(41), catalog.Updated)
		h.finish(run, catalog.StatusPartial, at(42))
	}
	loose := swedish("http://data.europa.eu/88u/dataset/one", 1)
	loose.Identifiers = []string{"1"}
	run = h.start("data-europa-eu", at(50))
	h.put(run, from("data-europa-eu", loose), at(51), catalog.Added)
	h.finish(run, catalog.StatusPartial, at(52))
	if p := h.page(catalog.ListOptions{IncludeWithdrawn: true}); p.Total != 6 {
		t.Errorf("Datasets total = %d, want 6", p.Total)
	}
}

func testWithdraw(h *harness) {
	t := h.t
	h.sources(fdk)
	a, b, c := norwegian(ssb(1), 1), norwegian(ssb(2), 1), norwegian(ssb(3), 1)
	if n := h.harvest("fdk", at(0), catalog.StatusComplete, a, b, c); n != 0 {
		t.Fatalf("first complete run withdrew %d, want 0", n)
	}
	before := h.dataset(c.IRI)

	run := h.start("fdk", at(60))
	h.put(run, from("fdk", a), at(61), catalog.Unchanged)
	h.put(run, from("fdk", b), at(61), catalog.Unchanged)
	n, err := h.st.FinishRun(h.ctx, run, catalog.Report{Status: catalog.StatusComplete, Finished: at(62), Unchanged: 2})
	if err != nil {
		t.Fatalf("FinishRun = %v", err)
	}
	if n != 1 {
		t.Errorf("FinishRun withdrew %d, want 1", n)
	}
	if rep, err := h.st.Run(h.ctx, run); err != nil || rep.Withdrawn != 1 || rep.Unchanged != 2 {
		t.Errorf("Run(%d) = withdrawn %d, unchanged %d, %v; want 1, 2", run, rep.Withdrawn, rep.Unchanged, err)
	}

	d := h.dataset(c.IRI)
	if !d.Withdrawn || !timeIs(d.WithdrawnAt, at(62)) {
		t.Errorf("withdrawn record: Withdrawn %v at %v, want true at %v", d.Withdrawn, d.WithdrawnAt, at(62))
	}
	if d.Seq <= before.Seq {
		t.Errorf("Seq after withdrawal = %d, want more than %d", d.Seq, before.Seq)
	}
	if d.Title.Get("nb") != c.Title.Get("nb") {
		t.Errorf("withdrawn record lost its content: title %q", d.Title.Get("nb"))
	}
	if p := provenanceOf(t, d, "fdk"); !timeIs(p.Withdrawn, at(62)) || p.Original == "" {
		t.Errorf("fdk's provenance of the withdrawn record = %+v, want withdrawn at %v, original kept", p, at(62))
	}
	hist := h.history(d.ID)
	if len(hist) != 1 || hist[0].Withdrawn || hist[0].Seq != before.Seq {
		t.Errorf("History of the withdrawn record = %+v, want the live version", hist)
	}

	p := h.page(catalog.ListOptions{})
	if p.Total != 2 || len(p.Items) != 2 {
		t.Errorf("Datasets: total %d, %d items; want 2 live", p.Total, len(p.Items))
	}
	for _, it := range p.Items {
		if it.IRI == c.IRI {
			t.Errorf("Datasets lists the withdrawn %s", c.IRI)
		}
	}
	p = h.page(catalog.ListOptions{IncludeWithdrawn: true})
	if p.Total != 3 || len(p.Items) != 3 {
		t.Errorf("Datasets(IncludeWithdrawn): total %d, %d items; want 3", p.Total, len(p.Items))
	}
	for _, it := range p.Items {
		if it.IRI == c.IRI && (!it.Withdrawn || it.WithdrawnAt == nil) {
			t.Errorf("Datasets(IncludeWithdrawn) shows %s as live", c.IRI)
		}
		for _, s := range it.Sources {
			if s.Original != "" {
				t.Errorf("Datasets item %s carries an Original", it.IRI)
			}
		}
	}
	if s := h.source("fdk"); s.Records != 2 {
		t.Errorf("Source(fdk).Records = %d, want 2", s.Records)
	}
	// Withdrawn once only.
	if n := h.harvest("fdk", at(120), catalog.StatusComplete, a, b); n != 0 {
		t.Errorf("next complete run withdrew %d, want 0", n)
	}
	if d2 := h.dataset(c.IRI); d2.Seq != d.Seq || !timeIs(d2.WithdrawnAt, at(62)) {
		t.Errorf("withdrawn record changed by a later run: seq %d at %v, want %d at %v", d2.Seq, d2.WithdrawnAt, d.Seq, at(62))
	}
	// An empty complete run withdraws everything it listed.
	if n := h.harvest("fdk", at(180), catalog.StatusComplete); n != 2 {
		t.Errorf("empty complete run withdrew %d, want 2", n)
	}
	if p := h.page(catalog.ListOptions{}); p.Total != 0 {
		t.Errorf("Datasets after everything was withdrawn: total %d", p.Total)
	}
}

func testPartialFailed(h *harness) {
	t := h.t
	h.sources(fdk)
	recs := []catalog.Dataset{norwegian(ssb(1), 1), norwegian(ssb(2), 1), norwegian(ssb(3), 1)}
	h.harvest("fdk", at(0), catalog.StatusComplete, recs...)
	for i, status := range []string{catalog.StatusPartial, catalog.StatusFailed} {
		if n := h.harvest("fdk", at(60*(i+1)), status, recs[0]); n != 0 {
			t.Errorf("%s run withdrew %d, want 0", status, n)
		}
		if p := h.page(catalog.ListOptions{}); p.Total != 3 {
			t.Errorf("after a %s run: %d live records, want 3", status, p.Total)
		}
	}
	// A complete run answered "304 Not Modified" lists nothing and withdraws nothing.
	run := h.start("fdk", at(250))
	if n, err := h.st.FinishRun(h.ctx, run, catalog.Report{Status: catalog.StatusComplete, NotModified: true, Finished: at(251)}); err != nil || n != 0 {
		t.Errorf("FinishRun(not modified) = %d, %v; want 0 withdrawn", n, err)
	}
	// A run that read nothing and failed withdraws nothing either.
	run = h.start("fdk", at(300))
	if n := h.finish(run, catalog.StatusFailed, at(301)); n != 0 {
		t.Errorf("failed run withdrew %d, want 0", n)
	}
	for _, r := range recs {
		if d := h.dataset(r.IRI); d.Withdrawn || provenanceOf(t, d, "fdk").Withdrawn != nil {
			t.Errorf("%s withdrawn after partial and failed runs", r.IRI)
		}
	}
	// The next complete run withdraws what it does not list.
	if n := h.harvest("fdk", at(400), catalog.StatusComplete, recs[0]); n != 2 {
		t.Errorf("complete run withdrew %d, want 2", n)
	}
}

func testWithdrawnOnlyWhenNoSource(h *harness) {
	t := h.t
	h.sources(fdk, europa)
	rec := norwegian(ssb(1), 1)
	h.harvest("fdk", at(0), catalog.StatusComplete, rec)
	h.harvest("data-europa-eu", at(10), catalog.StatusComplete, rec)
	seq := h.dataset(rec.IRI).Seq

	if n := h.harvest("fdk", at(20), catalog.StatusComplete); n != 1 {
		t.Errorf("fdk's run without the record withdrew %d, want 1", n)
	}
	d := h.dataset(rec.IRI)
	if d.Withdrawn {
		t.Errorf("record withdrawn while data.europa.eu still lists it")
	}
	// Its sources changed: whatever follows the change sequence (the
	// search index's country and source facets) must see it.
	if d.Seq <= seq {
		t.Errorf("record's seq = %d after a source withdrew it, want above %d", d.Seq, seq)
	}
	if p := provenanceOf(t, d, "fdk"); p.Withdrawn == nil {
		t.Errorf("fdk's provenance not withdrawn")
	}
	if p := provenanceOf(t, d, "data-europa-eu"); p.Withdrawn != nil {
		t.Errorf("data-europa-eu's provenance withdrawn")
	}
	if s := h.source("fdk"); s.Records != 0 {
		t.Errorf("Source(fdk).Records = %d, want 0", s.Records)
	}

	if n := h.harvest("data-europa-eu", at(30), catalog.StatusComplete); n != 1 {
		t.Errorf("aggregator's run without the record withdrew %d, want 1", n)
	}
	if d := h.dataset(rec.IRI); !d.Withdrawn || !timeIs(d.WithdrawnAt, at(31)) {
		t.Errorf("record no source lists: withdrawn %v at %v, want at %v", d.Withdrawn, d.WithdrawnAt, at(31))
	}
}

func testComeBack(h *harness) {
	t := h.t
	h.sources(fdk)
	a, b := norwegian(ssb(1), 1), norwegian(ssb(2), 1)
	h.harvest("fdk", at(0), catalog.StatusComplete, a, b)
	h.harvest("fdk", at(10), catalog.StatusComplete, a)
	gone := h.dataset(b.IRI)
	if !gone.Withdrawn {
		t.Fatalf("%s not withdrawn", b.IRI)
	}

	// Back as it was.
	run := h.start("fdk", at(20))
	h.put(run, from("fdk", a), at(21), catalog.Unchanged)
	h.put(run, from("fdk", b), at(21), catalog.Updated)
	if n := h.finish(run, catalog.StatusComplete, at(22)); n != 0 {
		t.Errorf("run withdrew %d, want 0", n)
	}
	d := h.dataset(b.IRI)
	if p := provenanceOf(t, d, "fdk"); d.Withdrawn || d.WithdrawnAt != nil || p.Withdrawn != nil {
		t.Errorf("record back: withdrawn %v at %v, provenance %v; want live", d.Withdrawn, d.WithdrawnAt, p.Withdrawn)
	}
	if d.ID != gone.ID || d.Seq <= gone.Seq {
		t.Errorf("record back: id %s seq %d; want id %s, seq above %d", d.ID, d.Seq, gone.ID, gone.Seq)
	}
	if p := provenanceOf(t, d, "fdk"); !p.FirstSeen.Equal(at(0)) || !p.LastSeen.Equal(at(21)) {
		t.Errorf("provenance of the record back = %+v, want first seen %v, last %v", p, at(0), at(21))
	}
	hist := h.history(b.IRI)
	if len(hist) != 2 || !hist[0].Withdrawn || hist[1].Withdrawn {
		t.Errorf("History of the record back: %d versions, want 2: withdrawn, then live", len(hist))
	}
	if p := h.page(catalog.ListOptions{}); p.Total != 2 {
		t.Errorf("Datasets total = %d, want 2", p.Total)
	}

	// Back with new content.
	h.harvest("fdk", at(30), catalog.StatusComplete, a)
	run = h.start("fdk", at(40))
	h.put(run, from("fdk", norwegian(b.IRI, 2)), at(41), catalog.Updated)
	h.finish(run, catalog.StatusPartial, at(42))
	if d := h.dataset(b.IRI); d.Withdrawn || d.Title.Get("nb") != norwegian(b.IRI, 2).Title.Get("nb") {
		t.Errorf("record back with new content: withdrawn %v, title %q", d.Withdrawn, d.Title.Get("nb"))
	}
}

func testClaimAfterWithdrawal(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	iri := ssb(1)
	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(iri, 1))
	h.harvest("fdk", at(10), catalog.StatusComplete)
	// Another source lists a record its owner no longer lists: it is not a
	// conflict; that source now owns it.
	run := h.start("dataportal-se", at(20))
	h.put(run, from("dataportal-se", norwegian(iri, 2)), at(21), catalog.Updated)
	h.finish(run, catalog.StatusComplete, at(22))
	d := h.dataset(iri)
	if d.Withdrawn || d.Title.Get("nb") != norwegian(iri, 2).Title.Get("nb") {
		t.Errorf("claimed record: withdrawn %v, title %q", d.Withdrawn, d.Title.Get("nb"))
	}
	if names := sourceNames(d); len(names) != 2 || names[0] != "dataportal-se" {
		t.Errorf("claimed record's sources = %v, want dataportal-se first", names)
	}
	// The old owner, back, meets a record another source owns.
	run = h.start("fdk", at(30))
	h.put(run, from("fdk", norwegian(iri, 1)), at(31), catalog.Conflict)
	h.finish(run, catalog.StatusComplete, at(32))
}

func testPaging(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	var recs []catalog.Dataset
	for i := 1; i <= 20; i++ {
		recs = append(recs, norwegian(ssb(i), 1))
	}
	h.harvest("fdk", at(0), catalog.StatusComplete, recs...)
	var sv []catalog.Dataset
	for i := 1; i <= 5; i++ {
		sv = append(sv, swedish(scb(i), 1))
	}
	h.harvest("dataportal-se", at(0), catalog.StatusComplete, sv...)
	h.harvest("fdk", at(60), catalog.StatusComplete, recs[3:]...) // withdraws 3

	var want []string
	for _, r := range append(recs[3:], sv...) {
		want = append(want, catalog.IDFor(r.IRI))
	}
	sort.Strings(want)
	var got []string
	for off := 0; off < 30; off += 10 {
		p := h.page(catalog.ListOptions{Limit: 10, Offset: off})
		if p.Total != 22 {
			t.Errorf("Datasets(offset %d).Total = %d, want 22", off, p.Total)
		}
		for _, it := range p.Items {
			got = append(got, it.ID)
			if it.Withdrawn {
				t.Errorf("Datasets lists withdrawn %s", it.IRI)
			}
			if len(it.Sources) != 1 {
				t.Errorf("Datasets item %s has sources %v", it.IRI, sourceNames(it))
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paging by 10 gave ids\n%v\nwant (by id)\n%v", got, want)
	}
	if p := h.page(catalog.ListOptions{}); len(p.Items) != 22 {
		t.Errorf("Datasets with no limit: %d items, want all 22", len(p.Items))
	}
	if p := h.page(catalog.ListOptions{Limit: 10, Offset: 100}); p.Total != 22 || len(p.Items) != 0 {
		t.Errorf("Datasets past the end: total %d, %d items; want 22, 0", p.Total, len(p.Items))
	}
	if p := h.page(catalog.ListOptions{Limit: 5, Offset: 20, IncludeWithdrawn: true}); p.Total != 25 || len(p.Items) != 5 {
		t.Errorf("Datasets(IncludeWithdrawn) last page: total %d, %d items; want 25, 5", p.Total, len(p.Items))
	}
}

func testDatasetsByID(h *harness) {
	t := h.t
	h.sources(fdk)
	recs := []catalog.Dataset{norwegian(ssb(1), 1), norwegian(ssb(2), 1), norwegian(ssb(3), 1)}
	h.harvest("fdk", at(0), catalog.StatusComplete, recs...)
	h.harvest("fdk", at(60), catalog.StatusComplete, recs[:2]...) // withdraws ssb(3)
	ids := []string{catalog.IDFor(recs[2].IRI), "nosuchrecord", catalog.IDFor(recs[0].IRI), catalog.IDFor(recs[1].IRI)}
	got, err := h.st.DatasetsByID(h.ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, d := range got {
		gotIDs = append(gotIDs, d.ID)
		if len(d.Sources) != 1 || d.Sources[0].Original != "" || d.IRI == "" {
			t.Errorf("DatasetsByID item %s: sources %+v; want one, without Original", d.ID, d.Sources)
		}
	}
	if want := []string{ids[0], ids[2], ids[3]}; !reflect.DeepEqual(gotIDs, want) {
		t.Errorf("DatasetsByID(%v) = %v, want %v (in the order asked, unknown left out)", ids, gotIDs, want)
	}
	if len(got) > 0 && !got[0].Withdrawn {
		t.Errorf("DatasetsByID: %s not marked withdrawn", got[0].ID)
	}
	if none, err := h.st.DatasetsByID(h.ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("DatasetsByID(nil) = %v, %v; want none", none, err)
	}
}

func testInvalidPut(h *harness) {
	t := h.t
	h.sources(fdk, dataportal)
	run := h.start("fdk", at(0))
	good := from("fdk", norwegian(ssb(1), 1))
	noIRI := good
	noIRI.IRI = ""
	noSources := good
	noSources.Sources = nil
	noHash := from("fdk", norwegian(ssb(1), 1))
	noHash.Sources[0].Hash = ""
	wrongSource := from("dataportal-se", norwegian(ssb(1), 1))
	twoSources := good
	twoSources.Sources = append(append([]catalog.SourceRecord{}, good.Sources...), wrongSource.Sources...)
	for _, tc := range []struct {
		name string
		run  int64
		rec  catalog.Dataset
	}{
		{"no IRI", run, noIRI},
		{"no provenance", run, noSources},
		{"no hash", run, noHash},
		{"another source's provenance", run, wrongSource},
		{"two provenances", run, twoSources},
		{"unknown run", run + 1000, good},
	} {
		if out, err := h.st.Put(h.ctx, tc.run, tc.rec, at(1)); err == nil {
			t.Errorf("Put(%s) = %s, nil; want an error", tc.name, outcome(out))
		}
	}
	if p := h.page(catalog.ListOptions{IncludeWithdrawn: true}); p.Total != 0 {
		t.Errorf("invalid puts stored %d records", p.Total)
	}
	h.put(run, good, at(2), catalog.Added)
	h.finish(run, catalog.StatusComplete, at(3))
}

func testConcurrentReaders(h *harness) {
	t := h.t
	h.sources(fdk)
	const n = 1500
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			last := 0
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				p, err := h.st.Datasets(h.ctx, catalog.ListOptions{Limit: 20, Offset: i % 50})
				if err != nil {
					errs <- fmt.Errorf("reader %d: Datasets: %w", r, err)
					return
				}
				if p.Total < last {
					errs <- fmt.Errorf("reader %d: total went from %d to %d", r, last, p.Total)
					return
				}
				last = p.Total
				for _, it := range p.Items {
					if len(it.Sources) != 1 {
						errs <- fmt.Errorf("reader %d: %s has %d sources", r, it.IRI, len(it.Sources))
						return
					}
				}
				if _, err := h.st.Sources(h.ctx); err != nil {
					errs <- fmt.Errorf("reader %d: Sources: %w", r, err)
					return
				}
				if _, err := h.st.Dataset(h.ctx, ssb(1)); err != nil && !errors.Is(err, catalog.ErrNotFound) {
					errs <- fmt.Errorf("reader %d: Dataset: %w", r, err)
					return
				}
			}
		}(r)
	}
	run := h.start("fdk", at(0))
	for i := 1; i <= n; i++ {
		if _, err := h.st.Put(h.ctx, run, from("fdk", norwegian(ssb(i), 1)), at(1)); err != nil {
			t.Errorf("Put %d: %v", i, err)
			break
		}
	}
	h.finish(run, catalog.StatusComplete, at(2))
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p := h.page(catalog.ListOptions{Limit: 1}); p.Total != n {
		t.Errorf("after the run: total %d, want %d", p.Total, n)
	}
}

func testClosed(h *harness) {
	t := h.t
	h.sources(fdk)
	run := h.start("fdk", at(0))
	h.put(run, from("fdk", norwegian(ssb(1), 1)), at(1), catalog.Added)
	if err := h.st.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	ctx := h.ctx
	rec := from("fdk", norwegian(ssb(2), 1))
	calls := map[string]func() error{
		"UpsertSource": func() error { return h.st.UpsertSource(ctx, fdk) },
		"StartRun":     func() error { _, err := h.st.StartRun(ctx, "fdk", at(2)); return err },
		"Put":          func() error { _, err := h.st.Put(ctx, run, rec, at(2)); return err },
		"FinishRun": func() error {
			_, err := h.st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete})
			return err
		},
		"SetValidators": func() error { return h.st.SetValidators(ctx, "fdk", `"x"`, "") },
		"SetCatalogs":   func() error { return h.st.SetCatalogs(ctx, "fdk", nil) },
		"Dataset":       func() error { _, err := h.st.Dataset(ctx, ssb(1)); return err },
		"Datasets":      func() error { _, err := h.st.Datasets(ctx, catalog.ListOptions{}); return err },
		"History":       func() error { _, err := h.st.History(ctx, ssb(1)); return err },
		"Sources":       func() error { _, err := h.st.Sources(ctx); return err },
		"Source":        func() error { _, err := h.st.Source(ctx, "fdk"); return err },
		"Run":           func() error { _, err := h.st.Run(ctx, run); return err },
		"DatasetsAfter": func() error { _, err := h.st.DatasetsAfter(ctx, "", 10); return err },
		"SetQuality":    func() error { return h.st.SetQuality(ctx, catalog.IDFor(ssb(1)), 1, catalog.Quality{}) },
		"SetLinkStatus": func() error {
			return h.st.SetLinkStatus(ctx, catalog.LinkStatus{URL: "https://x.example/", Checked: at(2)})
		},
		"LinkStatuses": func() error { _, err := h.st.LinkStatuses(ctx, []string{"https://x.example/"}); return err },
		"PruneLinkStatuses": func() error {
			_, err := h.st.PruneLinkStatuses(ctx, at(2))
			return err
		},
		"DatasetsAt": func() error {
			return h.st.DatasetsAt(ctx, at(1), func(catalog.Dataset) error { return nil })
		},
		"CoverageHistory": func() error { _, err := h.st.CoverageHistory(ctx, time.Time{}, time.Time{}); return err },
		"QualityHistory":  func() error { _, err := h.st.QualityHistory(ctx, time.Time{}, time.Time{}); return err },
		"CoverageAt":      func() error { _, err := h.st.CoverageAt(ctx, at(1)); return err },
		"ChangedSince": func() error {
			return h.st.ChangedSince(ctx, at(1), func(catalog.Dataset, *catalog.Dataset) error { return nil })
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, catalog.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if err := h.st.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}
