package catalog

import (
	"sort"
)

// Catalogs maps every subject typed dcat:Catalog (or dcat:Catalogue, as an
// HVD example of DCAT-AP 3.0 spells it) to a Catalog, with the helpers
// Records maps records with: texts in every language, the publisher as an
// Agent, contact points, dates checked, licence and rights as given, and
// what has no field in Profile. A catalogue given as a blank node is listed
// with IRI "" (it is not skolemised: nothing refers to it). The catalogues
// are ordered by IRI, blank ones first in document order. Datasets counts
// the catalogue's dcat:dataset, dcat:service and dcat:catalog links in this
// document; its dcat:record links are neither counted nor kept.
//
// The stats hold the problems found (a catalogue without dct:title, a date
// that is not one), with Record set to the catalogue's IRI; Records and
// Rejected stay zero.
func (d *Document) Catalogs() ([]Catalog, MapStats) {
	var stats MapStats
	m := newMapper(d, d.index(), MapOptions{}, &stats)
	var ids []uint32
	if typ := m.c.typ; typ != noTerm {
		classes := map[uint32]bool{}
		for _, c := range catalogClasses {
			if id := m.id(c); id != noTerm {
				classes[id] = true
			}
		}
		seen := map[uint32]bool{}
		for i := 0; i < d.n && len(classes) > 0; i++ {
			s, p, o := d.triple(uint32(i))
			if p == typ && classes[o] && !seen[s] && m.nodeLike(s) {
				seen[s] = true
				ids = append(ids, s)
			}
		}
	}
	cats := make([]Catalog, 0, len(ids))
	for _, id := range ids {
		cats = append(cats, m.catalog(id))
	}
	sort.SliceStable(cats, func(i, j int) bool { return cats[i].IRI < cats[j].IRI })
	return cats, stats
}

// catalog maps one catalogue.
func (m *mapper) catalog(n uint32) Catalog {
	d := m.d
	var c Catalog
	if d.kind(n) == termIRI {
		c.IRI = d.text(n)
	}
	for _, t := range m.outUnique(n) {
		_, p, o := d.triple(t)
		pIRI := d.text(p)
		literal := !m.nodeLike(o)
		switch m.field(p) {
		case fType:
			if !m.isCatalogClass(o) {
				addProfile(&c.Profile, pIRI, m.nt(o))
			}
		case fTitle:
			addText(&c.Title, d, o)
		case fDescription:
			addText(&c.Description, d, o)
		case fPublisher:
			m.publisher(&c.Publisher, &c.Profile, pIRI, o)
		case fContactPoint:
			m.contactPoint(&c.ContactPoints, &c.Profile, pIRI, o)
		case fHomepage:
			m.single(&c.Homepage, &c.Profile, pIRI, o)
		case fLanguage:
			addUnique(&c.Languages, m.value(o))
		case fLicense:
			v, _ := m.licence(o)
			m.single(&c.License, &c.Profile, pIRI, o, v)
		case fRights:
			m.single(&c.Rights, &c.Profile, pIRI, o, m.rightsStatement(o))
		case fIssued:
			m.date(&c.Issued, &c.Profile, c.IRI, pIRI, o)
		case fModified:
			m.date(&c.Modified, &c.Profile, c.IRI, pIRI, o)
		case fThemeTaxonomy:
			addUnique(&c.ThemeTaxonomies, m.value(o))
		case fSpatial:
			addUnique(&c.Spatial, m.value(o))
		case fMember:
			if literal {
				addProfile(&c.Profile, pIRI, m.nt(o))
			} else {
				c.Datasets++
			}
		case fCatalogRecord:
			// A catalogue record per dataset: as many as the datasets, and
			// described with them.
		default:
			addProfile(&c.Profile, pIRI, m.nt(o))
		}
	}
	sort.SliceStable(c.ContactPoints, func(i, j int) bool { return c.ContactPoints[i].IRI < c.ContactPoints[j].IRI })
	if len(c.Title) == 0 {
		m.stats.problem("warning", c.IRI, "Catalog has no dct:title")
	}
	return c
}

// isCatalogClass reports whether o is one of catalogClasses.
func (m *mapper) isCatalogClass(o uint32) bool {
	for _, c := range catalogClasses {
		if m.id(c) == o {
			return true
		}
	}
	return false
}
