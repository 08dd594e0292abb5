package harvest

// This file stands in for catalog.Document until the mapping branch lands;
// it is replaced then by:
//
//	type mapOptions = catalog.MapOptions
//	type mapStats = catalog.MapStats
//	func newDocument() *catalog.Document { return catalog.NewDocument() }

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"samband/catalog"
	"samband/catalog/rdf"
)

type mapOptions struct {
	Source, Country, SkolemBase string
}

type mapStats struct {
	Records, Rejected int
	Problems          []catalog.Problem
}

type document struct {
	bySubject map[string][]rdf.Triple
	order     []string
}

func newDocument() *document { return &document{bySubject: make(map[string][]rdf.Triple)} }

func (d *document) Add(t rdf.Triple) error {
	k := t.Subj.String()
	if _, ok := t.Subj.(rdf.Blank); ok {
		k = "_:" + k
	}
	if _, ok := d.bySubject[k]; !ok {
		d.order = append(d.order, k)
	}
	d.bySubject[k] = append(d.bySubject[k], t)
	return nil
}

func (d *document) Records(opt mapOptions, fn func(catalog.Dataset) error) (mapStats, error) {
	var st mapStats
	kinds := map[string]string{
		"http://www.w3.org/ns/dcat#Dataset":       catalog.KindDataset,
		"http://www.w3.org/ns/dcat#DatasetSeries": catalog.KindDatasetSeries,
		"http://www.w3.org/ns/dcat#DataService":   catalog.KindDataService,
	}
	for _, k := range d.order {
		ts := d.bySubject[k]
		kind := ""
		for _, t := range ts {
			if t.Pred.String() == rdf.NSRDF+"type" {
				if kd, ok := kinds[t.Obj.String()]; ok && kind == "" {
					kind = kd
				}
			}
		}
		if kind == "" {
			continue
		}
		iri := k
		if strings.HasPrefix(k, "_:") {
			if opt.SkolemBase == "" {
				st.Rejected++
				continue
			}
			iri = opt.SkolemBase + k[2:]
		}
		lines := make([]string, 0, len(ts))
		rec := catalog.Dataset{ID: catalog.IDFor(iri), IRI: iri, Kind: kind, Title: catalog.Text{}}
		for _, t := range ts {
			lines = append(lines, t.Serialize(0))
			if t.Pred.String() == "http://purl.org/dc/terms/title" {
				if l, ok := t.Obj.(rdf.Literal); ok {
					rec.Title.Add(l.Lang(), l.String())
				}
			}
		}
		sort.Strings(lines)
		orig := strings.Join(lines, "")
		sum := sha256.Sum256([]byte(orig))
		rec.Sources = []catalog.SourceRecord{{Source: opt.Source, Country: opt.Country, Hash: hex.EncodeToString(sum[:]), Original: orig}}
		st.Records++
		if err := fn(rec); err != nil {
			return st, err
		}
	}
	return st, nil
}
