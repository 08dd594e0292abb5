package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"samband/policies"
)

const mandateUsage = `mandate <subcommand> [flags]

Grants, revokes and lists mandates (powers of attorney) in the consent and
mandate registry (the file of --db, else the configuration's policies.db,
else its db). A revocation holds from the very next decision, also of a
gateway serving from the same file.

Subcommands:
  grant [flags]        record a mandate (needs the subject key)
  revoke [flags] ID    revoke a mandate
  list [flags]         the mandates a person gave or holds (needs the subject key)

National identity numbers are read from --grantor-id-file and
--representative-id-file (- for stdin), or, for those not given, from lines
of stdin (the grantor's first), or from --grantor-id and --representative-id
(which your shell history keeps). They are checked, hashed with the subject
key and forgotten.`

func runMandate(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: gateway %s\n", mandateUsage)
		return usagef("mandate: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: gateway %s\n", mandateUsage)
		return nil
	case "grant":
		return runMandateGrant(ctx, e, args[1:])
	case "revoke":
		return runMandateRevoke(ctx, e, args[1:])
	case "list":
		return runMandateList(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "Usage: gateway %s\n", mandateUsage)
	return usagef("mandate: unknown subcommand %q", args[0])
}

func runMandateGrant(ctx context.Context, e env, args []string) error {
	var bases []string
	for _, b := range policies.MandateBases() {
		bases = append(bases, string(b))
	}
	fs := newFlagSet(e, "mandate grant", "mandate grant [flags]\n\n"+
		"Records that a representative may act for a grantor (or, with\n"+
		"--grantor-deceased, for the estate of a deceased grantor) on the targets,\n"+
		"for the purposes and in the life events given, as the evidence establishes.\n\n"+
		"  printf '%s\\n%s\\n' \"$DECEASED\" \"$HEIR\" | gateway mandate grant \\\n"+
		"    --grantor-country NO --grantor-deceased --representative-country FI \\\n"+
		"    --target https://data.norge.no/dataservices/x --purpose inheritance-settlement \\\n"+
		"    --life-event death-and-inheritance --basis heir-certificate \\\n"+
		"    --evidence 'Oslo tingrett 26-123456SKI-OTIR/05' --issuer NO")
	configPath := fs.String("config", "", "YAML configuration (policies.subject_key_file, policies.db, db, life_events)")
	db := fs.String("db", "", "SQLite file of the registry (default: the config's policies.db, else its db)")
	asJSON := fs.Bool("json", false, "print the mandate as JSON")
	gCountry := fs.String("grantor-country", "", "ISO 3166-1 alpha-2 country of the grantor's national identity number (required)")
	gNumber := fs.String("grantor-id", "", "the grantor's national identity number (kept by shell history: prefer the file or stdin)")
	gFile := fs.String("grantor-id-file", "", "file whose first line is the grantor's number; - for stdin")
	deceased := fs.Bool("grantor-deceased", false, "the grantor has died: the mandate is for their estate")
	rCountry := fs.String("representative-country", "", "ISO 3166-1 alpha-2 country of the representative's national identity number (required)")
	rNumber := fs.String("representative-id", "", "the representative's national identity number (kept by shell history: prefer the file or stdin)")
	rFile := fs.String("representative-id-file", "", "file whose first line is the representative's number; - for stdin")
	var targets, purposes, lifeEvents listArg
	fs.Var(&targets, "target", "a dataset's or data service's IRI or catalogue id (repeat the flag for more); * for all")
	fs.Var(&purposes, "purpose", "a purpose (repeat the flag for more); * for all")
	fs.Var(&lifeEvents, "life-event", "a life event id (death-and-inheritance, having-a-child ..., repeat the flag for more); * for all")
	var from, until timeArg
	fs.Var(&from, "from", "when the mandate starts: a date (2027-01-31) or an RFC 3339 time (default: now)")
	fs.Var(&until, "until", "when it ends, exclusive (default: until revoked; required for parental-responsibility)")
	basis := fs.String("basis", "", "how it was established: "+strings.Join(bases, ", ")+" (required)")
	evidence := fs.String("evidence", "", "the reference of the document that establishes it (required)")
	issuer := fs.String("issuer", "", "ISO 3166-1 alpha-2 country of the authority that issued the evidence (required)")
	reason := fs.String("reason", "", "a note kept in the history")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("mandate grant: unexpected argument %q", fs.Arg(0))
	}
	if *gFile == "-" && *rFile == "-" {
		return usagef("mandate grant: only one of --grantor-id-file and --representative-id-file can be -; leave both out to read both from stdin")
	}
	nr := newNumberReader(e)
	g, err := nr.read(*gNumber, *gFile, "grantor-id", "grantor")
	if err != nil {
		return err
	}
	r, err := nr.read(*rNumber, *rFile, "representative-id", "representative")
	if err != nil {
		return err
	}
	reg, key, cfg, err := openCLIRegistry(ctx, e, *configPath, *db, true)
	if err != nil {
		return fmt.Errorf("mandate grant: %w", err)
	}
	defer reg.Close()
	rules, err := lifeEventRules(cfg.LifeEvents)
	if err != nil {
		return err
	}
	now := time.Now()
	req := mandateRequest{Grantor: personArg{Country: *gCountry, NationalID: g}, GrantorDeceased: *deceased,
		Representative: personArg{Country: *rCountry, NationalID: r}, Targets: targets, Purposes: purposes, LifeEvents: lifeEvents,
		From: from, Until: until, Basis: *basis, Evidence: *evidence, Issuer: *issuer}
	m, err := req.mandate(key, rules, now)
	if err != nil {
		return fmt.Errorf("mandate grant: %w", err)
	}
	if m, err = reg.GrantMandate(ctx, m, policies.Note{Via: "cli", Reason: *reason}); err != nil {
		return err
	}
	return printMandates(e.stdout, *asJSON, false, viewMandate(m, time.Now()))
}

