package catalog

import "time"

// The coverage of the catalogue is kept from every harvest run: when a run
// finishes, the store notes how many live records the whole catalogue
// holds of each country and EU data theme, and how good their metadata
// are by country. A record counts under the country of the statement it
// holds (the Country of its owner's SourceRecord), once under each of its
// EUThemes, and under the theme "" when it has none.

// CoveragePoint is how many live records of one country and one EU data
// theme the catalogue held when a harvest run finished.
type CoveragePoint struct {
	Time    time.Time `json:"time"`    // when the run finished
	Run     int64     `json:"run"`     // Report.ID
	Source  string    `json:"source"`  // the run's source
	Country string    `json:"country"` // ISO 3166-1 alpha-2, as the source's configuration gives it
	Theme   string    `json:"theme"`   // EU data-theme code ("ECON"); "" for records without one
	Count   int       `json:"count"`
}

// QualityPoint is how many live records of one country the catalogue held
// when a harvest run finished, and their mean quality score.
type QualityPoint struct {
	Time    time.Time `json:"time"`
	Run     int64     `json:"run"`
	Source  string    `json:"source"`
	Country string    `json:"country"`
	Count   int       `json:"count"`  // live records
	Scored  int       `json:"scored"` // of which have a Quality
	// Mean is the mean Quality.Score of the scored records (of MaxScore
	// points); 0 when none is scored.
	Mean float64 `json:"mean"`
}

// Coverage is the catalogue as one finished harvest run left it.
type Coverage struct {
	Run     int64           `json:"run"`
	Source  string          `json:"source"`
	Time    time.Time       `json:"time"`
	Themes  []CoveragePoint `json:"themes"`  // by country, then theme
	Quality []QualityPoint  `json:"quality"` // by country
	// Previous is the catalogue as the run that finished before this one
	// left it, for the change between them; nil when there was none. Its
	// own Previous is nil.
	Previous *Coverage `json:"previous,omitempty"`
}
