package catalog

import "strings"

// The metadata-quality score of a record follows the data.europa.eu Metadata
// Quality Assessment (MQA): 23 checks in five dimensions, 405 points in all.
//
// Where the numbers come from. The points of every check are the trueScore
// values of Norway's MQA vocabulary, which says it is taken from the
// data.europa.eu default score values (piveau-dqv-vocabulary-default-score-values.ttl):
// testdata/corpus/no-dcat-ap-no/dcatno-mqa-vocabulary-default-score-values.ttl.
// The check ids are the local names of its metrics (dcatno-mqa:keywordAvailability,
// ...) and what each checks is the skos:definition of the metric in
// testdata/corpus/no-dcat-ap-no/dcatno-mqa-vocabulary.ttl. That file also
// gives formatMatch and syntaxValid (15 points each), which need the data
// itself; data.europa.eu's methodology does not count them (its dimensions
// total 100, 100, 110, 75 and 20: 405), and neither does Score.
//
// How distributions count. MQA computes the distribution-level metrics
// (accessibility, format and media type, licence, rights, byte size, dates)
// for every distribution, sums each distribution's points, and credits the
// dataset with the points of its single best distribution, the one with the
// highest sum; the methodology's reason is that the distributions of a
// dataset carry the same content. Score does the same: every
// distribution-level check of the result is that of one distribution
// (Quality.Distribution; the first of equals), so two checks are never
// passed by two different distributions. Issued and modified count for a
// distribution that has them or whose dataset has them (MQA falls back on
// the dataset's dates too).

// Dimensions of the MQA, as used in Check.Dimension and DimensionScore.Name.
const (
	Findability      = "findability"
	Accessibility    = "accessibility"
	Interoperability = "interoperability"
	Reusability      = "reusability"
	Contextuality    = "contextuality"
)

// MaxScore is the most points a record can score: the sum of the points of
// every check (405).
const MaxScore = 405

// Notes of checks that Score could not decide or that say why a check failed.
const (
	NoteNotChecked     = "not checked"     // the URLs were not checked: no Reachability, or it knows none of them
	NoteNoAnswer       = "no answer"       // every checked URL failed to answer
	NoteNoDistribution = "no distribution" // a distribution-level check of a record without one
)

// Quality is the metadata-quality score of one record, with what every check
// found.
type Quality struct {
	Score int `json:"score"`
	Max   int `json:"max"` // MaxScore
	// Unchecked is how many of Max no check could decide: the points of the
	// reachability checks when no link checker reported on the URLs. A
	// record scored without a Reachability can reach Max-Unchecked at most.
	Unchecked  int              `json:"unchecked,omitempty"`
	Dimensions []DimensionScore `json:"dimensions"` // in the order of the constants above
	Checks     []Check          `json:"checks"`     // in the order of the table in quality.go
	// Distribution is the index in Dataset.Distributions of the distribution
	// whose distribution-level checks count, or -1 when there is none (and
	// for a data service, which is scored on its own endpoint and licence).
	Distribution int `json:"distribution"`
}

// DimensionScore is the points of a record in one MQA dimension.
type DimensionScore struct {
	Name  string `json:"name"`
	Score int    `json:"score"`
	Max   int    `json:"max"`
}

// Check is the result of one MQA check of a record.
type Check struct {
	ID        string `json:"id"` // MQA metric: local name in the dcatno-mqa vocabulary
	Dimension string `json:"dimension"`
	Points    int    `json:"points"` // Max when Passed, else 0
	Max       int    `json:"max"`
	Passed    bool   `json:"passed"`
	Note      string `json:"note,omitempty"`
}

// Reachability is what a link checker knows of URLs. Reachable reports
// whether url was checked and, if it was, whether it answered as MQA counts
// an answer: an HTTP status from 200 to 399.
type Reachability interface {
	Reachable(url string) (answered, checked bool)
}

// ReachabilityMap is a Reachability that knows the URLs it holds: a URL maps
// to whether it answered.
type ReachabilityMap map[string]bool

// Reachable reports whether url is in m and, if it is, whether it answered.
func (m ReachabilityMap) Reachable(url string) (answered, checked bool) {
	answered, checked = m[url]
	return answered, checked
}

// Indexes of the checks in checkTable and Quality.Checks.
const (
	ckKeyword = iota
	ckCategory
	ckSpatial
	ckTemporal
	ckAccessURL
	ckDownloadURL
	ckDownloadURLStatus
	ckFormat
	ckMediaType
	ckFormatVocabulary
	ckNonProprietary
	ckMachineReadable
	ckDCATAP
	ckLicence
	ckKnownLicence
	ckAccessRights
	ckAccessRightsVocabulary
	ckContactPoint
	ckPublisher
	ckRights
	ckByteSize
	ckIssued
	ckModified
	numChecks
)

