package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Namespaces of the vocabularies DCAT-AP and its national profiles use.
const (
	nsDCAT   = "http://www.w3.org/ns/dcat#"
	nsDCT    = "http://purl.org/dc/terms/"
	nsDCATAP = "http://data.europa.eu/r5r/"
	nsFOAF   = "http://xmlns.com/foaf/0.1/"
	nsVCard  = "http://www.w3.org/2006/vcard/ns#"
	nsADMS   = "http://www.w3.org/ns/adms#"
	nsADMSs  = "https://www.w3.org/ns/adms#" // a misspelling DCAT-AP-DK's examples use
	nsSKOS   = "http://www.w3.org/2004/02/skos/core#"
	nsOWL    = "http://www.w3.org/2002/07/owl#"
	nsODRL   = "http://www.w3.org/ns/odrl/2/"
	nsSPDX   = "http://spdx.org/rdf/terms#"
	nsSchema = "http://schema.org/"
	nsSchemS = "https://schema.org/"
	nsPROV   = "http://www.w3.org/ns/prov#"
	nsTime   = "http://www.w3.org/2006/time#"
	nsRDFS   = "http://www.w3.org/2000/01/rdf-schema#"
	nsRDF    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
)

// MapOptions say where a document's records come from and how to name those
// that are blank nodes.
type MapOptions struct {
	Source, Country string // provenance to set on every record (Sources[0])
	// SkolemBase is the IRI prefix for records that are blank nodes, e.g.
	// "https://gateway.example/.well-known/genid/"; their IRI is SkolemBase plus
	// a stable hash of (Source, the record's dct:identifier, or its canonical content).
	// Empty means DefaultSkolemBase.
	SkolemBase string
}

// MapStats say what Records did.
type MapStats struct {
	Records  int       // records passed to fn
	Rejected int       // records refused (each with a Problem)
	Problems []Problem // warnings and errors about records (Record set to its IRI), the first MaxProblems
	// MoreProblems counts the problems beyond the first MaxProblems, which are not kept.
	MoreProblems int
}

// MaxProblems is how many problems MapStats keeps.
const MaxProblems = 1000

func (s *MapStats) problem(severity, record, format string, args ...any) {
	if len(s.Problems) >= MaxProblems {
		s.MoreProblems++
		return
	}
	s.Problems = append(s.Problems, Problem{Severity: severity, Record: record, Message: fmt.Sprintf(format, args...)})
}

// Records maps every subject typed dcat:Dataset, dcat:DatasetSeries or dcat:DataService
// (also as rdf:type via subclasses a profile uses, if any) to a Dataset and passes it to fn,
// in a stable order. Each record gets ID = IDFor(IRI), Kind, and Sources = []SourceRecord{{Source, Country,
// Hash, Original}} where Original is the record's description as canonical N-Triples and Hash is
// hex SHA-256 of Original. An fn error stops and is returned.
//
// Subclasses are those the document itself declares with rdfs:subClassOf. The
// order is that of the records' IRIs. A record's description is its own
// triples and, followed along object links up to 8 links away, those of the
// blank nodes and other resources of the document it reaches, but for other
// records, catalogues, concept schemes, ontologies and the objects of
// rdf:type; at most 50,000 triples (more is cut, with a warning). Records are built one at a
// time; none is kept once fn returns.
func (d *Document) Records(opt MapOptions, fn func(Dataset) error) (MapStats, error) {
	var stats MapStats
	x := d.index()
	m := newMapper(d, x, opt, &stats)
	recs := m.findRecords()

	// Name every record first: a record's description names the blank-node
	// records it links to by their skolem IRIs.
	for i := range recs {
		r := &recs[i]
		if d.kind(r.id) == termIRI {
			r.iri = d.text(r.id)
			continue
		}
		r.iri = m.c.skolemIRI(r.id, opt.SkolemBase, opt.Source, m.identifierValues(r.id))
		m.c.skolem[r.id] = r.iri
		if r.iri == "" {
			stats.Rejected++
			stats.problem("error", "", "a %s given as blank node _:%s has neither dct:identifier nor any content: not a record", r.kind, d.text(r.id))
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].iri < recs[j].iri })

	for i, r := range recs {
		if r.iri == "" {
			continue
		}
		if i > 0 && recs[i-1].iri == r.iri {
			// Two blank-node records with the same identifier (or the same content).
			stats.Rejected++
			stats.problem("error", r.iri, "another blank-node record of this source has the same dct:identifier or content: this one is left out")
			continue
		}
		ds := m.dataset(r)
		trip, cut := m.c.describe(r.id)
		if cut {
			stats.problem("warning", r.iri, "description cut at %d triples: it reaches too much of the document", len(trip))
		}
		orig := m.c.canonical(trip)
		ds.Sources = []SourceRecord{{Source: opt.Source, Country: opt.Country, Hash: hashOf(orig), Original: orig}}
		stats.Records++
		if err := fn(ds); err != nil {
			return stats, err
		}
	}
	return stats, nil
}

