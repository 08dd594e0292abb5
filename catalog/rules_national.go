package catalog

import "samband/catalog/rdf"

// The rules of national profiles, run on records whose source is of the
// profile's country. A national shape says again much of what DCAT-AP
// says; only its constraints that DCAT-AP's rules do not already check are
// rules here (a record that lacks dct:description gets one result, from
// dcat-ap:dataset-description-min, whichever profiles say so).
//
// DCAT-AP-NO 2.2 (testdata/corpus/no-dcat-ap-no/DCAT-AP-NO-shacl_shapes_2.00.ttl,
// records from sources of country NO): the shapes of datasets, dataset
// series, data services and distributions, of their dates (:DateTime_Shape),
// periods of time and standards (the objects of dct:conformsTo), and the
// controlled vocabularies (:Dataset_ShapeCV, :DataService_ShapeCV,
// :Distribution_ShapeCV). Not run: sh:class constraints whose values are
// other records (dct:hasPart, dct:isVersionOf, dcat:inSeries,
// dcat:servesDataset, dcat:accessService, dcat:first ...), which one
// record's description cannot show; the shapes of the classes of DCAT-AP-NO's
// public-service extension (cpsv:Rule, eli:LegalResource,
// cv:PublicOrganisation, cpsv:PublicService); :Agent_Shape, whose targets
// (sh:targetObjectsOf inside sh:and) no SHACL engine reads as targets; the
// EU data theme of :Dataset_ShapeCV and adms:status of
// :Distribution_ShapeCV, whose restrictions accept any value that has no
// skos:inScheme (:DataThemeRestriction writes sh:MinCount, which is not
// SHACL; :StatusRestriction has no minimum); the single algorithm
// (sh:hasValue spdx:checksumAlgorithm_sha1) of :Checksum_Shape.
//
// DCAT-AP-DK 2.0.2 (testdata/corpus/dk-dcat-ap-dk/dcat-ap-dk_2.0.2_shacl_shapes.ttl,
// records from sources of country DK): the vocabularies its shapes give as
// IRI patterns (languages, frequency, file types, media types, ADMS status
// and publisher and licence types, DCAT-AP 2 availability), and the Danish
// properties dcat-dk:personalDataCategory, dcat-dk:confidentialityType and
// dcat-dk:paymentImposedContents. Its other constraints are those of
// DCAT-AP 2, or sh:class of linked resources (a landing page's
// foaf:Document, a licence's dct:LicenseDocument) that the records do not
// type.
//
// Not run at all: DCAT-AP-SE, whose rules come as RDForms templates
// (se-dcat-ap-se/3.0.1_bundle.json), not SHACL; the Finnish shapes
// (fi-avoindata, fi-restricteddata), which are DCAT-AP 2 shapes for CKAN
// catalogues, and no Finnish record is in the corpus to hold rules to.

const (
	shapesNO = "https://data.norge.no/vocabulary/dcatno-shacl#"
	shapesDK = "https://data.gov.dk/model/profile/dcat-ap-dk/"
	nsDCATDK = "https://data.gov.dk/model/core/dcat-dk/"
)

func nationalRules() []Rule {
	return append(norwegianRules(), danishRules()...)
}

