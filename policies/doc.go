// Package policies decides whether a record may cross an authority's
// boundary, and says why: ODRL 2.2 policies compiled to native checks,
// the data subject's consent, and the powers of attorney (mandates) under
// which a representative acts for someone else.
//
// The decision asks two kinds of facts beyond the request itself, through
// Facts: has the data subject consented, and does the representative hold
// a mandate. The consent and mandate registry answers them; a data subject
// is known to it only by a keyed hash of their national identity number
// (Subject), never by the number itself.
package policies