type recordRef struct {
	id   uint32
	kind string
	iri  string
}

// field says what a property maps to.
type field uint8

const (
	fNone field = iota // no field: Profile
	fType
	fIdentifier
	fADMSIdentifier
	fNotation
	fTitle
	fDescription
	fKeyword
	fTheme
	fSubject
	fHVD
	fPublisher
	fCreator
	fContactPoint
	fDistribution
	fIssued
	fModified
	fFrequency
	fVersion
	fLanguage
	fSpatial
	fTemporal
	fInSeries
	fRelated
	fAccessRights
	fConformsTo
	fLegislation
	fPolicy
	fLandingPage
	fPage
	fEndpointURL
	fEndpointDescription
	fServesDataset
	fLicense
	// Distribution only.
	fAccessURL
	fDownloadURL
	fFormat
	fMediaType
	fRights
	fAccessService
	fByteSize
	fChecksum
	fStatus
	fAvailability
	// Catalogue only.
	fHomepage
	fThemeTaxonomy
	fMember        // dcat:dataset, dcat:service, dcat:catalog
	fCatalogRecord // dcat:record
)

// fieldOf maps a property IRI to the field it fills.
func fieldOf(p string) field {
	switch p {
	case nsRDF + "type":
		return fType
	case nsDCT + "identifier":
		return fIdentifier
	case nsADMS + "identifier", nsADMSs + "identifier":
		return fADMSIdentifier
	case nsSKOS + "notation":
		return fNotation
	case nsDCT + "title":
		return fTitle
	case nsDCT + "description":
		return fDescription
	case nsDCAT + "keyword":
		return fKeyword
	case nsDCAT + "theme",
		nsDCT + "theme": // not a DCMI term; DCAT-AP-DK's extended example uses it for dcat:theme
		return fTheme
	case nsDCT + "subject":
		return fSubject
	case nsDCATAP + "hvdCategory":
		return fHVD
	case nsDCT + "publisher":
		return fPublisher
	case nsDCT + "creator":
		return fCreator
	case nsDCAT + "contactPoint":
		return fContactPoint
	case nsDCAT + "distribution":
		return fDistribution
	case nsDCT + "issued":
		return fIssued
	case nsDCT + "modified":
		return fModified
	case nsDCT + "accrualPeriodicity":
		return fFrequency
	case nsDCAT + "version", nsOWL + "versionInfo":
		return fVersion
	case nsDCT + "language":
		return fLanguage
	case nsDCT + "spatial":
		return fSpatial
	case nsDCT + "temporal":
		return fTemporal
	case nsDCAT + "inSeries":
		return fInSeries
	case nsDCT + "source", nsDCT + "hasVersion", nsDCT + "isVersionOf", nsDCT + "relation",
		nsDCT + "isReferencedBy", nsDCT + "references", nsDCT + "hasPart", nsDCT + "isPartOf",
		nsDCT + "requires", nsDCT + "isRequiredBy", nsDCT + "replaces", nsDCT + "isReplacedBy",
		nsDCT + "hasFormat", nsDCT + "isFormatOf",
		nsPROV + "qualifiedAttribution", nsPROV + "wasGeneratedBy", nsPROV + "wasDerivedFrom",
		nsDCAT + "qualifiedRelation", nsDCAT + "first", nsDCAT + "last", nsDCAT + "prev",
		nsDCAT + "previous", nsDCAT + "next", nsDCAT + "seriesMember",
		nsADMS + "sample", nsADMSs + "sample", nsRDFS + "seeAlso", nsOWL + "sameAs":
		return fRelated
	case nsDCT + "accessRights":
		return fAccessRights
	case nsDCT + "conformsTo":
		return fConformsTo
	case nsDCATAP + "applicableLegislation":
		return fLegislation
	case nsODRL + "hasPolicy":
		return fPolicy
	case nsDCAT + "landingPage":
		return fLandingPage
	case nsFOAF + "page":
		return fPage
	case nsDCAT + "endpointURL":
		return fEndpointURL
	case nsDCAT + "endpointDescription":
		return fEndpointDescription
	case nsDCAT + "servesDataset":
		return fServesDataset
	case nsDCT + "license":
		return fLicense
	case nsDCAT + "accessURL":
		return fAccessURL
	case nsDCAT + "downloadURL":
		return fDownloadURL
	case nsDCT + "format":
		return fFormat
	case nsDCAT + "mediaType":
		return fMediaType
	case nsDCT + "rights":
		return fRights
	case nsDCAT + "accessService",
		"http://dcat.no/dcatapi/accessService": // DCAT-AP-NO 1.1, before DCAT 2 had dcat:accessService
		return fAccessService
	case nsDCAT + "byteSize":
		return fByteSize
	case nsSPDX + "checksum":
		return fChecksum
	case nsADMS + "status", nsADMSs + "status":
		return fStatus
	case nsDCATAP + "availability":
		return fAvailability
	case nsFOAF + "homepage":
		return fHomepage
	case nsDCAT + "themeTaxonomy":
		return fThemeTaxonomy
	case nsDCAT + "dataset", nsDCAT + "service", nsDCAT + "catalog":
		return fMember
	case nsDCAT + "record":
		return fCatalogRecord
	}
	return fNone
}

