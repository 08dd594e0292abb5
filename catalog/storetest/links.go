package storetest

import (
	"errors"
	"reflect"
	"sort"
	"strings"

	"samband/catalog"
)

// The link checker's part of the store: link statuses, a record's quality
// rewritten in place, and the walk by id.

func testLinkStatuses(h *harness) {
	t := h.t
	if got, err := h.st.LinkStatuses(h.ctx, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("LinkStatuses(nil) = %v, %v; want an empty map", got, err)
	}
	ok := catalog.LinkStatus{URL: "https://data.ssb.no/api/v0/no/table/07459", Checked: at(1), Answered: true, Status: 200}
	moved := catalog.LinkStatus{URL: "http://www.scb.se/statistik.csv", Checked: at(2), Answered: true, Status: 200,
		FinalURL: "https://www.scb.se/statistik.csv"}
	gone := catalog.LinkStatus{URL: "https://example.org/gone?æ=1", Checked: at(3), Status: 404, Error: "404 Not Found"}
	for _, st := range []catalog.LinkStatus{ok, moved, gone} {
		if err := h.st.SetLinkStatus(h.ctx, st); err != nil {
			t.Fatalf("SetLinkStatus(%s) = %v", st.URL, err)
		}
	}
	if err := h.st.SetLinkStatus(h.ctx, catalog.LinkStatus{Checked: at(1)}); err == nil {
		t.Errorf("SetLinkStatus with no URL = nil, want an error")
	}
	unknown := "https://example.org/never-checked"
	got, err := h.st.LinkStatuses(h.ctx, []string{ok.URL, unknown, gone.URL, moved.URL, ok.URL})
	if err != nil {
		t.Fatalf("LinkStatuses = %v", err)
	}
	want := catalog.LinkStatuses{ok.URL: ok, moved.URL: moved, gone.URL: gone}
	if !linkStatusesEqual(got, want) {
		t.Errorf("LinkStatuses =\n%+v\nwant\n%+v", got, want)
	}
	if answered, checked := got.Reachable(unknown); answered || checked {
		t.Errorf("Reachable(unchecked) = %v, %v; want false, false", answered, checked)
	}
	if answered, checked := got.Reachable(gone.URL); answered || !checked {
		t.Errorf("Reachable(404) = %v, %v; want false, true", answered, checked)
	}

	// A new check replaces the old one whole.
	back := catalog.LinkStatus{URL: gone.URL, Checked: at(60), Answered: true, Status: 206}
	if err := h.st.SetLinkStatus(h.ctx, back); err != nil {
		t.Fatalf("SetLinkStatus again = %v", err)
	}
	got, err = h.st.LinkStatuses(h.ctx, []string{gone.URL})
	if err != nil || !linkStatusesEqual(got, catalog.LinkStatuses{gone.URL: back}) {
		t.Errorf("LinkStatuses after a re-check = %+v, %v; want %+v", got, err, back)
	}

	// Pruning deletes what was last checked before the time given.
	n, err := h.st.PruneLinkStatuses(h.ctx, at(3))
	if err != nil || n != 2 {
		t.Errorf("PruneLinkStatuses(before minute 3) = %d, %v; want 2", n, err)
	}
	got, err = h.st.LinkStatuses(h.ctx, []string{ok.URL, moved.URL, gone.URL})
	if err != nil || !linkStatusesEqual(got, catalog.LinkStatuses{gone.URL: back}) {
		t.Errorf("LinkStatuses after pruning = %+v, %v; want only %s", got, err, gone.URL)
	}
}

// linkStatusesEqual compares link statuses, times by instant.
func linkStatusesEqual(a, b catalog.LinkStatuses) bool {
	if len(a) != len(b) {
		return false
	}
	for u, x := range a {
		y, ok := b[u]
		if !ok || !x.Checked.Equal(y.Checked) {
			return false
		}
		x.Checked = y.Checked
		if x != y {
			return false
		}
	}
	return true
}