func runMandateRevoke(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "mandate revoke", "mandate revoke [flags] ID\n\n"+
		"Revokes the mandate ID at once: from now on it holds for no decision. The\n"+
		"mandate stays in the history, with the revocation.")
	configPath := fs.String("config", "", "YAML configuration (policies.db, db)")
	db := fs.String("db", "", "SQLite file of the registry (default: the config's policies.db, else its db)")
	asJSON := fs.Bool("json", false, "print the mandate as JSON")
	reason := fs.String("reason", "", "a note kept in the history (certificate replaced, ...)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("mandate revoke: want exactly one mandate ID")
	}
	reg, _, _, err := openCLIRegistry(ctx, e, *configPath, *db, false)
	if err != nil {
		return fmt.Errorf("mandate revoke: %w", err)
	}
	defer reg.Close()
	m, err := reg.RevokeMandate(ctx, fs.Arg(0), policies.Note{Via: "cli", Reason: *reason})
	if err != nil {
		return err
	}
	return printMandates(e.stdout, *asJSON, false, viewMandate(m, time.Now()))
}

func runMandateList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "mandate list", "mandate list [flags]\n\n"+
		"Lists the mandates a person gave (as grantor) or holds (as representative),\n"+
		"revoked and expired ones too, newest first, each with its history.")
	configPath := fs.String("config", "", "YAML configuration (policies.subject_key_file, policies.db, db)")
	db := fs.String("db", "", "SQLite file of the registry (default: the config's policies.db, else its db)")
	asJSON := fs.Bool("json", false, `print {"subject", "items"} as the API answers`)
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of the national identity number (required)")
	number := fs.String("national-id", "", "the person's national identity number (kept by shell history: prefer --national-id-file or stdin)")
	numberFile := fs.String("national-id-file", "", "file whose first line is the national identity number; - for stdin")
	role := fs.String("role", "", "only the mandates where the person is the grantor, or the representative")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("mandate list: unexpected argument %q", fs.Arg(0))
	}
	switch *role {
	case "", "grantor", "representative":
	default:
		return usagef("mandate list: --role %q is not grantor or representative", *role)
	}
	id, err := newNumberReader(e).read(*number, *numberFile, "national-id", "person")
	if err != nil {
		return err
	}
	reg, key, _, err := openCLIRegistry(ctx, e, *configPath, *db, true)
	if err != nil {
		return fmt.Errorf("mandate list: %w", err)
	}
	defer reg.Close()
	now := time.Now()
	subject, err := personArg{Country: *country, NationalID: id}.subject(key, "person", now)
	if err != nil {
		return fmt.Errorf("mandate list: %w", err)
	}
	ms, err := reg.Mandates(ctx, subject)
	if err != nil {
		return err
	}
	views := viewMandatesOf(ms, subject, *role, now)
	if *asJSON {
		return printJSON(e.stdout, subjectList[mandateView]{shortSubject(subject), views})
	}
	fmt.Fprintf(e.stdout, "subject %s: %s\n", shortSubject(subject), nounCount(len(views), "mandate"))
	return printMandates(e.stdout, false, true, views...)
}

// printMandates prints mandates as JSON (one: the object) or as text.
func printMandates(w io.Writer, asJSON, gap bool, vs ...mandateView) error {
	if asJSON && len(vs) == 1 {
		return printJSON(w, vs[0])
	}
	for _, v := range vs {
		if gap {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "mandate %s (%s)", v.ID, v.Status)
		if v.Role != "" {
			fmt.Fprintf(w, ", as %s", v.Role)
		}
		fmt.Fprintln(w)
		grantor := v.Grantor
		if v.GrantorDeceased {
			grantor += " (deceased: for the estate)"
		}
		printField(w, "grantor", grantor)
		printField(w, "representative", v.Representative)
		printField(w, "targets", strings.Join(v.Targets, ", "))
		printField(w, "purposes", strings.Join(v.Purposes, ", "))
		printField(w, "life events", strings.Join(v.LifeEvents, ", "))
		if v.Until.IsZero() {
			printField(w, "valid", "from "+v.From.Format(time.RFC3339)+" until revoked")
		} else {
			printField(w, "valid", "from "+v.From.Format(time.RFC3339)+" until "+v.Until.Format(time.RFC3339))
		}
		printField(w, "basis", fmt.Sprintf("%s: %s (issued in %s)", v.Basis, v.Evidence, v.Issuer))
		printHistory(w, v.History)
	}
	return nil
}