func norwegianRules() []Rule {
	s := &ruleSet{prefix: "dcat-ap-no", profile: "DCAT-AP-NO 2.2", country: "NO"}
	const V, W = SeverityViolation, SeverityWarning
	lit, iri, res := nodeKind(kindLiteral), nodeKind(kindIRI), nodeKind(kindBlankNodeIRI)
	one := maxCount(1)
	contact := class(nsVCard+"Group", nsVCard+"Organization")

	s.node(shapesNO+"Dataset_Shape", nsDCAT+"Dataset")
	s.prop(nsDCT+"identifier", V, minCount(1))
	s.prop(nsDCAT+"theme", V, minCount(1))
	s.prop(nsDCT+"publisher", V, minCount(1), iri)
	s.prop(nsDCT+"subject", V, iri)
	s.prop(nsPROV+"wasGeneratedBy", V, iri)
	s.prop(nsDCAT+"distribution", V, class(nsDCAT+"Distribution"))
	s.prop(nsDCT+"spatial", V, iri)
	s.prop(nsDCAT+"contactPoint", W, contact)
	s.prop(nsDCT+"temporal", V, class(nsDCT+"PeriodOfTime"))
	s.prop(nsDCT+"accessRights", V, iri)
	s.prop(nsADMS+"identifier", V, class(nsADMS+"Identifier"))
	s.prop(nsFOAF+"page", V, iri)
	s.prop(nsADMS+"sample", V, class(nsDCAT+"Distribution"))
	s.prop(nsDCAT+"prev", V, one)
	s.prop(nsDCT+"accrualPeriodicity", V, iri)
	s.prop(nsDQV+"hasQualityAnnotation", V, class(nsDQV+"QualityAnnotation"))
	s.prop(nsDQV+"hasQualityMeasurement", V, class(nsDQV+"QualityMeasurement"))
	s.prop(nsPROV+"qualifiedAttribution", V, class(nsPROV+"Attribution"))
	s.prop(nsDCAT+"qualifiedRelation", V, class(nsDCAT+"Relationship"))
	s.prop(nsDCAT+"landingPage", V, iri)
	s.prop(nsDCT+"provenance", V, class(nsDCT+"ProvenanceStatement"))
	s.prop(nsDCT+"creator", V, iri, one)
	s.prop(nsDCT+"references", V, res)
	s.prop(nsDCT+"language", V, iri)
	s.prop(nsDCT+"type", V, iri, one)
	s.prop(nsOWL+"versionInfo", V, one, lit)

	s.node(shapesNO+"DatasetSerie_Shape", nsDCAT+"DatasetSeries")
	s.prop(nsDCAT+"first", V, minCount(1), one)
	s.prop(nsDCAT+"last", V, one)

	s.node(shapesNO+"DataService_Shape", nsDCAT+"DataService")
	s.prop(nsDCAT+"endpointURL", V, one)
	s.prop(nsDCT+"identifier", V, minCount(1), lit)
	s.prop(nsDCT+"format", V, iri)
	s.prop(nsDCAT+"contactPoint", W, contact)
	s.prop(nsDCT+"publisher", V, iri)
	s.prop(nsFOAF+"page", V, iri)
	s.prop(nsDCAT+"landingPage", V, one, iri)
	s.prop(nsDCT+"license", V, iri)
	s.prop(nsDCAT+"mediaType", V, iri)
	s.prop(nsDCT+"accessRights", V, iri)
	s.prop(nsDCT+"type", V, one, iri)

	s.node(shapesNO+"Distribution_Shape", nsDCAT+"Distribution")
	s.prop(nsDCT+"format", V, iri)
	s.prop(nsDCT+"license", V, iri)
	s.prop(nsADMS+"status", V, iri)
	s.prop(nsDCATAP+"availability", V, iri)
	s.prop(nsFOAF+"page", V, iri)
	s.prop(nsDCAT+"byteSize", V, datatype(rdf.NSXSD+"decimal"))
	s.prop(nsDCAT+"compressFormat", V, iri)
	s.prop(nsDCAT+"mediaType", V, iri)
	s.prop(nsDCAT+"packageFormat", V, iri)
	s.prop(nsODRL+"hasPolicy", V, class(nsODRL+"Policy"))
	s.prop(nsDCT+"rights", V, class(nsDCT+"RightsStatement"))
	s.prop(nsSPDX+"checksum", V, class(nsSPDX+"Checksum"))
	s.prop(nsDCT+"language", V, iri)

	for _, c := range []string{nsDCAT + "Dataset", nsDCAT + "Distribution"} {
		s.node(shapesNO+"DateTime_Shape", c)
		s.prop(nsDCT+"modified", V, dateOr())
		s.prop(nsDCT+"issued", V, dateOr())
	}

	s.node(shapesNO+"PeriodOfTime_Shape", nsDCT+"PeriodOfTime")
	s.prop(nsDCAT+"endDate", V, dateOr())
	s.prop(nsDCAT+"startDate", V, dateOr())
	s.prop(nsTime+"hasBeginning", V, class(nsTime+"Instant"))
	s.prop(nsTime+"hasEnd", V, class(nsTime+"Instant"))

	s.objectsOfShape(shapesNO+"Standard_Shape", nsDCT+"conformsTo", "standard")
	s.prop(nsDCT+"title", V, minCount(1), lit)
	s.prop(nsRDFS+"seeAlso", V, res)
	s.prop(nsOWL+"versionInfo", V, one, lit)

	access := conceptOf("a concept of the EU access-right table", "AccessRightsRestriction", schemeAccessRight)
	licence := conceptOf("an EU licence", "LicenseTypeRestriction", schemeLicence)
	language := conceptOf("a concept of the EU language table", "LanguageRestriction", schemeLanguage)
	s.node(shapesNO+"Dataset_ShapeCV", nsDCAT+"Dataset")
	s.prop(nsDCT+"accessRights", V, access)
	s.prop(nsDCT+"accrualPeriodicity", V, conceptOf("a concept of the EU frequency table", "FrequencyRestriction", schemeFrequency))
	s.prop(nsDCT+"language", V, language)
	s.prop(nsDCT+"spatial", W, conceptOf("a country, continent or place of the EU tables, or a GeoNames feature", "SpatialRestriction",
		schemeCountry, schemeContinent, schemeGeoNames, schemePlace))
	s.prop(nsDCT+"license", V, licence)

	s.node(shapesNO+"DataService_ShapeCV", nsDCAT+"DataService")
	s.prop(nsDCT+"accessRights", V, access)

	s.node(shapesNO+"Distribution_ShapeCV", nsDCAT+"Distribution")
	s.prop(nsDCT+"accessRights", V, access)
	s.prop(nsDCT+"format", V, conceptOf("an EU file type", "FileTypeRestriction", schemeFileType))
	s.prop(nsDCT+"language", V, language)
	s.prop(nsDCT+"license", V, licence)
	s.prop(nsDCATAP+"availability", V, conceptOf("a concept of DCAT-AP 2's availability vocabulary", "AvailabilityRestriction", schemeAvailabilityAP2))

	return s.rules
}

