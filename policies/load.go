package policies

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"samband/catalog/rdf"
)

// LoadOptions tell Load how to read a document of policies. The zero value
// reads ODRL 2.2 and Samband's profile with the default limits.
type LoadOptions struct {
	// Base is the IRI relative IRIs resolve against: the address the
	// document was fetched from. Empty keeps a relative reference as
	// written ("eu-policy"), which is also how a name the document's
	// JSON-LD context leaves undefined reads.
	Base string

	// Aliases maps a term a document uses that is not ODRL's or Samband's
	// (as written: a relative name such as "partner", a plain string such
	// as EDC's "location", or a full IRI) to the ODRL 2.2 or Samband profile
	// term it stands for: a name ("spatial", "recipientClass", "inform") or
	// an IRI. It applies to actions, left operands and operators. A term
	// that is neither known nor aliased refuses the policy.
	Aliases map[string]string

	// Places names the places spatial constraints may use beyond country
	// codes, the regions EU, EEA, EFTA, Nordic and Baltic, and EU country
	// authority IRIs: a name or IRI mapped to country codes or region
	// names, as in {"http://example.org/EU": {"EU"}}.
	Places map[string][]string

	// Broader gives the vocabulary behind isA and isPartOf: a term (a
	// purpose, a legal basis, a life event, a recipient class) mapped to
	// the terms it is a kind or a part of. A constraint "purpose isA X"
	// holds for X and for every term below it.
	Broader map[string][]string

	// Version is the version a policy gets when its document gives none
	// (owl:versionInfo, dcat:version, dct:modified): the catalogue
	// record's modification time, say.
	Version string

	// Contexts resolves JSON-LD remote contexts; nil means the contexts
	// Samband ships (rdf.ShippedContexts), which include ODRL 2.2 and the
	// Dataspace Protocol 2024/1.
	Contexts rdf.ContextLoader

	// Limits bound what one document may cost.
	Limits Limits
}

// Limits bound a document of policies, so that a hostile one is refused
// within bounded time and memory. A zero field takes its default.
type Limits struct {
	MaxBytes       int64 // the document; default 1 MiB
	MaxTriples     int   // statements in the document; default 50,000
	MaxPolicies    int   // policies in the document; default 1,000
	MaxRules       int   // rules and duties of one policy; default 256
	MaxConstraints int   // constraints of one policy, logical ones included, each time it is reached; default 1,024
	MaxDepth       int   // nesting of logical constraints and of duties' consequences; default 16
	MaxValues      int   // right operand values and list items of one constraint; default 1,024
	// MaxJSONValues bounds the values (object members and array items) of
	// a JSON-LD document; default 4,096. The JSON-LD processor checks each
	// value it adds to a node against those already there, so its work
	// grows with the square of the values: 4,096 cost a quarter of a second
	// at worst, 8,000 a second.
	MaxJSONValues int
}

// Defaults for Limits.
const (
	DefaultMaxBytes       = 1 << 20
	DefaultMaxTriples     = 50_000
	DefaultMaxPolicies    = 1_000
	DefaultMaxRules       = 256
	DefaultMaxConstraints = 1_024
	DefaultMaxDepth       = 16
	DefaultMaxValues      = 1_024
	DefaultMaxJSONValues  = 4_096
)

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	def(&l.MaxTriples, DefaultMaxTriples)
	def(&l.MaxPolicies, DefaultMaxPolicies)
	def(&l.MaxRules, DefaultMaxRules)
	def(&l.MaxConstraints, DefaultMaxConstraints)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxValues, DefaultMaxValues)
	def(&l.MaxJSONValues, DefaultMaxJSONValues)
	return l
}

// Errors a LoadError wraps.
var (
	// ErrUnknownTerm: an action, left operand or operator that is neither
	// ODRL 2.2's nor Samband's profile's, nor aliased in LoadOptions.
	ErrUnknownTerm = errors.New("unknown term")
	// ErrUnsupported: ODRL that Samband reads but will not decide on
	// (policy inheritance, refinements, rightOperandReference, hasPart, a
	// conflict strategy that lets a permission win, Ticket and Request
	// policies ...).
	ErrUnsupported = errors.New("not supported")
	// ErrMalformed: a policy that breaks ODRL's rules (a rule without an
	// action, a constraint without an operator, a date that is no date ...).
	ErrMalformed = errors.New("malformed policy")
	// ErrLimit: a document over one of its Limits.
	ErrLimit = errors.New("over a limit")
	// ErrNoPolicy: a document that holds no ODRL policy.
	ErrNoPolicy = errors.New("no ODRL policy")
)

// LoadError is a document or policy Load refuses, and where.
type LoadError struct {
	Name string // the document's name, as given to Load
	// Line and Column (1-based) place the fault in the document: a syntax
	// error, or the first place the offending term is written. Zero when
	// unknown.
	Line, Column int
	Policy       string // the policy's uid, when the fault is in a policy
	// Path leads from the policy to the fault, in the terms of ODRL's JSON
	// form: "permission[1].constraint[0].and[0].leftOperand".
	Path string
	Msg  string
	// Err is ErrUnknownTerm, ErrUnsupported, ErrMalformed, ErrLimit,
	// ErrNoPolicy, or the *rdf.Error of a document that is not RDF.
	Err error
}

