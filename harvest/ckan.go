package harvest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"samband/catalog"
)

// ckanAnswer is a package_search answer: CKAN's envelope
// {"success", "result": {"count", "results"}}, or the flat
// {"count", "datasets"} that some CKAN-like search APIs answer.
type ckanAnswer struct {
	Success *bool           `json:"success"`
	Error   json.RawMessage `json:"error"`
	Result  *struct {
		Count   *int              `json:"count"`
		Results []json.RawMessage `json:"results"`
	} `json:"result"`
	Count    *int              `json:"count"`
	Datasets []json.RawMessage `json:"datasets"`
}

// ckanSearchURL returns the package_search URL of a CKAN site, keeping any
// query parameters (a filter) the configured URL has.
func ckanSearchURL(site string) (*url.URL, error) {
	u, err := url.Parse(site)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/package_search") {
		u.Path = strings.TrimRight(u.Path, "/") + "/api/3/action/package_search"
	}
	return u, nil
}

// ckanSite returns the portal's own address, for dataset, group and
// organisation IRIs: the configured URL without the API path and query.
func ckanSite(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return strings.TrimRight(site, "/")
	}
	if i := strings.Index(u.Path, "/api/"); i >= 0 {
		u.Path = u.Path[:i]
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/")
}

// harvestCKAN pages through package_search with rows and start, oldest
// package first so that packages created during the run do not shift the
// pages, until start reaches the count. A page that brings only packages
// already read is a loop (failed); a count that changes during the run, or
// pages that end before the count, make the run partial so that nothing is
// withdrawn on the word of an inconsistent listing.
func (r *run) harvestCKAN(ctx context.Context) {
	api, err := ckanSearchURL(r.cfg.URL)
	if err != nil {
		r.stop(stopFailed, catalog.Problem{URL: r.cfg.URL, Message: err.Error()})
		return
	}
	site := ckanSite(r.cfg.URL)
	rows := r.cfg.PageSize
	if rows <= 0 {
		rows = DefaultCKANRows
	}
	f := r.h.newFetcher(r.cfg.Limits)
	runLeft := r.cfg.Limits.MaxRunBytes
	count := -1
	start := 0
	for page := 1; ; page++ {
		q := api.Query()
		q.Set("rows", strconv.Itoa(rows))
		q.Set("start", strconv.Itoa(start))
		if q.Get("sort") == "" {
			q.Set("sort", "metadata_created asc")
		}
		u := *api
		u.RawQuery = q.Encode()
		pageURL := u.String()
		if page > r.cfg.Limits.MaxPages {
			r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
				"stopped after %d pages (Limits.MaxPages) at package %d of %d", r.cfg.Limits.MaxPages, start, count)})
			return
		}
		if ctx.Err() != nil {
			r.stop(stopPartial, r.ctxProblem(ctx, pageURL))
			return
		}
		resp, err := f.get(ctx, pageURL, acceptJSON, "", "")
		if err != nil {
			r.fetchFailed(ctx, pageURL, err)
			return
		}
		r.rep.Pages++
		lb := &limitedBody{r: resp.body, pageLeft: r.cfg.Limits.MaxBytes, runLeft: &runLeft}
		var ans ckanAnswer
		err = json.NewDecoder(lb).Decode(&ans)
		resp.body.Close()
		r.rep.Bytes += lb.n
		r.h.metrics.bytes(r.cfg.Name, lb.n)
		switch {
		case lb.err != nil:
			r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
				"page cut short at %d bytes (%v); nothing of it stored", lb.n, lb.err)})
			return
		case ctx.Err() != nil:
			r.stop(stopPartial, r.ctxProblem(ctx, pageURL))
			return
		case err != nil:
			r.stop(stopPartial, jsonProblem(pageURL, err))
			return
		case ans.Success != nil && !*ans.Success:
			r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: "CKAN API error: " + string(ans.Error)})
			return
		}
		results, c := ans.Datasets, ans.Count
		if ans.Result != nil {
			results, c = ans.Result.Results, ans.Result.Count
		}
		if c == nil {
			r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: "package_search answer has no count"})
			return
		}
		if count < 0 {
			count = *c
		} else if *c != count {
			// Keep reading, but withdraw nothing on this listing.
			r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
				"the catalogue changed during the run (count %d, now %d); the run is partial", count, *c)})
			count = *c
		}
		if len(results) == 0 {
			if start < count {
				r.stop(stopPartial, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
					"no packages at start=%d although the count is %d", start, count)})
			}
			return
		}
		if !r.ckanPage(ctx, pageURL, site, results) {
			return
		}
		start += len(results)
		if start >= count {
			return
		}
	}
}

