package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// env is what a command needs from the process around it; tests fill it in.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of gateway.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the HTTP API and harvest the configured sources on schedule", runServe},
		{"harvest", "harvest sources once into the catalogue and report", runHarvest},
		{"reindex", "rebuild the search index from the catalogue", runReindex},
		{"linkcheck", "check once whether the records' links answer, and re-score them", runLinkcheck},
		{"consent", "grant, rescind and list data subjects' consents: consent grant|rescind|list", runConsent},
		{"mandate", "grant, revoke and list mandates (powers of attorney): mandate grant|revoke|list", runMandate},
		{"audit", "audit log keys and verification: audit keygen|verify", runAudit},
		{"keys", "signing keys of authorities and gateways: keys generate|set", runKeys},
		{"exchange", "sign and send a request as an authority: exchange send", runExchange},
		{"rdf", "read RDF documents: rdf stat FILE|URL", runRDF},
		{"version", "print the version of this binary", runVersion},
	}
}

const mainUsage = `gateway is Samband: one binary that harvests the DCAT catalogues of Nordic
and Baltic data directories into one catalogue, and brokers signed,
policy-checked exchange between authorities.

Usage:
  gateway <command> [flags] [arguments]

Commands:
%s
Run "gateway <command> --help" for a command's flags.
Environment variables GATEWAY_<FLAG> (upper case, '-' as '_') set any flag's default.
`

// run is the whole program: it parses args and runs one subcommand until it
// ends or ctx is cancelled.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printMainUsage(stderr)
		return usagef("no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printMainUsage(stdout)
		return nil
	case "-version", "--version":
		return runVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	printMainUsage(stderr)
	return usagef("unknown command %q", args[0])
}

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// newFlagSet returns a flag set that prints its usage to e.stderr, or to
// e.stdout when asked for with --help.
func newFlagSet(e env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gateway %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, after taking defaults from GATEWAY_* environment
// variables. --help prints the usage on stdout and returns errHelp.
func parseFlags(e env, fs *flag.FlagSet, args []string) error {
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		key := "GATEWAY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := e.getenv(key); v != "" && bad == nil {
			if err := f.Value.Set(v); err != nil {
				bad = usagef("%s=%q: %v", key, v, err)
			}
		}
	})
	if bad != nil {
		return bad
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return errHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// errHelp ends a command after it printed its help; the process exits 0.
var errHelp = errors.New("help shown")
