package catalog

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"samband/catalog/rdf"
)

// The way back: records to DCAT-AP 3 triples. Records maps triples to a
// Dataset; Triples is its inverse, so that a record described by Triples
// and mapped again by Records comes back field for field (see
// TestDescribeRoundTrip, and the README of the feed for what cannot).

// Namespaces the feed uses beyond those of the mapper.
const (
	nsXSD   = rdf.NSXSD
	nsHydra = "http://www.w3.org/ns/hydra/core#"
	nsADMSC = "http://purl.org/adms/changetype/"
)

// DCATAP3 is the IRI of the DCAT-AP 3 application profile, which a feed's
// catalogue records say they conform to.
const DCATAP3 = "http://data.europa.eu/r5r/"

// Prefixes returns the namespace prefixes a DCAT-AP feed declares
// (prefix -> namespace IRI).
func Prefixes() map[string]string {
	return map[string]string{
		"dcat": nsDCAT, "dct": nsDCT, "foaf": nsFOAF, "vcard": nsVCard, "xsd": nsXSD,
		"rdf": nsRDF, "rdfs": nsRDFS, "adms": nsADMS, "dcatap": nsDCATAP, "odrl": nsODRL,
		"prov": nsPROV, "skos": nsSKOS, "schema": nsSchema, "spdx": nsSPDX, "hydra": nsHydra,
	}
}

// Triples calls emit with the DCAT-AP 3 description of the record: its type,
// every field as the property Records reads it from, and its Profile values
// in their stored N-Triples form. The record's own triples come first, in the
// order Records would read them back; then those of the nodes it links to
// (distributions, agents, contact points, periods, licence and rights
// statements, checksums, and the blank nodes of Profile values). Blank
// nodes are labelled "r", the record's id and a number, so descriptions of
// several records can share one document. Values kept "as given" (a theme,
// a format, a spatial coverage) are written as IRIs when they are absolute
// IRIs, else as plain literals; a blank node kept written inline
// ("[ <p> o ; ... ]") as that blank node again. Provenance (Sources) is not
// part of the description: see CatalogRecord. An emit error stops and is
// returned; a record whose IRI is not a valid IRI is an error.
func (d Dataset) Triples(emit func(rdf.Triple) error) error {
	subj, err := absIRI(d.IRI)
	if err != nil {
		return fmt.Errorf("describe %s: %w", d.IRI, err)
	}
	id := d.ID
	if id == "" {
		id = IDFor(d.IRI)
	}
	w := &describer{label: "r" + id + "b"}
	class := nsDCAT + "Dataset"
	switch d.Kind {
	case KindDatasetSeries:
		class = nsDCAT + "DatasetSeries"
	case KindDataService:
		class = nsDCAT + "DataService"
	}
	w.link(subj, rdfType, iri(class))
	for _, v := range d.Identifiers {
		w.link(subj, nsDCT+"identifier", rdf.NewStringLiteral(v))
	}
	w.text(subj, nsDCT+"title", d.Title)
	w.text(subj, nsDCT+"description", d.Description)
	w.text(subj, nsDCAT+"keyword", d.Keywords)
	w.values(subj, nsDCAT+"theme", d.Themes)
	w.values(subj, nsDCT+"subject", d.Subjects)
	w.values(subj, nsDCATAP+"hvdCategory", d.HVDCategory)
	if d.Publisher != nil {
		w.link(subj, nsDCT+"publisher", w.agent(*d.Publisher))
	}
	for _, a := range d.Creators {
		w.link(subj, nsDCT+"creator", w.agent(a))
	}
	for _, cp := range d.ContactPoints {
		w.link(subj, nsDCAT+"contactPoint", w.contact(cp))
	}
	for _, dist := range d.Distributions {
		w.link(subj, nsDCAT+"distribution", w.distribution(dist))
	}
	w.date(subj, nsDCT+"issued", d.Issued)
	w.date(subj, nsDCT+"modified", d.Modified)
	if d.Frequency != "" {
		w.link(subj, nsDCT+"accrualPeriodicity", w.value(d.Frequency))
	}
	if d.Version != "" {
		w.link(subj, nsDCAT+"version", rdf.NewStringLiteral(d.Version))
	}
	w.values(subj, nsDCT+"language", d.Languages)
	w.values(subj, nsDCT+"spatial", d.Spatial)
	for _, pt := range d.Temporal {
		w.link(subj, nsDCT+"temporal", w.period(pt))
	}
	w.values(subj, nsDCAT+"inSeries", d.InSeries)
	for _, p := range sortedKeys(d.Related) {
		w.values(subj, p, d.Related[p])
	}
	if d.AccessRights != "" {
		w.link(subj, nsDCT+"accessRights", w.statement(d.AccessRights, nsDCT+"RightsStatement"))
	}
	w.values(subj, nsDCT+"conformsTo", d.ConformsTo)
	w.values(subj, nsDCATAP+"applicableLegislation", d.ApplicableLegislation)
	w.values(subj, nsODRL+"hasPolicy", d.Policies)
	w.values(subj, nsDCAT+"landingPage", d.LandingPages)
	w.values(subj, nsFOAF+"page", d.Pages)
	w.values(subj, nsDCAT+"endpointURL", d.EndpointURLs)
	w.values(subj, nsDCAT+"endpointDescription", d.EndpointDescriptions)
	w.values(subj, nsDCAT+"servesDataset", d.ServesDatasets)
	if d.License != "" {
		w.link(subj, nsDCT+"license", w.statement(d.License, nsDCT+"LicenseDocument"))
	}
	w.profile(subj, d.Profile)
	return w.flush(emit)
}

