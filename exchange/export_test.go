package exchange

import (
	"context"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"samband/exchange/audit"
)

// OpenTestLog opens an audit log in a new SQLite file at path, signed by a
// new key named name, and closes it when the test ends: for the tests of
// this package and of exchange_test.
func OpenTestLog(tb testing.TB, path, name string) *audit.Log {
	tb.Helper()
	skey, vkey, err := audit.GenerateKey(name)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := audit.Open(context.Background(), path, signer, verifier)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}
