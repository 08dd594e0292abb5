// Package lifeevent is the list of life events Samband classifies
// catalogue records by, and the rules that classify them: the seven life
// events of Norway's digitalisation strategy (having a child, a seriously
// ill child, losing and finding a job, new in the country, death and
// inheritance, starting and running a voluntary organisation, starting and
// running a business), each with a stable id, an IRI, and labels in
// Norwegian (Bokmål and Nynorsk), English, Swedish, Danish, Finnish,
// Icelandic and Estonian.
//
//	rules := lifeevent.Default() // or lifeevent.Load(file)
//	for _, m := range rules.Classify(dataset) {
//		fmt.Println(m.Concept, m.How) // job-loss keyword:dagpenger
//	}
//
// # How a record is classified
//
// A source may say which life event a record belongs to: a record that
// refers to a concept's IRI, or to one of the IRIs listed as the same life
// event (Norway's Los vocabulary, say), as a dcat:theme, dct:subject, a
// related resource (dct:relation ...) or any other property (cv:isGroupedBy
// ...), is explicitly about it (How "explicit"). Explicit metadata wins: a
// record that has any is classified by it alone.
//
// Otherwise the rules of each concept read the record's titles, keywords and
// descriptions in every language, its EU data themes and its publisher.
// Each concept lists, per language:
//
//   - terms: words that say the record is about the life event. One in a
//     title or keyword is enough ("keyword:dagpenger"). In a description,
//     which mentions many things in passing, it counts only as a clue.
//   - clues: words that suggest the life event but are too common to decide
//     alone ("barn", "employment"). A clue needs support: one of the
//     concept's EU themes ("theme+keyword:barn"), a publisher that supports
//     the concept ("publisher+keyword:barn"), or a second, different clue
//     ("keywords:lønn+arbeidsforhold"; min_clues sets how many, 0 turns
//     this off).
//   - needs: for a concept defined by two things at once (a seriously ill
//     child is about illness and about a child), a clue counts only beside
//     a need, and that pair is enough ("keywords:kreft+barn"); themes and
//     publishers then support nothing.
//
// A publisher is known by its IRI, its organisation number (dct:identifier,
// or the number that ends its IRI, as in the Norwegian registers) or a name
// it holds as whole words. A concept lists the publishers every record of
// which is about it ("publisher": an employment service, an immigration
// service) and those that support a clue (a social-insurance agency
// publishes about children, illness and jobs alike, so it only supports).
//
// A theme alone, a supporting publisher alone and a need alone never decide:
// an EU data theme such as SOCI spans far more than one life event. When
// several rules fire, the first of these decides How: a term, a publisher
// alone, a clue with a need, with a theme, with a publisher, with clues.
//
// # Words
//
// Texts and terms are compared folded: lower case, accents dropped and
// ligatures spelt out ("Dødsfall" is "dodsfall", "Förening" is "forening",
// "Þjóðskrá" is "thjodskra"). A term's word matches a word of the text whole,
// or every word it begins when it ends in '*' ("arbeidsledig*" matches
// "arbeidsledighet"); a term of several words matches them in a row
// ("d-nummer" is "d nummer"). A text tagged with a language the rules have
// terms in is matched with that language's terms (Bokmål, Nynorsk and "no"
// with each other's); a text without a tag, or in another language, with
// every language's. Where a word means one thing in one language and
// another elsewhere, the rules leave it out or make it a clue.
//
// # Cost
//
// Classify folds and matches each text once, walking a trie of the terms'
// first words, and allocates only its result: a few microseconds a record
// (BenchmarkClassify; docs/benchmarks.md). It reads at most the first 16 KiB
// of each text, and never panics.
package lifeevent
