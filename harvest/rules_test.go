package harvest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"samband/catalog"
)

// TestReportCountsRuleChecks harvests a real Norwegian file whose datasets
// break DCAT-AP and DCAT-AP-NO (datasett-with-error.ttl: one dataset
// without title, description, identifier or publisher; one whose contact
// point and provenance are not typed as DCAT-AP-NO wants), from a source of
// Norway and from one of Sweden. The report counts the results of the
// rule checks of every record stored, national rules only for the
// Norwegian source; the stored records carry them; a second run, which
// changes nothing, counts them again.
func TestReportCountsRuleChecks(t *testing.T) {
	s := newSite(t)
	s.set("/dcat", page{body: readCorpus(t, "no-fdk-legacy", "datasett-with-error.ttl"), contentType: "text/turtle"})
	for _, tc := range []struct {
		country                  string
		checks                   map[string]int
		severities               map[string]int
		violations, withWarnings int
	}{
		{"NO", map[string]int{
			"dcat-ap:dataset-title-min":                1,
			"dcat-ap:dataset-description-min":          1,
			"dcat-ap-no:dataset-identifier-min":        1,
			"dcat-ap-no:dataset-publisher-min":         1,
			"dcat-ap-no:dataset-provenance-class":      1,
			"dcat-ap-no:dataset-contactpoint-class":    1,
			"dcat-ap:dataset-publisher-recommended":    1,
			"dcat-ap:dataset-contactpoint-recommended": 2,
			"dcat-ap:dataset-keyword-recommended":      2,
			"dcat-ap:dataset-spatial-recommended":      2,
			"dcat-ap:dataset-distribution-recommended": 3,
			"dcat-ap:dataset-temporal-recommended":     3,
			"dcat-ap:dataset-publisher-vocabulary":     2,
			"dcat-ap:dataset-spatial-vocabulary":       1,
		}, map[string]int{catalog.SeverityViolation: 5, catalog.SeverityWarning: 17}, 2, 3},
		{"SE", map[string]int{
			"dcat-ap:dataset-title-min":                1,
			"dcat-ap:dataset-description-min":          1,
			"dcat-ap:dataset-publisher-recommended":    1,
			"dcat-ap:dataset-contactpoint-recommended": 2,
			"dcat-ap:dataset-keyword-recommended":      2,
			"dcat-ap:dataset-spatial-recommended":      2,
			"dcat-ap:dataset-distribution-recommended": 3,
			"dcat-ap:dataset-temporal-recommended":     3,
			"dcat-ap:dataset-publisher-vocabulary":     2,
			"dcat-ap:dataset-spatial-vocabulary":       1,
		}, map[string]int{catalog.SeverityViolation: 2, catalog.SeverityWarning: 16}, 1, 3},
	} {
		t.Run(tc.country, func(t *testing.T) {
			st := newStore(t)
			h := newTestHarvester(st, Options{})
			cfg := Config{Name: "brreg", Country: tc.country, Kind: KindDCAT, URL: s.URL + "/dcat"}
			for run := 1; run <= 2; run++ {
				rep := mustRun(t, h, cfg)
				if rep.Status != catalog.StatusComplete || rep.Added+rep.Unchanged != 3 {
					t.Fatalf("run %d: status %s, %d added, %d unchanged; want complete, 3", run, rep.Status, rep.Added, rep.Unchanged)
				}
				if !reflect.DeepEqual(rep.Checks, tc.checks) || !reflect.DeepEqual(rep.CheckSeverities, tc.severities) ||
					rep.RecordsWithViolations != tc.violations || rep.RecordsWithWarnings != tc.withWarnings {
					t.Errorf("run %d: checks %v, severities %v, %d records with violations, %d with warnings; want %v, %v, %d, %d",
						run, rep.Checks, rep.CheckSeverities, rep.RecordsWithViolations, rep.RecordsWithWarnings,
						tc.checks, tc.severities, tc.violations, tc.withWarnings)
				}
				stored, err := st.Run(context.Background(), rep.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(stored.Checks, rep.Checks) || stored.RecordsWithViolations != rep.RecordsWithViolations {
					t.Errorf("run %d: the stored report counts %v, %d; the run %v, %d", run, stored.Checks, stored.RecordsWithViolations, rep.Checks, rep.RecordsWithViolations)
				}
			}
			rec, err := st.Dataset(context.Background(), "http://data.brreg.no/datakatalog/dataset/17")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range rec.Checks {
				if c.Severity == catalog.SeverityViolation {
					ids = append(ids, c.Rule)
				}
				if c.Focus != rec.IRI || c.Path == "" || c.Message == "" {
					t.Errorf("stored result %+v: want the record as focus, a path and a message", c)
				}
			}
			want := []string{"dcat-ap:dataset-title-min", "dcat-ap:dataset-description-min"}
			if tc.country == "NO" {
				want = append(want, "dcat-ap-no:dataset-identifier-min", "dcat-ap-no:dataset-publisher-min")
			}
			slices.Sort(ids)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("stored violations of dataset/17: %v, want %v", ids, want)
			}
		})
	}
}
