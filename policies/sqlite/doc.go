// Package sqlite is the consent and mandate registry in one SQLite file:
// policies.Facts on modernc.org/sqlite, pure Go, no cgo.
//
// The registry keeps consents and mandates (powers of attorney) by the
// keyed hashes of the people in them (policies.Subject), never by their
// national identity numbers. Its tables (consents, consent_events,
// mandates, mandate_events) and its migrations table (policies_migrations)
// have names of their own, so the file may be the catalogue's
// (catalog/sqlite) or a file of its own.
//
// Every grant, rescission and revocation is one transaction, synced to
// disk before it returns. Facts' answers are read from the file at every
// question, by an indexed lookup of the subject's hash: there is no cache,
// so a rescission or revocation holds from the very next question, in this
// process or in another one on the same file (gateway consent rescind
// while gateway serve runs). A consent's or mandate's terms never change
// and no row is deleted: rescinding or revoking sets a time beside the
// terms, and every grant and rescission or revocation is an event in an
// append-only history. Triggers in the file refuse any other change.
//
//	reg, err := sqlite.Open(ctx, "samband.db")
//	if err != nil {
//		return err
//	}
//	defer reg.Close()
//	c, err := reg.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "0192:974760673",
//		Purposes: []string{"inheritance-settlement"}, Targets: []string{"*"},
//		Until: time.Now().AddDate(1, 0, 0)}, policies.Note{Via: "api"})
//	...
//	grant, ok, err := reg.Consent(ctx, policies.ConsentQuery{Subject: s, Recipient: "0192:974760673",
//		Purpose: "inheritance-settlement", Target: "https://data.norge.no/datasets/x", At: time.Now()})
package sqlite
