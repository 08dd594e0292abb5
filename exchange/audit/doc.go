// Package audit is the tamper-evident log of a gateway's exchange
// decisions: an append-only Merkle tree (RFC 6962 hashing, as in
// golang.org/x/mod/sumdb/tlog) kept in a SQLite file, with signed
// checkpoints (golang.org/x/mod/sumdb/note), inclusion and consistency
// proofs, and a Verify that recomputes the whole tree.
//
// Every permit and every deny is appended before its answer leaves:
//
//	skey, vkey, _ := audit.GenerateKey("gateway.example.no")
//	signer, _ := note.NewSigner(skey)
//	verifier, _ := note.NewVerifier(vkey)
//	log, err := audit.Open(ctx, "audit.db", signer, verifier)
//	...
//	go log.Run(ctx, time.Second) // a signed checkpoint every second while the log grows
//	i, err := log.Append(ctx, audit.Entry{Time: now, RequestID: id, Decision: "permit", ...})
//
// Append returns only once the entry is committed to disk (SQLite
// synchronous=FULL); concurrent appends share one commit. AppendSealed
// also returns a signed checkpoint whose tree holds the entry, for the
// receipt of an exchange; the writer signs one per commit, whatever the
// number of callers in it.
//
// The log keeps an index of the people its entries name (Subject and
// Representative, both keyed hashes): BySubject pages through a person's
// entries, newest first, for the citizen's view. Since reads the latest
// entries back to a time, for a replay guard reloaded at start.
package audit
