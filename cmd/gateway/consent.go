package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"samband/policies"
)

const consentUsage = `consent <subcommand> [flags]

Grants, rescinds and lists the consents of data subjects in the consent and
mandate registry (the file of --db, else the configuration's policies.db,
else its db). A rescission holds from the very next decision, also of a
gateway serving from the same file.

Subcommands:
  grant [flags]        record a consent (needs the subject key)
  rescind [flags] ID   rescind a consent
  list [flags]         a person's consents with their history (needs the subject key)

A national identity number is read from --national-id-file FILE, or a line
of stdin, or --national-id (which your shell history keeps). It is checked,
hashed with the subject key (policies.subject_key_file) and forgotten: the
registry and the output show the first digits of the hash only.`

func runConsent(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: gateway %s\n", consentUsage)
		return usagef("consent: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: gateway %s\n", consentUsage)
		return nil
	case "grant":
		return runConsentGrant(ctx, e, args[1:])
	case "rescind":
		return runConsentRescind(ctx, e, args[1:])
	case "list":
		return runConsentList(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "Usage: gateway %s\n", consentUsage)
	return usagef("consent: unknown subcommand %q", args[0])
}

func runConsentGrant(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "consent grant", "consent grant [flags]\n\n"+
		"Records that a data subject consents to a recipient (one organisation, or a\n"+
		"class of them) using their data for the purposes, on the targets, from --from\n"+
		"until --until. Prints the consent; --json as the API answers it.\n\n"+
		"  gateway consent grant --country NO --national-id-file id.txt --recipient 0192:974760673 \\\n"+
		"    --purpose inheritance-settlement --target https://data.norge.no/dataservices/x --until 2027-12-31")
	configPath := fs.String("config", "", "YAML configuration (policies.subject_key_file, policies.db, db)")
	db := fs.String("db", "", "SQLite file of the registry (default: the config's policies.db, else its db)")
	asJSON := fs.Bool("json", false, "print the consent as JSON")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of the national identity number (required)")
	number := fs.String("national-id", "", "the data subject's national identity number (kept by shell history: prefer --national-id-file or stdin)")
	numberFile := fs.String("national-id-file", "", "file whose first line is the national identity number; - for stdin")
	recipient := fs.String("recipient", "", "the organisation consented to (an organisation identifier such as 0192:974760673, or an IRI)")
	class := fs.String("recipient-class", "", "instead of --recipient: a class of organisations (public-authority, municipality ...)")
	var purposes, targets listArg
	fs.Var(&purposes, "purpose", "a purpose consented to (repeat the flag for more); * for all")
	fs.Var(&targets, "target", "a dataset's or data service's IRI or catalogue id (repeat the flag for more); * for all")
	var from, until timeArg
	fs.Var(&from, "from", "when the consent starts: a date (2027-01-31) or an RFC 3339 time (default: now)")
	fs.Var(&until, "until", "when it ends, exclusive: a date or an RFC 3339 time (required)")
	reference := fs.String("reference", "", "where the consent was given, if elsewhere (an Altinn consent id, a form's number)")
	reason := fs.String("reason", "", "a note kept in the history")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("consent grant: unexpected argument %q", fs.Arg(0))
	}
	id, err := newNumberReader(e).read(*number, *numberFile, "national-id", "data subject")
	if err != nil {
		return err
	}
	reg, key, _, err := openCLIRegistry(ctx, e, *configPath, *db, true)
	if err != nil {
		return fmt.Errorf("consent grant: %w", err)
	}
	defer reg.Close()
	now := time.Now()
	req := consentRequest{Subject: personArg{Country: *country, NationalID: id}, Recipient: *recipient, RecipientClass: *class,
		Purposes: purposes, Targets: targets, From: from, Until: until, Reference: *reference}
	c, err := req.consent(key, now)
	if err != nil {
		return fmt.Errorf("consent grant: %w", err)
	}
	if c, err = reg.GrantConsent(ctx, c, policies.Note{Via: "cli", Reason: *reason}); err != nil {
		return err
	}
	return printConsents(e.stdout, *asJSON, false, viewConsent(c, time.Now()))
}

