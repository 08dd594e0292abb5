package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"samband/catalog/rdf"
	"samband/internal/corpus"
)

// The SHACL files the rules come from, and which records each is run on.
const shaclDir = corpusDir + "/eu-semic-dcat-ap/shacl-3.0.1"

var shaclRuns = []struct {
	name    string
	country string // "" for every document
	shapes  []string
}{
	{"DCAT-AP 3.0.1", "", []string{shaclDir + "/shapes.ttl", shaclDir + "/shapes_recommended.ttl", shaclDir + "/mdr-vocabularies.shape.ttl"}},
	{"DCAT-AP-NO 2.2", "NO", []string{corpusDir + "/no-dcat-ap-no/DCAT-AP-NO-shacl_shapes_2.00.ttl"}},
	{"DCAT-AP-DK 2.0.2", "DK", []string{corpusDir + "/dk-dcat-ap-dk/dcat-ap-dk_2.0.2_shacl_shapes.ttl"}},
}

// sameAsRule are the constraints of national shapes that say what a
// DCAT-AP rule says: their results are those of that rule, which national
// records must then show. By node shape, path and constraint component.
var sameAsRule = map[string]string{
	"dcatno-shacl#Dataset_Shape dct:title MinCount":                           "dcat-ap:dataset-title-min",
	"dcatno-shacl#Dataset_Shape dct:description MinCount":                     "dcat-ap:dataset-description-min",
	"dcatno-shacl#Dataset_Shape dct:accrualPeriodicity MaxCount":              "dcat-ap:dataset-accrualperiodicity-max",
	"dcatno-shacl#Dataset_Shape dct:accessRights MaxCount":                    "dcat-ap:dataset-accessrights-max",
	"dcatno-shacl#Dataset_Shape dct:publisher MaxCount":                       "dcat-ap:dataset-publisher-max",
	"dcatno-shacl#Dataset_Shape dct:identifier NodeKind":                      "dcat-ap:dataset-identifier-kind",
	"dcatno-shacl#Dataset_Shape dcat:theme NodeKind":                          "dcat-ap:dataset-theme-kind",
	"dcatno-shacl#Dataset_Shape dct:modified MaxCount":                        "dcat-ap:dataset-modified-max",
	"dcatno-shacl#Dataset_Shape dct:issued MaxCount":                          "dcat-ap:dataset-issued-max",
	"dcatno-shacl#Distribution_Shape dcat:accessURL MinCount":                 "dcat-ap:distribution-accessurl-min",
	"dcatno-shacl#Distribution_Shape dct:license MinCount":                    "dcat-ap:distribution-license-recommended",
	"dcatno-shacl#Distribution_Shape dct:license MaxCount":                    "dcat-ap:distribution-license-max",
	"dcatno-shacl#Distribution_Shape adms:status MaxCount":                    "dcat-ap:distribution-status-max",
	"dcatno-shacl#Distribution_Shape dct:format MaxCount":                     "dcat-ap:distribution-format-max",
	"dcatno-shacl#Distribution_Shape dcat:byteSize MaxCount":                  "dcat-ap:distribution-bytesize-max",
	"dcatno-shacl#DataService_Shape dcat:endpointURL MinCount":                "dcat-ap:data-service-endpointurl-min",
	"dcatno-shacl#DataService_Shape dct:title MinCount":                       "dcat-ap:data-service-title-min",
	"dcat-ap-dk/Dataset_Shape dct:accrualPeriodicity MaxCount":                "dcat-ap:dataset-accrualperiodicity-max",
	"dcat-ap-dk/Distribution_Shape dct:format MaxCount":                       "dcat-ap:distribution-format-max",
	"dcat-ap-dk/Distribution_Shape dcat:mediaType MaxCount":                   "dcat-ap:distribution-mediatype-max",
	"dcatno-shacl#PeriodOfTime_Shape dcat:endDate MaxCount":                   "dcat-ap:period-of-time-enddate-max",
	"dcatno-shacl#PeriodOfTime_Shape dcat:startDate MaxCount":                 "dcat-ap:period-of-time-startdate-max",
	"dcatno-shacl#Dataset_Shape dcat:keyword NodeKind":                        "dcat-ap:dataset-keyword-kind",
	"dcatno-shacl#Dataset_Shape dct:conformsTo NodeKind":                      "dcat-ap:dataset-conformsto-kind",
	"dcatno-shacl#Distribution_Shape dct:description NodeKind":                "dcat-ap:distribution-description-kind",
	"dcatno-shacl#Distribution_Shape dcat:downloadURL NodeKind":               "dcat-ap:distribution-downloadurl-kind",
	"dcatno-shacl#Distribution_Shape dcat:accessURL NodeKind":                 "dcat-ap:distribution-accessurl-kind",
	"dcatno-shacl#Distribution_Shape dct:title NodeKind":                      "dcat-ap:distribution-title-kind",
	"dcatno-shacl#Dataset_Shape dct:title NodeKind":                           "dcat-ap:dataset-title-kind",
	"dcatno-shacl#Dataset_Shape dct:description NodeKind":                     "dcat-ap:dataset-description-kind",
	"dcatno-shacl#Dataset_Shape dct:isReferencedBy NodeKind":                  "dcat-ap:dataset-isreferencedby-kind",
	"dcatno-shacl#Dataset_Shape dct:relation NodeKind":                        "dcat-ap:dataset-relation-kind",
	"dcatno-shacl#Dataset_Shape adms:versionNotes NodeKind":                   "dcat-ap:dataset-versionnotes-kind",
	"dcatno-shacl#Dataset_Shape dcat:spatialResolutionInMeters Datatype":      "dcat-ap:dataset-spatialresolutioninmeters-datatype",
	"dcatno-shacl#Dataset_Shape dcat:temporalResolution Datatype":             "dcat-ap:dataset-temporalresolution-datatype",
	"dcatno-shacl#Distribution_Shape dcat:spatialResolutionInMeters Datatype": "dcat-ap:distribution-spatialresolutioninmeters-datatype",
	"dcatno-shacl#Distribution_Shape dcat:temporalResolution Datatype":        "dcat-ap:distribution-temporalresolution-datatype",
}

