package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The broker's and the audit log's own metrics tell where samband's time
// went in a run: the gateway's stages (samband_exchange_stage_seconds)
// and the audit log's commits. stageSnapshot takes the histograms before
// a run and stageTable writes what the run added, as the gateway's
// /metrics would show an operator.
type stageSnapshot map[string]*dto.Histogram // by series: name{labels}

func snapshotStages(g prometheus.Gatherer) (stageSnapshot, error) {
	mfs, err := g.Gather()
	if err != nil {
		return nil, err
	}
	s := stageSnapshot{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				s[seriesName(mf.GetName(), m)] = h
			}
		}
	}
	return s, nil
}

// seriesName is name with the values of its labels: samband_exchange_stage_seconds{provider,audit}.
func seriesName(name string, m *dto.Metric) string {
	var vals []string
	for _, lp := range m.GetLabel() {
		vals = append(vals, lp.GetValue())
	}
	if len(vals) == 0 {
		return name
	}
	return name + "{" + strings.Join(vals, ",") + "}"
}

// stageTable writes, for each histogram after holds, what it gained since
// before: count, mean, and the p50 and p99 as Prometheus's
// histogram_quantile would estimate them (linear within a bucket).
func stageTable(w io.Writer, before, after stageSnapshot, unit func(float64) string) {
	fmt.Fprintln(w, "| series | count | mean | p50 | p99 |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	names := make([]string, 0, len(after))
	for k := range after {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		a, b := after[k], before[k]
		n := a.GetSampleCount()
		sum := a.GetSampleSum()
		var bounds []float64
		var counts []uint64
		for i, bk := range a.GetBucket() {
			c := bk.GetCumulativeCount()
			if b != nil && i < len(b.GetBucket()) {
				c -= b.GetBucket()[i].GetCumulativeCount()
			}
			bounds = append(bounds, bk.GetUpperBound())
			counts = append(counts, c)
		}
		if b != nil {
			n -= b.GetSampleCount()
			sum -= b.GetSampleSum()
		}
		if n == 0 {
			continue
		}
		u := unit
		if strings.HasSuffix(strings.SplitN(k, "{", 2)[0], "_entries") {
			u = func(v float64) string { return fmt.Sprintf("%.1f", v) }
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", k, n, u(sum/float64(n)),
			u(quantile(0.5, bounds, counts, n)), u(quantile(0.99, bounds, counts, n)))
	}
}

// quantile estimates the q-quantile of n observations from cumulative
// bucket counts, as histogram_quantile does: linear within the bucket it
// falls in; past the last bound, that bound.
func quantile(q float64, bounds []float64, counts []uint64, n uint64) float64 {
	rank := q * float64(n)
	lower, below := 0.0, uint64(0)
	for i, c := range counts {
		if float64(c) >= rank {
			if c == below {
				return bounds[i]
			}
			return lower + (bounds[i]-lower)*(rank-float64(below))/float64(c-below)
		}
		lower, below = bounds[i], c
	}
	if len(bounds) > 0 && !math.IsInf(bounds[len(bounds)-1], 1) {
		return bounds[len(bounds)-1]
	}
	return lower
}
