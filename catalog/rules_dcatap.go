package catalog

import (
	"regexp"

	"samband/catalog/rdf"
)

// The rules of DCAT-AP 3.0.1, from the SHACL files SEMIC publishes with
// the release (testdata/corpus/eu-semic-dcat-ap/shacl-3.0.1):
//
//   - shapes.ttl: mandatory properties, cardinalities, node kinds and
//     datatypes (severity violation), of every class that is part of a
//     record's description: dcat:Dataset, dcat:DatasetSeries,
//     dcat:DataService, dcat:Distribution, foaf:Agent, skos:Concept,
//     spdx:Checksum, adms:Identifier, dct:Location, dct:PeriodOfTime,
//     dcat:Relationship. Not dcat:Catalog, dcat:CatalogRecord and
//     skos:ConceptScheme, which are no part of a record.
//   - shapes_recommended.ttl: recommended properties (warning).
//   - mdr-vocabularies.shape.ttl: controlled vocabularies (violation or
//     warning, as each property shape says), the concepts of each scheme
//     as vocab/schemes.tsv knows them.
//
// Not run, each for its reason: the sh:inversePath dcat:inSeries of
// :DatasetSeries_Shape (a series needs a dataset in it: that is in the
// other records); :Checksum_ShapeCV (its pattern wants
// https://spdx.org/rdf/terms, while SPDX's algorithm IRIs are http, and
// its sh:class needs SPDX's ontology: no checksum passes it); range.ttl
// (the classes of the EU vocabularies' concepts are not in the records).

const (
	shapesCore = "https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/shacl/shapes.ttl#"
	shapesR5R  = "http://data.europa.eu/r5r#" // shapes_recommended.ttl and mdr-vocabularies.shape.ttl
)