func danishRules() []Rule {
	s := &ruleSet{prefix: "dcat-ap-dk", profile: "DCAT-AP-DK 2.0.2", country: "DK"}
	const V, I = SeverityViolation, SeverityInfo
	language := pattern("^http://publications.europa.eu/resource/authority/language/", true, "an IRI of the EU language table")
	iana := pattern("^https://www.iana.org/assignments/media-types/", true, "an IANA media type IRI (https://www.iana.org/assignments/media-types)")

	s.node(shapesDK+"Dataset_Shape", nsDCAT+"Dataset")
	s.prop(nsDCT+"language", I, language)
	s.prop(nsDCT+"accrualPeriodicity", V, pattern("^http://publications.europa.eu/resource/authority/frequency/", true, "an IRI of the EU frequency table"))
	s.prop(nsDCATDK+"paymentImposedContents", V, datatype(rdf.NSXSD+"boolean"))
	s.prop(nsDCATDK+"personalDataCategory", V, pattern("^https://data.gov.dk/concept/core/personaldata-type/PersonalDataCategory/", true, "a Danish personal-data category"))
	s.prop(nsDCATDK+"confidentialityType", V, maxCount(1),
		pattern("^https://data.gov.dk/concept/core/confidentiality-type/ConfidentialityType/", true, "a Danish confidentiality type"))

	s.node(shapesDK+"Distribution_Shape", nsDCAT+"Distribution")
	s.prop(nsADMS+"status", V, pattern("^http://purl.org/adms/status/", true, "an ADMS status"))
	s.prop(nsDCATAP+"availability", V, pattern("^http://data.europa.eu/r5r/availability/", true, "a concept of DCAT-AP 2's availability vocabulary"))
	s.prop(nsDCT+"language", V, language)
	s.prop(nsDCAT+"mediaType", V, iana)
	s.prop(nsDCT+"format", V, pattern("^http://publications.europa.eu/resource/authority/file-type/", true, "an IRI of the EU file-type table"))
	s.prop(nsDCAT+"compressFormat", V, iana)
	s.prop(nsDCAT+"packageFormat", V, iana)

	s.node(shapesDK+"Agent_Shape", nsFOAF+"Agent")
	s.prop(nsDCT+"type", V, pattern("^http://purl.org/adms/publishertype/", true, "an ADMS publisher type"))

	s.node(shapesDK+"LicenceDocument_Shape", nsDCT+"LicenseDocument")
	s.prop(nsDCT+"type", V, pattern("^http://purl.org/adms/licencetype/", true, "an ADMS licence type"))

	return s.rules
}
