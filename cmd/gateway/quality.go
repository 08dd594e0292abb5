package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"samband/catalog"
	"samband/catalog/search"
)

// dimensionMax is the most points of each MQA dimension, in the order of
// search.Dimensions.
var dimensionMax = func() []int {
	q := catalog.Score(catalog.Dataset{})
	out := make([]int, len(search.Dimensions))
	for _, d := range q.Dimensions {
		if i := slices.Index(search.Dimensions, d.Name); i >= 0 {
			out[i] = d.Max
		}
	}
	return out
}()

// qualityRow is the metadata quality of the records with one value.
type qualityRow struct {
	Value   string `json:"value"`
	Records int    `json:"records"`
	Scored  int    `json:"scored"`
	// Score is the mean MQA points of the scored records, of catalog.MaxScore;
	// Percent the same as a percentage.
	Score      float64                  `json:"score"`
	Percent    float64                  `json:"percent"`
	Dimensions map[string]dimensionMean `json:"dimensions"`
}

type dimensionMean struct {
	Score float64 `json:"score"`
	Max   int     `json:"max"`
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// aggregateParams reads the search (q, lang and the filters, as
// filterParams reads them for /api/v1/datasets) that narrows an aggregate,
// refusing parameters other than those and allowed.
func aggregateParams(r *http.Request, allowed ...string) (search.Query, error) {
	v := r.URL.Query()
	q := search.Query{Text: v.Get("q"), Lang: v.Get("lang"), Filters: filterParams(v)}
	for k := range v {
		if k != "q" && k != "lang" && !slices.Contains(allowed, k) && !slices.Contains(search.FacetNames, k) {
			return q, badRequest("unknown parameter %s; the parameters are %s, q, lang and the filters %s",
				k, strings.Join(allowed, ", "), strings.Join(search.FacetNames, ", "))
		}
	}
	return q, nil
}

// quality answers GET /api/v1/quality?by=FACET: the mean MQA score, overall
// and by dimension, of the records with each value of a facet (publisher,
// source, country, ...), optionally of a search.
func (s *server) quality(w http.ResponseWriter, r *http.Request) error {
	if s.index == nil {
		return &httpError{status: http.StatusServiceUnavailable, detail: "the search index is not open"}
	}
	q, err := aggregateParams(r, "by")
	if err != nil {
		return err
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = search.FacetPublisher
	}
	cells, err := s.index.Aggregate(r.Context(), []string{by}, q)
	if err != nil {
		if errors.Is(err, search.ErrQuery) {
			return badRequest("%s", strings.TrimPrefix(err.Error(), search.ErrQuery.Error()+": "))
		}
		return err
	}
	rows := make([]qualityRow, 0, len(cells))
	for _, c := range cells {
		row := qualityRow{Value: c.Values[0], Records: c.Records, Scored: c.Scored, Dimensions: map[string]dimensionMean{}}
		if c.Scored > 0 {
			row.Score = round1(float64(c.Score) / float64(c.Scored))
			row.Percent = round1(100 * float64(c.Score) / float64(c.Scored) / catalog.MaxScore)
		}
		for i, name := range search.Dimensions {
			m := dimensionMean{Max: dimensionMax[i]}
			if c.Scored > 0 {
				m.Score = round1(float64(c.Dimensions[i]) / float64(c.Scored))
			}
			row.Dimensions[name] = m
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b qualityRow) int { return b.Records - a.Records })
	if wantsCSV(r) {
		header := []string{by, "records", "scored", "score", "percent"}
		header = append(header, search.Dimensions...)
		var lines [][]string
		for _, row := range rows {
			line := []string{row.Value, strconv.Itoa(row.Records), strconv.Itoa(row.Scored), ftoa(row.Score), ftoa(row.Percent)}
			for _, d := range search.Dimensions {
				line = append(line, ftoa(row.Dimensions[d].Score))
			}
			lines = append(lines, line)
		}
		return writeCSV(w, "quality-by-"+by+".csv", header, lines)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"by": by, "max": catalog.MaxScore, "items": rows})
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// wantsCSV reports whether the request asks for CSV: Accept: text/csv
// (preferred over JSON) or format=csv.
func wantsCSV(r *http.Request) bool {
	if r.URL.Query().Get("format") == "csv" {
		return true
	}
	best, bestQ := "", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == "q" {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		mt = strings.ToLower(strings.TrimSpace(mt))
		if (mt == "text/csv" || mt == "application/json") && q > bestQ {
			best, bestQ = mt, q
		}
	}
	return best == "text/csv" && bestQ > 0
}

// writeCSV writes an RFC 4180 table with a header row.
func writeCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", filename))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, row := range rows {
		for i, cell := range row {
			// A cell a spreadsheet would run as a formula is quoted as text.
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				if _, err := strconv.ParseFloat(cell, 64); err != nil {
					row[i] = "'" + cell
				}
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
