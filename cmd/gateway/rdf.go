package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"samband/catalog/rdf"
	"samband/harvest"
)

const rdfUsage = `rdf <subcommand> ...

Subcommands:
  stat [flags] FILE|URL|-   read a document and print its syntax, triple count and dataset count`

func runRDF(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: gateway %s\n", rdfUsage)
		return usagef("rdf: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: gateway %s\n", rdfUsage)
		return nil
	case "stat":
		return runRDFStat(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "Usage: gateway %s\n", rdfUsage)
	return usagef("rdf: unknown subcommand %q", args[0])
}

// statResult is what `gateway rdf stat --json` prints.
type statResult struct {
	Source   string     `json:"source"`
	Syntax   string     `json:"syntax"`
	Triples  int        `json:"triples"`
	Datasets int        `json:"datasets"`
	Error    *statError `json:"error,omitempty"`
}

type statError struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func runRDFStat(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "rdf stat", "rdf stat [flags] FILE|URL|-\n\n"+
		"Reads one RDF document (Turtle, N-Triples, RDF/XML or JSON-LD, found from its\n"+
		"content) and prints its syntax, its number of distinct triples and of datasets\n"+
		"(subjects typed dcat:Dataset), or the fault with line and column. Exits 1 on a\n"+
		"document it cannot read.")
	asJSON := fs.Bool("json", false, "print one JSON object: source, syntax, triples, datasets, and error {line, column, message} on failure")
	syntaxName := fs.String("syntax", "", "read as this syntax (turtle, n-triples, rdf/xml, json-ld) instead of detecting it")
	base := fs.String("base", "", "base IRI for relative IRIs (default: the document's own URL or file IRI)")
	maxBytes := fs.Int64("max-bytes", 1<<30, "refuse documents larger than this many bytes")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up on a URL after this long")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("rdf stat: want exactly one FILE, URL or -")
	}
	src := fs.Arg(0)
	var forced rdf.Syntax
	if *syntaxName != "" {
		s, err := rdf.ParseSyntax(*syntaxName)
		if err != nil {
			return usagef("rdf stat: --syntax: %v", err)
		}
		forced = s
	}

	res := statResult{Source: src, Syntax: rdf.Unknown.String()}
	err := statDocument(ctx, e, src, forced, *base, *maxBytes, *timeout, &res)
	if err != nil {
		se := &statError{Message: err.Error()}
		var de *rdf.Error
		if errors.As(err, &de) {
			se.Line, se.Column, se.Message = de.Line, de.Column, de.Msg
		}
		res.Error = se
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(res); werr != nil {
			return werr
		}
		if err != nil {
			return &silentError{err}
		}
		return nil
	}
	if err != nil {
		if res.Error.Line > 0 {
			fmt.Fprintf(e.stderr, "%s:%d:%d: %s: %s\n", src, res.Error.Line, res.Error.Column, res.Syntax, res.Error.Message)
		} else {
			fmt.Fprintf(e.stderr, "%s: %v\n", src, err)
		}
		return &silentError{err}
	}
	fmt.Fprintf(e.stdout, "source:   %s\nsyntax:   %s\ntriples:  %d\ndatasets: %d\n", res.Source, res.Syntax, res.Triples, res.Datasets)
	return nil
}

// statDocument opens src, reads it and fills res as far as it got.
func statDocument(ctx context.Context, e env, src string, forced rdf.Syntax, base string, maxBytes int64, timeout time.Duration, res *statResult) error {
	body, hint, docIRI, size, err := openSource(ctx, e, src, timeout)
	if err != nil {
		return err
	}
	defer body.Close()
	if base == "" {
		base = docIRI
	}
	lr := &limitedReader{r: body, left: maxBytes}
	var r io.Reader = lr
	if isTerminal(e.stderr) {
		p := newProgress(e.stderr, size)
		defer p.done()
		r = io.TeeReader(r, p)
	}
	var c counter
	opts := rdf.Options{Base: base, Limits: rdf.Limits{MaxBytes: maxBytes}}
	if forced != rdf.Unknown {
		res.Syntax = forced.String()
		err = rdf.Decode(r, forced, opts, c.add)
	} else {
		var syn rdf.Syntax
		syn, err = rdf.DecodeAny(r, hint, opts, c.add)
		res.Syntax = syn.String()
	}
	res.Triples, res.Datasets = len(c.triples), len(c.datasets)
	if lr.over {
		return fmt.Errorf("document larger than %d bytes (see --max-bytes)", maxBytes)
	}
	return err
}