// ckanPage maps and stores the packages of one page. It reports whether the
// run may go on.
func (r *run) ckanPage(ctx context.Context, pageURL, site string, results []json.RawMessage) bool {
	recs := make([]catalog.Dataset, 0, len(results))
	for i, raw := range results {
		rec, err := ckanRecord(raw, r.cfg, site)
		if err != nil {
			r.rep.Rejected++
			r.h.metrics.record(r.cfg.Name, "rejected")
			r.warn(catalog.Problem{URL: pageURL, Message: fmt.Sprintf("package %d of the page rejected: %v", i+1, err)})
			continue
		}
		recs = append(recs, rec)
	}
	old := 0
	for _, rec := range recs {
		if _, ok := r.seen[rec.ID]; ok {
			old++
		}
	}
	if len(recs) > 0 && old == len(recs) {
		r.stop(stopFailed, catalog.Problem{URL: pageURL, Message: fmt.Sprintf(
			"%v: every package of this page was read before in this run; the server repeats pages", ErrLoop)})
		return false
	}
	for _, rec := range recs {
		if err := r.put(ctx, rec, pageURL); err != nil {
			if ctx.Err() != nil {
				r.stop(stopPartial, r.ctxProblem(ctx, pageURL))
			} else {
				r.stop(stopPartial, catalog.Problem{URL: pageURL, Record: rec.IRI, Message: err.Error()})
			}
			r.pagesDone++
			return false
		}
	}
	r.pageDone(0)
	return true
}

// jsonProblem places a JSON syntax error by byte offset.
func jsonProblem(pageURL string, err error) catalog.Problem {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return catalog.Problem{URL: pageURL, Message: fmt.Sprintf("CKAN answer is not JSON (at byte %d): %v", se.Offset, err)}
	}
	return catalog.Problem{URL: pageURL, Message: "CKAN answer: " + err.Error()}
}

