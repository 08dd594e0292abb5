package harvest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"samband/catalog"
	"samband/catalog/rdf"
)

// Hydra paging: the current hydra:PartialCollectionView (hydra:view ->
// hydra:next) and the older hydra:PagedCollection (hydra:nextPage). Both
// namespaces Hydra has used are read.
var hydraNext = map[string]bool{
	"http://www.w3.org/ns/hydra/core#next":     true,
	"http://www.w3.org/ns/hydra/core#nextPage": true,
	"http://purl.org/hydra/core#next":          true,
	"http://purl.org/hydra/core#nextPage":      true,
}

// harvestDCAT reads a DCAT source page by page, following Hydra next links.
func (r *run) harvestDCAT(ctx context.Context) {
	f := r.h.newFetcher(r.cfg.Limits)
	runLeft := r.cfg.Limits.MaxRunBytes
	visited := make(map[string]int) // page URL -> page number
	next := r.cfg.URL
	for page := 1; next != ""; page++ {
		if page > r.cfg.Limits.MaxPages {
			r.stop(stopPartial, catalog.Problem{URL: next, Message: fmt.Sprintf(
				"stopped after %d pages (Limits.MaxPages); this page and any after it were not read", r.cfg.Limits.MaxPages)})
			return
		}
		if n, ok := visited[pageKey(next)]; ok {
			r.stop(stopFailed, catalog.Problem{URL: next, Message: fmt.Sprintf(
				"%v: page %d links back to page %d (%s); the source's paging never ends", ErrLoop, page-1, n, next)})
			return
		}
		visited[pageKey(next)] = page
		if ctx.Err() != nil {
			r.stop(stopPartial, r.ctxProblem(ctx, next))
			return
		}

		var etag, lastMod string
		if page == 1 {
			etag, lastMod = r.prevETag, r.prevLastModified
		}
		resp, err := f.get(ctx, next, acceptRDF, etag, lastMod)
		if err != nil {
			r.fetchFailed(ctx, next, err)
			return
		}
		if resp.notModified {
			r.rep.NotModified = true
			r.rep.Pages = 0
			r.log.Info("not modified since the last complete run")
			return
		}
		if page == 1 {
			r.etag, r.lastModified = resp.etag, resp.lastModified
		}
		if resp.url != next {
			if n, ok := visited[pageKey(resp.url)]; ok {
				resp.body.Close()
				r.stop(stopFailed, catalog.Problem{URL: next, Message: fmt.Sprintf(
					"%v: page %d redirects to page %d (%s)", ErrLoop, page, n, resp.url)})
				return
			}
			visited[pageKey(resp.url)] = page
		}
		links, ok := r.readPage(ctx, resp.url, hintFor(resp.contentType, resp.url), resp.body, &runLeft)
		resp.body.Close()
		if !ok {
			return
		}
		next = r.nextPage(resp.url, links)
	}
}

// fetchFailed stops the run on a request that got no usable answer.
func (r *run) fetchFailed(ctx context.Context, u string, err error) {
	if ctx.Err() != nil {
		r.stop(stopPartial, r.ctxProblem(ctx, u))
		return
	}
	r.stop(stopPartial, catalog.Problem{URL: u, Message: err.Error()})
}

// nextPage picks the next page from the links a page gave, resolved
// against the page's URL; "" when there is none to follow.
func (r *run) nextPage(pageURL string, links []string) string {
	var next string
	for _, l := range links {
		u, err := resolve(pageURL, l)
		if err != nil {
			r.warn(catalog.Problem{URL: pageURL, Message: fmt.Sprintf("next page link %q: %v", l, err)})
			continue
		}
		if next == "" {
			next = u
		} else if u != next {
			r.warn(catalog.Problem{URL: pageURL, Message: fmt.Sprintf("page gives more than one next page; %s followed, %s not", next, u)})
		}
	}
	if next == "" {
		return ""
	}
	// Follow the catalogue, not wherever a page points: same host only.
	src, _ := url.Parse(r.cfg.URL)
	nu, _ := url.Parse(next)
	if src != nil && nu != nil && !strings.EqualFold(src.Hostname(), nu.Hostname()) {
		r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
			"next page %s is on another host than the source; not followed", next)})
		return ""
	}
	return next
}

// resolve resolves a next link against the page URL, for http(s) only.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u, err := b.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("not an http(s) URL")
	}
	u.Fragment = ""
	return u.String(), nil
}

// pageKey normalises a page URL for loop detection.
func pageKey(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Fragment = ""
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && u.Port() == "80") || (u.Scheme == "https" && u.Port() == "443") {
		u.Host = u.Hostname()
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = u.Query().Encode() // sorted parameters
	return u.String()
}

