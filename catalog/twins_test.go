package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestRecordsTwins: the DCAT-AP examples published as Turtle and as JSON-LD
// give equal records, hashes included, where both are readable.
func TestRecordsTwins(t *testing.T) {
	n := 0
	for _, dir := range []string{"eu-semic-dcat-ap/hvd-examples-3.0.0", "eu-semic-dcat-ap/examples-3.0.1"} {
		files, err := filepath.Glob(filepath.Join(corpusDir, dir, "*.jsonld"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(corpusDir, f)
			twin := strings.TrimSuffix(rel, ".jsonld") + ".ttl"
			if _, err := os.Stat(filepath.Join(corpusDir, twin)); err != nil {
				continue
			}
			if twinBroken[twin] || strings.HasSuffix(rel, "context.jsonld") {
				continue
			}
			t.Run(rel, func(t *testing.T) {
				j, _ := mapFile(t, rel)
				tt, _ := mapFile(t, twin)
				if strings.HasSuffix(rel, "example-data_service_terms_sla.jsonld") {
					// The JSON-LD says one triple more (28 against 27): the
					// bees dataset's HVD category. Without it, equal records.
					b := j[0]
					eq(t, "JSON-LD HVDCategory", b.HVDCategory, []string{"http://data.europa.eu/bna/c_b7f6a4f3"})
					eq(t, "Turtle HVDCategory", tt[0].HVDCategory, []string(nil))
					if b.Sources[0].Hash == tt[0].Sources[0].Hash {
						t.Errorf("hashes equal, descriptions differ")
					}
					j[0].HVDCategory, j[0].Sources, tt[0].Sources = nil, nil, nil
				}
				if !reflect.DeepEqual(j, tt) {
					for i := range min(len(j), len(tt)) {
						if !reflect.DeepEqual(j[i], tt[i]) {
							t.Errorf("record %d differs:\njson-ld %+v\nturtle  %+v", i, j[i], tt[i])
						}
					}
					t.Errorf("%d and %d records", len(j), len(tt))
				}
			})
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d twins compared", n)
	}
}

// twinBroken are Turtle twins that are malformed (SOURCES.md).
var twinBroken = map[string]bool{
	"eu-semic-dcat-ap/hvd-examples-3.0.0/example-bees_wasps_dataset.ttl":                 true,
	"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-api.ttl":      true,
	"eu-semic-dcat-ap/examples-3.0.1/example-bee-population-dataset-series-combined.ttl": true,
}