// openSource opens a file, "-" (standard input) or an http(s) URL. It returns
// the body, a hint for syntax detection (file name or Content-Type), the
// document's own IRI, and its size when known (else -1).
func openSource(ctx context.Context, e env, src string, timeout time.Duration) (io.ReadCloser, string, string, int64, error) {
	switch {
	case src == "-":
		return io.NopCloser(e.stdin), "", "", -1, nil
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		return openURL(ctx, src, timeout)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, "", "", 0, err
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		abs = src
	}
	return f, src, "file://" + filepath.ToSlash(abs), size, nil
}

func openURL(ctx context.Context, u string, timeout time.Duration) (io.ReadCloser, string, string, int64, error) {
	client := retryablehttp.NewClient()
	client.RetryMax = 3
	client.RetryWaitMax = 10 * time.Second
	client.Logger = nil
	client.HTTPClient.Timeout = timeout
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", "", 0, err
	}
	req.Header.Set("Accept", rdf.Accept)
	req.Header.Set("User-Agent", harvest.UserAgent(version, ""))
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", "", 0, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, "", "", 0, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	final := resp.Request.URL.String()
	return resp.Body, resp.Header.Get("Content-Type"), final, resp.ContentLength, nil
}

// counter counts distinct triples and distinct dcat:Dataset subjects, keeping
// 128 bits of hash per triple rather than the triple.
type counter struct {
	h1, h2   maphash.Hash
	triples  map[[2]uint64]struct{}
	datasets map[string]struct{}
}

const (
	rdfType     = rdf.NSRDF + "type"
	dcatDataset = "http://www.w3.org/ns/dcat#Dataset"
)

func (c *counter) add(t rdf.Triple) error {
	if c.triples == nil {
		c.h2.SetSeed(maphash.MakeSeed()) // h1 seeds itself
		c.triples = make(map[[2]uint64]struct{})
		c.datasets = make(map[string]struct{})
	}
	c.h1.Reset()
	c.h2.Reset()
	for _, term := range [3]rdf.Term{t.Subj, t.Pred, t.Obj} {
		writeTerm(&c.h1, term)
		writeTerm(&c.h2, term)
	}
	c.triples[[2]uint64{c.h1.Sum64(), c.h2.Sum64()}] = struct{}{}
	if p, ok := t.Pred.(rdf.IRI); ok && p.String() == rdfType {
		if o, ok := t.Obj.(rdf.IRI); ok && o.String() == dcatDataset {
			c.datasets[termKey(t.Subj)] = struct{}{}
		}
	}
	return nil
}

// writeTerm feeds a term to h so that IRIs, blank nodes and literals (with
// their datatype or lower-cased language tag) never hash alike by construction.
func writeTerm(h *maphash.Hash, t rdf.Term) {
	switch v := t.(type) {
	case rdf.IRI:
		h.WriteByte('<')
		h.WriteString(v.String())
	case rdf.Blank:
		h.WriteByte('_')
		h.WriteString(v.String())
	case rdf.Literal:
		h.WriteByte('"')
		h.WriteString(v.String())
		if v.Lang() != "" {
			h.WriteByte('@')
			h.WriteString(strings.ToLower(v.Lang()))
		} else {
			h.WriteByte('^')
			h.WriteString(v.DataType.String())
		}
	}
	h.WriteByte(0)
}

// termKey tells terms apart: IRIs, blank nodes and literals (with their
// datatype or lower-cased language tag) never share a key.
func termKey(t rdf.Term) string {
	switch v := t.(type) {
	case rdf.IRI:
		return "<" + v.String()
	case rdf.Blank:
		return "_" + v.String()
	case rdf.Literal:
		if v.Lang() != "" {
			return "\"" + v.String() + "\"@" + strings.ToLower(v.Lang())
		}
		return "\"" + v.String() + "\"^" + v.DataType.String()
	}
	return fmt.Sprint(t)
}

// limitedReader reads at most left bytes and notes whether there was more.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

var errTooLarge = errors.New("document too large")
