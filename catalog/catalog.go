package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"sort"
	"strings"
	"time"
)

// Kinds of catalogue record. A data service shares the Dataset type: DCAT 3
// describes both as dcat:Resource with mostly the same properties.
const (
	KindDataset       = "Dataset"
	KindDatasetSeries = "DatasetSeries"
	KindDataService   = "DataService"
)

// Text is a text in every language a source gave it: language tag (lower
// case; "" when the source gave none) to the values in that language, in the
// order the source gave them. Nothing is picked or dropped.
type Text map[string][]string

// Add appends a value in a language, unless it is there already.
func (t Text) Add(lang, value string) {
	lang = strings.ToLower(lang)
	for _, v := range t[lang] {
		if v == value {
			return
		}
	}
	t[lang] = append(t[lang], value)
}

// Get returns the first value in the first of langs that has one, then the
// untagged value, then the value of the alphabetically first language.
func (t Text) Get(langs ...string) string {
	for _, l := range langs {
		if vs := t[strings.ToLower(l)]; len(vs) > 0 {
			return vs[0]
		}
	}
	if vs := t[""]; len(vs) > 0 {
		return vs[0]
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(t[k]) > 0 {
			return t[k][0]
		}
	}
	return ""
}

// Languages returns the language tags t holds, sorted.
func (t Text) Languages() []string {
	keys := make([]string, 0, len(t))
	for k, vs := range t {
		if len(vs) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Dataset is one catalogue record: a dcat:Dataset, a dcat:DatasetSeries or a
// dcat:DataService, as Samband understood it from its sources, with every
// property the DCAT-AP 3.0.1 shapes mark mandatory or recommended and those a
// cross-border catalogue needs. IRIs are kept as the source gave them; where a
// value is normalised to an EU vocabulary, the original stays beside it.
type Dataset struct {
	ID   string `json:"id"` // see IDFor
	IRI  string `json:"iri"`
	Kind string `json:"kind"`

	Identifiers []string `json:"identifiers,omitempty"` // dct:identifier, adms:identifier notations
	Title       Text     `json:"title,omitempty"`
	Description Text     `json:"description,omitempty"`
	Keywords    Text     `json:"keywords,omitempty"`

	Themes      []string `json:"themes,omitempty"`       // dcat:theme IRIs as given (EU data themes, LOS, ...)
	EUThemes    []string `json:"eu_themes,omitempty"`    // normalised: EU data-theme codes ("ECON", "HEAL", ...)
	Subjects    []string `json:"subjects,omitempty"`     // dct:subject
	HVDCategory []string `json:"hvd_category,omitempty"` // dcatap:hvdCategory IRIs

	Publisher     *Agent         `json:"publisher,omitempty"`
	Creators      []Agent        `json:"creators,omitempty"`
	ContactPoints []ContactPoint `json:"contact_points,omitempty"`

	Distributions []Distribution `json:"distributions,omitempty"`

	Issued    string `json:"issued,omitempty"`   // lexical form as given (date or dateTime)
	Modified  string `json:"modified,omitempty"` // lexical form as given
	Frequency string `json:"frequency,omitempty"`
	Version   string `json:"version,omitempty"`

	Languages []string            `json:"languages,omitempty"` // dct:language IRIs
	Spatial   []string            `json:"spatial,omitempty"`   // dct:spatial IRIs (or literals)
	Temporal  []PeriodOfTime      `json:"temporal,omitempty"`
	InSeries  []string            `json:"in_series,omitempty"`
	Related   map[string][]string `json:"related,omitempty"` // other links by property IRI: dct:source, dct:hasVersion, dct:relation, ...

	AccessRights   string `json:"access_rights,omitempty"`    // IRI as given
	AccessRightsEU string `json:"access_rights_eu,omitempty"` // normalised: "PUBLIC", "RESTRICTED", "NON_PUBLIC"

	ConformsTo            []string `json:"conforms_to,omitempty"`
	ApplicableLegislation []string `json:"applicable_legislation,omitempty"`
	Policies              []string `json:"policies,omitempty"` // odrl:hasPolicy IRIs
	LandingPages          []string `json:"landing_pages,omitempty"`
	Pages                 []string `json:"pages,omitempty"` // foaf:page

	// Data service properties (Kind == KindDataService).
	EndpointURLs         []string `json:"endpoint_urls,omitempty"`
	EndpointDescriptions []string `json:"endpoint_descriptions,omitempty"`
	ServesDatasets       []string `json:"serves_datasets,omitempty"`
	License              string   `json:"license,omitempty"` // dct:license of a data service

	// Profile holds what a national profile adds that has no field above,
	// by property IRI (for example dcatno:accessRightsComment), so that
	// nothing a source says is lost from the record.
	Profile map[string][]string `json:"profile,omitempty"`

	// Quality is the record's metadata-quality score (see Score); nil when
	// it has not been scored.
	Quality *Quality `json:"quality,omitempty"`
	// Checks are the breaches of DCAT-AP's rules and those of the national
	// profile of its source that the record showed when it was last stored
	// (see CheckRules); none when it breaks none or was not checked.
	Checks []RuleResult `json:"checks,omitempty"`

	// Provenance, one per source that lists the record. Set by the store.
	Sources []SourceRecord `json:"sources,omitempty"`

	Withdrawn   bool       `json:"withdrawn,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	// Seq is the store's change sequence number of the record's last change.
	Seq int64 `json:"seq,omitempty"`
}

// Catalog is a dcat:Catalog a source publishes: the description of the
// catalogue itself (a national directory, an agency's catalogue), not of
// the records it lists. IRIs are kept as the source gave them.
type Catalog struct {
	IRI         string `json:"iri,omitempty"` // empty for a blank node
	Title       Text   `json:"title,omitempty"`
	Description Text   `json:"description,omitempty"`

	Publisher     *Agent         `json:"publisher,omitempty"`
	ContactPoints []ContactPoint `json:"contact_points,omitempty"`
	Homepage      string         `json:"homepage,omitempty"` // foaf:homepage

	Languages       []string `json:"languages,omitempty"`        // dct:language IRIs
	License         string   `json:"license,omitempty"`          // dct:license as given
	Rights          string   `json:"rights,omitempty"`           // dct:rights as given
	Issued          string   `json:"issued,omitempty"`           // lexical form as given
	Modified        string   `json:"modified,omitempty"`         // lexical form as given
	ThemeTaxonomies []string `json:"theme_taxonomies,omitempty"` // dcat:themeTaxonomy IRIs
	Spatial         []string `json:"spatial,omitempty"`          // dct:spatial IRIs (or literals)

	// Profile holds what the source says about the catalogue that has no
	// field above, by property IRI (values as N-Triples), as Dataset.Profile;
	// but for the catalogue's dcat:record links, which are not kept.
	Profile map[string][]string `json:"profile,omitempty"`

	// Datasets is how many dcat:dataset, dcat:service and dcat:catalog
	// links the catalogue has in the document it was read from.
	Datasets int `json:"datasets"`
}

// Distribution is a dcat:Distribution of a dataset.
type Distribution struct {
	IRI          string   `json:"iri,omitempty"` // empty for a blank node
	Title        Text     `json:"title,omitempty"`
	Description  Text     `json:"description,omitempty"`
	AccessURLs   []string `json:"access_urls,omitempty"`
	DownloadURLs []string `json:"download_urls,omitempty"`

	Format    string `json:"format,omitempty"`     // dct:format as given (IRI or literal)
	FormatEU  string `json:"format_eu,omitempty"`  // normalised: EU file-type code ("CSV", "JSON", ...)
	MediaType string `json:"media_type,omitempty"` // normalised: IANA media type ("text/csv"), from dcat:mediaType or else dct:format
	// MediaTypeGiven is dcat:mediaType as the source gave it, "" when it gave none.
	MediaTypeGiven string `json:"media_type_given,omitempty"`
	License        string `json:"license,omitempty"`       // dct:license as given
	LicenseEU      string `json:"license_eu,omitempty"`    // normalised: EU licence code ("CC_BY_4_0", ...)
	AccessRights   string `json:"access_rights,omitempty"` // dct:accessRights as given
	Rights         string `json:"rights,omitempty"`

	AccessServices        []string `json:"access_services,omitempty"` // dcat:accessService IRIs
	ConformsTo            []string `json:"conforms_to,omitempty"`
	Languages             []string `json:"languages,omitempty"`
	Policies              []string `json:"policies,omitempty"`
	ApplicableLegislation []string `json:"applicable_legislation,omitempty"`
	ByteSize              string   `json:"byte_size,omitempty"`
	Checksum              string   `json:"checksum,omitempty"` // "algorithm:value"
	Status                string   `json:"status,omitempty"`
	Availability          string   `json:"availability,omitempty"`
	Issued                string   `json:"issued,omitempty"`
	Modified              string   `json:"modified,omitempty"`

	// Profile holds what the source says about the distribution that has no
	// field above, by property IRI (values as N-Triples), as Dataset.Profile.
	Profile map[string][]string `json:"profile,omitempty"`
}

// Agent is a foaf:Agent: a publisher or creator.
type Agent struct {
	IRI        string `json:"iri,omitempty"`
	Name       Text   `json:"name,omitempty"`
	Type       string `json:"type,omitempty"`       // dct:type IRI (EU publisher type)
	Identifier string `json:"identifier,omitempty"` // dct:identifier: an organisation number
}

// ContactPoint is a vcard contact point.
type ContactPoint struct {
	IRI   string `json:"iri,omitempty"`
	Name  Text   `json:"name,omitempty"` // vcard:fn or vcard:organization-name
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// PeriodOfTime is a dct:PeriodOfTime; bounds are lexical forms as given.
type PeriodOfTime struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// SourceRecord is the provenance of a record from one source.
type SourceRecord struct {
	Source      string     `json:"source"`
	Country     string     `json:"country,omitempty"` // ISO 3166-1 alpha-2
	FirstSeen   time.Time  `json:"first_seen"`
	LastChanged time.Time  `json:"last_changed"`
	LastSeen    time.Time  `json:"last_seen"`
	Hash        string     `json:"hash"` // canonical hash of what this source said
	Withdrawn   *time.Time `json:"withdrawn,omitempty"`
	// Original is what the source said about the record, as canonical
	// N-Triples (sorted; blank nodes labelled by their content).
	Original string `json:"original,omitempty"`
}

// IDFor returns the catalogue id of the record with the given IRI: 16
// characters of base32 over its SHA-256, stable across gateways and runs.
func IDFor(iri string) string {
	sum := sha256.Sum256([]byte(iri))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// Errors of the catalogue and its stores.
var (
	ErrNotFound = errors.New("not found")
	ErrClosed   = errors.New("store closed")
)

// Harvest run statuses.
const (
	StatusRunning  = "running"
	StatusComplete = "complete" // every page read: withdrawal applies
	StatusPartial  = "partial"  // stopped early (limit, page error): nothing withdrawn
	StatusFailed   = "failed"   // nothing usable read: nothing withdrawn
)

// Problem is one warning or error of a harvest run, with where it was found.
type Problem struct {
	Severity string `json:"severity"` // "error" or "warning"
	URL      string `json:"url,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Record   string `json:"record,omitempty"` // the record's IRI, when it concerns one
	Message  string `json:"message"`
}

// Report is what one harvest run of one source did.
type Report struct {
	ID          int64     `json:"id"`
	Source      string    `json:"source"`
	Status      string    `json:"status"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished,omitempty"`
	DurationMS  int64     `json:"duration_ms"`
	Pages       int       `json:"pages"`
	Bytes       int64     `json:"bytes"`
	NotModified bool      `json:"not_modified,omitempty"` // conditional GET answered 304

	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Withdrawn int `json:"withdrawn"`
	Merged    int `json:"merged"`    // records another source holds, now also listed by this one
	Rejected  int `json:"rejected"`  // records refused (no IRI and no identifier, ...)
	Conflicts int `json:"conflicts"` // IRIs owned by another source

	Errors   []Problem `json:"errors"`
	Warnings []Problem `json:"warnings,omitempty"`

	// The rule checks (CheckRules) of the records the run stored: results
	// by rule id and by severity, and how many records break at least one
	// rule of severity violation, or of severity warning.
	Checks                map[string]int `json:"checks,omitempty"`
	CheckSeverities       map[string]int `json:"check_severities,omitempty"`
	RecordsWithViolations int            `json:"records_with_violations"`
	RecordsWithWarnings   int            `json:"records_with_warnings"`
}

// CountChecks adds the rule results of one record to the report's counts.
func (r *Report) CountChecks(results []RuleResult) {
	if len(results) == 0 {
		return
	}
	if r.Checks == nil {
		r.Checks = map[string]int{}
	}
	if r.CheckSeverities == nil {
		r.CheckSeverities = map[string]int{}
	}
	var violation, warning bool
	for _, res := range results {
		r.Checks[res.Rule]++
		r.CheckSeverities[res.Severity]++
		violation = violation || res.Severity == SeverityViolation
		warning = warning || res.Severity == SeverityWarning
	}
	if violation {
		r.RecordsWithViolations++
	}
	if warning {
		r.RecordsWithWarnings++
	}
}

// Source is a configured source as the store knows it.
type Source struct {
	Name       string `json:"name"`
	Country    string `json:"country,omitempty"`
	Kind       string `json:"kind"` // "dcat", "ckan", "file"
	URL        string `json:"url"`
	Aggregator bool   `json:"aggregator,omitempty"` // re-publishes other sources' records (data.europa.eu)
	// Validators of the last complete fetch, for conditional GET.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// SourceStatus is a source with its last run, record count and the
// catalogues it publishes.
type SourceStatus struct {
	Source
	Records int     `json:"records"`
	LastRun *Report `json:"last_run,omitempty"`
	// Catalogs are the catalogues the source publishes, as the last
	// Store.SetCatalogs gave them (a harvest: those its last complete run
	// found, ordered by IRI).
	Catalogs []Catalog `json:"catalogs,omitempty"`
}

// PutOutcome says what Put did with one record.
type PutOutcome int

// Outcomes of Put.
const (
	Added PutOutcome = iota + 1
	Updated
	Unchanged
	Conflict // the IRI belongs to another source; nothing was written
	Merged   // the same record reached through a second source: provenance added
)

// Page is one page of records.
type Page struct {
	Total int       `json:"total"`
	Items []Dataset `json:"items"`
}

// ListOptions select a page of records.
type ListOptions struct {
	Limit  int
	Offset int
	// IncludeWithdrawn lists withdrawn records too.
	IncludeWithdrawn bool
}

// Store is the catalogue's truth. Implementations live in packages named
// for their engine (catalog/sqlite, later catalog/postgres). Every method is
// safe for concurrent use.
type Store interface {
	// UpsertSource records a configured source (name is the key).
	UpsertSource(ctx context.Context, src Source) error
	// StartRun opens a harvest run of a source and returns its id.
	StartRun(ctx context.Context, source string, started time.Time) (int64, error)
	// Put stores one record read by run for its source: the IRI is the
	// identity, then any of the record's Identifiers that equals the IRI or
	// an identifier of a stored record. rec.Sources must hold exactly the
	// provenance of this source (Hash and Original set; times are set by the
	// store from seen). A record whose hash equals what the source said last
	// is not rewritten. A record owned by another source is not overwritten:
	// Conflict, unless the sending source is an aggregator or says the same
	// (Merged: one record, two provenances).
	Put(ctx context.Context, run int64, rec Dataset, seen time.Time) (PutOutcome, error)
	// FinishRun closes a run with its report. When the report's status is
	// StatusComplete, every record the source listed before but not in this
	// run is withdrawn for that source (a record no source lists any more is
	// marked withdrawn, kept with its history; one another source still
	// lists takes a new change sequence number, its sources having
	// changed); it returns how many. Any
	// other status withdraws nothing, and so does a complete report with
	// NotModified set: the source answered 304, its listing is unchanged,
	// and the run put no record.
	FinishRun(ctx context.Context, run int64, rep Report) (withdrawn int, err error)
	// SetValidators stores the ETag and Last-Modified of a source's last complete fetch.
	SetValidators(ctx context.Context, source, etag, lastModified string) error
	// SetCatalogs replaces the catalogues a source publishes with cats (none
	// for an empty cats); a harvest calls it after a complete run. It returns
	// ErrNotFound for an unknown source. Sources and Source return them, in
	// the order given.
	SetCatalogs(ctx context.Context, source string, cats []Catalog) error

	// Dataset returns a record by id or IRI, withdrawn or not, or ErrNotFound.
	Dataset(ctx context.Context, idOrIRI string) (Dataset, error)
	// Datasets returns a page of records, ordered by id.
	Datasets(ctx context.Context, opt ListOptions) (Page, error)
	// DatasetsByID returns the records with the given ids, withdrawn or
	// not, in the order of ids, leaving out ids no record has; Sources
	// carry no Original.
	DatasetsByID(ctx context.Context, ids []string) ([]Dataset, error)
	// History returns the earlier versions of a record, newest first.
	History(ctx context.Context, id string) ([]Dataset, error)
	// Sources returns every source with its record count and last run.
	Sources(ctx context.Context) ([]SourceStatus, error)
	// Source returns one source, or ErrNotFound.
	Source(ctx context.Context, name string) (SourceStatus, error)
	// Run returns a run's report, or ErrNotFound.
	Run(ctx context.Context, id int64) (Report, error)

	// DatasetsAfter returns up to limit records that are not withdrawn
	// (100 when limit is zero or less) whose id sorts after afterID ("":
	// from the first), ordered by id, without Sources: a walk over the
	// whole catalogue, a page at a time, whose pages cost the same at any
	// depth.
	DatasetsAfter(ctx context.Context, afterID string, limit int) ([]Dataset, error)
	// SetQuality replaces the quality score of a record, provided its
	// change sequence number is still seq: ErrChanged when the record
	// changed since the caller read it, ErrNotFound when there is no record
	// with that id. It keeps no earlier version in History (what the
	// sources said is unchanged), but the record takes the next number of
	// the change sequence, so that whatever follows the sequence sees the
	// new score.
	SetQuality(ctx context.Context, id string, seq int64, q Quality) error
	// SetLinkStatus stores what the link checker found at st.URL,
	// replacing what it found there before.
	SetLinkStatus(ctx context.Context, st LinkStatus) error
	// LinkStatuses returns the stored statuses of those of urls that were
	// checked; the others are absent from the map. It sees every
	// SetLinkStatus that returned before it was called.
	LinkStatuses(ctx context.Context, urls []string) (LinkStatuses, error)
	// PruneLinkStatuses deletes the statuses of URLs last checked before
	// the given time, and returns how many it deleted.
	PruneLinkStatuses(ctx context.Context, checkedBefore time.Time) (int, error)
	// DatasetsAt calls fn with every record as it stood at time at, in id
	// order, one at a time, without holding them all: the version current
	// then; none first seen after at, none withdrawn at or before at, those
	// withdrawn later as they were before. Sources are those that had
	// listed the record by at, without Original, as far as the store can
	// tell (it keeps one provenance per source, not its history). An error
	// of fn stops the walk and is returned.
	DatasetsAt(ctx context.Context, at time.Time, fn func(Dataset) error) error
	// ChangedSince calls fn with every record that changed after at (new
	// content, withdrawn or back, a source that first listed or withdrew
	// it after at): its current version, withdrawn or not, and its version
	// at at as DatasetsAt gives it, nil when it had none then. Sources
	// carry no Original. An error of fn stops the walk and is returned.
	ChangedSince(ctx context.Context, at time.Time, fn func(now Dataset, then *Dataset) error) error
	// CoverageHistory returns what the catalogue held, by country and EU
	// theme, when each harvest run finished between from and to (a zero
	// time: no bound): one point per run, country and theme with live
	// records, in the order the runs finished.
	CoverageHistory(ctx context.Context, from, to time.Time) ([]CoveragePoint, error)
	// QualityHistory returns, like CoverageHistory, the live records of
	// each country and their mean quality score when each run finished.
	QualityHistory(ctx context.Context, from, to time.Time) ([]QualityPoint, error)
	// CoverageAt returns the catalogue's coverage as the last run finished
	// at or before at left it, with the coverage the run before had left;
	// ErrNotFound when no run had finished by then.
	CoverageAt(ctx context.Context, at time.Time) (Coverage, error)

	Close() error
}