// catalogClasses are the classes of catalogues: dcat:Catalog, and the
// dcat:Catalogue an HVD example of SEMIC's DCAT-AP 3.0 uses for it.
var catalogClasses = []string{nsDCAT + "Catalog", nsDCAT + "Catalogue"}

// recordClasses are the classes of records, strongest kind first.
var recordClasses = []struct{ iri, kind string }{
	{nsDCAT + "DatasetSeries", KindDatasetSeries},
	{nsDCAT + "DataService", KindDataService},
	{nsDCAT + "Dataset", KindDataset},
}

func kindRank(k string) int {
	for i, c := range recordClasses {
		if c.kind == k {
			return i
		}
	}
	return len(recordClasses)
}

type mapper struct {
	d     *Document
	x     *docIndex
	c     *canon
	opt   MapOptions
	stats *MapStats
	ids   map[string]uint32 // property IRI -> term id (noTerm if unused)
	pf    map[uint32]field  // property term id -> field
	seen  map[uint64]struct{}
	outs  []uint32
}

// outUnique returns the triples of subject n, each (property, object) once,
// in document order. The slice is reused by the next call.
func (m *mapper) outUnique(n uint32) []uint32 {
	out := m.x.out(n)
	if len(out) < 2 {
		return out
	}
	clear(m.seen)
	m.outs = m.outs[:0]
	for _, t := range out {
		_, p, o := m.d.triple(t)
		k := uint64(p)<<32 | uint64(o)
		if _, dup := m.seen[k]; dup {
			continue
		}
		m.seen[k] = struct{}{}
		m.outs = append(m.outs, t)
	}
	return slices.Clone(m.outs)
}

func newMapper(d *Document, x *docIndex, opt MapOptions, stats *MapStats) *mapper {
	return &mapper{d: d, x: x, c: newCanon(d, x), opt: opt, stats: stats, ids: map[string]uint32{}, pf: map[uint32]field{}, seen: map[uint64]struct{}{}}
}

// id returns the term id of an IRI, or noTerm.
func (m *mapper) id(iri string) uint32 {
	if id, ok := m.ids[iri]; ok {
		return id
	}
	id := m.d.lookup(iri)
	m.ids[iri] = id
	return id
}

func (m *mapper) field(p uint32) field {
	if f, ok := m.pf[p]; ok {
		return f
	}
	f := fieldOf(m.d.text(p))
	m.pf[p] = f
	return f
}

// findRecords returns the records of the document, and marks records and
// catalogues as the bounds of descriptions.
func (m *mapper) findRecords() []recordRef {
	d := m.d
	classes := map[uint32]string{}
	for _, c := range recordClasses {
		if id := m.id(c.iri); id != noTerm {
			classes[id] = c.kind
		}
	}
	// Subclasses the document declares, to any depth.
	if sub := m.id(nsRDFS + "subClassOf"); sub != noTerm && len(classes) > 0 {
		for changed := true; changed; {
			changed = false
			for i := 0; i < d.n; i++ {
				s, p, o := d.triple(uint32(i))
				if p != sub {
					continue
				}
				if k, ok := classes[o]; ok {
					if old, ok := classes[s]; !ok || kindRank(k) < kindRank(old) {
						classes[s] = k
						changed = true
					}
				}
			}
		}
	}
	// Descriptions stop at catalogues, concept schemes and ontologies too:
	// they list other things, they are not part of a record.
	bounds := map[uint32]bool{}
	for _, c := range append([]string{nsSKOS + "ConceptScheme", nsOWL + "Ontology"}, catalogClasses...) {
		if id := m.id(c); id != noTerm {
			bounds[id] = true
		}
	}
	kinds := map[uint32]string{}
	var order []uint32
	if typ := m.c.typ; typ != noTerm {
		for i := 0; i < d.n; i++ {
			s, p, o := d.triple(uint32(i))
			if p != typ {
				continue
			}
			if bounds[o] {
				setBit(m.c.boundary, s)
				continue
			}
			k, ok := classes[o]
			if !ok {
				continue
			}
			old, seen := kinds[s]
			if !seen {
				order = append(order, s)
			}
			if !seen || kindRank(k) < kindRank(old) {
				kinds[s] = k
			}
		}
	}
	recs := make([]recordRef, 0, len(order))
	for _, s := range order {
		setBit(m.c.record, s)
		setBit(m.c.boundary, s)
		recs = append(recs, recordRef{id: s, kind: kinds[s]})
	}
	return recs
}