// CatalogRecord calls emit with the dcat:CatalogRecord of the record in the
// catalogue that publishes it, named recordIRI, and one more
// dcat:CatalogRecord for each source that lists it (named recordIRI, "/sources/"
// and the source's name): that is how Samband's provenance is written.
//
//	<recordIRI> a dcat:CatalogRecord ;
//	    foaf:primaryTopic <record> ;
//	    dct:conformsTo <http://data.europa.eu/r5r/> ;      # DCAT-AP
//	    dct:issued  first seen by any source (xsd:dateTime) ;
//	    dct:modified last changed in any source ;
//	    dct:source <recordIRI/sources/no-nav> ;            # the first source (DCAT-AP: at most one)
//	    prov:wasDerivedFrom <recordIRI/sources/no-nav>, ... ;   # every source
//	    adms:status adms-changetype:Deleted .               # when withdrawn
//	<recordIRI/sources/no-nav> a dcat:CatalogRecord ;
//	    foaf:primaryTopic <record> ;
//	    dct:title "no-nav (NO)" ;
//	    dct:identifier "sha256:…" ;                         # hash of what the source said
//	    dct:issued first seen ; dct:modified last changed ;
//	    adms:status adms-changetype:Deleted .               # when the source no longer lists it
//
// DCAT-AP 3 defines dct:source of a catalogue record as the record it was
// made from; Samband's sources publish no catalogue records of their own, so
// each source's record is described here, in the gateway's namespace.
func (d Dataset) CatalogRecord(recordIRI string, emit func(rdf.Triple) error) error {
	rec, err := absIRI(recordIRI)
	if err != nil {
		return fmt.Errorf("catalogue record %s: %w", recordIRI, err)
	}
	topic, err := absIRI(d.IRI)
	if err != nil {
		return fmt.Errorf("catalogue record of %s: %w", d.IRI, err)
	}
	w := &describer{}
	w.link(rec, rdfType, iri(nsDCAT+"CatalogRecord"))
	w.link(rec, nsFOAF+"primaryTopic", topic)
	w.link(rec, nsDCT+"conformsTo", iri(DCATAP3))
	srcs := slices.Clone(d.Sources)
	sort.SliceStable(srcs, func(i, j int) bool { return srcs[i].FirstSeen.Before(srcs[j].FirstSeen) })
	var first, last time.Time
	for _, s := range srcs {
		if first.IsZero() || !s.FirstSeen.IsZero() && s.FirstSeen.Before(first) {
			first = s.FirstSeen
		}
		if s.LastChanged.After(last) {
			last = s.LastChanged
		}
	}
	if !first.IsZero() {
		w.link(rec, nsDCT+"issued", dateTime(first))
	}
	if last.IsZero() {
		last = first
	}
	if !last.IsZero() {
		w.link(rec, nsDCT+"modified", dateTime(last))
	}
	var nodes []rdf.IRI
	for _, s := range srcs {
		n, err := absIRI(recordIRI + "/sources/" + url.PathEscape(s.Source))
		if err != nil {
			return fmt.Errorf("catalogue record of %s from %s: %w", d.IRI, s.Source, err)
		}
		nodes = append(nodes, n)
	}
	if len(nodes) > 0 {
		w.link(rec, nsDCT+"source", nodes[0])
	}
	for _, n := range nodes {
		w.link(rec, nsPROV+"wasDerivedFrom", n)
	}
	if d.Withdrawn {
		w.link(rec, nsADMS+"status", iri(nsADMSC+"Deleted"))
	}
	for i, s := range srcs {
		n := nodes[i]
		w.aux(n, rdfType, iri(nsDCAT+"CatalogRecord"))
		w.aux(n, nsFOAF+"primaryTopic", topic)
		title := s.Source
		if s.Country != "" {
			title += " (" + s.Country + ")"
		}
		w.aux(n, nsDCT+"title", rdf.NewStringLiteral(title))
		if s.Hash != "" {
			w.aux(n, nsDCT+"identifier", rdf.NewStringLiteral("sha256:"+s.Hash))
		}
		if !s.FirstSeen.IsZero() {
			w.aux(n, nsDCT+"issued", dateTime(s.FirstSeen))
		}
		if !s.LastChanged.IsZero() {
			w.aux(n, nsDCT+"modified", dateTime(s.LastChanged))
		}
		if s.Withdrawn != nil {
			w.aux(n, nsADMS+"status", iri(nsADMSC+"Deleted"))
		}
	}
	return w.flush(emit)
}

