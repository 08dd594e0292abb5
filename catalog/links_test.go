package catalog

import (
	"reflect"
	"testing"
)

func TestLinkURLs(t *testing.T) {
	cases := []struct {
		name string
		d    Dataset
		want []string
	}{
		{"none", Dataset{Kind: KindDataset}, nil},
		{"distributions, each URL once, in order", Dataset{Kind: KindDataset, Distributions: []Distribution{
			{AccessURLs: []string{"https://a.example/api", ""}, DownloadURLs: []string{"https://a.example/x.csv"}},
			{AccessURLs: []string{"https://a.example/api"}, DownloadURLs: []string{"https://a.example/x.json", "https://a.example/x.csv"}},
		}}, []string{"https://a.example/api", "https://a.example/x.csv", "https://a.example/x.json"}},
		{"data service endpoints", Dataset{Kind: KindDataService, EndpointURLs: []string{"https://a.example/wms"},
			EndpointDescriptions: []string{"https://a.example/wms?request=GetCapabilities"}}, []string{"https://a.example/wms"}},
		{"a dataset's endpoint URLs are not its", Dataset{Kind: KindDataset, EndpointURLs: []string{"https://a.example/wms"}}, nil},
	}
	for _, tc := range cases {
		if got := LinkURLs(&tc.d); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: LinkURLs = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestLinkStatusesScore: link statuses are the Reachability of ScoreWith.
func TestLinkStatusesScore(t *testing.T) {
	d := Dataset{Kind: KindDataset, Distributions: []Distribution{{
		AccessURLs: []string{"https://a.example/api"}, DownloadURLs: []string{"https://a.example/x.csv"}}}}
	known := LinkStatuses{
		"https://a.example/api":   {URL: "https://a.example/api", Answered: true, Status: 200},
		"https://a.example/x.csv": {URL: "https://a.example/x.csv", Status: 404, Error: "HEAD 404 Not Found"},
	}
	q := ScoreWith(d, known)
	if c := q.Checks[ckAccessURL]; !c.Passed {
		t.Errorf("accessUrlStatusCode = %+v, want passed", c)
	}
	if c := q.Checks[ckDownloadURLStatus]; c.Passed || c.Note != NoteNoAnswer {
		t.Errorf("downloadUrlStatusCode = %+v, want failed: no answer", c)
	}
	if q.Unchecked != 0 {
		t.Errorf("Unchecked = %d, want 0", q.Unchecked)
	}
	if a, c := known.Reachable("https://a.example/other"); a || c {
		t.Errorf("Reachable(unknown) = %v, %v", a, c)
	}
}