// Error returns "name:line:col: policy uid: path: msg".
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Policy != "" {
		fmt.Fprintf(&b, "policy %s: ", e.Policy)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the cause.
func (e *LoadError) Unwrap() error { return e.Err }

// Is reports a limit the RDF decoder hit as ErrLimit too.
func (e *LoadError) Is(target error) bool {
	if target != ErrLimit {
		return false
	}
	return errors.Is(e.Err, rdf.ErrTooDeep) || errors.Is(e.Err, rdf.ErrTermTooLarge) || errors.Is(e.Err, rdf.ErrTooLarge)
}

// jsonMaxDepth bounds the nesting of a JSON document: a policy in a
// Dataspace Protocol message nests about 12 deep.
const jsonMaxDepth = 64

// relBase is the base IRI a document is read against when LoadOptions
// gives none, so that a relative reference survives decoding (the decoders
// drop statements whose IRIs stay relative) and can be given back as
// written.
const relBase = "file:///samband-relative/"

// Load reads the ODRL policies of one document: Turtle, JSON-LD (with the
// ODRL, Dataspace Protocol or any shipped context, or none: JSON without
// @context is read with the ODRL 2.2 context), RDF/XML or N-Triples, told
// apart by content. It returns every Set, Offer and Agreement the document
// holds, whether as a document of its own, inside a DCAT catalogue
// (odrl:hasPolicy on a dataset, distribution or data service), in a
// Dataspace Protocol message or in an EDC policy definition, compiled to
// the checks Decide runs.
//
// A document with one policy Samband cannot decide on exactly is refused
// whole, with a *LoadError that says where: an unknown action, operand or
// operator, a malformed constraint, a limit passed. Nothing is guessed
// permissive.
func Load(r io.Reader, name string, opt LoadOptions) ([]*Policy, error) {
	lim := opt.Limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, &LoadError{Name: name, Msg: fmt.Sprintf("read: %v", err), Err: err}
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, &LoadError{Name: name, Msg: fmt.Sprintf("document larger than %d bytes", lim.MaxBytes), Err: ErrLimit}
	}
	syn := rdf.Detect(data, name)
	if syn == rdf.Unknown {
		return nil, &LoadError{Name: name, Line: 1, Column: 1, Msg: "not a document in an RDF syntax (Turtle, JSON-LD, RDF/XML, N-Triples)", Err: ErrNoPolicy}
	}
	src := data
	if syn == rdf.JSONLD {
		if off, msg := jsonShape(data, jsonMaxDepth, lim.MaxJSONValues); msg != "" {
			line, col := locator{data: data}.position(off)
			return nil, &LoadError{Name: name, Line: line, Column: col, Msg: msg, Err: ErrLimit}
		}
		src, err = withODRLContext(data, lim)
		if err != nil {
			return nil, &LoadError{Name: name, Msg: err.Error(), Err: ErrMalformed}
		}
	}
	base := opt.Base
	if base == "" {
		base = relBase
	}
	g := newGraph()
	ropts := rdf.Options{
		Base:     base,
		Contexts: opt.Contexts,
		Limits:   rdf.Limits{MaxDepth: jsonMaxDepth, MaxTermBytes: 64 << 10, MaxBytes: max(2*lim.MaxBytes, 16<<20)},
	}
	errTooMany := errors.New("too many statements")
	err = rdf.Decode(bytes.NewReader(src), syn, ropts, func(t rdf.Triple) error {
		if g.triples >= lim.MaxTriples {
			return errTooMany
		}
		g.add(t)
		return nil
	})
	switch {
	case errors.Is(err, errTooMany):
		return nil, &LoadError{Name: name, Msg: fmt.Sprintf("more than %d statements", lim.MaxTriples), Err: ErrLimit}
	case err != nil:
		le := &LoadError{Name: name, Msg: err.Error(), Err: err}
		var re *rdf.Error
		if errors.As(err, &re) {
			le.Line, le.Column, le.Msg = re.Line, re.Column, re.Msg
		}
		return nil, le
	}
	rd := &reader{
		name:  name,
		g:     g,
		opt:   opt,
		lim:   lim,
		loc:   locator{data: data, syn: syn},
		place: newPlacer(opt.Places),
		tax:   newTaxonomy(opt.Broader),
	}
	return rd.policies()
}

// withODRLContext gives a JSON document that has no @context the ODRL 2.2
// context, so that plain ODRL JSON reads as ODRL: a top-level object
// without @context, or each such object of a top-level array.
func withODRLContext(data []byte, lim Limits) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &doc); err != nil {
		// The JSON-LD decoder reports the fault with its place.
		return data, nil
	}
	const odrlContext = "http://www.w3.org/ns/odrl.jsonld"
	changed := 0
	give := func(v any) {
		if m, ok := v.(map[string]any); ok {
			if _, has := m["@context"]; !has {
				m["@context"] = odrlContext
				changed++
			}
		}
	}
	switch d := doc.(type) {
	case map[string]any:
		give(d)
	case []any:
		for _, v := range d {
			give(v)
		}
	}
	if changed == 0 {
		return data, nil
	}
	if changed > lim.MaxPolicies {
		return nil, fmt.Errorf("more than %d policies without @context", lim.MaxPolicies)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("JSON: %v", err)
	}
	return out.Bytes(), nil
}