// Triples calls emit with the description of a catalogue: a dcat:Catalog
// with its fields, as Document.Catalogs reads them. A catalogue without an
// IRI is an error. Its dcat:dataset and dcat:record links are the caller's.
func (c Catalog) Triples(emit func(rdf.Triple) error) error {
	subj, err := absIRI(c.IRI)
	if err != nil {
		return fmt.Errorf("describe catalogue %q: %w", c.IRI, err)
	}
	w := &describer{label: "c" + IDFor(c.IRI) + "b"}
	w.link(subj, rdfType, iri(nsDCAT+"Catalog"))
	w.text(subj, nsDCT+"title", c.Title)
	w.text(subj, nsDCT+"description", c.Description)
	if c.Publisher != nil {
		w.link(subj, nsDCT+"publisher", w.agent(*c.Publisher))
	}
	for _, cp := range c.ContactPoints {
		w.link(subj, nsDCAT+"contactPoint", w.contact(cp))
	}
	if c.Homepage != "" {
		w.link(subj, nsFOAF+"homepage", w.value(c.Homepage))
	}
	w.values(subj, nsDCT+"language", c.Languages)
	if c.License != "" {
		w.link(subj, nsDCT+"license", w.statement(c.License, nsDCT+"LicenseDocument"))
	}
	if c.Rights != "" {
		w.link(subj, nsDCT+"rights", w.statement(c.Rights, nsDCT+"RightsStatement"))
	}
	w.date(subj, nsDCT+"issued", c.Issued)
	w.date(subj, nsDCT+"modified", c.Modified)
	w.values(subj, nsDCAT+"themeTaxonomy", c.ThemeTaxonomies)
	w.values(subj, nsDCT+"spatial", c.Spatial)
	w.profile(subj, c.Profile)
	return w.flush(emit)
}

// describer collects the triples of one description: the subject's own
// first, then those of the nodes it links to.
type describer struct {
	label string // blank node label prefix
	n     int
	own   []rdf.Triple
	other []rdf.Triple
}

// absIRI returns s as an IRI if it is an absolute one.
func absIRI(s string) (rdf.IRI, error) {
	if !rdf.IsAbsolute(s) || !utf8.ValidString(s) {
		return rdf.IRI{}, fmt.Errorf("%q is not an absolute IRI", s)
	}
	return rdf.NewIRI(s)
}

func iri(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(fmt.Sprintf("catalog: vocabulary IRI %q: %v", s, err)) // a constant of this package
	}
	return i
}

