package audit_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"samband/exchange/audit"
	"samband/policies"
)

// A decision is appended, a checkpoint signed, and the entry proved to be
// in the tree the checkpoint signs, as a citizen's view would check it.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	skey, vkey, err := audit.GenerateKey("gateway.example.no")
	if err != nil {
		log.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"), signer, verifier)
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	e := audit.Entry{
		Time:       time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC),
		RequestID:  "4b1f0c",
		Requester:  "SE:202100-3484",
		Service:    "https://data.example.no/service/population",
		Purpose:    "inheritance",
		LegalBasis: "EU 650/2012",
		Decision:   "permit",
		Status:     200,
	}
	i, err := l.Append(ctx, e)
	if err != nil {
		log.Fatal(err)
	}
	signed, size, err := l.Checkpoint(ctx)
	if err != nil {
		log.Fatal(err)
	}
	msg, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		log.Fatal(err)
	}
	tree, _ := tlog.ParseTree([]byte(msg.Text))
	proof, err := l.InclusionProof(ctx, i, size)
	if err != nil {
		log.Fatal(err)
	}
	h, _ := e.Hash()
	fmt.Println("index", i, "tree size", tree.N)
	fmt.Println("included:", tlog.CheckRecord(proof, tree.N, tree.Hash, i, h) == nil)
	fmt.Println("verify:", l.Verify(ctx, nil))
	// Output:
	// index 0 tree size 1
	// included: true
	// verify: <nil>
}

// A sealed append returns a signed checkpoint whose tree holds the entry,
// for the receipt of an exchange; the citizen's view finds the entry by
// the person's subject hash.
func ExampleLog_AppendSealed() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	skey, vkey, _ := audit.GenerateKey("gateway.example.no")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"), signer, verifier)
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	kari := policies.Subject("e5815cd5167a4a1f7c2d9b0e6f3a8d4c2b1e0f9a8d7c6b5a4f3e2d1c0b9a8f7e")
	i, checkpoint, err := l.AppendSealed(ctx, audit.Entry{
		Time: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), RequestID: "4b1f0c",
		Requester: "SE:202100-3484", Service: "https://data.example.no/service/population",
		Purpose: "inheritance-settlement", Decision: "permit", Subject: kari, Status: 200,
	})
	if err != nil {
		log.Fatal(err)
	}
	msg, err := note.Open(checkpoint, note.VerifierList(l.Verifier()))
	if err != nil {
		log.Fatal(err)
	}
	tree, _ := tlog.ParseTree([]byte(msg.Text))
	fmt.Println("index", i, "sealed in a tree of", tree.N)

	found, err := l.BySubject(ctx, kari, 0, 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, x := range found {
		fmt.Println(x.Index, x.Entry.Purpose, x.Role == audit.RoleSubject)
	}
	// Output:
	// index 0 sealed in a tree of 1
	// 0 inheritance-settlement true
}
