package policies

import (
	"strings"
)

// Profile is the namespace of Samband's ODRL profile: the left operands an
// exchange between authorities needs beyond ODRL's own (PROFILE.md).
const Profile = "urn:samband:odrl:"

// Namespaces and terms the reader needs.
const (
	nsODRL = "http://www.w3.org/ns/odrl/2/"
	nsCC   = "http://creativecommons.org/ns#"
	nsRDF  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXSD  = "http://www.w3.org/2001/XMLSchema#"
	// nsEDC is the vocabulary of the Eclipse Dataspace Components management
	// API, whose documents set it as @vocab, so that "@type": "Set" names
	// an EDC IRI, and whose policy definitions hold their policy in
	// edc:policy.
	nsEDC = "https://w3id.org/edc/v0.0.1/ns/"

	rdfType        = nsRDF + "type"
	rdfFirst       = nsRDF + "first"
	rdfRest        = nsRDF + "rest"
	rdfNil         = nsRDF + "nil"
	xsdBoolean     = nsXSD + "boolean"
	xsdDate        = nsXSD + "date"
	owlVersionInfo = "http://www.w3.org/2002/07/owl#versionInfo"
	dcatVersion    = "http://www.w3.org/ns/dcat#version"
	dctModified    = "http://purl.org/dc/terms/modified"
	edcPolicy      = nsEDC + "policy"
)

// action is an ODRL action Samband knows, as a bit position.
type action uint8

// The actions of the ODRL 2.2 vocabulary, and the Creative Commons actions
// it adopts. Samband places every one of them under use, except give and
// sell, which are kinds of transfer; it does not use ODRL's finer
// includedIn relations.
const (
	actNone action = iota
	actUse
	actTransfer
	actAcceptTracking
	actAggregate
	actAnnotate
	actAnonymize
	actArchive
	actAttribute
	actCompensate
	actConcurrentUse
	actDelete
	actDerive
	actDigitize
	actDisplay
	actDistribute
	actEnsureExclusivity
	actExecute
	actExtract
	actGive
	actGrantUse
	actInclude
	actIndex
	actInform
	actInstall
	actModify
	actMove
	actNextPolicy
	actObtainConsent
	actPlay
	actPresent
	actPrint
	actRead
	actReproduce
	actReviewPolicy
	actSell
	actStream
	actSynchronize
	actTextToSpeech
	actTransform
	actTranslate
	actUninstall
	actWatermark
	actCCAttribution
	actCCCommercialUse
	actCCDerivativeWorks
	actCCDistribution
	actCCNotice
	actCCReproduction
	actCCShareAlike
	actCCSharing
	actCCSourceCode
	actCount
)

// odrlActionNames lists the ODRL actions by local name, in action order
// from actUse; the Creative Commons ones follow in ccActionNames.
const (
	odrlActionNames = "use transfer acceptTracking aggregate annotate anonymize archive attribute compensate concurrentUse delete derive digitize display distribute ensureExclusivity execute extract give grantUse include index inform install modify move nextPolicy obtainConsent play present print read reproduce reviewPolicy sell stream synchronize textToSpeech transform translate uninstall watermark"
	ccActionNames   = "Attribution CommercialUse DerivativeWorks Distribution Notice Reproduction ShareAlike Sharing SourceCode"
)

