// Package catalog is Samband's vocabulary: the records of the unified
// catalogue (Dataset, which also carries data services and dataset series,
// Distribution, Agent, ContactPoint), their provenance (SourceRecord), harvest
// reports, and the Store that keeps them.
//
// Records come from DCAT-AP documents of every national profile; every
// language of every text is kept (Text), and values normalised to EU
// vocabularies sit beside the originals. Each record can be scored on
// data.europa.eu's metadata-quality checks (Score) and checked against the
// rules of the DCAT-AP 3 shapes and of its national profile (CheckRules).
//
//	t := catalog.Text{}
//	t.Add("nb", "Befolkning")
//	t.Add("en", "Population")
//	fmt.Println(t.Get("sv", "en")) // Population
package catalog