// hintFor returns the syntax hint of a response: its Content-Type, unless
// that names no RDF syntax (text/plain, application/octet-stream, ...),
// then the URL's path.
func hintFor(contentType, pageURL string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch mt {
		case "text/plain", "application/octet-stream", "binary/octet-stream", "text/html", "application/json":
		default:
			if rdf.DetectHint(mt) != rdf.Unknown {
				return mt
			}
		}
	}
	if u, err := url.Parse(pageURL); err == nil {
		return path.Base(u.Path)
	}
	return ""
}

// readPage decodes one page and stores its records. A page is stored whole
// or not at all: on a decode error nothing of it is stored, and the run
// stops (partial when earlier pages were stored, else failed). It returns
// the page's next links and whether the run may go on.
func (r *run) readPage(ctx context.Context, pageURL, hint string, body io.Reader, runLeft *int64) ([]string, bool) {
	lb := &limitedBody{r: body, pageLeft: r.cfg.Limits.MaxBytes, runLeft: runLeft}
	r.rep.Pages++
	doc := newDocument()
	var links []string
	n := 0
	_, err := rdf.DecodeAny(lb, hint, rdf.Options{Base: pageURL}, func(t rdf.Triple) error {
		if n++; n&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if hydraNext[t.Pred.String()] {
			switch o := t.Obj.(type) {
			case rdf.IRI:
				links = append(links, o.String())
			case rdf.Literal:
				links = append(links, o.String())
			}
		}
		return doc.Add(t)
	})
	r.rep.Bytes += lb.n
	r.h.metrics.bytes(r.cfg.Name, lb.n)
	switch {
	case lb.err != nil:
		limit := fmt.Sprintf("Limits.MaxBytes, %d bytes", r.cfg.Limits.MaxBytes)
		if errors.Is(lb.err, errRunTooLarge) {
			limit = fmt.Sprintf("Limits.MaxRunBytes, %d bytes", r.cfg.Limits.MaxRunBytes)
		}
		r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
			"page cut short at %d bytes (%s); nothing of it stored", lb.n, limit)})
		return nil, false
	case ctx.Err() != nil:
		r.stop(stopPartial, r.ctxProblem(ctx, pageURL))
		return nil, false
	case err != nil:
		p := pageProblem(pageURL, err)
		p.Message += "; nothing of this page stored"
		r.stop(stopPartial, p)
		return nil, false
	}
	stats, err := doc.Records(mapOptions{Source: r.cfg.Name, Country: r.cfg.Country, SkolemBase: r.h.opts.SkolemBase},
		func(rec catalog.Dataset) error { return r.put(ctx, rec, pageURL) })
	r.rep.Rejected += stats.Rejected
	for _, p := range stats.Problems {
		r.note(p, pageURL)
	}
	r.droppedWarnings += stats.MoreProblems
	if stats.Rejected > 0 {
		r.h.metrics.recordN(r.cfg.Name, "rejected", stats.Rejected)
	}
	if err != nil {
		if ctx.Err() != nil {
			r.stop(stopPartial, r.ctxProblem(ctx, pageURL))
		} else {
			r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: err.Error()})
		}
		// Records of this page may be stored already: it counts as read.
		r.pagesDone++
		return nil, false
	}
	r.addCatalogs(doc, pageURL)
	r.pageDone(lb.n)
	return links, true
}

// harvestFiles reads a local file, or every file under a directory (in
// name order, hidden ones skipped), each as one page. Next links are not
// followed. A file that cannot be read makes the run partial, and the
// files after it are still read.
func (r *run) harvestFiles(ctx context.Context) {
	root := r.cfg.URL
	if strings.HasPrefix(root, "file:") {
		u, err := url.Parse(root)
		if err != nil {
			r.stop(stopPartial, catalog.Problem{URL: root, Message: err.Error()})
			return
		}
		root = filepath.FromSlash(u.Path)
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		r.stop(stopPartial, catalog.Problem{URL: r.cfg.URL, Message: err.Error()})
		return
	}
	sort.Strings(files)
	runLeft := r.cfg.Limits.MaxRunBytes
	for i, p := range files {
		if i >= r.cfg.Limits.MaxPages {
			r.stop(stopPartial, catalog.Problem{URL: fileURL(p), Message: fmt.Sprintf(
				"stopped after %d files (Limits.MaxPages); %d not read", r.cfg.Limits.MaxPages, len(files)-i)})
			return
		}
		if ctx.Err() != nil {
			r.stop(stopPartial, r.ctxProblem(ctx, fileURL(p)))
			return
		}
		f, err := os.Open(p)
		if err != nil {
			r.stop(stopPartial, catalog.Problem{URL: fileURL(p), Message: err.Error()})
			return
		}
		_, ok := r.readPage(ctx, fileURL(p), filepath.Base(p), f, &runLeft)
		f.Close()
		if !ok && (ctx.Err() != nil || runLeft <= 0) {
			return
		}
		// A bad file leaves the run partial; the files after it are still read.
	}
}

// fileURL is the file: IRI of a path.
func fileURL(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}