// nthWord returns the n-th (0-based) space-separated word of s.
func nthWord(s string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// wordIndex returns the position of w among the words of s, or -1.
// fold compares without regard to case.
func wordIndex(s, w string, fold bool) int {
	for n := 0; s != ""; n++ {
		word := s
		if i := strings.IndexByte(s, ' '); i >= 0 {
			word, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if word == w || fold && strings.EqualFold(word, w) {
			return n
		}
	}
	return -1
}

// iri returns the action's IRI.
func (a action) iri() string {
	switch {
	case a >= actUse && a < actCCAttribution:
		return nsODRL + nthWord(odrlActionNames, int(a-actUse))
	case a >= actCCAttribution && a < actCount:
		return nsCC + nthWord(ccActionNames, int(a-actCCAttribution))
	}
	return ""
}

// short returns the action as people write it: "use", "cc:Attribution".
func (a action) short() string {
	if a >= actCCAttribution && a < actCount {
		return "cc:" + nthWord(ccActionNames, int(a-actCCAttribution))
	}
	return nthWord(odrlActionNames, int(a-actUse))
}

// bit returns the action's bit in an action mask.
func (a action) bit() uint64 { return 1 << a }

// up returns the mask of the action and every action it is a kind of.
func (a action) up() uint64 {
	switch a {
	case actUse, actTransfer:
		return a.bit()
	case actGive, actSell:
		return a.bit() | actTransfer.bit()
	case actNone:
		return 0
	}
	return a.bit() | actUse.bit()
}

// actionByLocal returns the ODRL action of a local name.
func actionByLocal(local string, fold bool) (action, bool) {
	if n := wordIndex(odrlActionNames, local, fold); n >= 0 {
		return actUse + action(n), true
	}
	return actNone, false
}

// ccActionByLocal returns the Creative Commons action of a local name.
func ccActionByLocal(local string, fold bool) (action, bool) {
	if n := wordIndex(ccActionNames, local, fold); n >= 0 {
		return actCCAttribution + action(n), true
	}
	return actNone, false
}

// parseRequestAction reads Request.Action: "" (use), an ODRL action's name
// or IRI, or a Creative Commons action's IRI.
func parseRequestAction(s string) (action, bool) {
	switch s { // the common ones without a scan
	case "", "use", nsODRL + "use":
		return actUse, true
	case "read", nsODRL + "read":
		return actRead, true
	case "transfer", nsODRL + "transfer":
		return actTransfer, true
	case "distribute", nsODRL + "distribute":
		return actDistribute, true
	}
	switch {
	case strings.HasPrefix(s, nsODRL):
		return actionByLocal(s[len(nsODRL):], false)
	case strings.HasPrefix(s, nsCC):
		return ccActionByLocal(s[len(nsCC):], false)
	case strings.HasPrefix(s, "odrl:"):
		return actionByLocal(s[len("odrl:"):], false)
	case strings.HasPrefix(s, "cc:"):
		return ccActionByLocal(s[len("cc:"):], false)
	}
	return actionByLocal(s, false)
}

// operand is a left operand.
type operand uint8

// The left operands Samband evaluates. opdODRL marks a left operand of the
// ODRL 2.2 vocabulary that Samband does not evaluate: a duty may carry it
// (duties are recorded, not evaluated), a permission or prohibition may not.
const (
	opdNone operand = iota
	opdPurpose
	opdSpatial
	opdRecipient
	opdDateTime
	opdLegalBasis
	opdConsent
	opdMandate
	opdExplicitRequest
	opdLifeEvent
	opdRecipientClass
	opdODRL
)

// odrlOperandNames lists every left operand of the ODRL 2.2 vocabulary.
const odrlOperandNames = "absolutePosition absoluteSpatialPosition absoluteTemporalPosition absoluteSize count dateTime delayPeriod deliveryChannel elapsedTime event fileFormat industry language media meteredTime payAmount percentage product purpose recipient relativePosition relativeSpatialPosition relativeTemporalPosition relativeSize resolution spatial spatialCoordinates systemDevice timeInterval unitOfCount version virtualLocation"

// profileOperandNames lists the left operands of Samband's profile, in
// operand order from opdLegalBasis.
const profileOperandNames = "legalBasis dataSubjectConsent mandate explicitRequest lifeEvent recipientClass"

// operandByODRL returns the operand of an ODRL local name.
func operandByODRL(local string, fold bool) (operand, bool) {
	n := wordIndex(odrlOperandNames, local, fold)
	if n < 0 {
		return opdNone, false
	}
	switch nthWord(odrlOperandNames, n) {
	case "purpose":
		return opdPurpose, true
	case "spatial":
		return opdSpatial, true
	case "recipient":
		return opdRecipient, true
	case "dateTime":
		return opdDateTime, true
	}
	return opdODRL, true
}

// operandByProfile returns the operand of a local name in Samband's profile.
func operandByProfile(local string, fold bool) (operand, bool) {
	if n := wordIndex(profileOperandNames, local, fold); n >= 0 {
		return opdLegalBasis + operand(n), true
	}
	return opdNone, false
}

// operator is a constraint operator.
type operator uint8

// The ODRL 2.2 operators.
const (
	opNone operator = iota
	opEq
	opNeq
	opLt
	opLteq
	opGt
	opGteq
	opIsA
	opIsPartOf
	opIsAnyOf
	opIsNoneOf
	opIsAllOf
	opHasPart
)

const operatorNames = "eq neq lt lteq gt gteq isA isPartOf isAnyOf isNoneOf isAllOf hasPart"

// operatorByLocal returns the operator of an ODRL local name. "neg" is
// neq: the ODRL 2.2 JSON-LD context W3C publishes maps neq to odrl:neg.
func operatorByLocal(local string, fold bool) (operator, bool) {
	if local == "neg" {
		return opNeq, true
	}
	if n := wordIndex(operatorNames, local, fold); n >= 0 {
		return opEq + operator(n), true
	}
	return opNone, false
}

func (o operator) String() string {
	if o == opNone {
		return ""
	}
	return nthWord(operatorNames, int(o-opEq))
}

// logic is how a logical constraint combines its operands.
type logic uint8

const (
	logicNone logic = iota
	logicAnd
	logicOr
	logicXone
	logicAndSequence
)

func (l logic) String() string {
	switch l {
	case logicAnd:
		return "and"
	case logicOr:
		return "or"
	case logicXone:
		return "xone"
	case logicAndSequence:
		return "andSequence"
	}
	return ""
}

// policyClass returns the policy type a class IRI names: "Set", "Offer",
// "Agreement" (a class Samband decides on), the name of an ODRL policy class
// it does not decide on, or "" for a class that is no policy class. EDC
// documents name the ODRL classes in their own vocabulary.
func policyClass(iri string) (name string, decides bool) {
	local, ok := strings.CutPrefix(iri, nsODRL)
	if !ok {
		local, ok = strings.CutPrefix(iri, nsEDC)
	}
	if !ok {
		return "", false
	}
	switch local {
	case "Set", "Offer", "Agreement":
		return local, true
	case "Policy":
		return "Set", true
	case "Request", "Ticket", "Assertion", "Privacy":
		if strings.HasPrefix(iri, nsODRL) {
			return local, false
		}
	}
	return "", false
}

// partyFunctions are the ODRL properties that name a party of a duty.
const partyFunctions = "assignee assigner attributedParty attributingParty compensatedParty compensatingParty consentingParty consentedParty informedParty informingParty trackingParty trackedParty contractingParty contractedParty"
