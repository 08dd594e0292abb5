package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"samband/catalog"
)

// datasetsAt returns what DatasetsAt gives for at, checking that it comes
// in id order.
func (h *harness) datasetsAt(at time.Time) []catalog.Dataset {
	h.t.Helper()
	var out []catalog.Dataset
	err := h.st.DatasetsAt(h.ctx, at, func(d catalog.Dataset) error {
		if n := len(out); n > 0 && out[n-1].ID >= d.ID {
			return fmt.Errorf("%s after %s: not in id order", d.ID, out[n-1].ID)
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		h.t.Fatalf("DatasetsAt(%v) = %v", at, err)
	}
	return out
}

// byIRI indexes records by IRI.
func byIRI(ds []catalog.Dataset) map[string]catalog.Dataset {
	m := map[string]catalog.Dataset{}
	for _, d := range ds {
		m[d.IRI] = d
	}
	return m
}

func iris(ds []catalog.Dataset) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.IRI)
	}
	sort.Strings(out)
	return out
}

func testDatasetsAt(h *harness) {
	t := h.t
	h.sources(fdk, europa)
	a, b, c, d := norwegian(ssb(1), 1), norwegian(ssb(2), 1), norwegian(ssb(3), 1), norwegian(ssb(4), 1)
	a2 := norwegian(ssb(1), 2)
	h.harvest("fdk", at(0), catalog.StatusComplete, a, b, c)
	h.harvest("data-europa-eu", at(5), catalog.StatusComplete, b)
	h.harvest("fdk", at(10), catalog.StatusComplete, a2, b) // a changes; c withdrawn at at(11)
	h.harvest("fdk", at(20), catalog.StatusComplete, a2, b, d)

	if got := h.datasetsAt(at(0).Add(-time.Second)); len(got) != 0 {
		t.Errorf("DatasetsAt(before the first harvest) = %v, want none", iris(got))
	}

	// At at(7): a as it was, c not yet withdrawn, d not yet seen.
	then := h.datasetsAt(at(7))
	if want := []string{ssb(1), ssb(2), ssb(3)}; !reflect.DeepEqual(iris(then), want) {
		t.Fatalf("DatasetsAt(at 7) = %v, want %v", iris(then), want)
	}
	m := byIRI(then)
	if got, want := m[ssb(1)].Title.Get("nb"), a.Title.Get("nb"); got != want {
		t.Errorf("DatasetsAt(at 7): title of the record changed at 10 = %q, want the old %q", got, want)
	}
	if now := h.dataset(ssb(1)); now.Title.Get("nb") != a2.Title.Get("nb") || m[ssb(1)].Seq >= now.Seq {
		t.Errorf("the record now: title %q seq %d; at 7: seq %d", now.Title.Get("nb"), now.Seq, m[ssb(1)].Seq)
	}
	gone := m[ssb(3)]
	if gone.Withdrawn || gone.WithdrawnAt != nil {
		t.Errorf("DatasetsAt(at 7): the record withdrawn at 11 shows as withdrawn: %v %v", gone.Withdrawn, gone.WithdrawnAt)
	}
	if p := provenanceOf(t, gone, "fdk"); p.Withdrawn != nil || !p.FirstSeen.Equal(at(0)) || p.Original != "" || p.Country != "NO" {
		t.Errorf("DatasetsAt(at 7): provenance of the record withdrawn later = %+v; want listed, first seen at 0, no original", p)
	}
	if names := sourceNames(m[ssb(2)]); !reflect.DeepEqual(names, []string{"fdk", "data-europa-eu"}) {
		t.Errorf("DatasetsAt(at 7): sources of the merged record = %v, want fdk, data-europa-eu", names)
	}
	if names := sourceNames(m[ssb(1)]); !reflect.DeepEqual(names, []string{"fdk"}) {
		t.Errorf("DatasetsAt(at 7): sources = %v, want fdk", names)
	}
	for _, rec := range then {
		for _, p := range rec.Sources {
			if p.LastSeen.After(at(7)) || p.LastChanged.After(at(7)) || p.FirstSeen.After(at(7)) {
				t.Errorf("DatasetsAt(at 7): %s has provenance from after 7: %+v", rec.IRI, p)
			}
		}
	}
	// Before data.europa.eu listed b, b has fdk's provenance alone.
	if names := sourceNames(byIRI(h.datasetsAt(at(2)))[ssb(2)]); !reflect.DeepEqual(names, []string{"fdk"}) {
		t.Errorf("DatasetsAt(at 2): sources = %v, want fdk alone", names)
	}

	// At the change: the new version.
	if got := byIRI(h.datasetsAt(at(10)))[ssb(1)].Title.Get("nb"); got != a2.Title.Get("nb") {
		t.Errorf("DatasetsAt(at 10) title = %q, want the new %q", got, a2.Title.Get("nb"))
	}
	// Withdrawn at at(11): absent at and after it.
	for _, when := range []time.Time{at(11), at(15)} {
		if got := iris(h.datasetsAt(when)); !reflect.DeepEqual(got, []string{ssb(1), ssb(2)}) {
			t.Errorf("DatasetsAt(%v) = %v, want the withdrawn record gone", when, got)
		}
	}
	if got := iris(h.datasetsAt(at(60))); !reflect.DeepEqual(got, []string{ssb(1), ssb(2), ssb(4)}) {
		t.Errorf("DatasetsAt(now) = %v", got)
	}

	// Back after withdrawal: absent while withdrawn, present after.
	h.harvest("fdk", at(30), catalog.StatusComplete, a2, b, c, d)
	if got := byIRI(h.datasetsAt(at(25))); len(got) != 3 || got[ssb(3)].IRI != "" {
		t.Errorf("DatasetsAt(at 25) = %v, want c still withdrawn", iris(h.datasetsAt(at(25))))
	}
	if got := byIRI(h.datasetsAt(at(31))); got[ssb(3)].Title.Get("nb") != c.Title.Get("nb") {
		t.Errorf("DatasetsAt(at 31) = %v, want c back", iris(h.datasetsAt(at(31))))
	}

	// fn's error ends the walk.
	stop := errors.New("enough")
	n := 0
	err := h.st.DatasetsAt(h.ctx, at(60), func(catalog.Dataset) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("DatasetsAt with fn failing = %v after %d calls, want fn's error after 1", err, n)
	}
}