// canonicalJSON returns v as JSON with sorted keys, numbers as given and
// no HTML escaping.
func canonicalJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// ckanRecord maps one CKAN package (core fields, ckanext-scheming and
// ckanext-dcat fields, Finland's translated fields, extras) to a record.
func ckanRecord(raw json.RawMessage, cfg Config, site string) (catalog.Dataset, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var pkg map[string]any
	if err := dec.Decode(&pkg); err != nil {
		return catalog.Dataset{}, fmt.Errorf("not a JSON object: %w", err)
	}
	p := ckanPkg{m: pkg, extras: ckanExtras(pkg["extras"]), lang: cfg.Language}

	name := firstOf(p.str("name"), p.str("idName"), p.str("id"))
	iri := firstOf(p.field("uri"))
	if iri == "" {
		if id := p.field("identifier"); isHTTP(id) {
			iri = id
		}
	}
	if iri == "" && name != "" {
		iri = site + "/dataset/" + url.PathEscape(name)
	}
	if iri == "" {
		return catalog.Dataset{}, errors.New("package has no id, name or uri")
	}
	orig, err := canonicalJSON(pkg)
	if err != nil {
		return catalog.Dataset{}, err
	}
	sum := sha256.Sum256([]byte(orig))

	rec := catalog.Dataset{
		ID:           catalog.IDFor(iri),
		IRI:          iri,
		Kind:         catalog.KindDataset,
		Title:        p.text("title", "title_translated"),
		Description:  p.text("notes", "notes_translated", "description"),
		Keywords:     p.keywords(),
		Issued:       firstOf(p.field("issued"), p.str("releaseDate"), p.str("metadata_created")),
		Modified:     firstOf(p.field("modified"), p.str("modificationDate"), p.str("metadata_modified")),
		Frequency:    p.field("frequency"),
		Version:      p.field("version"),
		AccessRights: firstOf(p.field("access_rights")),
		Sources: []catalog.SourceRecord{{
			Source: cfg.Name, Country: cfg.Country, Hash: hex.EncodeToString(sum[:]), Original: orig,
		}},
	}
	rec.Identifiers = dedupe(p.str("id"), p.str("name"), p.str("idName"), p.field("identifier"))
	rec.Identifiers = dedupe(append(rec.Identifiers, p.strs("alternate_identifier")...)...)
	rec.Publisher = p.publisher(site)
	rec.ContactPoints = p.contacts()
	rec.Themes = p.themes(site)
	rec.Languages = dedupe(p.strs("language")...)
	rec.ConformsTo = dedupe(p.strs("conforms_to")...)
	rec.ApplicableLegislation = dedupe(p.strs("applicable_legislation")...)
	rec.Pages = dedupe(p.strs("documentation")...)
	if u := p.str("url"); isHTTP(u) {
		rec.LandingPages = []string{u}
	}
	rec.Temporal = p.temporal()
	rec.Spatial = p.spatial()
	license := firstOf(p.str("license_url"), p.str("license_id"), p.str("licence"), p.field("license"))
	for _, key := range []string{"resources", "distributions", "distribution"} {
		for _, v := range list(pkg[key]) {
			if m, ok := v.(map[string]any); ok && len(m) > 0 {
				rec.Distributions = append(rec.Distributions, ckanDistribution(m, license, cfg.Language))
			}
		}
	}
	return rec, nil
}

// ckanPkg reads the fields of one package.
type ckanPkg struct {
	m      map[string]any
	extras map[string]string
	lang   string
}

// ckanExtras reads CKAN's extras: a list of {"key", "value"}.
func ckanExtras(v any) map[string]string {
	ex := make(map[string]string)
	for _, e := range list(v) {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		k, _ := m["key"].(string)
		if k != "" {
			ex[k] = scalar(m["value"])
		}
	}
	return ex
}

func (p ckanPkg) str(key string) string { return scalar(p.m[key]) }

// field is a top-level field (ckanext-scheming) or else an extra.
func (p ckanPkg) field(key string) string { return firstOf(p.str(key), p.extras[key]) }

// strs reads a list field: a JSON list, a JSON list encoded in a string (as
// extras hold them), a comma-free single string, at the top level or in extras.
func (p ckanPkg) strs(key string) []string {
	if v, ok := p.m[key]; ok && v != nil {
		if out := strList(v); len(out) > 0 {
			return out
		}
	}
	return strList(p.extras[key])
}

