package harvest

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzCKANRecord: no package, however odd, makes the CKAN mapping panic,
// and every record it returns has an IRI, an id and a hash.
func FuzzCKANRecord(f *testing.F) {
	for _, p := range []string{"ckanext-dcat-examples/ckan_full_dataset_dcat_ap.json"} {
		b, err := os.ReadFile(corpusPath(p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","extras":[{"key":"theme","value":"[\"a\",1]"}],"tags":[{"name":3}],"title_translated":{"fi":["a",null]}}`))
	f.Add([]byte(`{"resources":[{"hash":"ab","url_type":"upload","url":"http://a"}],"id":"1","organization":{"title_translated":5}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := ckanRecord(json.RawMessage(b), Config{Name: "f", Language: "fi"}, "http://ckan.example")
		if err != nil {
			return
		}
		if rec.IRI == "" || rec.ID == "" || len(rec.Sources) != 1 || len(rec.Sources[0].Hash) != 64 {
			t.Fatalf("record %+v", rec)
		}
	})
}
