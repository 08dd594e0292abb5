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
// synchronous=FULL); concurrent appends share one commit.
package audit