// checkTable lists the checks: MQA metric, dimension, points (trueScore in
// dcatno-mqa-vocabulary-default-score-values.ttl) and whether MQA computes it
// on each distribution.
var checkTable = [numChecks]struct {
	id, dim      string
	max          int
	distribution bool
}{
	ckKeyword:                {"keywordAvailability", Findability, 30, false},       // dcat:keyword
	ckCategory:               {"categoryAvailability", Findability, 30, false},      // dcat:theme
	ckSpatial:                {"spatialAvailability", Findability, 20, false},       // dct:spatial
	ckTemporal:               {"temporalAvailability", Findability, 20, false},      // dct:temporal
	ckAccessURL:              {"accessUrlStatusCode", Accessibility, 50, true},      // dcat:accessURL answers
	ckDownloadURL:            {"downloadUrlAvailability", Accessibility, 20, true},  // dcat:downloadURL
	ckDownloadURLStatus:      {"downloadUrlStatusCode", Accessibility, 30, true},    // dcat:downloadURL answers
	ckFormat:                 {"formatAvailability", Interoperability, 20, true},    // dct:format
	ckMediaType:              {"mediaTypeAvailability", Interoperability, 10, true}, // dcat:mediaType
	ckFormatVocabulary:       {"formatMediaTypeVocabularyAlignment", Interoperability, 10, true},
	ckNonProprietary:         {"formatMediaTypeNonProprietary", Interoperability, 20, true},
	ckMachineReadable:        {"formatMediaTypeMachineInterpretable", Interoperability, 20, true},
	ckDCATAP:                 {"dcatApCompliance", Interoperability, 30, false},
	ckLicence:                {"licenceAvailability", Reusability, 20, true}, // dct:license
	ckKnownLicence:           {"knownLicence", Reusability, 10, true},
	ckAccessRights:           {"accessRightsAvailability", Reusability, 10, false}, // dct:accessRights
	ckAccessRightsVocabulary: {"accessRightsVocabularyAlignment", Reusability, 5, false},
	ckContactPoint:           {"contactPointAvailability", Reusability, 20, false}, // dcat:contactPoint
	ckPublisher:              {"publisherAvailability", Reusability, 10, false},    // dct:publisher
	ckRights:                 {"rightsAvailability", Contextuality, 5, true},       // dct:rights
	ckByteSize:               {"byteSizeAvailability", Contextuality, 5, true},     // dcat:byteSize
	ckIssued:                 {"dateIssuedAvailability", Contextuality, 5, true},   // dct:issued
	ckModified:               {"dateModifiedAvailability", Contextuality, 5, true}, // dct:modified
}

var dimensionOrder = [...]string{Findability, Accessibility, Interoperability, Reusability, Contextuality}

// nonProprietary lists the EU file-type codes data.europa.eu counts as
// non-proprietary formats: its list edp-non-proprietary-format.rdf (the EDP
// vocabularies), as public re-implementations of MQA copy it; the file
// itself was not at hand. Spreadsheet formats of one vendor (XLS, XLSX) are
// not in it; ODS is.
var nonProprietary = map[string]bool{
	"BMP": true, "CSV": true, "DBF": true, "GEOJSON": true, "GZIP": true,
	"HTML": true, "ICS": true, "JPEG2000": true, "JSON": true, "JSON_LD": true,
	"KML": true, "KMZ": true, "NETCDF": true, "ODS": true, "PNG": true,
	"RDF_N_QUADS": true, "RDF_N_TRIPLES": true, "RDF_TRIG": true,
	"RDF_TURTLE": true, "RDF_XML": true, "RSS": true, "RTF": true, "TAR": true,
	"TIFF": true, "TSV": true, "TXT": true, "WMS_SRVC": true, "XML": true,
	"ZIP": true,
}

// machineReadable lists the EU file-type codes data.europa.eu counts as
// machine-interpretable formats: its list edp-machine-readable-format.rdf,
// from the same copies. It has XLS and XLSX, and no PDF, HTML or image
// format.
var machineReadable = map[string]bool{
	"CSV": true, "GEOJSON": true, "ICS": true, "JSON": true, "JSON_LD": true,
	"KML": true, "KMZ": true, "NETCDF": true, "ODS": true, "RDFA": true,
	"RDF_N_QUADS": true, "RDF_N_TRIPLES": true, "RDF_TRIG": true,
	"RDF_TURTLE": true, "RDF_XML": true, "RSS": true, "SHP": true, "XLS": true,
	"XLSX": true, "XML": true,
}