// identifierValues returns the dct:identifier values of a node.
func (m *mapper) identifierValues(n uint32) []string {
	var ids []string
	p := m.id(nsDCT + "identifier")
	for _, t := range m.x.out(n) {
		if _, tp, o := m.d.triple(t); tp == p && m.d.kind(o) != termBlank {
			ids = append(ids, m.d.text(o))
		}
	}
	return ids
}

// value returns an object as a plain string: an IRI, a lexical form, the
// skolem IRI of a blank-node record, or a blank node written inline.
func (m *mapper) value(o uint32) string {
	switch m.d.kind(o) {
	case termBlank:
		if hasBit(m.c.record, o) {
			return m.c.skolem[o]
		}
		return m.inline(o, 0)
	}
	return m.d.text(o)
}

// nt returns an object as N-Triples: <iri>, "lexical"@lang, "lexical"^^<dt>,
// or a blank node written inline as [ <p> o ; ... ].
func (m *mapper) nt(o uint32) string {
	if m.d.kind(o) == termBlank {
		return m.value(o)
	}
	return string(m.c.appendTerm(nil, o, 0))
}

// inline writes a blank node's description as [ <p> o ; ... ], properties
// sorted, nested blank nodes inline up to a few levels and a few hundred
// statements in all; the full description is in the record's original.
func (m *mapper) inline(b uint32, depth int) string {
	budget := maxInline
	return m.inlineBudget(b, depth, &budget)
}

const maxInline = 256 // statements written inline in one value

func (m *mapper) inlineBudget(b uint32, depth int, budget *int) string {
	if depth > 4 || *budget <= 0 {
		return "[ … ]"
	}
	var parts []string
	for _, t := range m.x.out(b) {
		if *budget <= 0 {
			parts = append(parts, "…")
			break
		}
		*budget--
		_, p, o := m.d.triple(t)
		var v string
		if m.d.kind(o) == termBlank && !hasBit(m.c.record, o) {
			v = m.inlineBudget(o, depth+1, budget)
		} else {
			v = m.nt(o)
		}
		parts = append(parts, string(appendIRI(nil, []byte(m.d.text(p))))+" "+v)
	}
	if len(parts) == 0 {
		return "[]"
	}
	slices.Sort(parts)
	return "[ " + strings.Join(slices.Compact(parts), " ; ") + " ]"
}

func addText(t *Text, d *Document, o uint32) {
	if *t == nil {
		*t = Text{}
	}
	t.Add(d.lang(o), d.text(o))
}

func addUnique(list *[]string, v string) {
	if v == "" || slices.Contains(*list, v) {
		return
	}
	*list = append(*list, v)
}

func addProfile(p *map[string][]string, key, v string) {
	if *p == nil {
		*p = map[string][]string{}
	}
	if !slices.Contains((*p)[key], v) {
		(*p)[key] = append((*p)[key], v)
	}
}

// described reports whether the document says anything about node n.
func (m *mapper) described(n uint32) bool {
	return m.x.start[n] != m.x.start[n+1]
}

