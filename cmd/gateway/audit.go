package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"samband/exchange/audit"
)

const auditUsage = `audit <subcommand> [flags]

Subcommands:
  keygen --name NAME           make the key pair that signs the audit log's checkpoints:
                               the signer key (keep it secret) and the verifier key, one a line
  verify --db F --key-file K   recompute the audit log's tree from its entries and check every
                               stored hash and signed checkpoint; exits 1 naming the first
                               difference`

func runAudit(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: gateway %s\n", auditUsage)
		return usagef("audit: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: gateway %s\n", auditUsage)
		return nil
	case "keygen":
		return runAuditKeygen(e, args[1:])
	case "verify":
		return runAuditVerify(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "Usage: gateway %s\n", auditUsage)
	return usagef("audit: unknown subcommand %q", args[0])
}

func runAuditKeygen(e env, args []string) error {
	fs := newFlagSet(e, "audit keygen", "audit keygen --name NAME\n\n"+
		"Prints a new Ed25519 key pair for signing the audit log's checkpoints: the\n"+
		"signer key, then the verifier key. Keep the output as the key file (readable by\n"+
		"the gateway alone); publish the verifier key, the second line.")
	name := fs.String("name", "", "the log's name, as checkpoints carry it (for example samband.gateway.no)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		return usagef("audit keygen: give --name and nothing else")
	}
	skey, vkey, err := audit.GenerateKey(*name)
	if err != nil {
		return fmt.Errorf("audit keygen: %w", err)
	}
	fmt.Fprintln(e.stdout, skey)
	fmt.Fprintln(e.stdout, vkey)
	return nil
}

// auditKeys is the audit log's key pair as a key file holds it.
type auditKeys struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string // the verifier key as published (name+hash+key)
}

// readAuditKeys reads a key file as keygen writes it: the signer key, then
// the verifier key.
func readAuditKeys(path string) (note.Signer, note.Verifier, error) {
	k, err := loadAuditKeys(path)
	return k.signer, k.verifier, err
}

// loadAuditKeys reads a key file as keygen writes it, keeping the
// verifier key's text for publishing.
func loadAuditKeys(path string) (auditKeys, error) {
	f, err := os.Open(path)
	if err != nil {
		return auditKeys{}, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return auditKeys{}, err
	}
	if len(lines) != 2 {
		return auditKeys{}, fmt.Errorf("%s: want two lines, the signer key and the verifier key, as gateway audit keygen writes them", path)
	}
	signer, err := note.NewSigner(lines[0])
	if err != nil {
		return auditKeys{}, fmt.Errorf("%s: signer key: %w", path, err)
	}
	verifier, err := note.NewVerifier(lines[1])
	if err != nil {
		return auditKeys{}, fmt.Errorf("%s: verifier key: %w", path, err)
	}
	return auditKeys{signer: signer, verifier: verifier, vkey: lines[1]}, nil
}

func runAuditVerify(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "audit verify", "audit verify --db F --key-file K\n\n"+
		"Recomputes the audit log's tree from its entries and checks every stored hash\n"+
		"and every signed checkpoint. Exits 0 when all agree, 1 naming the first\n"+
		"difference.")
	db := fs.String("db", "", "the SQLite file of the audit log")
	keyFile := fs.String("key-file", "", "the log's key file (gateway audit keygen)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *db == "" || *keyFile == "" || fs.NArg() > 0 {
		return usagef("audit verify: give --db and --key-file")
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	signer, verifier, err := readAuditKeys(*keyFile)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	// A log a running gateway keeps is verified as its file holds it: a
	// consistent prefix, without the entries only in its journal.
	log, err := audit.Open(ctx, *db, signer, verifier)
	if errors.Is(err, audit.ErrLocked) {
		fmt.Fprintf(e.stderr, "audit log %s is open in another process (a running gateway): verifying the entries its file holds; those still only in its journal are not checked\n", *db)
		log, err = audit.OpenReadOnly(ctx, *db, verifier)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	defer log.Close()
	tty := isTerminal(e.stderr)
	start, last := time.Now(), time.Now()
	err = log.Verify(ctx, func(n int64) {
		if tty && time.Since(last) >= 250*time.Millisecond {
			last = time.Now()
			fmt.Fprintf(e.stderr, "\rverified %d of %d entries", n, log.Size())
		}
	})
	if tty {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if errors.Is(err, audit.ErrTampered) {
		fmt.Fprintf(e.stdout, "audit log %s: NOT intact: %v\n", *db, err)
		return &silentError{err}
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintf(e.stdout, "audit log %s: %d entries, every hash and checkpoint agrees (%v)\n", *db, log.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}
