// Package policies decides whether a record may cross an authority's
// boundary, and says why: ODRL 2.2 policies compiled to native checks,
// the data subject's consent, and the powers of attorney (mandates) under
// which a representative acts for someone else.
//
//	ps, err := policies.Load(f, "registry.ttl", policies.LoadOptions{})
//	...
//	d := policies.NewSet(ps...).Decide(ctx, &policies.Request{
//		Action: "use", Target: dataset, Purpose: "inheritance",
//		RecipientOrg: "0192:974760673", RecipientClasses: []string{"public-authority"},
//		RecipientCountry: "SE", Subject: subject,
//	}, registry)
//	log(d) // {"effect":"permit","reason":"permission[0] of policy ... permits use, since ...", ...}
//
// # Policies
//
// Load reads the Set, Offer and Agreement policies of a document in
// Turtle, JSON-LD, RDF/XML or N-Triples: a policy of its own, plain ODRL
// JSON (no @context), the odrl:hasPolicy of a dataset, distribution or
// data service in a DCAT or Dataspace Protocol catalogue, a Dataspace
// Protocol agreement, an EDC policy definition. JSON-LD contexts come from
// the ones Samband ships (catalog/rdf/contexts), never from the network.
//
// A policy holds permissions, prohibitions and duties (a permission's
// duties and the policy's obligations). A constraint is atomic (left
// operand, operator, right operand) or logical (and, or, xone, andSequence,
// the last read as and). The operators are eq, neq, lt, lteq, gt, gteq, isA,
// isPartOf, isAnyOf, isNoneOf and, for recipient classes, isAllOf. The left
// operands are ODRL's purpose, spatial (the recipient's country), recipient
// (the receiving organisation; isA and isPartOf test its classes) and
// dateTime, and those of Samband's profile (PROFILE.md, namespace
// urn:samband:odrl:): legalBasis, dataSubjectConsent, mandate,
// explicitRequest, lifeEvent and recipientClass. The actions are ODRL
// 2.2's, and the Creative Commons actions its vocabulary adopts.
//
// Everything else is refused when the policy is loaded, with a *LoadError
// that says where (line and column, and the path in the policy such as
// permission[1].constraint[0].and[0].leftOperand): an unknown action,
// operand or operator, ODRL Samband will not decide on (refinements,
// inheritance, rightOperandReference), a policy over one of the Limits.
// LoadOptions.Aliases maps the terms of a dataspace's own profile (EDC's
// "location", say) onto Samband's; nothing unknown is ever let through.
//
// Each policy is compiled to plain Go values: an action mask, targets and
// assignees, and a tree of checks whose right operands are parsed sets,
// country bit sets and time intervals. A decision walks that tree; a permit
// that needs no consent or mandate costs about 150 ns and no allocation
// (docs/benchmarks.md).
//
// # Decisions
//
// A Set holds the policies of one target: the catalogue's and the gateway's
// defaults (Library.For). Its Decide denies when a prohibition that applies
// holds, whatever the permissions say; otherwise it permits by the first
// permission that applies and holds; otherwise it denies. A rule applies
// when the request's action is its action or a kind of it, the target is
// its target and the recipient its assignee. What the request leaves out
// and what Facts cannot answer counts against it: such a constraint makes a
// prohibition hold and a permission fail.
//
// The Decision is a value, ready to log as JSON: permit or deny, a short
// English reason, the policy (uid, content hash, version) and rule (kind,
// index, uid, and the constraint that failed) that decided, the facts it
// used (the request's values, the consent and mandate found), the duties
// that come with a permit, and every policy weighed.
//
// # Consent and mandates
//
// The decision asks two kinds of facts beyond the request itself, through
// Facts: has the data subject consented, and does the representative hold
// a mandate. The consent and mandate registry answers them; a data subject
// is known to it only by a keyed hash of their national identity number
// (Subject), never by the number itself. A decision asks each question at
// most once, and only when a constraint it evaluates needs the answer.
package policies
