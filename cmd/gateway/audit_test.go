package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"samband/exchange/audit"
)

// TestAuditCommands: a key made by keygen signs a real log's checkpoint;
// verify passes, then finds one byte changed in an entry.
func TestAuditCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out, _, err := gateway(t, nil, "audit", "keygen", "--name", "samband.test")
	if err != nil || len(strings.Fields(out)) != 2 {
		t.Fatalf("keygen = %q, %v", out, err)
	}
	keyFile := filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, verifier, err := readAuditKeys(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "audit.db")
	log, err := audit.Open(ctx, db, signer, verifier)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := log.Append(ctx, audit.Entry{Time: time.Unix(int64(1_800_000_000+i), 0), RequestID: "req-" + string(rune('a'+i)),
			Requester: "FI:0245437-2", Service: "NO:974760673/death-records", Purpose: "inheritance-settlement", Decision: "permit", Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	log.Close()

	out, _, err = gateway(t, nil, "audit", "verify", "--db", db, "--key-file", keyFile)
	if err != nil || !strings.Contains(out, "20 entries, every hash and checkpoint agrees") {
		t.Fatalf("verify = %q, %v", out, err)
	}
	// A log a gateway keeps open is verified as its file holds it.
	log, err = audit.Open(ctx, db, signer, verifier)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := gateway(t, nil, "audit", "verify", "--db", db, "--key-file", keyFile)
	if err != nil || !strings.Contains(out, "20 entries, every hash and checkpoint agrees") || !strings.Contains(errOut, "open in another process") {
		t.Errorf("verify of a log open elsewhere = %q, %q, %v; want it verified, saying it is open", out, errOut, err)
	}
	log.Close()

	// One byte of entry 7 changed behind the log's back.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	if err := raw.QueryRow(`SELECT data FROM audit_entries WHERE "index" = 7`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if _, err := raw.Exec(`UPDATE audit_entries SET data = ? WHERE "index" = 7`, data); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, _, err = gateway(t, nil, "audit", "verify", "--db", db, "--key-file", keyFile)
	if code := exitCode(err, &strings.Builder{}); code != 1 || !strings.Contains(out, "NOT intact") || !strings.Contains(out, "entry 7") {
		t.Errorf("verify after tampering = %q, exit %d; want exit 1 naming entry 7", out, code)
	}
	if _, _, err := gateway(t, nil, "audit", "verify", "--db", db); err == nil {
		t.Error("verify without a key file succeeded")
	}
}
