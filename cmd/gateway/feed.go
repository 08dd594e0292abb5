package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"samband/catalog"
	"samband/catalog/rdf"
)

// The DCAT-AP feed: the gateway's own catalogue, as other gateways and
// data.europa.eu harvest it.
//
//	GET /catalog?page=N&limit=M       the dcat:Catalog, one page of its records
//	GET /catalog/datasets/{id}        one record (by id or escaped IRI)
//	GET /catalog/records/{id}         the same: where its catalogue record's IRI leads
//
// Each answers Turtle (the default), JSON-LD, RDF/XML or N-Triples, by the
// Accept header (q-values honoured) or by ?format=ttl|jsonld|rdf|nt, which
// wins. A page holds the catalogue's description, its dcat:dataset (or
// dcat:service) and dcat:record links for the records of the page, a Hydra
// PartialCollectionView (first, previous, next, last; hydra:totalItems on the
// catalogue), and the full description of every record of the page with its
// dcat:CatalogRecord (see catalog.Dataset.CatalogRecord for the provenance).

const (
	defaultFeedLimit = 100
	maxFeedLimit     = 1000
	feedTitle        = "Samband"
	feedDescription  = "The federated catalogue of the Samband gateway: every record harvested from the national data catalogues it follows, as DCAT-AP 3."
	nsHydra          = "http://www.w3.org/ns/hydra/core#"
	nsDCAT           = "http://www.w3.org/ns/dcat#"
	nsXSD            = "http://www.w3.org/2001/XMLSchema#"
	rdfTypeIRI       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
)

// feedSyntaxes are the syntaxes the feed answers, in the order of preference
// when a client accepts several equally.
var feedSyntaxes = []rdf.Syntax{rdf.Turtle, rdf.JSONLD, rdf.RDFXML, rdf.NTriples}

// feedFormats are the values of ?format=.
var feedFormats = map[string]rdf.Syntax{
	"ttl": rdf.Turtle, "turtle": rdf.Turtle,
	"jsonld": rdf.JSONLD, "json-ld": rdf.JSONLD,
	"rdf": rdf.RDFXML, "xml": rdf.RDFXML, "rdfxml": rdf.RDFXML,
	"nt": rdf.NTriples, "ntriples": rdf.NTriples, "n-triples": rdf.NTriples,
}

func supportedTypes() string {
	var types []string
	for _, s := range feedSyntaxes {
		types = append(types, s.MediaType())
	}
	return strings.Join(types, ", ")
}

// negotiate picks the syntax of the answer: ?format=, else the Accept
// media range with the highest q-value that the feed can write (ties go to
// the feed's preference), else Turtle when Accept is absent.
func negotiate(r *http.Request) (rdf.Syntax, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		if s, ok := feedFormats[strings.ToLower(f)]; ok {
			return s, nil
		}
		return rdf.Unknown, badRequest("format=%q: want ttl, jsonld, rdf or nt", f)
	}
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return rdf.Turtle, nil
	}
	// The q-value each syntax gets: that of the most specific range that matches it.
	type score struct {
		q           float64
		specificity int
	}
	scores := map[rdf.Syntax]score{}
	for _, part := range strings.Split(accept, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		for _, s := range feedSyntaxes {
			spec := matchRange(mt, s)
			if spec == 0 {
				continue
			}
			if old, ok := scores[s]; !ok || spec > old.specificity {
				scores[s] = score{q, spec}
			}
		}
	}
	best, bestQ := rdf.Unknown, 0.0
	for _, s := range feedSyntaxes {
		if sc, ok := scores[s]; ok && sc.q > bestQ {
			best, bestQ = s, sc.q
		}
	}
	if best == rdf.Unknown {
		return rdf.Unknown, &httpError{status: http.StatusNotAcceptable, detail: fmt.Sprintf(
			"Accept %q names no type the feed writes; ask for one of %s, or use ?format=ttl|jsonld|rdf|nt", accept, supportedTypes())}
	}
	return best, nil
}