// Score returns the metadata quality of d without a link checker: the
// reachability checks (accessUrlStatusCode, downloadUrlStatusCode, 80
// points) score 0, with NoteNotChecked where there are URLs to check. It is
// ScoreWith(d, nil).
func Score(d Dataset) Quality {
	return ScoreWith(d, nil)
}

// ScoreWith returns the metadata quality of d on the MQA checks (see the
// table in quality.go), taking whether its URLs answered from r. A nil r, or
// one that checked none of a distribution's URLs, leaves the reachability
// checks undecided: 0 points, NoteNotChecked, counted in Quality.Unchecked.
// ScoreWith does no I/O and does not change d.
//
// The checks read what the mapping put in the record:
//   - "from vocabulary" checks: Distribution.FormatEU (the format, or failing
//     it the media type, is an EU file type), Distribution.LicenseEU and
//     Dataset.AccessRightsEU are not empty;
//   - non-proprietary and machine-readable: Distribution.FormatEU is in the
//     data.europa.eu lists (nonProprietary, machineReadable);
//   - media type: Distribution.MediaType is not empty. The mapping fills it
//     from a known dct:format when the source gave no dcat:mediaType, so this
//     check passes where MQA would want the property itself;
//   - DCAT-AP compliance approximates the SHACL verdict of MQA: the record
//     has every property DCAT-AP 3.0.1 marks mandatory for its class (a
//     dataset or dataset series: dct:title and dct:description, and every
//     distribution a dcat:accessURL; a data service: dct:title and
//     dcat:endpointURL).
//
// A data service (Kind KindDataService) without distributions is scored as
// if it were its own distribution: its endpoint URLs as access URLs, its
// licence as the distribution's. MQA itself scores datasets only.
func ScoreWith(d Dataset, r Reachability) Quality {
	q := Quality{
		Max:          MaxScore,
		Checks:       make([]Check, numChecks),
		Dimensions:   make([]DimensionScore, len(dimensionOrder)),
		Distribution: -1,
	}
	var pass [numChecks]bool
	var note [numChecks]string

	// Dataset-level checks.
	pass[ckKeyword] = hasText(d.Keywords)
	pass[ckCategory] = len(d.Themes) > 0
	if pass[ckCategory] && len(d.EUThemes) == 0 {
		note[ckCategory] = "no EU data theme"
	}
	pass[ckSpatial] = len(d.Spatial) > 0
	pass[ckTemporal] = len(d.Temporal) > 0 || len(d.Profile[nsDCT+"temporal"]) > 0
	pass[ckDCATAP], note[ckDCATAP] = dcatAPMandatory(&d)
	pass[ckAccessRights] = d.AccessRights != ""
	pass[ckAccessRightsVocabulary] = d.AccessRightsEU != ""
	pass[ckContactPoint] = len(d.ContactPoints) > 0
	pass[ckPublisher] = d.Publisher != nil

	// Distribution-level checks: those of the best distribution.
	var best distChecks
	switch {
	case len(d.Distributions) > 0:
		for i := range d.Distributions {
			c := scoreDistribution(&d.Distributions[i], &d, r)
			if i == 0 || c.points > best.points {
				best, q.Distribution = c, i
			}
		}
	case d.Kind == KindDataService:
		svc := Distribution{AccessURLs: d.EndpointURLs, License: d.License}
		if d.License != "" {
			svc.LicenseEU = LicenceCode(d.License)
		}
		best = scoreDistribution(&svc, &d, r)
	default:
		for i := range checkTable {
			if checkTable[i].distribution {
				best.note[i] = NoteNoDistribution
			}
		}
		// MQA's fallback on the dataset's dates holds without distributions.
		if best.pass[ckIssued] = d.Issued != ""; best.pass[ckIssued] {
			best.note[ckIssued] = ""
		}
		if best.pass[ckModified] = d.Modified != ""; best.pass[ckModified] {
			best.note[ckModified] = ""
		}
	}
	for i := range checkTable {
		if checkTable[i].distribution {
			pass[i], note[i] = best.pass[i], best.note[i]
		}
	}

	for i, def := range checkTable {
		c := Check{ID: def.id, Dimension: def.dim, Max: def.max, Passed: pass[i], Note: note[i]}
		if c.Passed {
			c.Points = def.max
		} else if c.Note == NoteNotChecked {
			q.Unchecked += def.max
		}
		q.Checks[i] = c
		q.Score += c.Points
	}
	for j, name := range dimensionOrder {
		ds := DimensionScore{Name: name}
		for _, c := range q.Checks {
			if c.Dimension == name {
				ds.Score += c.Points
				ds.Max += c.Max
			}
		}
		q.Dimensions[j] = ds
	}
	return q
}

