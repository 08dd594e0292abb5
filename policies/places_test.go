package policies

import "testing"

func TestIsCountryCode(t *testing.T) {
	for code, want := range map[string]bool{
		"NO": true, "FI": true, "AX": true, "GR": true, "GB": true,
		"no": false, "EL": false, "UK": false, "XX": false, "N": false, "NOR": false, "": false, "N0": false,
	} {
		if got := IsCountryCode(code); got != want {
			t.Errorf("IsCountryCode(%q) = %v, want %v", code, got, want)
		}
	}
}