// notRun are the constraints that fire on the corpus and that no rule
// runs, with the reason. By node shape, path and constraint component.
var notRun = map[string]string{
	"shapes.ttl#DatasetSeries_Shape ^dcat:inSeries MinCount":    "a series needs a dataset in it: that is in the other records",
	"r5r#Checksum_ShapeCV spdx:algorithm Node":                  "wants https://spdx.org/rdf/terms IRIs of class spdx:ChecksumAlgorithm: SPDX's IRIs are http and its classes are not in the data",
	"dcatno-shacl#Dataset_ShapeCV dcat:theme QualifiedMinCount": "its restriction writes sh:MinCount (not SHACL), so any theme without skos:inScheme passes: the same as dcat-ap-no:dataset-theme-min",
	"dcatno-shacl#Dataset_Shape dct:isPartOf Class":             classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:hasPart Class":              classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:isVersionOf Class":          classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:hasVersion Class":           classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:source Class":               classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:requires Class":             classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:replaces Class":             classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:isReplacedBy Class":         classOfRecord,
	"dcatno-shacl#Dataset_Shape dct:isRequiredBy Class":         classOfRecord,
	"dcatno-shacl#Dataset_Shape dcat:inSeries Class":            classOfRecord,
	"dcatno-shacl#Dataset_Shape dcat:prev Class":                classOfRecord,
	"dcatno-shacl#DatasetSerie_Shape dcat:first Class":          classOfRecord,
	"dcatno-shacl#DatasetSerie_Shape dcat:last Class":           classOfRecord,
	"dcatno-shacl#DataService_Shape dcat:servesDataset Class":   classOfRecord,
	"dcatno-shacl#Distribution_Shape dcat:accessService Class":  classOfRecord,
	"dcatno-shacl#Rule_Shape dct:description MinCount":          publicService,
	"dcatno-shacl#Rule_Shape dct:identifier MinCount":           publicService,
	"dcatno-shacl#Rule_Shape dct:title MinCount":                publicService,
	"dcatno-shacl#LegalResource_Shape dct:type NodeKind":        publicService,
	"dcat-ap-dk/Dataset_Shape foaf:page Class":                  linkedClass,
	"dcat-ap-dk/Dataset_Shape dcat:landingPage Class":           linkedClass,
	"dcat-ap-dk/Dataset_Shape dct:conformsTo Class":             linkedClass,
	"dcat-ap-dk/Dataset_Shape dct:spatial Class":                linkedClass,
	"dcat-ap-dk/Distribution_Shape dct:license Class":           linkedClass,
}