// testDatasetsAtMany walks more records than a store would read at once.
func testDatasetsAtMany(h *harness) {
	t := h.t
	h.sources(fdk)
	const n = 700
	var recs []catalog.Dataset
	for i := 1; i <= n; i++ {
		recs = append(recs, norwegian(ssb(i), 1))
	}
	h.harvest("fdk", at(0), catalog.StatusComplete, recs...)
	for i := range recs {
		if i%2 == 0 {
			recs[i] = norwegian(ssb(i+1), 2)
		}
	}
	h.harvest("fdk", at(10), catalog.StatusComplete, recs[:n-100]...) // 100 withdrawn at 11
	old, now := h.datasetsAt(at(5)), h.datasetsAt(at(20))
	if len(old) != n || len(now) != n-100 {
		t.Fatalf("DatasetsAt: %d records at 5, %d now; want %d, %d", len(old), len(now), n, n-100)
	}
	for _, d := range old {
		if strings.Contains(d.Title.Get("nb"), "revisjon") {
			t.Fatalf("DatasetsAt(at 5) gives %s in its later version", d.IRI)
		}
	}
	changed := 0
	for _, d := range now {
		if strings.Contains(d.Title.Get("nb"), "revisjon 2") {
			changed++
		}
	}
	if changed != (n-100)/2 {
		t.Errorf("DatasetsAt(now): %d records in version 2, want %d", changed, (n-100)/2)
	}
}

// coverage is what a set of points says: "country/theme=count" sorted.
func coverage(points []catalog.CoveragePoint) []string {
	var out []string
	for _, p := range points {
		out = append(out, fmt.Sprintf("%s/%s=%d", p.Country, p.Theme, p.Count))
	}
	sort.Strings(out)
	return out
}

