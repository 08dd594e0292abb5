package main

import (
	"encoding/json"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestOpenAPICoversRoutes: every route the server registers is described in
// the OpenAPI document, and every described operation is a registered route.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("api/openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				described[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	s := newServer(nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	s.routes(prometheus.NewRegistry())
	registered := map[string]bool{}
	for _, p := range s.patterns {
		registered[p] = true
		if !described[p] {
			t.Errorf("route %q is not in api/openapi.json", p)
		}
	}
	// The exchange is served by the broker before the router (see
	// withExchange), for every method: it is described, not registered.
	if !described["GET /exchange/v1/{country}/{organisation}/{service}/{path}"] {
		t.Error("api/openapi.json does not describe the exchange, /exchange/v1/{country}/{organisation}/{service}/{path}")
	}
	var extra []string
	for op := range described {
		if _, path, _ := strings.Cut(op, " "); strings.HasPrefix(path, "/exchange/v1/") {
			continue
		}
		if !registered[op] {
			extra = append(extra, op)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("api/openapi.json describes operations no route serves: %v", extra)
	}
	if len(registered) < 8 {
		t.Fatalf("only %d routes registered: %v", len(registered), s.patterns)
	}
}