// dataset maps one record.
func (m *mapper) dataset(r recordRef) Dataset {
	d := m.d
	ds := Dataset{ID: IDFor(r.iri), IRI: r.iri, Kind: r.kind}
	var dists []uint32
	for _, t := range m.outUnique(r.id) {
		_, p, o := d.triple(t)
		pIRI := d.text(p)
		literal := d.kind(o) != termIRI && d.kind(o) != termBlank
		switch m.field(p) {
		case fType:
			if _, ok := m.recordClass(o); !ok {
				addProfile(&ds.Profile, pIRI, m.nt(o))
			}
		case fIdentifier:
			addUnique(&ds.Identifiers, m.value(o))
		case fADMSIdentifier:
			m.admsIdentifiers(&ds.Identifiers, o)
		case fNotation:
			addUnique(&ds.Identifiers, m.value(o))
		case fTitle:
			addText(&ds.Title, d, o)
		case fDescription:
			addText(&ds.Description, d, o)
		case fKeyword:
			addText(&ds.Keywords, d, o)
		case fTheme:
			v := m.value(o)
			addUnique(&ds.Themes, v)
			addUnique(&ds.EUThemes, ThemeCode(v))
		case fSubject:
			addUnique(&ds.Subjects, m.value(o))
		case fHVD:
			addUnique(&ds.HVDCategory, m.value(o))
		case fPublisher:
			m.publisher(&ds.Publisher, &ds.Profile, pIRI, o)
		case fCreator:
			if a, ok := m.agent(o); ok {
				ds.Creators = append(ds.Creators, a)
			} else {
				addProfile(&ds.Profile, pIRI, m.nt(o))
			}
		case fContactPoint:
			m.contactPoint(&ds.ContactPoints, &ds.Profile, pIRI, o)
		case fDistribution:
			if literal {
				addProfile(&ds.Profile, pIRI, m.nt(o))
			} else if !slices.Contains(dists, o) {
				dists = append(dists, o)
			}
		case fIssued:
			m.date(&ds.Issued, &ds.Profile, r.iri, pIRI, o)
		case fModified:
			m.date(&ds.Modified, &ds.Profile, r.iri, pIRI, o)
		case fFrequency:
			m.single(&ds.Frequency, &ds.Profile, pIRI, o)
		case fVersion:
			m.single(&ds.Version, &ds.Profile, pIRI, o)
		case fLanguage:
			addUnique(&ds.Languages, m.value(o))
		case fSpatial:
			addUnique(&ds.Spatial, m.value(o))
		case fTemporal:
			if pt, ok := m.period(r.iri, o); ok {
				if !slices.Contains(ds.Temporal, pt) {
					ds.Temporal = append(ds.Temporal, pt)
				}
			} else {
				addProfile(&ds.Profile, pIRI, m.nt(o))
			}
		case fInSeries:
			addUnique(&ds.InSeries, m.value(o))
		case fRelated:
			if ds.Related == nil {
				ds.Related = map[string][]string{}
			}
			l := ds.Related[pIRI]
			addUnique(&l, m.value(o))
			ds.Related[pIRI] = l
		case fAccessRights:
			v, code := m.rights(o)
			if ds.AccessRights == "" {
				ds.AccessRights, ds.AccessRightsEU = v, code
			} else {
				addProfile(&ds.Profile, pIRI, m.nt(o))
			}
		case fConformsTo:
			addUnique(&ds.ConformsTo, m.value(o))
		case fLegislation:
			addUnique(&ds.ApplicableLegislation, m.value(o))
		case fPolicy:
			addUnique(&ds.Policies, m.value(o))
		case fLandingPage:
			addUnique(&ds.LandingPages, m.value(o))
		case fPage:
			addUnique(&ds.Pages, m.value(o))
		case fEndpointURL:
			addUnique(&ds.EndpointURLs, m.value(o))
		case fEndpointDescription:
			addUnique(&ds.EndpointDescriptions, m.value(o))
		case fServesDataset:
			addUnique(&ds.ServesDatasets, m.value(o))
		case fLicense:
			v, _ := m.licence(o)
			m.single(&ds.License, &ds.Profile, pIRI, o, v)
		default:
			addProfile(&ds.Profile, pIRI, m.nt(o))
		}
	}
	for _, o := range dists {
		ds.Distributions = append(ds.Distributions, m.distribution(r.iri, o))
	}
	sort.SliceStable(ds.Distributions, func(i, j int) bool { return m.distKey(ds.Distributions[i]) < m.distKey(ds.Distributions[j]) })
	sort.SliceStable(ds.ContactPoints, func(i, j int) bool { return ds.ContactPoints[i].IRI < ds.ContactPoints[j].IRI })
	sort.SliceStable(ds.Creators, func(i, j int) bool { return ds.Creators[i].IRI < ds.Creators[j].IRI })
	if len(ds.Title) == 0 {
		m.stats.problem("warning", r.iri, "%s has no dct:title", r.kind)
	}
	return ds
}

// distKey orders distributions: by IRI, those without one last.
func (m *mapper) distKey(d Distribution) string {
	if d.IRI == "" {
		return "\xff"
	}
	return d.IRI
}

func (m *mapper) recordClass(o uint32) (string, bool) {
	if m.d.kind(o) != termIRI {
		return "", false
	}
	for _, c := range recordClasses {
		if m.id(c.iri) == o {
			return c.kind, true
		}
	}
	// A subclass the document declares: its records are found by findRecords.
	return "", false
}

// single sets a one-valued field from its first value; the others go to the
// profile. A given v replaces the plain value of o.
func (m *mapper) single(dst *string, profile *map[string][]string, pIRI string, o uint32, v ...string) {
	val := m.value(o)
	if len(v) > 0 {
		val = v[0]
	}
	switch {
	case *dst == "":
		*dst = val
	case *dst != val:
		addProfile(profile, pIRI, m.nt(o))
	}
}

// date sets a date field, warning when the value is not a date.
func (m *mapper) date(dst *string, profile *map[string][]string, record, pIRI string, o uint32) {
	v := m.value(o)
	if !isDate(v) {
		m.stats.problem("warning", record, "%s %q is not a date", shortIRI(pIRI), v)
	}
	m.single(dst, profile, pIRI, o)
}

