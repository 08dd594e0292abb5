package lifeevent

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"sync"
)

// Concept is one life event: a stable id, an IRI, and its name and
// description in every language the rules give.
type Concept struct {
	ID  string `json:"id"`
	IRI string `json:"iri"`
	// SameAs are other IRIs that name the same life event (the vocabulary
	// of a national catalogue); a record that refers to one of them is
	// explicitly about it.
	SameAs      []string          `json:"same_as,omitempty"`
	Labels      map[string]string `json:"labels"`      // language tag -> label
	Description map[string]string `json:"description"` // language tag -> description
	// Themes are the EU data-theme codes whose records a clue of the
	// concept is enough for (see the package documentation).
	Themes []string `json:"themes,omitempty"`
}

// How a record was matched to a life event: Match.How is one of these, or
// starts with one of the prefixes, followed by the words that decided.
const (
	HowExplicit  = "explicit"  // the record refers to the concept's IRI or one of its SameAs
	HowPublisher = "publisher" // a publisher whose every record is about the life event
	// HowKeyword + term: a term of the concept in the title or a keyword.
	HowKeyword = "keyword:"
	// HowKeywords + clue "+" clue (or need): two clues, or a clue and a
	// term the concept needs beside it, anywhere in the text.
	HowKeywords = "keywords:"
	// HowThemeKeyword + clue: a clue and one of the concept's EU themes.
	HowThemeKeyword = "theme+keyword:"
	// HowPublisherKeyword + clue: a clue and a publisher that supports it.
	HowPublisherKeyword = "publisher+keyword:"
)

// Match says that a record is about a life event, and why.
type Match struct {
	Concept string `json:"concept"` // Concept.ID
	How     string `json:"how"`     // HowExplicit, HowPublisher, or a How... prefix and the words that decided
}

// Rules are a concept list and the rules that apply it to records. They
// are read with Load or Default, never change, and are safe for concurrent
// use.
type Rules struct {
	fingerprint string // of the document read

	concepts []Concept
	byID     map[string]int

	explicit map[string]int // IRI key (see iriKey) -> concept index

	terms []term // by index; a term's pattern, kind, concept and languages
	trie  trie   // the first word of every term

	langs     map[string]uint64 // language tag -> the bits of the term languages its texts are read with
	allLangs  uint64
	pubs      []publisher      // by index, as pubSet counts them
	pubIDs    map[string][]int // organisation number (digits) -> publishers
	pubIRIs   map[string][]int // IRI key -> publishers
	pubNames  map[string][]int // first folded word of a name -> names (index into names)
	names     []pubName
	conceptOf []conceptRules // by concept index
}

// conceptRules is what Classify needs of one concept.
type conceptRules struct {
	themes   []string // EU theme codes
	alone    pubSet   // publishers enough by themselves
	support  pubSet   // publishers that support a clue
	hasNeeds bool
	minClues int // distinct clues enough together; 0: never
}

//go:embed default.yaml
var defaultYAML []byte

// defaultRules are the embedded rules, read once. They are part of the
// source: a test reads them, so a broken file cannot be released.
var defaultRules = sync.OnceValue(func() *Rules {
	r, err := Load(bytes.NewReader(defaultYAML))
	if err != nil {
		panic(fmt.Sprintf("lifeevent: embedded default.yaml: %v", err))
	}
	return r
})

// Default returns the rules embedded in Samband (default.yaml in this
// package's source): the seven life events of Norway's digitalisation
// strategy, with labels in Norwegian (Bokmål and Nynorsk), English,
// Swedish, Danish, Finnish, Icelandic and Estonian.
func Default() *Rules { return defaultRules() }

// Fingerprint identifies the document the rules were read from: rules read
// from the same bytes have the same fingerprint. What keeps classifications
// (the search index) compares it to know when to classify again.
func (r *Rules) Fingerprint() string { return r.fingerprint }

// Concepts returns the concepts of the default rules, in their order.
func Concepts() []Concept { return Default().Concepts() }

// Concepts returns the concepts of r, in the order the rules list them.
// The result is the caller's to change.
func (r *Rules) Concepts() []Concept {
	out := make([]Concept, len(r.concepts))
	for i, c := range r.concepts {
		out[i] = c.clone()
	}
	return out
}

// Concept returns the concept with the given id.
func (r *Rules) Concept(id string) (Concept, bool) {
	i, ok := r.byID[id]
	if !ok {
		return Concept{}, false
	}
	return r.concepts[i].clone(), true
}

func (c Concept) clone() Concept {
	c.SameAs = append([]string(nil), c.SameAs...)
	c.Themes = append([]string(nil), c.Themes...)
	c.Labels = maps.Clone(c.Labels)
	c.Description = maps.Clone(c.Description)
	return c
}
