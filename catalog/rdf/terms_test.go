package rdf

import (
	"testing"
	"unsafe"

	knakk "github.com/knakk/rdf"
)

// TestTermLayout guards the casts in terms.go: if knakk's IRI or Literal ever
// change shape, this fails before any decoder builds a broken term.
func TestTermLayout(t *testing.T) {
	if unsafe.Sizeof(IRI{}) != unsafe.Sizeof("") {
		t.Fatalf("knakk IRI is %d bytes, want the size of one string", unsafe.Sizeof(IRI{}))
	}
	if unsafe.Sizeof(Literal{}) != unsafe.Sizeof(literalLayout{}) {
		t.Fatalf("knakk Literal is %d bytes, mirror is %d", unsafe.Sizeof(Literal{}), unsafe.Sizeof(literalLayout{}))
	}
	want, err := knakk.NewIRI("http://example.org/a")
	if err != nil {
		t.Fatal(err)
	}
	if got := iriOf("http://example.org/a"); got != want {
		t.Fatalf("iriOf = %#v, want %#v", got, want)
	}
	kb, err := knakk.NewBlank("b1")
	if err != nil {
		t.Fatal(err)
	}
	if got := NewBlank("b1"); got != kb || unsafe.Sizeof(Blank{}) != unsafe.Sizeof("") {
		t.Fatalf("NewBlank = %#v, want %#v", got, kb)
	}
	var bl blankLabels
	if got := bl.fresh(); got.String() != "genid1" {
		t.Fatalf("fresh() = %q, want genid1", got.String())
	}
	kl, err := knakk.NewLangLiteral("hei", "nb-NO")
	if err != nil {
		t.Fatal(err)
	}
	if got := langLiteralOf("hei", "nb-NO"); got != kl {
		t.Fatalf("langLiteralOf = %#v, want %#v", got, kl)
	}
	l, err := NewLangLiteral("Beograd", "sr-Latn-RS")
	if err != nil {
		t.Fatal(err)
	}
	if l.Lang() != "sr-Latn-RS" || l.String() != "Beograd" || l.DataType.String() != rdfLangString {
		t.Fatalf("NewLangLiteral = %#v", l)
	}
}

func TestNewLangLiteralRejects(t *testing.T) {
	for _, tag := range []string{"", "-en", "en-", "en--us", "1en", "en us", "en_US"} {
		if _, err := NewLangLiteral("x", tag); err == nil {
			t.Errorf("NewLangLiteral(%q) = nil error, want error", tag)
		}
	}
}

func TestNewIRIRejects(t *testing.T) {
	for _, s := range []string{"", "http://a b", "http://a<b", "http://a\\b", "http://a\x00", "http://a{b}"} {
		if _, err := NewIRI(s); err == nil {
			t.Errorf("NewIRI(%q) = nil error, want error", s)
		}
	}
}

func TestBlankLabels(t *testing.T) {
	var b blankLabels
	x := b.named("x")
	if x.String() != "x" {
		t.Fatalf("named(x) = %v", x)
	}
	a1 := b.fresh()
	g := b.named("genid1")
	if g == a1 {
		t.Fatalf("document label genid1 met the made-up %v", a1)
	}
	if b.named("genid1") != g {
		t.Fatal("the same document label gave two nodes")
	}
}