const (
	classOfRecord = "the value is another record, whose class one record's description does not show"
	publicService = "a class of DCAT-AP-NO's public-service extension, not of DCAT-AP records"
	linkedClass   = "the class of a linked web resource, which no record types"
)

// exceptions are the rules whose results the SHACL engine cannot give,
// with the reason: their results are counted, not compared.
var exceptions = map[string]string{
	"dcat-ap:dataset-issued-date":           shShape,
	"dcat-ap:dataset-modified-date":         shShape,
	"dcat-ap:period-of-time-startdate-date": shShape,
	"dcat-ap:period-of-time-enddate-date":   shShape,
}

const shShape = "shapes.ttl writes sh:shape, which is not SHACL, where it means sh:node: the engine checks nothing, the rule what the shape means"

// shaclTerm is an RDF term as tools/shacl/validate.mjs writes it.
type shaclTerm struct {
	T    string `json:"t"`
	V    string `json:"v"`
	Lang string `json:"lang"`
	DT   string `json:"dt"`
}

func (t *shaclTerm) gterm() gterm {
	switch t.T {
	case "I":
		return gterm{kind: termIRI, v: t.V}
	case "B":
		return gterm{kind: termBlank, v: "_:" + t.V}
	}
	return gterm{kind: 'L', v: t.V, lang: t.Lang, dt: t.DT}
}

type shaclResult struct {
	Severity   string     `json:"severity"`
	Constraint string     `json:"constraint"`
	Focus      string     `json:"focus"`
	Path       string     `json:"path"`
	Message    string     `json:"message"`
	File       string     `json:"file"`
	FocusTerm  *shaclTerm `json:"focusTerm"`
	ValueTerm  *shaclTerm `json:"valueTerm"`
	PathIRI    string     `json:"pathIRI"`
	ShapeIRI   string     `json:"shapeIRI"`
}

// shapeKey names the constraint a SHACL result comes from: the node
// shape's IRI after its namespace's last path segment, the path and the
// component ("dcatno-shacl#Dataset_Shape dct:title MinCount").
func (r *shaclResult) shapeKey() string {
	shape := r.ShapeIRI
	for _, ns := range []string{shapesCore, shapesR5R, shapesNO, shapesDK} {
		if rest, ok := strings.CutPrefix(shape, ns); ok {
			base := strings.TrimRight(ns, "#/")
			shape = base[strings.LastIndexByte(base, '/')+1:] + ns[len(base):] + rest
			break
		}
	}
	path := r.PathIRI
	if p, inv := strings.CutPrefix(path, "^"); inv {
		path = "^" + shortName(p)
	} else {
		path = shortName(path)
	}
	return shape + " " + path + " " + r.Constraint
}

// resultKey identifies a result: document, rule, focus and value.
func resultKey(doc, rule string, focus gterm, value *gterm) string {
	k := doc + " " + rule + " " + focus.key()
	if value != nil {
		k += " " + value.key()
	}
	return k
}

// valueOf reads RuleResult.Value back into a term.
func valueOf(t *testing.T, nt string) *gterm {
	t.Helper()
	if nt == "" {
		return nil
	}
	var v *gterm
	err := rdf.Decode(strings.NewReader("<urn:s> <urn:p> "+nt+" .\n"), rdf.NTriples, rdf.Options{}, func(tr rdf.Triple) error {
		g := termOfRDF(tr.Obj)
		v = &g
		return nil
	})
	if err != nil || v == nil {
		t.Fatalf("value %s: %v", nt, err)
	}
	return v
}