func runConsentRescind(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "consent rescind", "consent rescind [flags] ID\n\n"+
		"Rescinds the consent ID at once: from now on it holds for no decision. The\n"+
		"consent stays in the history, with the rescission.")
	configPath := fs.String("config", "", "YAML configuration (policies.db, db)")
	db := fs.String("db", "", "SQLite file of the registry (default: the config's policies.db, else its db)")
	asJSON := fs.Bool("json", false, "print the consent as JSON")
	reason := fs.String("reason", "", "a note kept in the history (withdrawn by the data subject, ...)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("consent rescind: want exactly one consent ID")
	}
	reg, _, _, err := openCLIRegistry(ctx, e, *configPath, *db, false)
	if err != nil {
		return fmt.Errorf("consent rescind: %w", err)
	}
	defer reg.Close()
	c, err := reg.RescindConsent(ctx, fs.Arg(0), policies.Note{Via: "cli", Reason: *reason})
	if err != nil {
		return err
	}
	return printConsents(e.stdout, *asJSON, false, viewConsent(c, time.Now()))
}

func runConsentList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "consent list", "consent list [flags]\n\n"+
		"Lists every consent a data subject has granted, rescinded and expired ones\n"+
		"too, newest first, each with its history.")
	configPath := fs.String("config", "", "YAML configuration (policies.subject_key_file, policies.db, db)")
	db := fs.String("db", "", "SQLite file of the registry (default: the config's policies.db, else its db)")
	asJSON := fs.Bool("json", false, `print {"subject", "items"} as the API answers`)
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of the national identity number (required)")
	number := fs.String("national-id", "", "the data subject's national identity number (kept by shell history: prefer --national-id-file or stdin)")
	numberFile := fs.String("national-id-file", "", "file whose first line is the national identity number; - for stdin")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("consent list: unexpected argument %q", fs.Arg(0))
	}
	id, err := newNumberReader(e).read(*number, *numberFile, "national-id", "data subject")
	if err != nil {
		return err
	}
	reg, key, _, err := openCLIRegistry(ctx, e, *configPath, *db, true)
	if err != nil {
		return fmt.Errorf("consent list: %w", err)
	}
	defer reg.Close()
	now := time.Now()
	subject, err := personArg{Country: *country, NationalID: id}.subject(key, "subject", now)
	if err != nil {
		return fmt.Errorf("consent list: %w", err)
	}
	cs, err := reg.Consents(ctx, subject)
	if err != nil {
		return err
	}
	views := make([]consentView, 0, len(cs))
	for _, c := range cs {
		views = append(views, viewConsent(c, now))
	}
	if *asJSON {
		return printJSON(e.stdout, subjectList[consentView]{shortSubject(subject), views})
	}
	fmt.Fprintf(e.stdout, "subject %s: %s\n", shortSubject(subject), nounCount(len(views), "consent"))
	return printConsents(e.stdout, false, true, views...)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printConsents prints consents as JSON (one: the object) or as text.
func printConsents(w io.Writer, asJSON, gap bool, vs ...consentView) error {
	if asJSON && len(vs) == 1 {
		return printJSON(w, vs[0])
	}
	for _, v := range vs {
		if gap {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "consent %s (%s)\n", v.ID, v.Status)
		printField(w, "subject", v.Subject)
		if v.Recipient != "" {
			printField(w, "recipient", v.Recipient)
		} else {
			printField(w, "recipients", "every "+v.RecipientClass)
		}
		printField(w, "purposes", strings.Join(v.Purposes, ", "))
		printField(w, "targets", strings.Join(v.Targets, ", "))
		printField(w, "valid", "from "+v.From.Format(time.RFC3339)+" until "+v.Until.Format(time.RFC3339))
		if v.Reference != "" {
			printField(w, "reference", v.Reference)
		}
		printHistory(w, v.History)
	}
	return nil
}

// nounCount says "1 consent", "2 consents".
func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// printField prints one labelled line of a consent or mandate.
func printField(w io.Writer, label, value string) { fmt.Fprintf(w, "  %-14s %s\n", label, value) }

func printHistory(w io.Writer, h []policies.Event) {
	for _, ev := range h {
		fmt.Fprintf(w, "  %-14s %s", ev.Kind, ev.At.Format(time.RFC3339))
		if ev.Via != "" {
			fmt.Fprintf(w, " via %s", ev.Via)
		}
		if ev.Reason != "" {
			fmt.Fprintf(w, ": %s", ev.Reason)
		}
		fmt.Fprintln(w)
	}
}
