package exchange

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// ServiceConfig is one exchangeable service as the gateway's configuration
// gives it. The service is a dcat:DataService of the catalogue (harvested,
// or local in a file source): Record names it, and Endpoint must be one of
// the record's endpoint URLs. Requests reach Endpoint and nothing else.
type ServiceConfig struct {
	// Country and Organisation are the provider's: the service's address
	// is /exchange/v1/{country}/{organisation}/{name}/...
	Country      string `yaml:"country"`
	Organisation string `yaml:"organisation"`
	Name         string `yaml:"name"`
	// Record is the IRI (or catalogue id) of the dcat:DataService record.
	Record string `yaml:"record"`
	// Endpoint is the base URL requests are forwarded to: the path after
	// the service's name is appended to its path.
	Endpoint string `yaml:"endpoint"`
	// Methods are the HTTP methods the service answers; default GET.
	Methods []string `yaml:"methods"`
	// Paths are the paths under the service that may be asked for: an
	// exact path ("/v1/status") or a prefix ending in "/*" ("/v1/deaths/*");
	// default: every path.
	Paths []string `yaml:"paths"`
	// AllowPrivate lets the gateway connect to a loopback or private
	// address for this service (a register on the authority's own
	// network); refused by default. Link-local and reserved addresses are
	// refused always.
	AllowPrivate bool `yaml:"allow_private"`
}

// Service is an exchangeable service, checked.
type Service struct {
	ID                          string // "NO/974760673/death-records"
	Country, Organisation, Name string
	Record                      string
	Endpoint                    *url.URL
	Methods                     []string
	Paths                       []string
	AllowPrivate                bool
}

var (
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
	orgRE     = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	serviceRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	methodRE  = regexp.MustCompile(`^[A-Z]{1,16}$`)
)

// NewService checks c and returns the service it describes.
func NewService(c ServiceConfig) (*Service, error) {
	var problems []string
	if !countryRE.MatchString(c.Country) {
		problems = append(problems, fmt.Sprintf("country %q is not an ISO 3166-1 alpha-2 code such as NO", c.Country))
	}
	if !orgRE.MatchString(c.Organisation) {
		problems = append(problems, fmt.Sprintf("organisation %q: 1 to 64 of A-Z a-z 0-9 . _ -", c.Organisation))
	}
	if !serviceRE.MatchString(c.Name) {
		problems = append(problems, fmt.Sprintf("name %q: lower case letters, digits, . _ -, starting with a letter or digit", c.Name))
	}
	if strings.TrimSpace(c.Record) == "" {
		problems = append(problems, "record: empty; the dcat:DataService record the service is")
	}
	u, err := url.Parse(c.Endpoint)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("endpoint: %v", err))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		problems = append(problems, fmt.Sprintf("endpoint %q: an absolute http or https URL", c.Endpoint))
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		problems = append(problems, fmt.Sprintf("endpoint %q: no user, query or fragment", c.Endpoint))
	}
	methods := c.Methods
	if len(methods) == 0 {
		methods = []string{http.MethodGet}
	}
	for _, m := range methods {
		if !methodRE.MatchString(m) {
			problems = append(problems, fmt.Sprintf("methods: %q is not an upper-case HTTP method", m))
		}
	}
	for _, p := range c.Paths {
		if !strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.Contains(p, "//") ||
			(strings.Contains(p, "*") && !strings.HasSuffix(p, "/*")) || strings.Count(p, "*") > 1 {
			problems = append(problems, fmt.Sprintf("paths: %q is not an absolute path or a prefix ending in /*", p))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return &Service{
		ID:      c.Country + "/" + c.Organisation + "/" + c.Name,
		Country: c.Country, Organisation: c.Organisation, Name: c.Name,
		Record: c.Record, Endpoint: u, Methods: methods, Paths: c.Paths,
		AllowPrivate: c.AllowPrivate,
	}, nil
}

// allows says whether the service answers method on path (the escaped
// path after the service's name, starting with "/"). The error wraps
// ErrMethod or ErrUnknownService.
func (s *Service) allows(method, path string) error {
	if !slices.Contains(s.Methods, method) {
		return fmt.Errorf("%w: %s answers %s, not %s", ErrMethod, s.ID, strings.Join(s.Methods, ", "), method)
	}
	if len(s.Paths) == 0 {
		return nil
	}
	for _, p := range s.Paths {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(path, prefix) {
				return nil
			}
		} else if path == p {
			return nil
		}
	}
	return fmt.Errorf("%w: %s offers no path %s", ErrUnknownService, s.ID, path)
}

// upstreamURL is where a request for path and query goes: the endpoint's
// path joined with the (escaped) path, as received.
func (s *Service) upstreamURL(path, rawQuery string) string {
	out := s.Endpoint.Scheme + "://" + s.Endpoint.Host + s.Endpoint.EscapedPath() + path
	if rawQuery != "" {
		out += "?" + rawQuery
	}
	return out
}