// text reads a text field: a translated dict {lang: text or [texts]} as
// Finland's CKAN has them, else the plain fields tagged with the source's language.
func (p ckanPkg) text(plain string, more ...string) catalog.Text {
	t := catalog.Text{}
	keys := append([]string{plain}, more...)
	for _, k := range keys {
		if m, ok := p.m[k].(map[string]any); ok {
			addTranslated(t, m)
		}
	}
	if len(t) == 0 {
		for _, k := range keys {
			if s := p.str(k); s != "" {
				t.Add(p.lang, s)
				break
			}
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

func addTranslated(t catalog.Text, m map[string]any) {
	langs := make([]string, 0, len(m))
	for l := range m {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		for _, s := range strList(m[l]) {
			if s = strings.TrimSpace(s); s != "" {
				t.Add(l, s)
			}
		}
	}
}

// keywords reads tags ([{name}] or [string]), keyword lists and Finland's
// translated keywords dict.
func (p ckanPkg) keywords() catalog.Text {
	t := catalog.Text{}
	if m, ok := p.m["keywords"].(map[string]any); ok {
		addTranslated(t, m)
	}
	for _, key := range []string{"tags", "keyword", "keywords"} {
		for _, v := range list(p.m[key]) {
			s := scalar(v)
			if m, ok := v.(map[string]any); ok {
				s = firstOf(scalar(m["display_name"]), scalar(m["name"]))
			}
			if s = strings.TrimSpace(s); s != "" {
				t.Add(p.lang, s)
			}
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

// publisher reads a DCAT publisher (ckanext-dcat fields, a scheming
// publisher object or list), else the CKAN organisation.
func (p ckanPkg) publisher(site string) *catalog.Agent {
	var pub map[string]any
	switch v := p.m["publisher"].(type) {
	case map[string]any:
		pub = v
	case []any:
		if len(v) > 0 {
			pub, _ = v[0].(map[string]any)
		}
	}
	if pub != nil || p.extras["publisher_name"] != "" || p.extras["publisher_uri"] != "" {
		a := &catalog.Agent{Name: catalog.Text{}}
		if pub != nil {
			a.IRI = firstOf(scalar(pub["uri"]), httpOnly(scalar(pub["url"])))
			a.Identifier = scalar(pub["identifier"])
			a.Type = scalar(pub["type"])
			if n := scalar(pub["name"]); n != "" {
				a.Name.Add(p.lang, n)
			}
		}
		a.IRI = firstOf(a.IRI, p.extras["publisher_uri"])
		if n := p.extras["publisher_name"]; n != "" {
			a.Name.Add(p.lang, n)
		}
		if len(a.Name) > 0 || a.IRI != "" {
			return a
		}
	}
	org, ok := p.m["organization"].(map[string]any)
	if !ok || len(org) == 0 {
		return nil
	}
	a := &catalog.Agent{Name: catalog.Text{}}
	if m, ok := org["title_translated"].(map[string]any); ok {
		addTranslated(a.Name, m)
	}
	if len(a.Name) == 0 {
		if n := firstOf(scalar(org["title"]), scalar(org["name"])); n != "" {
			a.Name.Add(p.lang, n)
		}
	}
	if n := scalar(org["name"]); n != "" {
		a.IRI = site + "/organization/" + url.PathEscape(n)
	}
	return a
}

// contacts reads contact lists (scheming), ckanext-dcat contact extras,
// the maintainer and the author.
func (p ckanPkg) contacts() []catalog.ContactPoint {
	var out []catalog.ContactPoint
	seen := make(map[string]bool)
	add := func(name, email, u, iri string) {
		email = strings.TrimPrefix(strings.TrimSpace(email), "mailto:")
		if email == "" && name == "" && u == "" {
			return
		}
		key := strings.ToLower(email) + "\x00" + name
		if seen[key] {
			return
		}
		seen[key] = true
		c := catalog.ContactPoint{IRI: iri, Email: email, URL: u}
		if name != "" {
			c.Name = catalog.Text{}
			c.Name.Add(p.lang, name)
		}
		out = append(out, c)
	}
	for _, v := range list(p.m["contact"]) {
		if m, ok := v.(map[string]any); ok {
			add(scalar(m["name"]), scalar(m["email"]), scalar(m["url"]), scalar(m["uri"]))
		}
	}
	add(p.extras["contact_name"], p.extras["contact_email"], "", p.extras["contact_uri"])
	add(p.str("maintainer"), p.str("maintainer_email"), "", "")
	add(p.str("author"), p.str("author_email"), "", "")
	if pub, ok := p.m["publisher"].(map[string]any); ok && scalar(pub["mbox"]) != "" {
		add(scalar(pub["name"]), scalar(pub["mbox"]), "", "")
	}
	return out
}

// themes reads DCAT themes (IRIs), CKAN groups (as the portal's group
// pages) and category objects.
func (p ckanPkg) themes(site string) []string {
	out := p.strs("theme")
	for _, v := range list(p.m["groups"]) {
		if m, ok := v.(map[string]any); ok {
			if n := scalar(m["name"]); n != "" {
				out = append(out, site+"/group/"+url.PathEscape(n))
			}
		}
	}
	for _, v := range list(p.m["categories"]) {
		if m, ok := v.(map[string]any); ok {
			if id := firstOf(scalar(m["uri"]), scalar(m["id"])); id != "" {
				out = append(out, id)
			}
		}
	}
	return dedupe(out...)
}

func (p ckanPkg) temporal() []catalog.PeriodOfTime {
	var out []catalog.PeriodOfTime
	for _, v := range list(p.m["temporal_coverage"]) {
		if m, ok := v.(map[string]any); ok {
			if s, e := scalar(m["start"]), scalar(m["end"]); s != "" || e != "" {
				out = append(out, catalog.PeriodOfTime{Start: s, End: e})
			}
		}
	}
	if s, e := p.field("temporal_start"), p.field("temporal_end"); s != "" || e != "" {
		out = append(out, catalog.PeriodOfTime{Start: s, End: e})
	}
	return out
}

func (p ckanPkg) spatial() []string {
	out := []string{p.field("spatial_uri")}
	for _, v := range list(p.m["spatial_coverage"]) {
		if m, ok := v.(map[string]any); ok {
			out = append(out, firstOf(scalar(m["uri"]), scalar(m["text"])))
		}
	}
	return dedupe(out...)
}

// ckanDistribution maps a CKAN resource (or a DCAT-JSON distribution).
func ckanDistribution(m map[string]any, license, lang string) catalog.Distribution {
	d := catalog.Distribution{
		IRI:          scalar(m["uri"]),
		Format:       scalar(m["format"]),
		License:      firstOf(scalar(m["license"]), license),
		Rights:       scalar(m["rights"]),
		Status:       scalar(m["status"]),
		Availability: scalar(m["availability"]),
		Issued:       firstOf(scalar(m["issued"]), scalar(m["created"])),
		Modified:     firstOf(scalar(m["modified"]), scalar(m["last_modified"])),
		ByteSize:     firstOf(scalar(m["size"]), scalar(m["byteSize"])),
		Languages:    strList(m["language"]),
	}
	if mt := scalar(m["mimetype"]); mt != "" && d.Format == "" {
		d.Format = mt
	}
	if h := scalar(m["hash"]); h != "" {
		alg := scalar(m["hash_algorithm"])
		if i := strings.LastIndex(alg, "checksumAlgorithm_"); i >= 0 {
			alg = alg[i+len("checksumAlgorithm_"):]
		}
		if alg == "" {
			alg = "unknown"
		}
		d.Checksum = alg + ":" + h
	}
	p := ckanPkg{m: m, lang: lang}
	d.Title = p.text("name", "name_translated", "title")
	d.Description = p.text("description", "description_translated")
	u := scalar(m["url"])
	d.AccessURLs = dedupe(httpOnly(scalar(m["access_url"])), httpOnly(scalar(m["accessURL"])), httpOnly(u))
	d.DownloadURLs = dedupe(httpOnly(scalar(m["download_url"])), httpOnly(scalar(m["downloadURL"])))
	if scalar(m["url_type"]) == "upload" {
		d.DownloadURLs = dedupe(append(d.DownloadURLs, u)...)
	}
	for _, v := range list(m["access_services"]) {
		if s, ok := v.(map[string]any); ok {
			if iri := scalar(s["uri"]); iri != "" {
				d.AccessServices = append(d.AccessServices, iri)
			}
		}
	}
	return d
}

// list returns v as a list, or nil.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// scalar returns a string, number or boolean as trimmed text, else "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// strList reads a list of strings, a JSON list encoded in a string, or one string.
func strList(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if s := scalar(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "[") {
			var l []string
			if json.Unmarshal([]byte(s), &l) == nil {
				return dedupe(l...)
			}
		}
		if s != "" {
			return []string{s}
		}
	case json.Number:
		return []string{x.String()}
	}
	return nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// dedupe drops empty and repeated values, keeping the order.
func dedupe(ss ...string) []string {
	var out []string
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func isHTTP(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func httpOnly(s string) string {
	if isHTTP(s) {
		return s
	}
	return ""
}
