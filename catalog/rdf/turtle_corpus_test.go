package rdf

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusDir holds real DCAT files; SOURCES.md gives, for each, the number of
// distinct triples rdflib read, or ERROR for the malformed ones.
var corpusDir = filepath.Join("..", "..", "testdata", "corpus")

type corpusFile struct {
	path    string // relative to corpusDir
	syn     Syntax
	triples int  // distinct triples rdflib read
	bad     bool // rdflib refused it
}

// readCorpusSources reads the Turtle and N-Triples rows of SOURCES.md.
func readCorpusSources(t *testing.T) []corpusFile {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "SOURCES.md"))
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	defer f.Close()
	var files []corpusFile
	dir := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "## "); ok {
			dir = strings.TrimSpace(d)
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 9 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		// | file | origin | format | bytes | datasets | triples | rdflib | go | notes |
		var syn Syntax
		switch cells[3] {
		case "Turtle":
			syn = Turtle
		case "N-Triples":
			syn = NTriples
		default:
			continue
		}
		cf := corpusFile{path: filepath.Join(dir, cells[1]), syn: syn}
		switch cells[7] {
		case "ok":
			n, err := strconv.Atoi(cells[6])
			if err != nil {
				t.Fatalf("SOURCES.md: %s: triples %q: %v", cf.path, cells[6], err)
			}
			cf.triples = n
		case "ERROR":
			cf.bad = true
		default:
			continue
		}
		files = append(files, cf)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCorpusTurtle(t *testing.T) {
	files := readCorpusSources(t)
	if len(files) < 50 {
		t.Fatalf("SOURCES.md lists %d Turtle and N-Triples files, want at least 50", len(files))
	}
	for _, cf := range files {
		t.Run(cf.path, func(t *testing.T) {
			g, err := decodeGraphFile(filepath.Join(corpusDir, cf.path), cf.syn, "https://example.org/"+filepath.ToSlash(cf.path))
			if cf.bad {
				var de *Error
				if err == nil {
					t.Fatalf("Decode(%q) = %d triples, nil error, want a syntax error", cf.path, g.len())
				}
				if !errors.As(err, &de) || de.Line < 1 || de.Column < 1 {
					t.Fatalf("Decode(%q) = %v, want *Error with line and column", cf.path, err)
				}
				t.Logf("%s: %v", cf.path, err)
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q) = %v, want nil", cf.path, err)
			}
			if g.len() != cf.triples {
				t.Fatalf("Decode(%q) = %d distinct triples, want %d", cf.path, g.len(), cf.triples)
			}
		})
	}
}