// isDate reports whether s is an xsd:date, xsd:dateTime, xsd:gYear or xsd:gYearMonth.
func isDate(s string) bool {
	for _, layout := range []string{"2006-01-02", "2006-01-02Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00", "2006", "2006-01"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

func shortIRI(iri string) string {
	for _, ns := range []struct{ ns, p string }{{nsDCT, "dct:"}, {nsDCAT, "dcat:"}, {nsSchema, "schema:"}, {nsTime, "time:"}} {
		if strings.HasPrefix(iri, ns.ns) {
			return ns.p + iri[len(ns.ns):]
		}
	}
	return "<" + iri + ">"
}

// objects calls fn with the objects of node n for the given properties.
func (m *mapper) objects(n uint32, fn func(p string, o uint32), props ...string) {
	if !m.nodeLike(n) {
		return
	}
	for _, t := range m.x.out(n) {
		_, p, o := m.d.triple(t)
		ps := m.d.text(p)
		if slices.Contains(props, ps) {
			fn(ps, o)
		}
	}
}

func (m *mapper) nodeLike(n uint32) bool {
	k := m.d.kind(n)
	return k == termIRI || k == termBlank
}

// first returns the first object of n for the first of props that has one.
func (m *mapper) first(n uint32, props ...string) (uint32, bool) {
	for _, p := range props {
		found, ok := uint32(noTerm), false
		m.objects(n, func(_ string, o uint32) {
			if !ok {
				found, ok = o, true
			}
		}, p)
		if ok {
			return found, true
		}
	}
	return noTerm, false
}

// admsIdentifiers adds the skos:notation values of an adms:Identifier (or the
// identifier itself when the document does not describe it).
func (m *mapper) admsIdentifiers(ids *[]string, o uint32) {
	if m.d.kind(o) != termBlank && !m.described(o) {
		addUnique(ids, m.value(o))
		return
	}
	found := false
	m.objects(o, func(_ string, n uint32) {
		addUnique(ids, m.value(n))
		found = true
	}, nsSKOS+"notation")
	if !found && m.d.kind(o) == termIRI {
		addUnique(ids, m.d.text(o))
	}
}

// agent maps a publisher or creator.
func (m *mapper) agent(o uint32) (Agent, bool) {
	var a Agent
	switch m.d.kind(o) {
	case termIRI:
		a.IRI = m.d.text(o)
	case termBlank:
		if hasBit(m.c.record, o) {
			a.IRI = m.c.skolem[o]
		}
	default: // a name given as a literal
		addText(&a.Name, m.d, o)
		return a, true
	}
	for _, names := range [][]string{{nsFOAF + "name"}, {nsSKOS + "prefLabel"}, {nsVCard + "fn", nsVCard + "organization-name"}, {nsRDFS + "label"}} {
		m.objects(o, func(_ string, n uint32) { addText(&a.Name, m.d, n) }, names...)
		if len(a.Name) > 0 {
			break
		}
	}
	if t, ok := m.first(o, nsDCT+"type"); ok {
		a.Type = m.value(t)
	}
	if id, ok := m.first(o, nsDCT+"identifier"); ok {
		a.Identifier = m.value(id)
	}
	return a, a.IRI != "" || len(a.Name) > 0 || a.Type != "" || a.Identifier != ""
}

// publisher sets *dst to the agent o, unless it is set already or o is no
// agent: then o goes to the profile.
func (m *mapper) publisher(dst **Agent, profile *map[string][]string, pIRI string, o uint32) {
	if a, ok := m.agent(o); ok && *dst == nil {
		*dst = &a
	} else {
		addProfile(profile, pIRI, m.nt(o))
	}
}

// contactPoint appends the contact point o, or adds o to the profile when
// it is no contact point.
func (m *mapper) contactPoint(list *[]ContactPoint, profile *map[string][]string, pIRI string, o uint32) {
	if cp, ok := m.contact(o); ok {
		*list = append(*list, cp)
	} else {
		addProfile(profile, pIRI, m.nt(o))
	}
}

// rightsStatement returns dct:rights as given: for a rights statement
// without an IRI, its label or description.
func (m *mapper) rightsStatement(o uint32) string {
	if m.d.kind(o) == termBlank {
		if l, ok := m.first(o, nsRDFS+"label", nsSKOS+"prefLabel", nsDCT+"description"); ok {
			return m.value(l)
		}
	}
	return m.value(o)
}

// contact maps a vcard contact point.
func (m *mapper) contact(o uint32) (ContactPoint, bool) {
	var cp ContactPoint
	switch m.d.kind(o) {
	case termIRI:
		cp.IRI = m.d.text(o)
	case termBlank:
	default:
		return cp, false
	}
	for _, names := range [][]string{{nsVCard + "fn"}, {nsVCard + "organization-name", nsVCard + "hasOrganizationName"}, {nsVCard + "organization-unit", nsVCard + "hasOrganizationUnit"}} {
		m.objects(o, func(_ string, n uint32) { addText(&cp.Name, m.d, n) }, names...)
		if len(cp.Name) > 0 {
			break
		}
	}
	if e, ok := m.first(o, nsVCard+"hasEmail", nsVCard+"email"); ok {
		cp.Email = m.vcardValue(e, "mailto:")
	}
	if u, ok := m.first(o, nsVCard+"hasURL", nsVCard+"url"); ok {
		cp.URL = m.vcardValue(u, "")
	}
	if t, ok := m.first(o, nsVCard+"hasTelephone", nsVCard+"tel"); ok {
		cp.Phone = m.vcardValue(t, "tel:")
	}
	return cp, true
}

// vcardValue returns a vcard value given as an IRI, a literal or a node with
// vcard:hasValue, without the scheme prefix (and, for mailto:, any query).
func (m *mapper) vcardValue(o uint32, scheme string) string {
	if m.d.kind(o) == termBlank || (m.d.kind(o) == termIRI && m.described(o)) {
		if v, ok := m.first(o, nsVCard+"hasValue", nsVCard+"value"); ok {
			o = v
		} else if m.d.kind(o) == termBlank {
			return ""
		}
	}
	v := strings.TrimSpace(m.d.text(o))
	if scheme != "" && len(v) >= len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
		v = v[len(scheme):]
	}
	if scheme == "mailto:" {
		if i := strings.IndexByte(v, '?'); i >= 0 {
			v = v[:i]
		}
	}
	return v
}

// period maps a dct:PeriodOfTime: dcat:startDate and endDate, the older
// schema:startDate and endDate, or time:hasBeginning and hasEnd.
func (m *mapper) period(record string, o uint32) (PeriodOfTime, bool) {
	if m.d.kind(o) != termBlank && !(m.d.kind(o) == termIRI && m.described(o)) {
		return PeriodOfTime{}, false
	}
	var pt PeriodOfTime
	bound := func(dst *string, direct []string, instant string) {
		v, ok := m.first(o, direct...)
		if !ok {
			if in, ok2 := m.first(o, instant); ok2 {
				v, ok = m.first(in, nsTime+"inXSDDate", nsTime+"inXSDDateTimeStamp", nsTime+"inXSDDateTime", nsTime+"inXSDgYear", nsTime+"inXSDgYearMonth")
			}
		}
		if ok {
			*dst = m.value(v)
			if !isDate(*dst) {
				m.stats.problem("warning", record, "dct:temporal bound %q is not a date", *dst)
			}
		}
	}
	bound(&pt.Start, []string{nsDCAT + "startDate", nsSchema + "startDate", nsSchemS + "startDate"}, nsTime+"hasBeginning")
	bound(&pt.End, []string{nsDCAT + "endDate", nsSchema + "endDate", nsSchemS + "endDate"}, nsTime+"hasEnd")
	return pt, pt.Start != "" || pt.End != ""
}

// rights returns access rights as given (for a rights statement node, its
// dct:type, else its label) and their EU code.
func (m *mapper) rights(o uint32) (string, string) {
	v := m.value(o)
	if m.d.kind(o) == termBlank {
		if t, ok := m.first(o, nsDCT+"type", nsRDFS+"label", nsSKOS+"prefLabel", nsDCT+"source"); ok {
			v = m.value(t)
		}
	}
	code := AccessRightsCode(v)
	if code == "" && m.d.kind(o) == termBlank {
		m.objects(o, func(_ string, n uint32) {
			if code == "" {
				code = AccessRightsCode(m.value(n))
			}
		}, nsDCT+"type", nsRDFS+"label", nsSKOS+"prefLabel")
	}
	return v, code
}

// licence returns a licence as given (for a licence document without an IRI,
// the first of its dct:source, dct:identifier, label) and its EU code.
func (m *mapper) licence(o uint32) (string, string) {
	v := m.value(o)
	code := LicenceCode(v)
	if m.d.kind(o) == termBlank {
		candidates := []string{nsDCT + "source", nsDCT + "identifier", nsFOAF + "page", nsRDFS + "label", nsSKOS + "prefLabel", nsDCT + "title", nsDCT + "type"}
		first := ""
		m.objects(o, func(_ string, n uint32) {
			s := strings.TrimSpace(m.value(n))
			if s == "" {
				return
			}
			if first == "" {
				first = s
			}
			if code == "" {
				code = LicenceCode(s)
			}
		}, candidates...)
		if first != "" {
			v = first
		}
	}
	return v, code
}

// distribution maps a dcat:Distribution.
func (m *mapper) distribution(record string, o uint32) Distribution {
	d := m.d
	var dist Distribution
	if d.kind(o) == termIRI {
		dist.IRI = d.text(o)
	}
	var formats []uint32
	var media string
	for _, t := range m.outUnique(o) {
		_, p, v := d.triple(t)
		pIRI := d.text(p)
		switch m.field(p) {
		case fType:
			if d.text(v) != nsDCAT+"Distribution" {
				addProfile(&dist.Profile, pIRI, m.nt(v))
			}
		case fTitle:
			addText(&dist.Title, d, v)
		case fDescription:
			addText(&dist.Description, d, v)
		case fAccessURL:
			addUnique(&dist.AccessURLs, m.value(v))
		case fDownloadURL:
			addUnique(&dist.DownloadURLs, m.value(v))
		case fFormat:
			formats = append(formats, v)
		case fMediaType:
			if media == "" {
				media = m.value(v)
			} else {
				addProfile(&dist.Profile, pIRI, m.nt(v))
			}
		case fLicense:
			lv, code := m.licence(v)
			if dist.License == "" {
				dist.License, dist.LicenseEU = lv, code
			} else {
				addProfile(&dist.Profile, pIRI, m.nt(v))
			}
		case fAccessRights:
			rv, _ := m.rights(v)
			m.single(&dist.AccessRights, &dist.Profile, pIRI, v, rv)
		case fRights:
			m.single(&dist.Rights, &dist.Profile, pIRI, v, m.rightsStatement(v))
		case fAccessService:
			addUnique(&dist.AccessServices, m.value(v))
		case fConformsTo:
			addUnique(&dist.ConformsTo, m.value(v))
		case fLanguage:
			addUnique(&dist.Languages, m.value(v))
		case fPolicy:
			addUnique(&dist.Policies, m.value(v))
		case fLegislation:
			addUnique(&dist.ApplicableLegislation, m.value(v))
		case fByteSize:
			m.single(&dist.ByteSize, &dist.Profile, pIRI, v, byteSize(m.value(v)))
		case fChecksum:
			if cs := m.checksum(v); cs != "" {
				m.single(&dist.Checksum, &dist.Profile, pIRI, v, cs)
			} else {
				addProfile(&dist.Profile, pIRI, m.nt(v))
			}
		case fStatus:
			m.single(&dist.Status, &dist.Profile, pIRI, v)
		case fAvailability:
			m.single(&dist.Availability, &dist.Profile, pIRI, v)
		case fIssued:
			m.date(&dist.Issued, &dist.Profile, record, pIRI, v)
		case fModified:
			m.date(&dist.Modified, &dist.Profile, record, pIRI, v)
		default:
			addProfile(&dist.Profile, pIRI, m.nt(v))
		}
	}
	// The format: the first that normalises, IRIs before literals; the
	// others stay in the profile.
	slices.SortStableFunc(formats, func(a, b uint32) int {
		ra, rb := d.kind(a) != termIRI, d.kind(b) != termIRI
		switch {
		case ra == rb:
			return 0
		case rb:
			return -1
		}
		return 1
	})
	chosen := -1
	for i, f := range formats {
		if code, _ := FileType(m.value(f)); code != "" {
			chosen = i
			break
		}
	}
	if chosen < 0 && len(formats) > 0 {
		chosen = 0
	}
	for i, f := range formats {
		if i == chosen {
			dist.Format = m.value(f)
			dist.FormatEU, dist.MediaType = FileType(dist.Format)
		} else {
			addProfile(&dist.Profile, nsDCT+"format", m.nt(f))
		}
	}
	if media != "" {
		dist.MediaTypeGiven = media
		code, mt := FileType(media)
		if mt != "" {
			dist.MediaType = mt
		} else if dist.MediaType == "" {
			dist.MediaType = media
		}
		if dist.FormatEU == "" {
			dist.FormatEU = code
		}
	}
	if dist.IRI == "" && len(dist.AccessURLs) == 0 {
		m.stats.problem("warning", record, "a distribution given as a blank node has no dcat:accessURL")
	}
	return dist
}

// checksum returns an spdx:Checksum as "algorithm:value" ("sha256:ab12...").
func (m *mapper) checksum(o uint32) string {
	v, ok := m.first(o, nsSPDX+"checksumValue")
	if !ok {
		return ""
	}
	alg := "unknown"
	if a, ok := m.first(o, nsSPDX+"algorithm"); ok {
		alg = m.value(a)
		if i := strings.LastIndex(alg, "checksumAlgorithm_"); i >= 0 {
			alg = alg[i+len("checksumAlgorithm_"):]
		} else if i := strings.LastIndexAny(alg, "#/"); i >= 0 {
			alg = alg[i+1:]
		}
		alg = strings.ToLower(alg)
	}
	return alg + ":" + strings.TrimSpace(m.value(v))
}

// byteSize returns a byte size in its plain integer form ("5120.0" -> "5120"),
// or as given when it is not a whole number.
func byteSize(s string) string {
	t := strings.TrimSpace(s)
	intPart, frac, _ := strings.Cut(t, ".")
	if intPart == "" || strings.Trim(frac, "0") != "" || strings.Trim(intPart, "0123456789") != "" {
		return s
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		return "0"
	}
	return intPart
}