func testSetQuality(h *harness) {
	t := h.t
	h.sources(fdk)
	iri := ssb(1)
	h.harvest("fdk", at(0), catalog.StatusComplete, norwegian(iri, 1), norwegian(ssb(2), 1))
	d := h.dataset(iri)
	other := h.dataset(ssb(2))

	reach := catalog.LinkStatuses{"https://data.ssb.no/api/v0/no/table/07459": {Answered: true}}
	q := catalog.ScoreWith(d, reach)
	if err := h.st.SetQuality(h.ctx, d.ID, d.Seq, q); err != nil {
		t.Fatalf("SetQuality = %v", err)
	}
	d2 := h.dataset(iri)
	if d2.Quality == nil || !reflect.DeepEqual(*d2.Quality, q) {
		t.Errorf("Quality after SetQuality = %+v, want %+v", d2.Quality, q)
	}
	if d2.Seq <= d.Seq || d2.Seq <= other.Seq {
		t.Errorf("Seq after SetQuality = %d, want the next of the sequence (more than %d and %d)", d2.Seq, d.Seq, other.Seq)
	}
	if hist := h.history(iri); len(hist) != 0 {
		t.Errorf("History after SetQuality = %d versions, want 0: the sources said nothing new", len(hist))
	}
	// Everything else is as it was.
	a, b := d, d2
	a.Quality, b.Quality, a.Seq, b.Seq = nil, nil, 0, 0
	if !reflect.DeepEqual(a, b) {
		t.Errorf("SetQuality changed more than the quality:\n%+v\nwant\n%+v", b, a)
	}

	// A caller that read the record before a change is refused.
	if err := h.st.SetQuality(h.ctx, d.ID, d.Seq, catalog.Score(d)); !errors.Is(err, catalog.ErrChanged) {
		t.Errorf("SetQuality with a stale seq = %v, want ErrChanged", err)
	}
	if err := h.st.SetQuality(h.ctx, "aaaaaaaaaaaaaaaa", 1, q); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("SetQuality(unknown id) = %v, want ErrNotFound", err)
	}
	if d3 := h.dataset(iri); d3.Seq != d2.Seq || !reflect.DeepEqual(*d3.Quality, q) {
		t.Errorf("refused SetQuality changed the record: seq %d, want %d", d3.Seq, d2.Seq)
	}

	// An unchanged harvest keeps the quality; an update replaces it, and
	// the version it replaces, with the quality set in place, goes to the
	// history.
	h.harvest("fdk", at(60), catalog.StatusComplete, norwegian(iri, 1), norwegian(ssb(2), 1))
	if d3 := h.dataset(iri); d3.Quality == nil || !reflect.DeepEqual(*d3.Quality, q) || d3.Seq != d2.Seq {
		t.Errorf("unchanged harvest after SetQuality: quality %+v seq %d; want %+v, %d", d3.Quality, d3.Seq, q, d2.Seq)
	}
	h.harvest("fdk", at(120), catalog.StatusComplete, norwegian(iri, 2), norwegian(ssb(2), 1))
	if d4 := h.dataset(iri); d4.Quality != nil {
		t.Errorf("quality after an update that carries none = %+v, want nil", d4.Quality)
	}
	hist := h.history(iri)
	if len(hist) != 1 || hist[0].Quality == nil || !reflect.DeepEqual(*hist[0].Quality, q) || hist[0].Seq != d2.Seq {
		t.Errorf("History after an update = %d versions, want 1 with the quality and seq SetQuality left", len(hist))
	}
}

func testDatasetsAfter(h *harness) {
	t := h.t
	h.sources(fdk)
	var recs []catalog.Dataset
	for i := 1; i <= 23; i++ {
		recs = append(recs, norwegian(ssb(i), 1))
	}
	h.harvest("fdk", at(0), catalog.StatusComplete, recs...)
	h.harvest("fdk", at(60), catalog.StatusComplete, recs[2:]...) // withdraws 2
	var want []string
	for _, r := range recs[2:] {
		want = append(want, catalog.IDFor(r.IRI))
	}
	sort.Strings(want)

	var got []string
	after := ""
	for pages := 0; pages < 10; pages++ {
		items, err := h.st.DatasetsAfter(h.ctx, after, 5)
		if err != nil {
			t.Fatalf("DatasetsAfter(%q, 5) = %v", after, err)
		}
		if len(items) > 5 {
			t.Fatalf("DatasetsAfter(%q, 5) = %d items", after, len(items))
		}
		if len(items) == 0 {
			break
		}
		for _, d := range items {
			if d.Withdrawn || d.Seq == 0 || d.IRI == "" || strings.TrimSpace(d.Title.Get("nb")) == "" {
				t.Errorf("DatasetsAfter item %s: withdrawn %v seq %d; want a live record with its content and seq", d.ID, d.Withdrawn, d.Seq)
			}
			got = append(got, d.ID)
		}
		after = items[len(items)-1].ID
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("walk by 5 gave ids\n%v\nwant the live records by id\n%v", got, want)
	}
	if items, err := h.st.DatasetsAfter(h.ctx, "", 0); err != nil || len(items) != len(want) {
		t.Errorf("DatasetsAfter with no limit = %d items, %v; want all %d", len(items), err, len(want))
	}
	if items, err := h.st.DatasetsAfter(h.ctx, want[len(want)-1], 5); err != nil || len(items) != 0 {
		t.Errorf("DatasetsAfter(last id) = %d items, %v; want none", len(items), err)
	}
}
