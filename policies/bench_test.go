package policies

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// BenchmarkDecide measures one decision by the register's policy
// (testdata/registry.ttl: two prohibitions, three permissions, eleven
// constraints, a duty), alone and in a set with a gateway default.
func BenchmarkDecide(b *testing.B) {
	p := loadFile(b, "registry.ttl", LoadOptions{})[0]
	def := loadString(b, "default.ttl", ttlPrefixes+`<urn:gateway:default> odrl:prohibition [ odrl:action odrl:use ;
	  odrl:constraint [ odrl:leftOperand odrl:spatial ; odrl:operator odrl:isNoneOf ; odrl:rightOperand "EEA" ] ] .`, LoadOptions{})
	ctx := context.Background()
	cases := []struct {
		name  string
		set   *Set
		req   Request
		facts Facts
		want  Effect
	}{
		{"permit", NewSet(p), registryReq, nil, Permit},
		{"permit-with-default", NewSet(def, p), registryReq, nil, Permit},
		{"permit-by-consent", NewSet(p), with(registryReq, func(r *Request) { r.Purpose, r.Subject = "research", ola }), registry, Permit},
		{"deny-by-prohibition", NewSet(p), with(registryReq, func(r *Request) { r.RecipientClasses = []string{"commercial"} }), nil, Deny},
		{"deny-no-permission", NewSet(p), with(registryReq, func(r *Request) { r.RecipientCountry = "US" }), nil, Deny},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if d := c.set.Decide(ctx, &c.req, c.facts); d.Effect != c.want {
				b.Fatalf("Decide = %s: %s", d.Effect, d.Reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.set.Decide(ctx, &c.req, c.facts)
			}
		})
	}
}

// BenchmarkLoad measures reading and compiling the register's policy.
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"registry.ttl", "registry.jsonld", "dsp_contract_agreement_message_full.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Load(bytes.NewReader(data), name, LoadOptions{Aliases: dspAliases}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadHostile measures how long Load takes to refuse documents
// built to cost the most: over a limit, or (the last) just within
// MaxJSONValues, with every value on one property of one node, the JSON-LD
// processor's worst case.
func BenchmarkLoadHostile(b *testing.B) {
	var docs []struct{ name, doc string }
	add := func(name string, build func(*strings.Builder)) {
		var sb strings.Builder
		build(&sb)
		docs = append(docs, struct{ name, doc string }{name, sb.String()})
	}
	add("turtle-1MiB-of-policies", func(sb *strings.Builder) {
		sb.WriteString(ttlPrefixes)
		for i := 0; sb.Len() < 1<<20-300; i++ {
			fmt.Fprintf(sb, "<urn:p%d> odrl:permission [ odrl:action odrl:use ; odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand \"x\" ] ] .\n", i)
		}
	})
	add("turtle-50k-statements", func(sb *strings.Builder) {
		sb.WriteString(ttlPrefixes)
		for i := range 990 {
			fmt.Fprintf(sb, "<urn:p%d> odrl:permission [ odrl:action odrl:use ; odrl:constraint ", i)
			for j := range 10 {
				if j > 0 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(sb, "[ odrl:leftOperand odrl:purpose ; odrl:operator odrl:isAnyOf ; odrl:rightOperand \"a%d\", \"b\" ]", j)
			}
			sb.WriteString(" ] .\n")
		}
	})
	add("turtle-shared-parts", func(sb *strings.Builder) {
		sb.WriteString(ttlPrefixes + `_:c odrl:leftOperand odrl:purpose ; odrl:operator odrl:isAnyOf ; odrl:rightOperand ( `)
		for i := range 1000 {
			fmt.Fprintf(sb, `"p%d" `, i)
		}
		sb.WriteString(") .\n")
		for i := range 300 {
			fmt.Fprintf(sb, "<urn:test:p%d> odrl:permission [ odrl:action odrl:use ; odrl:constraint _:c ] .\n", i)
		}
	})
	add("jsonld-1MiB-array", func(sb *strings.Builder) {
		sb.WriteString(`{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:p", "permission": [{"action": "use", "constraint": [`)
		for i := 0; sb.Len() < 1<<20-200; i++ {
			if i > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(sb, `{"leftOperand": "purpose", "operator": "neq", "rightOperand": "p%d"}`, i)
		}
		sb.WriteString("]}]}")
	})
	add("jsonld-3998-values-on-one-property", func(sb *strings.Builder) {
		sb.WriteString(`{"@context": ["http://www.w3.org/ns/odrl.jsonld", {"c0": "odrl:constraint", "c1": "odrl:constraint"}], "uid": "urn:p", "permission": {"action": "use"`)
		for a := range 2 {
			fmt.Fprintf(sb, `, "c%d": [`, a)
			for i := range 1999 {
				if i > 0 {
					sb.WriteString(",")
				}
				sb.WriteString("{}")
			}
			sb.WriteString("]")
		}
		sb.WriteString("}}")
	})
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			for b.Loop() {
				Load(strings.NewReader(d.doc), d.name, LoadOptions{})
			}
		})
	}
}