// matchRange says how specifically a media range matches a syntax: 3 for
// its type (or an alias), 2 for type/*, 1 for */*, 0 for no match.
func matchRange(mt string, s rdf.Syntax) int {
	want := s.MediaType()
	switch {
	case mt == want:
		return 3
	case s == rdf.JSONLD && mt == "application/json", s == rdf.RDFXML && mt == "application/xml":
		return 3
	case mt == "*/*":
		return 1
	case strings.HasSuffix(mt, "/*") && strings.HasPrefix(want, strings.TrimSuffix(mt, "*")):
		return 2
	}
	return 0
}

// feedEncoder is what every RDF writer offers.
type feedEncoder interface {
	Encode(rdf.Triple) error
	Close() error
}

func newFeedEncoder(w io.Writer, syn rdf.Syntax) feedEncoder {
	switch syn {
	case rdf.JSONLD:
		return rdf.NewJSONLDEncoder(w, catalog.Prefixes())
	case rdf.RDFXML:
		return rdf.NewXMLEncoder(w, catalog.Prefixes())
	case rdf.NTriples:
		return rdf.NewNTriplesEncoder(w)
	}
	return rdf.NewTurtleEncoder(w, catalog.Prefixes())
}

// writeRDF encodes whole before writing, so that an encoding error is still
// answered as a problem, never as a cut document.
func writeRDF(w http.ResponseWriter, syn rdf.Syntax, describe func(emit func(rdf.Triple) error) error) error {
	var buf bytes.Buffer
	enc := newFeedEncoder(&buf, syn)
	if err := describe(enc.Encode); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	ct := syn.MediaType()
	if syn == rdf.Turtle || syn == rdf.NTriples {
		ct += "; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	if err != nil {
		return nil // the client went away: nothing more to say to it
	}
	return nil
}

