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
// Append returns only once the entry is durable: concurrent appends share
// one commit, a frame written to the log's journal (the file's path with
// ".journal": a file of fixed size, written whole when made, so a commit
// overwrites blocks in place and fdatasync has no metadata to write) and
// synced. An applier puts the committed entries in the SQLite file behind
// it, a transaction for as many commits as are waiting, and the journal's
// space is used again once they are there. Reads (entries, proofs,
// checkpoints, BySubject, Verify) wait for the applier, which is a commit
// behind at most but while the file refuses entries: so a caller reads
// what its append returned. Open applies what the journal holds and the
// file lacks, refusing a journal that has lost an acknowledged entry; a
// torn last frame was never acknowledged and is left out. The journal is
// locked: one process keeps a log at a time (OpenReadOnly reads and
// verifies what the file of a log kept elsewhere holds), and the journal
// goes with the file (a copy of the log is both, taken with the log
// closed). On Linux the journal's writes and syncs, and the syncs of the
// file's write-ahead log, go through io_uring where the kernel allows it:
// the goroutine waiting for the disk parks, and the scheduler's P it ran
// on serves the others meanwhile. Where io_uring is refused (an old
// kernel, a seccomp profile, kernel.io_uring_disabled) they are pwrite and
// fdatasync; DiskSync says which.
// AppendSealed
// also returns a signed checkpoint whose tree holds the entry, for the
// receipt of an exchange; the writer signs one per commit, whatever the
// number of callers in it.
//
// The log keeps an index of the people its entries name (Subject and
// Representative, both keyed hashes): BySubject pages through a person's
// entries, newest first, for the citizen's view. Since reads the latest
// entries back to a time, for a replay guard reloaded at start.
package audit
