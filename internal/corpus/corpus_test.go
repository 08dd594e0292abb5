package corpus

import (
	"os"
	"testing"
)

func TestFiles(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	byPath := make(map[string]File)
	for _, f := range files {
		byPath[f.Path] = f
		if _, err := os.Stat(Path(f.Path)); err != nil {
			t.Errorf("SOURCES.md lists %s, which is not there: %v", f.Path, err)
		}
	}
	nav := byPath["no-fdk-legacy/nav-2017-10-31.ttl"]
	if nav.Format != "Turtle" || nav.Datasets != 42 || nav.Triples != 883 || nav.RDFLib != "ok" {
		t.Errorf("nav row = %+v", nav)
	}
	if bad := byPath["no-fdk-dataset-harvester/harvest_response_error.ttl"]; bad.RDFLib != "ERROR" || bad.Triples != -1 {
		t.Errorf("malformed row = %+v", bad)
	}
}
