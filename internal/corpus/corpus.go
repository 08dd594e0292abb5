// Package corpus reads the table of the real catalogues Samband is tested on,
// testdata/corpus/SOURCES.md: for every file, its format and what rdflib read
// from it (distinct triples, datasets) or that it is malformed. Tests of
// several packages hold Samband to that table; this package is their one
// reader of it.
//
//	files, err := corpus.Files()
//	for _, f := range files {
//		if f.RDFLib == "ok" {
//			data, _ := os.ReadFile(corpus.Path(f.Path))
//			...
//		}
//	}
package corpus

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// File is one row of SOURCES.md.
type File struct {
	Path     string // under testdata/corpus, with '/' separators: "no-fdk-legacy/brreg.rdf"
	Format   string // as SOURCES.md says: "Turtle", "RDF/XML", "JSON-LD (mislabelled .rdf)", ...
	Datasets int    // distinct dcat:Dataset subjects rdflib read; -1 when not given
	Triples  int    // distinct triples rdflib read; -1 when not given
	// RDFLib is rdflib's verdict: "ok", "ERROR", "remote @context (offline)" or "n/a" (not RDF).
	RDFLib string
	Notes  string
}

// Dir returns the absolute path of testdata/corpus.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "corpus")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "corpus")
}

// Path returns the absolute path of a file of the corpus.
func Path(rel string) string { return filepath.Join(Dir(), filepath.FromSlash(rel)) }

// Files reads SOURCES.md.
func Files() ([]File, error) {
	f, err := os.Open(Path("SOURCES.md"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var files []File
	folder := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "## "); ok {
			folder = strings.TrimSuffix(strings.TrimSpace(h), "/")
			continue
		}
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| file ") || strings.HasPrefix(line, "|---") {
			continue
		}
		// | file | origin path | format | bytes | datasets | triples | rdflib | go | notes |
		cells := strings.Split(line, "|")
		if len(cells) < 10 {
			return nil, fmt.Errorf("SOURCES.md:%d: short row", n)
		}
		cell := func(i int) string { return strings.TrimSpace(cells[i]) }
		files = append(files, File{
			Path:     folder + "/" + cell(1),
			Format:   cell(3),
			Datasets: atoi(cell(5)),
			Triples:  atoi(cell(6)),
			RDFLib:   cell(7),
			Notes:    cell(9),
		})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(files) < 100 {
		return nil, fmt.Errorf("SOURCES.md: only %d rows read", len(files))
	}
	return files, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