func (w *describer) blank() rdf.Blank {
	w.n++
	return rdf.NewBlank(fmt.Sprintf("%s%d", w.label, w.n))
}

// link adds a triple of the described subject. A property that is no
// valid IRI (a Related or Profile key Records cannot have made) is left out.
func (w *describer) link(s rdf.Subject, p string, o rdf.Object) {
	if pi, err := absIRI(p); err == nil {
		w.own = append(w.own, rdf.Triple{Subj: s, Pred: pi, Obj: o})
	}
}

// aux adds a triple of a node the subject links to, as link does.
func (w *describer) aux(s rdf.Subject, p string, o rdf.Object) {
	if pi, err := absIRI(p); err == nil {
		w.other = append(w.other, rdf.Triple{Subj: s, Pred: pi, Obj: o})
	}
}

// flush emits the subject's triples, then the others grouped by subject
// (each subject's triples in the order they were added).
func (w *describer) flush(emit func(rdf.Triple) error) error {
	key := func(t rdf.Triple) string { return t.Subj.Serialize(0) }
	first := map[string]int{}
	for i, t := range w.other {
		if _, ok := first[key(t)]; !ok {
			first[key(t)] = i
		}
	}
	sort.SliceStable(w.other, func(i, j int) bool { return first[key(w.other[i])] < first[key(w.other[j])] })
	for _, ts := range [][]rdf.Triple{w.own, w.other} {
		for _, t := range ts {
			if err := emit(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// text adds every value of a Text: untagged ones as plain strings, the
// others with their language tag.
func (w *describer) text(s rdf.Subject, p string, t Text) {
	for _, lang := range t.Languages() {
		for _, v := range t[lang] {
			w.link(s, p, textLiteral(lang, v))
		}
	}
}

func (w *describer) auxText(s rdf.Subject, p string, t Text) {
	for _, lang := range t.Languages() {
		for _, v := range t[lang] {
			w.aux(s, p, textLiteral(lang, v))
		}
	}
}

func textLiteral(lang, v string) rdf.Object {
	if lang == "" {
		return rdf.NewStringLiteral(v)
	}
	if l, err := rdf.NewLangLiteral(v, lang); err == nil {
		return l
	}
	return rdf.NewStringLiteral(v)
}

func (w *describer) values(s rdf.Subject, p string, vs []string) {
	for _, v := range vs {
		w.link(s, p, w.value(v))
	}
}

// value returns a value kept as given: a blank node written inline as that
// node again, an absolute IRI as the IRI, anything else as a plain literal.
func (w *describer) value(v string) rdf.Object {
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		if o, ok := w.parse(v); ok {
			return o
		}
	}
	if i, err := absIRI(v); err == nil {
		return i
	}
	return rdf.NewStringLiteral(v)
}

// ntValue returns a value kept as N-Triples (a Profile value): the term it
// writes, a blank node written inline as that node, or, for what does not
// read as one term, the value as value reads it.
func (w *describer) ntValue(v string) rdf.Object {
	if strings.HasPrefix(v, "<") || strings.HasPrefix(v, "\"") || strings.HasPrefix(v, "[") {
		if o, ok := w.parse(v); ok {
			return o
		}
	}
	return w.value(v)
}

// parse reads one object written as Turtle (an N-Triples term or a blank
// node property list of them), adding the triples of its blank nodes with
// labels of this description.
func (w *describer) parse(v string) (rdf.Object, bool) {
	const s, p = "urn:samband:s", "urn:samband:p"
	var obj rdf.Object
	var nested []rdf.Triple
	labels := map[string]rdf.Blank{}
	relabel := func(t rdf.Term) rdf.Term {
		b, ok := t.(rdf.Blank)
		if !ok {
			return t
		}
		if nb, ok := labels[b.String()]; ok {
			return nb
		}
		nb := w.blank()
		labels[b.String()] = nb
		return nb
	}
	doc := "<" + s + "> <" + p + "> " + v + " ."
	err := rdf.Decode(strings.NewReader(doc), rdf.Turtle, rdf.Options{}, func(t rdf.Triple) error {
		if si, ok := t.Subj.(rdf.IRI); ok && si.String() == s {
			if obj != nil {
				return fmt.Errorf("more than one object")
			}
			obj = t.Obj
			return nil
		}
		nested = append(nested, t)
		return nil
	})
	if err != nil || obj == nil {
		return nil, false
	}
	if rel, ok := obj.(rdf.IRI); ok && rel.String() == "" {
		return nil, false
	}
	obj = relabel(obj).(rdf.Object)
	for _, t := range nested {
		w.other = append(w.other, rdf.Triple{Subj: relabel(t.Subj).(rdf.Subject), Pred: t.Pred, Obj: relabel(t.Obj).(rdf.Object)})
	}
	return obj, true
}

// node returns the IRI of a described node, or a new blank node when it has
// none (or one that is no valid IRI).
func (w *describer) node(s string) rdf.Subject {
	if i, err := absIRI(s); err == nil {
		return i
	}
	return w.blank()
}

func (w *describer) agent(a Agent) rdf.Object {
	n := w.node(a.IRI)
	// An agent known only by its IRI is not typed: DCAT-AP wants a name
	// on every foaf:Agent, and the name is the IRI's to give.
	if _, blank := n.(rdf.Blank); blank || len(a.Name) > 0 {
		w.aux(n, rdfType, iri(nsFOAF+"Agent"))
	}
	w.auxText(n, nsFOAF+"name", a.Name)
	if a.Type != "" {
		w.aux(n, nsDCT+"type", w.value(a.Type))
	}
	if a.Identifier != "" {
		w.aux(n, nsDCT+"identifier", rdf.NewStringLiteral(a.Identifier))
	}
	return n.(rdf.Object)
}

func (w *describer) contact(cp ContactPoint) rdf.Object {
	n := w.node(cp.IRI)
	w.aux(n, rdfType, iri(nsVCard+"Kind"))
	w.auxText(n, nsVCard+"fn", cp.Name)
	if cp.Email != "" {
		w.aux(n, nsVCard+"hasEmail", schemeIRI("mailto:", cp.Email))
	}
	if cp.URL != "" {
		w.aux(n, nsVCard+"hasURL", w.value(cp.URL))
	}
	if cp.Phone != "" {
		w.aux(n, nsVCard+"hasTelephone", schemeIRI("tel:", cp.Phone))
	}
	return n.(rdf.Object)
}

// schemeIRI returns scheme+v as an IRI, or v as a literal when that is no IRI.
func schemeIRI(scheme, v string) rdf.Object {
	if i, err := absIRI(scheme + v); err == nil {
		return i
	}
	return rdf.NewStringLiteral(v)
}

func (w *describer) distribution(d Distribution) rdf.Object {
	n := w.node(d.IRI)
	w.aux(n, rdfType, iri(nsDCAT+"Distribution"))
	w.auxText(n, nsDCT+"title", d.Title)
	w.auxText(n, nsDCT+"description", d.Description)
	for _, v := range d.AccessURLs {
		w.aux(n, nsDCAT+"accessURL", w.value(v))
	}
	for _, v := range d.DownloadURLs {
		w.aux(n, nsDCAT+"downloadURL", w.value(v))
	}
	if d.Format != "" {
		w.aux(n, nsDCT+"format", w.value(d.Format))
	}
	// dcat:mediaType as the source gave it; a media type Samband only
	// derived from dct:format is not claimed (MQA counts a given one).
	if d.MediaTypeGiven != "" {
		w.aux(n, nsDCAT+"mediaType", w.value(d.MediaTypeGiven))
	}
	if d.License != "" {
		w.aux(n, nsDCT+"license", w.statement(d.License, nsDCT+"LicenseDocument"))
	}
	if d.AccessRights != "" {
		w.aux(n, nsDCT+"accessRights", w.statement(d.AccessRights, nsDCT+"RightsStatement"))
	}
	if d.Rights != "" {
		w.aux(n, nsDCT+"rights", w.statement(d.Rights, nsDCT+"RightsStatement"))
	}
	for _, list := range []struct {
		p  string
		vs []string
	}{
		{nsDCAT + "accessService", d.AccessServices},
		{nsDCT + "conformsTo", d.ConformsTo},
		{nsDCT + "language", d.Languages},
		{nsODRL + "hasPolicy", d.Policies},
		{nsDCATAP + "applicableLegislation", d.ApplicableLegislation},
	} {
		for _, v := range list.vs {
			w.aux(n, list.p, w.value(v))
		}
	}
	if d.ByteSize != "" {
		if strings.Trim(d.ByteSize, "0123456789") == "" {
			w.aux(n, nsDCAT+"byteSize", rdf.NewTypedLiteral(d.ByteSize, iri(nsXSD+"nonNegativeInteger")))
		} else {
			w.aux(n, nsDCAT+"byteSize", rdf.NewStringLiteral(d.ByteSize))
		}
	}
	if d.Checksum != "" {
		w.aux(n, nsSPDX+"checksum", w.checksum(d.Checksum))
	}
	if d.Status != "" {
		w.aux(n, nsADMS+"status", w.value(d.Status))
	}
	if d.Availability != "" {
		w.aux(n, nsDCATAP+"availability", w.value(d.Availability))
	}
	w.auxDate(n, nsDCT+"issued", d.Issued)
	w.auxDate(n, nsDCT+"modified", d.Modified)
	for _, p := range sortedKeys(d.Profile) {
		for _, v := range d.Profile[p] {
			w.aux(n, p, w.ntValue(v))
		}
	}
	return n.(rdf.Object)
}

// statement returns a licence or rights value as given: an IRI, a blank node
// written inline, or for a text, a node of the class with the text as its
// rdfs:label (which Records reads back as the text).
func (w *describer) statement(v, class string) rdf.Object {
	o := w.value(v)
	if _, ok := o.(rdf.Literal); !ok {
		return o
	}
	b := w.blank()
	w.aux(b, rdfType, iri(class))
	w.aux(b, nsRDFS+"label", rdf.NewStringLiteral(v))
	return b
}

// checksum returns an spdx:Checksum of "algorithm:value".
func (w *describer) checksum(cs string) rdf.Object {
	alg, val, _ := strings.Cut(cs, ":")
	b := w.blank()
	w.aux(b, rdfType, iri(nsSPDX+"Checksum"))
	if alg != "unknown" {
		if a, err := absIRI(nsSPDX + "checksumAlgorithm_" + alg); err == nil {
			w.aux(b, nsSPDX+"algorithm", a)
		}
	}
	w.aux(b, nsSPDX+"checksumValue", rdf.NewTypedLiteral(val, iri(nsXSD+"hexBinary")))
	return b
}

func (w *describer) period(pt PeriodOfTime) rdf.Object {
	b := w.blank()
	w.aux(b, rdfType, iri(nsDCT+"PeriodOfTime"))
	if pt.Start != "" {
		w.aux(b, nsDCAT+"startDate", dateLiteral(pt.Start))
	}
	if pt.End != "" {
		w.aux(b, nsDCAT+"endDate", dateLiteral(pt.End))
	}
	return b
}

func (w *describer) date(s rdf.Subject, p, v string) {
	if v != "" {
		w.link(s, p, dateLiteral(v))
	}
}

func (w *describer) auxDate(s rdf.Subject, p, v string) {
	if v != "" {
		w.aux(s, p, dateLiteral(v))
	}
}

// dateLiteral types a date by its lexical form: xsd:date, xsd:dateTime,
// xsd:gYear or xsd:gYearMonth; anything else stays a plain literal.
func dateLiteral(v string) rdf.Object {
	for _, c := range []struct {
		dt      string
		layouts []string
	}{
		{"date", []string{"2006-01-02", "2006-01-02Z07:00"}},
		{"dateTime", []string{"2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00"}},
		{"gYear", []string{"2006"}},
		{"gYearMonth", []string{"2006-01"}},
	} {
		for _, l := range c.layouts {
			if _, err := time.Parse(l, v); err == nil {
				return rdf.NewTypedLiteral(v, iri(nsXSD+c.dt))
			}
		}
	}
	return rdf.NewStringLiteral(v)
}

func dateTime(t time.Time) rdf.Literal {
	return rdf.NewTypedLiteral(t.UTC().Format(time.RFC3339), iri(nsXSD+"dateTime"))
}

// profile adds Profile values, properties sorted, each value as stored.
func (w *describer) profile(s rdf.Subject, p map[string][]string) {
	for _, k := range sortedKeys(p) {
		for _, v := range p[k] {
			w.link(s, k, w.ntValue(v))
		}
	}
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
