package rdf

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// scopedContextBomb is a small document that makes json-gold apply a type-scoped
// context of terms definitions to each of nodes objects: seconds of CPU from
// kilobytes.
func scopedContextBomb(terms, nodes int) []byte {
	var ctx, b bytes.Buffer
	for i := range terms {
		if i > 0 {
			ctx.WriteString(",")
		}
		fmt.Fprintf(&ctx, `"t%d": "http://x.example/t%d"`, i, i)
	}
	fmt.Fprintf(&b, `{"@context": {"T": {"@id": "http://x.example/T", "@context": {%s}}}, "@graph": [`, ctx.String())
	for i := range nodes {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"@id": "http://x.example/n%d", "@type": "T", "t1": "v"}`, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestJSONLDWorkBound(t *testing.T) {
	cases := []struct {
		name         string
		terms, nodes int
		refused      bool
	}{
		{"small scoped context, many nodes", 10, 2000, false},
		{"large scoped context, few nodes", 2000, 10, false},
		{"large scoped context, many nodes", 2000, 2000, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := scopedContextBomb(tc.terms, tc.nodes)
			n := 0
			err := Decode(bytes.NewReader(doc), JSONLD, Options{}, func(Triple) error { n++; return nil })
			if tc.refused {
				var de *Error
				if !errors.Is(err, ErrTooLarge) || !errors.As(err, &de) || de.Line != 1 {
					t.Fatalf("Decode(bomb %d×%d) = %v, want *Error wrapping ErrTooLarge", tc.terms, tc.nodes, err)
				}
				return
			}
			if err != nil || n != 2*tc.nodes {
				t.Fatalf("Decode(%d×%d) = %d triples, %v; want %d, nil", tc.terms, tc.nodes, n, err, 2*tc.nodes)
			}
		})
	}
}

func TestJSONLDWorkFollowsRemoteContexts(t *testing.T) {
	// The scoped terms may come from a remote context; they count the same.
	var ctx bytes.Buffer
	for i := range 2000 {
		if i > 0 {
			ctx.WriteString(",")
		}
		fmt.Fprintf(&ctx, `"t%d": "http://x.example/t%d"`, i, i)
	}
	remote := fmt.Sprintf(`{"@context": {"T": {"@id": "http://x.example/T", "@context": {%s}}}}`, ctx.String())
	var doc bytes.Buffer
	doc.WriteString(`{"@context": "https://contexts.example/big.jsonld", "@graph": [`)
	for i := range 2000 {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `{"@id": "http://x.example/n%d", "@type": "T"}`, i)
	}
	doc.WriteString("]}")
	loader := ContextLoaderFunc(func(iri string) ([]byte, error) {
		if iri == "https://contexts.example/big.jsonld" {
			return []byte(remote), nil
		}
		return nil, ErrRemoteContext
	})
	err := Decode(&doc, JSONLD, Options{Contexts: loader}, func(Triple) error { return nil })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Decode(remote scoped bomb) = %v, want ErrTooLarge", err)
	}
}