// jsonShape checks, without recursion and without needing valid JSON,
// that arrays and objects nest at most maxDepth deep and that the document
// holds at most maxValues values (object members and array items): the
// JSON-LD processor checks each value it adds to a node's property against
// those already there, so its work grows with the square of the values. It
// returns the offset of the first bracket or value over a limit, and what
// was over it.
func jsonShape(data []byte, maxDepth, maxValues int) (offset int, msg string) {
	var arrays []bool // per open bracket: an array, not an object
	values := 0
	count := func(i int) string {
		values++
		if values > maxValues {
			return fmt.Sprintf("a JSON document of more than %d values", maxValues)
		}
		return ""
	}
	// open says an array was just opened: its first value counts when it comes.
	open := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		if open && c != ']' {
			if m := count(i); m != "" {
				return i, m
			}
		}
		open = false
		switch c {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			arrays = append(arrays, c == '[')
			if len(arrays) > maxDepth {
				return i, fmt.Sprintf("JSON nested deeper than %d", maxDepth)
			}
			open = c == '['
		case '}', ']':
			if len(arrays) > 0 {
				arrays = arrays[:len(arrays)-1]
			}
		case ':':
			if m := count(i); m != "" {
				return i, m
			}
		case ',':
			if n := len(arrays); n > 0 && arrays[n-1] {
				if m := count(i); m != "" {
					return i, m
				}
			}
		}
	}
	return 0, ""
}

// locator finds where a term is written in the document, for error
// messages: the decoders report the place of syntax errors only.
type locator struct {
	data     []byte
	syn      rdf.Syntax
	prefixes map[string]string // Turtle: prefix -> namespace, read on first use
}

// find returns the line and column of the first place the term is written:
// as a full IRI, a prefixed name (Turtle), a compact IRI or bare name
// (JSON-LD), or a quoted string.
func (l *locator) find(written, iri string) (line, col int) {
	var cands []string
	quote := func(s string) {
		if s != "" {
			cands = append(cands, `"`+s+`"`)
		}
	}
	switch l.syn {
	case rdf.JSONLD:
		quote(iri)
		quote(written)
		if i := strings.LastIndexAny(iri, "/#:"); i >= 0 && i+1 < len(iri) {
			quote(iri[i+1:])
			cands = append(cands, ":"+iri[i+1:]+`"`)
		}
	default:
		if iri != "" {
			cands = append(cands, "<"+iri+">")
		}
		if written != "" && written != iri {
			cands = append(cands, "<"+written+">")
		}
		for p, ns := range l.turtlePrefixes() {
			if local, ok := strings.CutPrefix(iri, ns); ok && local != "" {
				cands = append(cands, p+":"+local)
			}
		}
		quote(written)
		cands = append(cands, "'"+written+"'")
	}
	best := -1
	for _, c := range cands {
		if i := indexWord(l.data, c); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return 0, 0
	}
	return l.position(best)
}

// position returns the 1-based line and column (in characters) of a byte
// offset.
func (l locator) position(off int) (line, col int) {
	head := l.data[:min(max(off, 0), len(l.data))]
	line = 1 + bytes.Count(head, []byte{'\n'})
	start := bytes.LastIndexByte(head, '\n') + 1
	return line, 1 + utf8.RuneCount(head[start:])
}

// indexWord finds s in data where it is not part of a longer name.
func indexWord(data []byte, s string) int {
	from := 0
	for {
		i := bytes.Index(data[from:], []byte(s))
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(s)
		nameChar := func(c byte) bool {
			return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
		}
		before := i == 0 || !nameChar(data[i-1]) || s[0] == '"' || s[0] == '<' || s[0] == ':'
		after := end >= len(data) || !nameChar(data[end]) || s[len(s)-1] == '"' || s[len(s)-1] == '>'
		if before && after {
			return i
		}
		from = i + 1
	}
}

// turtlePrefixes reads the @prefix and PREFIX directives of a Turtle
// document, enough to find a prefixed name again.
func (l *locator) turtlePrefixes() map[string]string {
	if l.prefixes != nil {
		return l.prefixes
	}
	l.prefixes = map[string]string{}
	for _, line := range strings.Split(string(l.data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.EqualFold(strings.TrimPrefix(f[0], "@"), "prefix") {
			continue
		}
		p, ok := strings.CutSuffix(f[1], ":")
		ns := f[2]
		if ok && strings.HasPrefix(ns, "<") && strings.HasSuffix(strings.TrimSuffix(ns, "."), ">") {
			l.prefixes[p] = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(ns, "."), "<"), ">")
		}
	}
	return l.prefixes
}
