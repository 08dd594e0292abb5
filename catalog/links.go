package catalog

import (
	"errors"
	"time"
)

// ErrChanged is returned by Store.SetQuality when the record changed since
// the caller read it: the quality was computed from content that is no
// longer current.
var ErrChanged = errors.New("record changed since it was read")

// LinkStatus is what the link checker found when it last asked one URL
// whether it answers.
type LinkStatus struct {
	URL     string    `json:"url"`
	Checked time.Time `json:"checked"`
	// Answered is true when the URL answered as MQA counts an answer: an
	// HTTP status from 200 to 399 once redirects were followed.
	Answered bool `json:"answered"`
	// Status is the HTTP status of the last response; 0 when there was none
	// (a network error, a refused address, a URL that was not requested).
	Status int `json:"status,omitempty"`
	// FinalURL is where the redirects led, when they led elsewhere.
	FinalURL string `json:"final_url,omitempty"`
	// Error says why the URL did not answer; empty when it did.
	Error string `json:"error,omitempty"`
}

// LinkStatuses are link statuses by URL. They are a Reachability: a URL
// they hold was checked, and answered as its status says.
type LinkStatuses map[string]LinkStatus

// Reachable reports whether url is in m and, if it is, whether it answered.
func (m LinkStatuses) Reachable(url string) (answered, checked bool) {
	st, checked := m[url]
	return st.Answered, checked
}

// LinkURLs returns the URLs of d whose answers the quality score counts,
// each once, in the order of the record: the access and download URLs of
// its distributions and, for a data service, its endpoint URLs.
func LinkURLs(d *Dataset) []string {
	var urls []string
	seen := map[string]bool{}
	add := func(us []string) {
		for _, u := range us {
			if u != "" && !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	for i := range d.Distributions {
		add(d.Distributions[i].AccessURLs)
		add(d.Distributions[i].DownloadURLs)
	}
	if d.Kind == KindDataService {
		add(d.EndpointURLs)
	}
	return urls
}