// focusOf reads RuleResult.Focus back into a term.
func focusOf(t *testing.T, f string) gterm {
	t.Helper()
	switch {
	case strings.HasPrefix(f, "_:"):
		return gterm{kind: termBlank, v: f}
	case strings.HasPrefix(f, `"`):
		return *valueOf(t, f)
	}
	return gterm{kind: termIRI, v: f}
}

// corpusCountry is the country of a corpus folder's sources.
func corpusCountry(path string) string {
	for _, c := range []string{"no", "dk", "se", "fi"} {
		if strings.HasPrefix(path, c+"-") {
			return strings.ToUpper(c)
		}
	}
	return ""
}

// shaclTool returns node and tools/shacl/validate.mjs, or skips the test
// when either is missing; under CI (CI=true) a missing one fails it.
func shaclTool(t *testing.T) (node, script string) {
	t.Helper()
	tool, err := filepath.Abs("../tools/shacl")
	if err != nil {
		t.Fatal(err)
	}
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must hold the rules to the SHACL engine: run make shacl", why)
		}
		t.Skipf("%s; make shacl installs it", why)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(tool, "node_modules", "rdf-validate-shacl")); err != nil {
		missing("tools/shacl/node_modules is missing (npm ci --prefix tools/shacl)")
	}
	return node, filepath.Join(tool, "validate.mjs")
}

