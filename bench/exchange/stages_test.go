package main

import "testing"

// TestQuantile: estimates as histogram_quantile makes them, linear within
// the bucket the rank falls in.
func TestQuantile(t *testing.T) {
	bounds := []float64{1, 2, 4}
	counts := []uint64{10, 30, 40} // cumulative: 10 in (0,1], 20 in (1,2], 10 in (2,4]
	for _, c := range []struct{ q, want float64 }{
		{0.125, 0.5}, // rank 5 of 40: half way into the first bucket
		{0.5, 1.5},   // rank 20: half way into (1,2]
		{0.875, 3},   // rank 35: half way into (2,4]
		{1, 4},
	} {
		if got := quantile(c.q, bounds, counts, 40); got != c.want {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
}