func dcatAPRules() []Rule {
	s := &ruleSet{prefix: "dcat-ap", profile: "DCAT-AP 3.0.1"}
	const V, W = SeverityViolation, SeverityWarning
	lit, iri, res := nodeKind(kindLiteral), nodeKind(kindIRI), nodeKind(kindBlankNodeIRI)
	one := maxCount(1)
	xsd := func(local string) string { return rdf.NSXSD + local }

	// shapes.ttl
	s.node(shapesCore+"Dataset_Shape", nsDCAT+"Dataset")
	s.prop(nsDCT+"title", V, minCount(1), lit)
	s.prop(nsDCT+"description", V, minCount(1), lit)
	s.prop(nsDCT+"accessRights", V, one, res)
	s.prop(nsDCATAP+"applicableLegislation", V, iri)
	s.prop(nsDCT+"conformsTo", V, res)
	s.prop(nsDCAT+"contactPoint", V, res)
	s.prop(nsDCT+"creator", V, res)
	s.prop(nsDCAT+"distribution", V, res)
	s.prop(nsFOAF+"page", V, res)
	s.prop(nsDCT+"accrualPeriodicity", V, one, res)
	s.prop(nsDCT+"spatial", V, res)
	s.prop(nsDCT+"hasVersion", V, res)
	s.prop(nsDCT+"identifier", V, lit)
	s.prop(nsDCAT+"inSeries", V, res)
	s.prop(nsDCT+"isReferencedBy", V, res)
	s.prop(nsDCAT+"keyword", V, lit)
	s.prop(nsDCAT+"landingPage", V, res)
	s.prop(nsDCT+"language", V, res)
	s.prop(nsDCT+"modified", V, one, dateShape())
	s.prop(nsADMS+"identifier", V, res)
	s.prop(nsDCT+"provenance", V, res)
	s.prop(nsDCT+"publisher", V, one, res)
	s.prop(nsPROV+"qualifiedAttribution", V, res)
	s.prop(nsDCAT+"qualifiedRelation", V, res)
	s.prop(nsDCT+"relation", V, res)
	s.prop(nsDCT+"issued", V, one, dateShape())
	s.prop(nsADMS+"sample", V, res)
	s.prop(nsDCT+"source", V, res)
	s.prop(nsDCAT+"spatialResolutionInMeters", V, datatype(xsd("decimal")), one)
	s.prop(nsDCT+"temporal", V, res)
	s.prop(nsDCAT+"temporalResolution", V, datatype(xsd("duration")), one)
	s.prop(nsDCAT+"theme", V, iri)
	s.prop(nsDCT+"type", V, res)
	s.prop(nsDCAT+"version", V, one, lit)
	s.prop(nsADMS+"versionNotes", V, lit)
	s.prop(nsPROV+"wasGeneratedBy", V, res)

	s.node(shapesCore+"DatasetSeries_Shape", nsDCAT+"DatasetSeries")
	s.prop(nsDCT+"title", V, minCount(1), lit)
	s.prop(nsDCT+"description", V, minCount(1), lit)
	s.prop(nsDCATAP+"applicableLegislation", V, iri)
	s.prop(nsDCAT+"contactPoint", V, res)
	s.prop(nsDCT+"accrualPeriodicity", V, one, res)
	s.prop(nsDCT+"spatial", V, res)
	s.prop(nsDCT+"modified", V, dateNode(), one, lit)
	s.prop(nsDCT+"publisher", V, one, res)
	s.prop(nsDCT+"issued", V, dateNode(), one, lit)
	s.prop(nsDCT+"temporal", V, res)

	s.node(shapesCore+"DataService_Shape", nsDCAT+"DataService")
	s.prop(nsDCT+"title", V, minCount(1), lit)
	s.prop(nsDCAT+"endpointURL", V, minCount(1), res)
	s.prop(nsDCT+"accessRights", V, one, res)
	s.prop(nsDCATAP+"applicableLegislation", V, iri)
	s.prop(nsDCT+"conformsTo", V, res)
	s.prop(nsDCAT+"contactPoint", V, res)
	s.prop(nsDCT+"description", V, lit)
	s.prop(nsDCAT+"endpointDescription", V, res)
	s.prop(nsDCT+"format", V, res)
	s.prop(nsDCAT+"keyword", V, lit)
	s.prop(nsDCAT+"landingPage", V, res)
	s.prop(nsDCT+"license", V, res, one)
	s.prop(nsDCT+"publisher", V, res, one)
	s.prop(nsDCAT+"servesDataset", V, res)
	s.prop(nsDCAT+"theme", V, iri)

	s.node(shapesCore+"Distribution_Shape", nsDCAT+"Distribution")
	s.prop(nsDCAT+"accessURL", V, minCount(1), res)
	s.prop(nsDCAT+"accessService", V, res)
	s.prop(nsDCATAP+"applicableLegislation", V, iri)
	s.prop(nsDCATAP+"availability", V, one, res)
	s.prop(nsDCAT+"byteSize", V, datatype(xsd("nonNegativeInteger")), one)
	s.prop(nsSPDX+"checksum", V, one, res)
	s.prop(nsDCAT+"compressFormat", V, one, res)
	s.prop(nsDCT+"description", V, lit)
	s.prop(nsFOAF+"page", V, res)
	s.prop(nsDCAT+"downloadURL", V, res)
	s.prop(nsDCT+"format", V, one, res)
	s.prop(nsODRL+"hasPolicy", V, one, res)
	s.prop(nsDCT+"language", V, res)
	s.prop(nsDCT+"license", V, one, res)
	s.prop(nsDCT+"conformsTo", V, res)
	s.prop(nsDCAT+"mediaType", V, one, res)
	s.prop(nsDCT+"modified", V, one, dateNode())
	s.prop(nsDCAT+"packageFormat", V, one, res)
	s.prop(nsDCT+"issued", V, one, dateNode())
	s.prop(nsDCT+"rights", V, one, res)
	s.prop(nsDCAT+"spatialResolutionInMeters", V, datatype(xsd("decimal")), one)
	s.prop(nsADMS+"status", V, one, res)
	s.prop(nsDCAT+"temporalResolution", V, datatype(xsd("duration")), one)
	s.prop(nsDCT+"title", V, lit)

	s.node(shapesCore+"Agent_Shape", nsFOAF+"Agent")
	s.prop(nsFOAF+"name", V, minCount(1), lit)
	s.prop(nsDCT+"type", V, one)

	s.node(shapesCore+"Category_Shape", nsSKOS+"Concept")
	s.prop(nsSKOS+"prefLabel", V, minCount(1), lit)

	s.node(shapesCore+"Checksum_Shape", nsSPDX+"Checksum")
	s.prop(nsSPDX+"algorithm", V, one, minCount(1))
	s.prop(nsSPDX+"checksumValue", V, datatype(xsd("hexBinary")), one, minCount(1))

	s.node(shapesCore+"Identifier_Shape", nsADMS+"Identifier")
	s.prop(nsSKOS+"notation", V, one)

	s.node(shapesCore+"Location_Shape", nsDCT+"Location")
	s.prop(nsDCAT+"bbox", V, one, lit)
	s.prop(nsDCAT+"centroid", V, one, lit)
	s.prop(nsLocn+"geometry", V, one, lit)

	s.node(shapesCore+"PeriodOfTime_Shape", nsDCT+"PeriodOfTime")
	s.prop(nsDCAT+"endDate", V, one, dateShape())
	s.prop(nsTime+"hasBeginning", V, one)
	s.prop(nsTime+"hasEnd", V, one)
	s.prop(nsDCAT+"startDate", V, one, dateShape())

	s.node(shapesCore+"Relationship_Shape", nsDCAT+"Relationship")
	s.prop(nsDCT+"relation", V, minCount(1))
	s.prop(nsDCAT+"hadRole", V, minCount(1))

	// shapes_recommended.ttl
	rec := recommended()
	s.node(shapesR5R+"Dataset_Shape", nsDCAT+"Dataset")
	for _, p := range []string{nsDCAT + "contactPoint", nsDCAT + "distribution", nsDCAT + "keyword",
		nsDCT + "publisher", nsDCT + "spatial", nsDCT + "temporal", nsDCAT + "theme"} {
		s.prop(p, W, rec)
	}
	s.node(shapesR5R+"DatasetSeries_Shape", nsDCAT+"DatasetSeries")
	s.prop(nsDCAT+"contactPoint", W, rec)
	s.prop(nsDCT+"publisher", W, rec)
	s.node(shapesR5R+"DataService_Shape", nsDCAT+"DataService")
	for _, p := range []string{nsDCAT + "servesDataset", nsDCAT + "endpointDescription", nsDCAT + "contactPoint",
		nsDCT + "publisher", nsDCAT + "theme", nsDCT + "conformsTo", nsDCAT + "keyword"} {
		s.prop(p, W, rec)
	}
	s.node(shapesR5R+"Distribution_Shape", nsDCAT+"Distribution")
	for _, p := range []string{nsDCT + "description", nsDCATAP + "availability", nsDCT + "format", nsDCT + "license"} {
		s.prop(p, W, rec)
	}
	s.node(shapesR5R+"Agent_Shape", nsFOAF+"Agent")
	s.prop(nsDCT+"type", W, rec)
	s.node(shapesR5R+"LicenceDocument_Shape", nsDCT+"LicenseDocument")
	s.prop(nsDCT+"type", W, rec)
	s.node(shapesR5R+"Location_Shape", nsDCT+"Location")
	s.prop(nsDCAT+"bbox", W, rec)
	s.prop(nsDCAT+"centroid", W, rec)
	s.node(shapesR5R+"PeriodOfTime_Shape", nsDCT+"PeriodOfTime")
	s.prop(nsDCAT+"endDate", W, rec)
	s.prop(nsDCAT+"startDate", W, rec)

	// mdr-vocabularies.shape.ttl
	frequency := vocabIRI("a concept of the EU frequency table", "FrequencyRestriction", schemeFrequency)
	language := vocabIRI("a concept of the EU language table", "LanguageRestriction", schemeLanguage)
	publisher := vocabIRI("an EU corporate body whose dct:type, if any, is an ADMS publisher type", "CorporateBodyRestriction, :Publisher_ShapeCV", schemeCorporateBody)
	publisher.agent = true
	spatial := vocabIRI("a country, place or continent of the EU tables, or a GeoNames IRI (https://sws.geonames.org)",
		"CountryRestriction | :PlaceRestriction | :ContinentRestriction | :GeoNamesRestrictionRegexURI", schemeCountry, schemePlace, schemeContinent)
	spatial.pattern = regexp.MustCompile(`^https://sws.geonames.org`)
	theme := vocabIRI("an EU data theme", "DataThemeRestriction", schemeDataTheme)
	fileType := vocabIRI("an EU file type", "FileTypeRestriction", schemeFileType)
	access := vocabIRI("an EU access right", "AccessRightRestriction", schemeAccessRight)
	iana := func() constraint {
		c := vocabIRI("an IANA media type IRI (www.iana.org/assignments/media-types)", "IANARestrictionRegexURI")
		c.pattern = regexp.MustCompile(`^http.*://www.iana.org/assignments/media-types/`)
		return c
	}

	s.node(shapesR5R+"Dataset_ShapeCV", nsDCAT+"Dataset")
	s.prop(nsDCT+"accrualPeriodicity", V, frequency)
	s.prop(nsDCT+"language", V, language)
	s.prop(nsDCT+"publisher", W, publisher)
	s.prop(nsDCT+"spatial", W, spatial)
	s.prop(nsDCAT+"theme", W, theme)
	s.prop(nsDCT+"type", W, vocabIRI("an EU dataset type", "DatasetTypeRestriction", schemeDatasetType))
	s.prop(nsDCT+"accessRights", W, access)

	s.node(shapesR5R+"DatasetSeries_ShapeCV", nsDCAT+"DatasetSeries")
	s.prop(nsDCT+"accrualPeriodicity", V, frequency)
	s.prop(nsDCT+"publisher", W, publisher)
	s.prop(nsDCT+"spatial", W, spatial)

	s.node(shapesR5R+"Distribution_ShapeCV", nsDCAT+"Distribution")
	s.prop(nsDCT+"format", V, fileType)
	s.prop(nsDCT+"language", V, language)
	s.prop(nsADMS+"status", V, vocabIRI("an EU distribution status", "StatusRestriction", schemeStatus))
	s.prop(nsDCATAP+"availability", V, vocabIRI("an EU planned availability", "AvailabilityRestriction", schemeAvailability))
	s.prop(nsDCAT+"mediaType", V, iana())
	s.prop(nsDCAT+"compressFormat", V, iana())
	s.prop(nsDCAT+"packageFormat", V, iana())

	s.node(shapesR5R+"DataService_ShapeCV", nsDCAT+"DataService")
	s.prop(nsDCT+"format", V, fileType)
	s.prop(nsDCAT+"theme", W, theme)
	s.prop(nsDCT+"publisher", W, publisher)
	s.prop(nsDCT+"accessRights", W, access)

	s.node(shapesR5R+"LicenseDocument_ShapeCV", nsDCT+"LicenseDocument")
	s.prop(nsDCT+"type", V, vocabIRI("an ADMS licence type", "LicenceTypeRestriction", schemeLicenceType))

	return s.rules
}