// distChecks is what the distribution-level checks found for one
// distribution, with its points.
type distChecks struct {
	pass   [numChecks]bool
	note   [numChecks]string
	points int
}

// scoreDistribution runs the distribution-level checks on dist of d.
func scoreDistribution(dist *Distribution, d *Dataset, r Reachability) distChecks {
	var c distChecks
	c.pass[ckAccessURL], c.note[ckAccessURL] = reachable(dist.AccessURLs, r, "no access URL")
	c.pass[ckDownloadURL] = len(dist.DownloadURLs) > 0
	c.pass[ckDownloadURLStatus], c.note[ckDownloadURLStatus] = reachable(dist.DownloadURLs, r, "no download URL")
	c.pass[ckFormat] = dist.Format != ""
	c.pass[ckMediaType] = dist.MediaTypeGiven != "" // a media type derived from dct:format does not count, as in MQA
	c.pass[ckFormatVocabulary] = dist.FormatEU != ""
	c.pass[ckNonProprietary] = nonProprietary[dist.FormatEU]
	c.pass[ckMachineReadable] = machineReadable[dist.FormatEU]
	c.pass[ckLicence] = dist.License != ""
	c.pass[ckKnownLicence] = dist.LicenseEU != ""
	c.pass[ckRights] = dist.Rights != ""
	c.pass[ckByteSize] = dist.ByteSize != ""
	c.pass[ckIssued] = dist.Issued != "" || d.Issued != ""
	c.pass[ckModified] = dist.Modified != "" || d.Modified != ""
	for i, p := range c.pass {
		if p {
			c.points += checkTable[i].max
		}
	}
	return c
}

// reachable reports whether one of urls answered, by r; with the note of a
// failure: none (missing) given, none checked, or none of those checked
// answered.
func reachable(urls []string, r Reachability, missing string) (bool, string) {
	if len(urls) == 0 {
		return false, missing
	}
	if r == nil {
		return false, NoteNotChecked
	}
	checked := false
	for _, u := range urls {
		ok, known := r.Reachable(u)
		if ok && known {
			return true, ""
		}
		checked = checked || known
	}
	if checked {
		return false, NoteNoAnswer
	}
	return false, NoteNotChecked
}

// dcatAPMandatory reports whether d has the properties DCAT-AP 3.0.1 marks
// mandatory for its class, and if not, which it lacks.
func dcatAPMandatory(d *Dataset) (bool, string) {
	var missing []string
	if !hasText(d.Title) {
		missing = append(missing, "dct:title")
	}
	if d.Kind == KindDataService {
		if len(d.EndpointURLs) == 0 {
			missing = append(missing, "dcat:endpointURL")
		}
	} else {
		if !hasText(d.Description) {
			missing = append(missing, "dct:description")
		}
		for i := range d.Distributions {
			if len(d.Distributions[i].AccessURLs) == 0 {
				missing = append(missing, "dcat:accessURL of a distribution")
				break
			}
		}
	}
	if len(missing) == 0 {
		return true, ""
	}
	return false, "missing " + strings.Join(missing, ", ")
}

// hasText reports whether t holds a value that is not empty.
func hasText(t Text) bool {
	for _, vs := range t {
		for _, v := range vs {
			if strings.TrimSpace(v) != "" {
				return true
			}
		}
	}
	return false
}

// Averages returns the mean score of scores and the mean score in each
// dimension, by dimension name: what a publisher, a source or a country
// scores on average over its records. For no scores it returns 0 and an
// empty map.
func Averages(scores []Quality) (overall float64, byDimension map[string]float64) {
	byDimension = make(map[string]float64, len(dimensionOrder))
	if len(scores) == 0 {
		return 0, byDimension
	}
	n := float64(len(scores))
	for _, q := range scores {
		overall += float64(q.Score)
		for _, ds := range q.Dimensions {
			byDimension[ds.Name] += float64(ds.Score)
		}
	}
	for k, v := range byDimension {
		byDimension[k] = v / n
	}
	return overall / n, byDimension
}
