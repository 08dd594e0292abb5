package main

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"samband/catalog"
	"samband/catalog/lifeevent"
	"samband/catalog/search"
)

// lifeEventSummary is a life event with how many records serve it, in all
// and per country.
type lifeEventSummary struct {
	lifeevent.Concept
	Records   int            `json:"records"`
	Countries map[string]int `json:"countries"`
}

// lifeEvents answers GET /api/v1/life-events: the concept list, each with
// the records that serve it per country.
func (s *server) lifeEvents(w http.ResponseWriter, r *http.Request) error {
	if s.index == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "the search index is not open"}
	}
	for k := range r.URL.Query() {
		return badRequest("unknown parameter %s; /api/v1/life-events takes none", k)
	}
	cells, err := s.index.Aggregate(r.Context(), []string{search.FacetLifeEvent, search.FacetCountry}, search.Query{})
	if err != nil {
		return err
	}
	var countries []string
	byEvent := map[string]map[string]int{}
	for _, c := range cells {
		event, country := c.Values[0], c.Values[1]
		if country != "" && !slices.Contains(countries, country) {
			countries = append(countries, country)
		}
		if event == "" {
			continue
		}
		if byEvent[event] == nil {
			byEvent[event] = map[string]int{}
		}
		byEvent[event][country] += c.Records
	}
	slices.Sort(countries)
	totals, err := s.index.Aggregate(r.Context(), []string{search.FacetLifeEvent}, search.Query{})
	if err != nil {
		return err
	}
	records := map[string]int{}
	for _, c := range totals {
		records[c.Values[0]] = c.Records
	}
	items := []lifeEventSummary{}
	for _, c := range s.rules.Concepts() {
		per := map[string]int{}
		for _, country := range countries {
			per[country] = byEvent[c.ID][country]
		}
		items = append(items, lifeEventSummary{Concept: c, Records: records[c.ID], Countries: per})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"countries": countries, "items": items})
}

// lifeEventRecord is a record that serves a life event, and why Samband
// says it does.
type lifeEventRecord struct {
	ID        string       `json:"id"`
	IRI       string       `json:"iri"`
	Kind      string       `json:"kind"`
	Title     catalog.Text `json:"title,omitempty"`
	Publisher string       `json:"publisher,omitempty"`
	How       []string     `json:"how"`
}

// lifeEventCountry is what one country has for a life event.
type lifeEventCountry struct {
	Country  string            `json:"country"`
	Records  int               `json:"records"`
	Datasets int               `json:"datasets"` // datasets and dataset series
	Services int               `json:"services"` // data services
	Items    []lifeEventRecord `json:"items"`
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// lifeEvent answers GET /api/v1/life-events/{id}?countries=NO,FI&limit=N:
// per country, the datasets and services that serve the life event (the
// first limit of them, by title), and the gaps: the countries with none.
func (s *server) lifeEvent(w http.ResponseWriter, r *http.Request) error {
	if s.index == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "the search index is not open"}
	}
	id := r.PathValue("id")
	concept, ok := s.rules.Concept(id)
	if !ok {
		var ids []string
		for _, c := range s.rules.Concepts() {
			ids = append(ids, c.ID)
		}
		return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf("no life event %q; the life events are %s", id, strings.Join(ids, ", "))}
	}
	for k := range r.URL.Query() {
		if k != "countries" && k != "limit" {
			return badRequest("unknown parameter %s; the parameters are countries and limit", k)
		}
	}
	limit, err := intParam(r, "limit", 10, 100)
	if err != nil {
		return err
	}
	var countries []string
	for _, c := range splitList(r.URL.Query()["countries"]) {
		c = strings.ToUpper(c)
		if !countryCode.MatchString(c) {
			return badRequest("countries: %q is not an ISO 3166-1 alpha-2 code such as NO", c)
		}
		if !slices.Contains(countries, c) {
			countries = append(countries, c)
		}
	}
	if len(countries) == 0 {
		// Every country the catalogue has records of.
		all, err := s.index.Aggregate(r.Context(), []string{search.FacetCountry}, search.Query{})
		if err != nil {
			return err
		}
		for _, c := range all {
			if c.Values[0] != "" {
				countries = append(countries, c.Values[0])
			}
		}
	}
	out := []lifeEventCountry{}
	gaps := []string{}
	for _, country := range countries {
		res, err := s.index.Search(r.Context(), search.Query{
			Filters: map[string][]string{search.FacetLifeEvent: {concept.ID}, search.FacetCountry: {country}},
			Sort:    search.SortTitle, Limit: limit,
		})
		if err != nil {
			return err
		}
		lc := lifeEventCountry{Country: country, Records: res.Total, Items: []lifeEventRecord{}}
		for _, k := range res.Facets[search.FacetKind] {
			if k.Value == catalog.KindDataService {
				lc.Services += k.Count
			} else {
				lc.Datasets += k.Count
			}
		}
		recs, err := s.hitRecords(r.Context(), res)
		if err != nil {
			return err
		}
		for _, d := range recs {
			item := lifeEventRecord{ID: d.ID, IRI: d.IRI, Kind: d.Kind, Title: d.Title, How: []string{}}
			if d.Publisher != nil {
				item.Publisher = cmpOr(d.Publisher.Name.Get("en", "nb", "sv", "da", "fi"), d.Publisher.IRI)
			}
			for _, m := range s.rules.Classify(d) {
				if m.Concept == concept.ID {
					item.How = append(item.How, m.How)
				}
			}
			lc.Items = append(lc.Items, item)
		}
		if lc.Records == 0 {
			gaps = append(gaps, country)
		}
		out = append(out, lc)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"concept": concept, "countries": out, "gaps": gaps})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