// runSHACL validates each data file against the shapes, keeping the
// files' blank node labels, and returns every result.
func runSHACL(t *testing.T, node, script string, shapes, data []string) []shaclResult {
	t.Helper()
	args := append([]string{script, "--all", "--each", "--keep-labels"}, shapes...)
	args = append(append(args, "--"), data...)
	cmd := exec.Command(node, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("node validate.mjs: %v\n%s", err, stderr.String())
	}
	var rep struct {
		Results []shaclResult `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("validate.mjs report: %v", err)
	}
	return rep.Results
}

// TestRulesAgreeWithSHACL holds the rules to a SHACL engine (tools/shacl)
// on the corpus. Every corpus document that maps to records is validated
// against DCAT-AP 3.0.1's shapes (shapes.ttl, shapes_recommended.ttl,
// mdr-vocabularies.shape.ttl), and a Norwegian or Danish one against its
// national shapes too, each with the skos:inScheme of every concept
// vocab/schemes.tsv knows (what the EU vocabularies would add, which the
// engine otherwise lacks):
//
//   - as its records' originals (canonical N-Triples, what CheckRules
//     reads), blank nodes labelled as CheckRules sees them: every result of
//     the engine must be a result of CheckRules on the same record (same
//     rule, focus node and value), and every result of CheckRules one of
//     the engine's;
//   - as the document it is: the same, for the results on nodes with an
//     IRI that the records describe and whose value is no blank node (the
//     labels of a document's blank nodes are its own).
//
// But for the constraints no rule runs (notRun) and the rules the engine
// cannot check (exceptions), each listed with its reason; a constraint of
// a national shape that says what a DCAT-AP rule says is held to that
// rule (sameAsRule).
func TestRulesAgreeWithSHACL(t *testing.T) {
	node, script := shaclTool(t)
	files, err := corpus.Files()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("SAMBAND_SHACL_OUT"); d != "" {
		dir = d
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// Rules by the constraint a SHACL result comes from.
	// (A node shape that targets two classes has a rule for each.)
	byShape := map[string][]string{}
	for _, r := range Rules() {
		sr := shaclResult{ShapeIRI: r.Shape, PathIRI: r.Path}
		for _, comp := range r.c.compType {
			sr.Constraint = comp
			k := sr.shapeKey()
			byShape[k] = append(byShape[k], r.ID)
		}
	}
	for k, id := range sameAsRule {
		if _, dup := byShape[k]; dup {
			t.Errorf("sameAsRule %s: a rule stands for it already", k)
		}
		byShape[k] = []string{id}
	}

	type doc struct {
		path, file, country string
		raw                 string          // the document as it is, in N-Triples, with the schemes of its concepts
		subjects            map[string]bool // the IRIs the records' originals describe
	}
	var docs []doc
	goKeys := map[string]RuleResult{}
	exceptional := map[string]int{}
	records := 0
	for _, f := range files {
		readable := f.RDFLib == "ok" || strings.HasPrefix(f.RDFLib, "remote @context") || strings.Contains(f.Notes, "JSON-LD content")
		if !readable || strings.Contains(f.Path, "shacl") || strings.HasSuffix(f.Path, "/context.jsonld") {
			continue
		}
		country := corpusCountry(f.Path)
		name := filepath.Join(dir, strings.ReplaceAll(f.Path, "/", "__")+".nt")
		d := decodeFile(t, f.Path)
		var originals strings.Builder
		n := 0
		if _, err := d.Records(MapOptions{Source: "corpus", Country: country}, func(rec Dataset) error {
			n++
			originals.WriteString(rec.Sources[0].Original)
			for _, res := range CheckRules(rec) {
				if _, ok := exceptions[res.Rule]; ok {
					exceptional[res.Rule]++
					continue
				}
				goKeys[resultKey(name, res.Rule, focusOf(t, res.Focus), valueOf(t, res.Value))] = res
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if n == 0 {
			continue
		}
		records += n
		subjects := map[string]bool{}
		if err := rdf.Decode(strings.NewReader(originals.String()), rdf.NTriples, rdf.Options{}, func(tr rdf.Triple) error {
			if i, ok := tr.Subj.(rdf.IRI); ok {
				subjects[i.String()] = true
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: originals: %v", f.Path, err)
		}
		writeWithSchemes(t, name, originals.String())
		var raw strings.Builder
		enc := rdf.NewNTriplesEncoder(&raw)
		in, err := os.Open(corpus.Path(f.Path))
		if err != nil {
			t.Fatal(err)
		}
		_, err = rdf.DecodeAny(in, f.Path, rdf.Options{Base: "file:///corpus/" + f.Path}, enc.Encode)
		in.Close()
		if err := errors.Join(err, enc.Close()); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		rawName := strings.TrimSuffix(name, ".nt") + ".doc.nt"
		writeWithSchemes(t, rawName, raw.String())
		docs = append(docs, doc{f.Path, name, country, rawName, subjects})
	}
	if len(docs) < 50 || records < 200 {
		t.Fatalf("%d documents, %d records: the corpus is not all there", len(docs), records)
	}

	shaclKeys := map[string]shaclResult{} // by the key of the rule CheckRules gave it, or else the first rule's
	candidates := map[string]bool{}       // the keys of every rule a result may be of
	notRunCount := map[string]int{}
	results := 0
	for _, run := range shaclRuns {
		var data []string
		for _, d := range docs {
			if run.country == "" || d.country == run.country {
				data = append(data, d.file)
			}
		}
		for _, r := range runSHACL(t, node, script, run.shapes, data) {
			results++
			k := r.shapeKey()
			ids, ok := byShape[k]
			if !ok {
				if _, listed := notRun[k]; listed {
					notRunCount[k]++
					continue
				}
				t.Errorf("%s: no rule stands for %s, and notRun does not list it (%s on %s in %s)", run.name, k, r.Message, r.Focus, filepath.Base(r.File))
				continue
			}
			var v *gterm
			if r.ValueTerm != nil {
				g := r.ValueTerm.gterm()
				v = &g
			}
			key := ""
			for _, id := range ids {
				c := resultKey(r.File, id, r.FocusTerm.gterm(), v)
				candidates[c] = true
				if _, ok := goKeys[c]; ok || key == "" {
					key = c
				}
			}
			shaclKeys[key] = r
		}
	}

	agree := 0
	for k, r := range shaclKeys {
		if _, ok := goKeys[k]; ok {
			agree++
			continue
		}
		t.Errorf("SHACL, not CheckRules: %s (%s %s on %s value %s in %s)", k, r.ShapeIRI, r.Constraint, r.Focus, r.ValueTerm, filepath.Base(r.File))
	}
	for k, res := range goKeys {
		if !candidates[k] {
			t.Errorf("CheckRules, not SHACL: %s (%s)", k, res.Message)
		}
	}
	// The documents as they are: the results on the nodes the records
	// describe that have an IRI (a blank node's label is the document's
	// own) and whose value is no blank node.
	docKeys := map[string]shaclResult{}
	docCandidates := map[string]bool{}
	byRaw := map[string]doc{}
	for _, d := range docs {
		byRaw[d.raw] = d
	}
	for _, run := range shaclRuns {
		var data []string
		for _, d := range docs {
			if run.country == "" || d.country == run.country {
				data = append(data, d.raw)
			}
		}
		for _, r := range runSHACL(t, node, script, run.shapes, data) {
			ids, ok := byShape[r.shapeKey()]
			d := byRaw[r.File]
			if !ok || r.FocusTerm.T != "I" || !d.subjects[r.FocusTerm.V] || (r.ValueTerm != nil && r.ValueTerm.T == "B") {
				continue
			}
			var v *gterm
			if r.ValueTerm != nil {
				g := r.ValueTerm.gterm()
				v = &g
			}
			key := ""
			for _, id := range ids {
				c := resultKey(d.file, id, r.FocusTerm.gterm(), v)
				docCandidates[c] = true
				if _, ok := goKeys[c]; ok || key == "" {
					key = c
				}
			}
			docKeys[key] = r
		}
	}
	docAgree, docCompared := 0, 0
	for k, r := range docKeys {
		if _, ok := goKeys[k]; !ok {
			t.Errorf("SHACL on the document, not CheckRules: %s (%s %s)", k, r.ShapeIRI, r.Constraint)
			continue
		}
		docAgree++
	}
	for k, res := range goKeys {
		if res.Focus[0] == '_' || strings.HasPrefix(res.Value, "_:") || strings.HasPrefix(res.Focus, DefaultSkolemBase) {
			continue
		}
		docCompared++
		if !docCandidates[k] {
			t.Errorf("CheckRules, not SHACL on the document: %s (%s)", k, res.Message)
		}
	}
	exc := 0
	for _, n := range exceptional {
		exc += n
	}
	nr := 0
	for _, n := range notRunCount {
		nr += n
	}
	t.Logf("rules vs shacl: %d documents, %d results, %d agree, exceptions %d", len(docs), len(shaclKeys)+exc, agree, exc)
	t.Logf("%d records, %d rules; the engine: %d results, %d distinct by rule, focus and value, %d of constraints no rule runs; CheckRules: %d",
		records, len(Rules()), results, len(shaclKeys), nr, len(goKeys))
	t.Logf("the documents as they are: %d results of the engine on nodes with IRIs the records describe, %d of CheckRules, %d agree", len(docKeys), docCompared, docAgree)
	logCounts(t, "exception", exceptional, exceptions)
	logCounts(t, "not run", notRunCount, notRun)
}

// writeWithSchemes writes N-Triples to a file, and the skos:inScheme of
// every concept vocab/schemes.tsv knows of, as the EU vocabularies would
// give them.
func writeWithSchemes(t *testing.T, name, nt string) {
	t.Helper()
	var data bytes.Buffer
	data.WriteString(nt)
	seen := map[string]bool{}
	if err := rdf.Decode(strings.NewReader(nt), rdf.NTriples, rdf.Options{}, func(tr rdf.Triple) error {
		for _, term := range []rdf.Term{tr.Subj, tr.Obj} {
			i, ok := term.(rdf.IRI)
			if !ok || seen[i.String()] {
				continue
			}
			seen[i.String()] = true
			for _, s := range schemesOf(i.String()) {
				fmt.Fprintf(&data, "%s <%s> <%s> .\n", appendIRI(nil, []byte(i.String())), skosInScheme, s)
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := os.WriteFile(name, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func logCounts(t *testing.T, what string, counts map[string]int, why map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  %s: %4d  %s: %s", what, counts[k], k, why[k])
	}
}