// byRun groups points by run, in the order of the runs.
func byRun(points []catalog.CoveragePoint) (runs []int64, m map[int64][]catalog.CoveragePoint) {
	m = map[int64][]catalog.CoveragePoint{}
	for _, p := range points {
		if _, ok := m[p.Run]; !ok {
			runs = append(runs, p.Run)
		}
		m[p.Run] = append(m[p.Run], p)
	}
	return runs, m
}

func scored(rec catalog.Dataset, score int) catalog.Dataset {
	rec.Quality = &catalog.Quality{Score: score, Max: catalog.MaxScore}
	return rec
}

func themed(rec catalog.Dataset, themes ...string) catalog.Dataset {
	rec.EUThemes = themes
	return rec
}

func testCoverage(h *harness) {
	t := h.t
	h.sources(fdk, dataportal, europa)
	history := func(from, to time.Time) []catalog.CoveragePoint {
		t.Helper()
		p, err := h.st.CoverageHistory(h.ctx, from, to)
		if err != nil {
			t.Fatalf("CoverageHistory = %v", err)
		}
		return p
	}
	if p := history(time.Time{}, time.Time{}); len(p) != 0 {
		t.Errorf("CoverageHistory of an empty store = %v", p)
	}
	if _, err := h.st.CoverageAt(h.ctx, at(0)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("CoverageAt before any run = %v, want ErrNotFound", err)
	}

	a := scored(norwegian(ssb(1), 1), 300) // SOCI
	b := scored(themed(norwegian(ssb(2), 1), "ECON", "GOVE"), 200)
	c := themed(norwegian(ssb(3), 1)) // no theme, not scored
	d := scored(themed(norwegian(ssb(4), 1), "SOCI", "ECON"), 100)
	type run struct {
		source string
		when   time.Time
		status string
		recs   []catalog.Dataset
		want   []string // the catalogue after the run
	}
	runs := []run{
		{"fdk", at(0), catalog.StatusComplete, []catalog.Dataset{a, b, c, d},
			[]string{"NO/=1", "NO/ECON=2", "NO/GOVE=1", "NO/SOCI=2"}},
		{"dataportal-se", at(10), catalog.StatusComplete, []catalog.Dataset{swedish(scb(1), 1), scored(swedish(scb(2), 1), 400)},
			[]string{"NO/=1", "NO/ECON=2", "NO/GOVE=1", "NO/SOCI=2", "SE/REGI=2", "SE/SOCI=2"}},
		// The aggregator lists one of fdk's records (merged: counted once)
		// and one of its own (under its country).
		{"data-europa-eu", at(20), catalog.StatusComplete, []catalog.Dataset{a, themed(norwegian(ssb(9), 1), "TRAN")},
			[]string{"EU/TRAN=1", "NO/=1", "NO/ECON=2", "NO/GOVE=1", "NO/SOCI=2", "SE/REGI=2", "SE/SOCI=2"}},
		// fdk: d withdrawn, c gets a theme, and fdk takes over the
		// aggregator's record: it moves from EU to NO.
		{"fdk", at(30), catalog.StatusComplete, []catalog.Dataset{a, b, themed(c, "HEAL"), themed(norwegian(ssb(9), 2), "TRAN")},
			[]string{"NO/ECON=1", "NO/GOVE=1", "NO/HEAL=1", "NO/SOCI=1", "NO/TRAN=1", "SE/REGI=2", "SE/SOCI=2"}},
		// A partial run changes nothing but is a point in the history.
		{"dataportal-se", at(40), catalog.StatusPartial, nil,
			[]string{"NO/ECON=1", "NO/GOVE=1", "NO/HEAL=1", "NO/SOCI=1", "NO/TRAN=1", "SE/REGI=2", "SE/SOCI=2"}},
		// A complete run listing nothing withdraws everything Sweden had.
		{"dataportal-se", at(50), catalog.StatusComplete, nil,
			[]string{"NO/ECON=1", "NO/GOVE=1", "NO/HEAL=1", "NO/SOCI=1", "NO/TRAN=1"}},
	}
	var ids []int64
	for _, r := range runs {
		id := h.start(r.source, r.when)
		for _, rec := range r.recs {
			if _, err := h.st.Put(h.ctx, id, from(r.source, rec), r.when); err != nil {
				t.Fatalf("Put = %v", err)
			}
		}
		h.finish(id, r.status, r.when.Add(time.Minute))
		ids = append(ids, id)
	}

	points := history(time.Time{}, time.Time{})
	order, m := byRun(points)
	if !reflect.DeepEqual(order, ids) {
		t.Fatalf("CoverageHistory: points of runs %v, want one set per finished run %v, in order", order, ids)
	}
	for i, r := range runs {
		ps := m[ids[i]]
		if got := coverage(ps); !reflect.DeepEqual(got, r.want) {
			t.Errorf("CoverageHistory after run %d (%s at %v):\n%v\nwant\n%v", i+1, r.source, r.when, got, r.want)
		}
		for _, p := range ps {
			if p.Source != r.source || !p.Time.Equal(r.when.Add(time.Minute)) {
				t.Errorf("point %+v: want source %s, time %v", p, r.source, r.when.Add(time.Minute))
			}
		}
	}
	for i := 1; i < len(points); i++ {
		if points[i].Time.Before(points[i-1].Time) {
			t.Fatalf("CoverageHistory not in time order at %d", i)
		}
	}
	if order, _ := byRun(history(at(10), at(31))); !reflect.DeepEqual(order, ids[1:4]) {
		t.Errorf("CoverageHistory(10, 31): runs %v, want %v", order, ids[1:4])
	}
	if order, _ := byRun(history(at(41), time.Time{})); !reflect.DeepEqual(order, ids[4:]) {
		t.Errorf("CoverageHistory(41, -): runs %v, want %v", order, ids[4:])
	}

	quality, err := h.st.QualityHistory(h.ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("QualityHistory = %v", err)
	}
	q := map[string]catalog.QualityPoint{}
	for _, p := range quality {
		q[fmt.Sprintf("%d/%s", p.Run, p.Country)] = p
	}
	for _, tc := range []struct {
		run            int64
		country        string
		count, nscored int
		mean           float64
	}{
		{ids[0], "NO", 4, 3, 200}, // 300, 200, 100; c not scored
		{ids[1], "SE", 2, 1, 400},
		{ids[3], "NO", 4, 2, 250}, // d withdrawn; a, b scored; c and ssb(9) not
		{ids[5], "NO", 4, 2, 250},
	} {
		p, ok := q[fmt.Sprintf("%d/%s", tc.run, tc.country)]
		if !ok || p.Count != tc.count || p.Scored != tc.nscored || p.Mean != tc.mean {
			t.Errorf("QualityHistory of run %d, %s = %+v; want %d records, %d scored, mean %v", tc.run, tc.country, p, tc.count, tc.nscored, tc.mean)
		}
	}
	if _, ok := q[fmt.Sprintf("%d/SE", ids[5])]; ok {
		t.Errorf("QualityHistory: Sweden after its records were withdrawn: %+v", q[fmt.Sprintf("%d/SE", ids[5])])
	}

	cov, err := h.st.CoverageAt(h.ctx, at(35))
	if err != nil {
		t.Fatalf("CoverageAt(35) = %v", err)
	}
	if cov.Run != ids[3] || cov.Source != "fdk" || !cov.Time.Equal(at(31)) || !reflect.DeepEqual(coverage(cov.Themes), runs[3].want) {
		t.Errorf("CoverageAt(35) = run %d %s %v %v; want run %d", cov.Run, cov.Source, cov.Time, coverage(cov.Themes), ids[3])
	}
	if cov.Previous == nil || cov.Previous.Run != ids[2] || !reflect.DeepEqual(coverage(cov.Previous.Themes), runs[2].want) || cov.Previous.Previous != nil {
		t.Errorf("CoverageAt(35).Previous = %+v; want run %d", cov.Previous, ids[2])
	}
	if len(cov.Quality) != 2 || cov.Quality[0].Country != "NO" || cov.Quality[1].Country != "SE" {
		t.Errorf("CoverageAt(35).Quality = %+v, want NO then SE", cov.Quality)
	}
	if cov, err := h.st.CoverageAt(h.ctx, at(31)); err != nil || cov.Run != ids[3] {
		t.Errorf("CoverageAt(the moment run 4 finished) = run %d, %v; want %d", cov.Run, err, ids[3])
	}
	if cov, err := h.st.CoverageAt(h.ctx, at(0).Add(30*time.Second)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("CoverageAt(before the first run finished) = run %d, %v; want ErrNotFound", cov.Run, err)
	}
	if cov, err := h.st.CoverageAt(h.ctx, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || cov.Run != ids[5] || cov.Previous == nil || cov.Previous.Run != ids[4] {
		t.Errorf("CoverageAt(far future) = %+v, %v; want the last run", cov, err)
	}
}

// testChangedSince: what changed after a time, each record now and then.
func testChangedSince(h *harness) {
	t := h.t
	h.sources(fdk, europa)
	a, b, c, d := norwegian(ssb(1), 1), norwegian(ssb(2), 1), norwegian(ssb(3), 1), norwegian(ssb(4), 1)
	a2 := norwegian(ssb(1), 2)
	e := norwegian(ssb(5), 1)
	h.harvest("fdk", at(0), catalog.StatusComplete, a, b, c, e)
	h.harvest("fdk", at(10), catalog.StatusComplete, a2, b, d, e)  // a changes, c withdrawn, d new
	h.harvest("data-europa-eu", at(20), catalog.StatusComplete, e) // e listed by a second source

	type pair struct {
		now  catalog.Dataset
		then *catalog.Dataset
	}
	changed := func(since time.Time) map[string]pair {
		t.Helper()
		out := map[string]pair{}
		err := h.st.ChangedSince(h.ctx, since, func(now catalog.Dataset, then *catalog.Dataset) error {
			out[now.IRI] = pair{now, then}
			return nil
		})
		if err != nil {
			t.Fatalf("ChangedSince(%v) = %v", since, err)
		}
		return out
	}
	got := changed(at(5))
	var names []string
	for iri := range got {
		names = append(names, iri)
	}
	sort.Strings(names)
	if want := []string{ssb(1), ssb(3), ssb(4), ssb(5)}; !reflect.DeepEqual(names, want) {
		t.Fatalf("ChangedSince(at 5) = %v, want %v (b unchanged)", names, want)
	}
	if p := got[ssb(1)]; p.then == nil || p.then.Title.Get("nb") != a.Title.Get("nb") || p.now.Title.Get("nb") != a2.Title.Get("nb") {
		t.Errorf("the changed record: now %v, then %v", p.now.Title, p.then)
	}
	if p := got[ssb(3)]; !p.now.Withdrawn || p.then == nil || p.then.Withdrawn {
		t.Errorf("the withdrawn record: now withdrawn %v, then %+v", p.now.Withdrawn, p.then)
	}
	if p := got[ssb(4)]; p.then != nil || p.now.Withdrawn {
		t.Errorf("the new record: then %+v, want nil", p.then)
	}
	if p := got[ssb(5)]; p.then == nil || len(p.then.Sources) != 1 || len(p.now.Sources) != 2 {
		t.Errorf("the record a second source listed: sources then %v, now %v", p.then, sourceNames(p.now))
	}
	if got := changed(at(30)); len(got) != 0 {
		t.Errorf("ChangedSince(after everything) = %v, want none", got)
	}
	stop := errors.New("stop")
	if err := h.st.ChangedSince(h.ctx, at(5), func(catalog.Dataset, *catalog.Dataset) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("ChangedSince with fn failing = %v, want fn's error", err)
	}
}