// feedBase returns the gateway's address for the IRIs the feed mints: the
// configured public URL, or, when none is set, the address the client used.
func (s *server) feedBase(r *http.Request) string {
	if s.publicURL != "" {
		return strings.TrimSuffix(s.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func recordIRI(base, id string) string { return base + "/catalog/records/" + url.PathEscape(id) }

func mustIRI(s string) (rdf.IRI, error) {
	i, err := rdf.NewIRI(s)
	if err != nil {
		return rdf.IRI{}, fmt.Errorf("feed IRI: %w", err)
	}
	return i, nil
}

// catalogFeed answers GET /catalog: one page of the gateway's catalogue.
func (s *server) catalogFeed(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Vary", "Accept")
	syn, err := negotiate(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", defaultFeedLimit, maxFeedLimit)
	if err != nil {
		return err
	}
	if limit == 0 {
		return badRequest("limit=0: want a whole number from 1 to %d", maxFeedLimit)
	}
	page, err := intParam(r, "page", 1, 1<<30)
	if err != nil {
		return err
	}
	if page == 0 {
		return badRequest("page=0: pages are numbered from 1")
	}
	if (page-1)*limit > 1<<30 {
		return badRequest("page=%d: past the end of any catalogue", page)
	}
	res, err := s.store.Datasets(r.Context(), catalog.ListOptions{Limit: limit, Offset: (page - 1) * limit})
	if err != nil {
		return err
	}
	last := max(1, (res.Total+limit-1)/limit)
	if page > last {
		return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf(
			"page %d of a catalogue of %d pages (%d records, %d a page); start at /catalog", page, last, res.Total, limit)}
	}
	base := s.feedBase(r)
	return writeRDF(w, syn, func(emit func(rdf.Triple) error) error {
		return describeCatalogPage(base, page, limit, last, res, emit)
	})
}

// describeCatalogPage emits the catalogue, its Hydra view and the records of one page.
func describeCatalogPage(base string, page, limit, last int, res catalog.Page, emit func(rdf.Triple) error) error {
	catIRI := base + "/catalog"
	cat, err := mustIRI(catIRI)
	if err != nil {
		return err
	}
	// The catalogue's own triples first, then those of the nodes it links to.
	var own, other []rdf.Triple
	collect := func(t rdf.Triple) error {
		if t.Subj == rdf.Subject(cat) {
			own = append(own, t)
		} else {
			other = append(other, t)
		}
		return nil
	}
	c := catalog.Catalog{
		IRI:         catIRI,
		Title:       catalog.Text{"en": {feedTitle}},
		Description: catalog.Text{"en": {feedDescription}},
		// The publisher has an IRI, not a blank node, so that the pages of
		// the feed, merged, name one publisher (DCAT-AP: at most one).
		Publisher: &catalog.Agent{IRI: catIRI + "#publisher", Name: catalog.Text{"en": {feedTitle}}},
		Homepage:  base + "/",
	}
	if err := c.Triples(collect); err != nil {
		return err
	}
	add := func(s rdf.Subject, p string, o rdf.Object) error {
		pi, err := mustIRI(p)
		if err != nil {
			return err
		}
		return collect(rdf.Triple{Subj: s, Pred: pi, Obj: o})
	}
	pageIRI := func(n int) (rdf.IRI, error) {
		return mustIRI(fmt.Sprintf("%s/catalog?page=%d&limit=%d", base, n, limit))
	}
	view, err := pageIRI(page)
	if err != nil {
		return err
	}
	add(cat, rdfTypeIRI, mustConst(nsHydra+"Collection"))
	add(cat, nsHydra+"totalItems", rdf.NewTypedLiteral(strconv.Itoa(res.Total), mustConst(nsXSD+"nonNegativeInteger")))
	add(cat, nsHydra+"view", view)
	for _, d := range res.Items {
		rec, err := mustIRI(d.IRI)
		if err != nil {
			return err
		}
		link := nsDCAT + "dataset"
		if d.Kind == catalog.KindDataService {
			link = nsDCAT + "service"
		}
		add(cat, link, rec)
		cr, err := mustIRI(recordIRI(base, d.ID))
		if err != nil {
			return err
		}
		add(cat, nsDCAT+"record", cr)
	}
	add(view, rdfTypeIRI, mustConst(nsHydra+"PartialCollectionView"))
	links := []struct {
		p  string
		n  int
		ok bool
	}{
		{"first", 1, true},
		{"previous", page - 1, page > 1},
		{"next", page + 1, page < last},
		{"last", last, true},
	}
	for _, l := range links {
		if !l.ok {
			continue
		}
		o, err := pageIRI(l.n)
		if err != nil {
			return err
		}
		add(view, nsHydra+l.p, o)
	}
	for _, ts := range [][]rdf.Triple{own, other} {
		for _, t := range ts {
			if err := emit(t); err != nil {
				return err
			}
		}
	}
	for _, d := range res.Items {
		if err := d.Triples(emit); err != nil {
			return err
		}
		if err := d.CatalogRecord(recordIRI(base, d.ID), emit); err != nil {
			return err
		}
	}
	return nil
}

// mustConst returns a vocabulary IRI of this file.
func mustConst(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err) // a constant
	}
	return i
}

// datasetFeed answers GET /catalog/datasets/{id}: one record's description
// and its catalogue record.
func (s *server) datasetFeed(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Vary", "Accept")
	syn, err := negotiate(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := s.store.Dataset(r.Context(), id)
	if err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return &httpError{status: http.StatusNotFound, detail: fmt.Sprintf(
				"no record with id or IRI %q; the catalogue at /catalog lists them, and an IRI is URL-escaped into one path segment", id)}
		}
		return err
	}
	base := s.feedBase(r)
	return writeRDF(w, syn, func(emit func(rdf.Triple) error) error {
		if err := d.Triples(emit); err != nil {
			return err
		}
		return d.CatalogRecord(recordIRI(base, d.ID), emit)
	})
}
