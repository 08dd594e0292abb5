package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"samband/policies"
	polsqlite "samband/policies/sqlite"
)

// gatewayStdin runs the program with stdin.
func gatewayStdin(t *testing.T, envv map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return envv[k] }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// cliSetup makes a key file and a registry path, and the environment that
// names the key.
func cliSetup(t *testing.T) (db string, envv map[string]string) {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "subject.key")
	if err := os.WriteFile(key, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "data", "samband.db"), map[string]string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE": key}
}

func TestConsentCommands(t *testing.T) {
	db, envv := cliSetup(t)
	idFile := filepath.Join(t.TempDir(), "id.txt")
	if err := os.WriteFile(idFile, []byte(noKari+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A gateway serving from the same file meanwhile.
	ctx := context.Background()
	var grantedID string
	{
		out, stderr, err := gatewayStdin(t, envv, "", "consent", "grant", "--db", db, "--json", "--country", "NO",
			"--national-id-file", idFile, "--recipient", "0192:974760673", "--purpose", "inheritance-settlement",
			"--target", "https://data.norge.no/dataservices/a,b", "--target", "https://data.norge.no/dataservices/c",
			"--until", "2099-01-01", "--reason", "given on paper")
		if err != nil {
			t.Fatalf("consent grant = %v\n%s", err, stderr)
		}
		var c consentView
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatalf("consent grant --json printed %q: %v", out, err)
		}
		if c.Status != "active" || len(c.Targets) != 2 || c.Targets[0] != "https://data.norge.no/dataservices/a,b" ||
			c.History[0].Via != "cli" || c.History[0].Reason != "given on paper" {
			t.Fatalf("granted %+v", c)
		}
		grantedID = c.ID
	}
	served, err := polsqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	key, err := loadSubjectKey(PoliciesConfig{SubjectKeyFile: envv["GATEWAY_POLICIES_SUBJECT_KEY_FILE"]}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	kari, err := personArg{Country: "NO", NationalID: noKari}.subject(key, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	q := policies.ConsentQuery{Subject: kari, Recipient: "0192:974760673", Purpose: "inheritance-settlement",
		Target: "https://data.norge.no/dataservices/c"}
	if _, ok, err := served.Consent(ctx, q); !ok || err != nil {
		t.Fatalf("the serving registry does not see the grant: %v, %v", ok, err)
	}

	// list reads the number from stdin; text and JSON.
	out, _, err := gatewayStdin(t, envv, noKari+"\n", "consent", "list", "--db", db, "--country", "NO")
	if err != nil || !strings.Contains(out, ": 1 consent\n") || !strings.Contains(out, grantedID+" (active)") ||
		!strings.Contains(out, "given on paper") {
		t.Fatalf("consent list = %v\n%s", err, out)
	}

	// Rescinded by the command: the serving registry's very next answer is no.
	out, _, err = gatewayStdin(t, envv, "", "consent", "rescind", "--db", db, "--reason", "withdrawn by phone", grantedID)
	if err != nil || !strings.Contains(out, "(rescinded)") || !strings.Contains(out, "withdrawn by phone") {
		t.Fatalf("consent rescind = %v\n%s", err, out)
	}
	if _, ok, err := served.Consent(ctx, q); ok || err != nil {
		t.Fatalf("the serving registry still sees the consent: %v, %v", ok, err)
	}
	_, _, err = gatewayStdin(t, envv, "", "consent", "rescind", "--db", db, grantedID)
	if code := exitCode(err, &bytes.Buffer{}); code != 1 || !strings.Contains(err.Error(), "already rescinded") {
		t.Errorf("rescinding twice = %v (exit %d)", err, code)
	}
	out, _, err = gatewayStdin(t, envv, "", "consent", "list", "--db", db, "--country", "NO", "--national-id", noKari, "--json")
	var list subjectList[consentView]
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Items) != 1 || list.Items[0].Status != "rescinded" ||
		len(list.Items[0].History) != 2 || list.Subject != string(kari[:12]) {
		t.Fatalf("consent list --json = %v\n%s", err, out)
	}
	for _, s := range []string{out} {
		if strings.Contains(s, noKari) || strings.Contains(s, "150385") {
			t.Errorf("output holds the number: %s", s)
		}
	}

	// A consent to a class, read from stdin with "-".
	out, _, err = gatewayStdin(t, envv, seSven+"\n", "consent", "grant", "--db", db, "--country", "SE", "--national-id-file", "-",
		"--recipient-class", "municipality", "--purpose", "*", "--target", "*", "--from", "2098-01-01", "--until", "2099-01-01T12:00:00+01:00")
	if err != nil || !strings.Contains(out, "(pending)") || !strings.Contains(out, "every municipality") ||
		!strings.Contains(out, "until 2099-01-01T11:00:00Z") {
		t.Fatalf("consent grant to a class = %v\n%s", err, out)
	}
}

func TestMandateCommands(t *testing.T) {
	db, envv := cliSetup(t)
	// Both numbers on stdin, the grantor's first.
	out, stderr, err := gatewayStdin(t, envv, noDeceased+"\n"+fiHeir+"\n", "mandate", "grant", "--db", db,
		"--grantor-country", "NO", "--grantor-deceased", "--representative-country", "FI",
		"--target", "https://data.norge.no/dataservices/folkeregisteret-death-record", "--purpose", "inheritance-settlement",
		"--life-event", "death-and-inheritance", "--basis", "heir-certificate",
		"--evidence", "Oslo tingrett, skifteattest 26-123456SKI-OTIR/05", "--issuer", "no", "--json")
	if err != nil {
		t.Fatalf("mandate grant = %v\n%s", err, stderr)
	}
	var m mandateView
	if err := json.Unmarshal([]byte(out), &m); err != nil || !m.GrantorDeceased || m.Issuer != "NO" || m.Status != "active" {
		t.Fatalf("mandate grant --json = %q, %v", out, err)
	}

	out, _, err = gatewayStdin(t, envv, fiHeir+"\n", "mandate", "list", "--db", db, "--country", "FI")
	if err != nil || !strings.Contains(out, ": 1 mandate\n") || !strings.Contains(out, "as representative") ||
		!strings.Contains(out, "(deceased: for the estate)") || !strings.Contains(out, "until revoked") ||
		!strings.Contains(out, "heir-certificate: Oslo tingrett") {
		t.Fatalf("mandate list = %v\n%s", err, out)
	}
	out, _, err = gatewayStdin(t, envv, fiHeir+"\n", "mandate", "list", "--db", db, "--country", "FI", "--role", "grantor", "--json")
	var list subjectList[mandateView]
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Items) != 0 {
		t.Fatalf("mandate list --role grantor = %v\n%s", err, out)
	}
	out, _, err = gatewayStdin(t, envv, "", "mandate", "revoke", "--db", db, "--reason", "certificate replaced", m.ID)
	if err != nil || !strings.Contains(out, "(revoked)") || !strings.Contains(out, "certificate replaced") {
		t.Fatalf("mandate revoke = %v\n%s", err, out)
	}

	// Refusals, with the reason.
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{noDeceased + "\n" + fiHeir + "\n", []string{"--grantor-country", "NO", "--representative-country", "FI", "--target", "*",
			"--purpose", "*", "--life-event", "death", "--basis", "heir-certificate", "--grantor-deceased", "--evidence", "e", "--issuer", "NO"},
			`"death" is not a life event`},
		{noDeceased + "\n", []string{"--grantor-country", "NO", "--representative-country", "FI"}, "no national identity number of the representative"},
		{noDeceased + "\n" + "170852-234D\n", []string{"--grantor-country", "NO", "--representative-country", "FI", "--target", "*",
			"--purpose", "*", "--life-event", "*", "--basis", "court-order", "--evidence", "e", "--issuer", "NO"}, "representative: invalid national identity number: FI"},
	} {
		_, _, err := gatewayStdin(t, envv, tc.stdin, append([]string{"mandate", "grant", "--db", db}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("mandate grant %v = %v, want %q", tc.args, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "170852") || strings.Contains(err.Error(), "311245")) {
			t.Errorf("the error repeats a number: %v", err)
		}
	}
}

func TestRegistryCommandsRefuse(t *testing.T) {
	db, envv := cliSetup(t)
	for _, tc := range []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{nil, []string{"consent", "list", "--db", db, "--country", "NO", "--national-id", noKari}, 1, "no subject key: set policies.subject_key_file"},
		{map[string]string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE": "/nonexistent/key"}, []string{"consent", "list", "--db", db, "--country", "NO", "--national-id", noKari}, 1, "policies.subject_key_file"},
		{envv, []string{"consent"}, 2, "no subcommand"},
		{envv, []string{"consent", "frob"}, 2, "unknown subcommand"},
		{envv, []string{"mandate", "frob"}, 2, "unknown subcommand"},
		{envv, []string{"consent", "rescind", "--db", db}, 2, "exactly one consent ID"},
		{envv, []string{"mandate", "revoke", "--db", db, "a", "b"}, 2, "exactly one mandate ID"},
		{envv, []string{"consent", "list", "--db", db, "--country", "NO", "--national-id", noKari, "--national-id-file", "x"}, 2, "not both"},
		{envv, []string{"consent", "list", "--db", db, "--country", "NO"}, 2, "no national identity number of the data subject"},
		{envv, []string{"consent", "grant", "--db", db, "--country", "NO", "--national-id", noKari, "--until", "soon"}, 2, "not a date"},
		{envv, []string{"mandate", "list", "--db", db, "--role", "heir"}, 2, "--role"},
		{envv, []string{"mandate", "grant", "--db", db, "--grantor-id-file", "-", "--representative-id-file", "-"}, 2, "only one of"},
		{envv, []string{"consent", "grant", "--db", db, "--country", "NO", "--national-id", noKari, "--recipient", "x",
			"--purpose", "p", "--until", "2099-01-01"}, 1, "targets: at least one"},
		{envv, []string{"consent", "rescind", "--db", db, "nosuchconsent"}, 1, "no such consent"},
		{envv, []string{"mandate", "revoke", "--db", db, "nosuchmandate"}, 1, "no such mandate"},
	} {
		_, _, err := gatewayStdin(t, tc.env, "", tc.args...)
		if code := exitCode(err, &bytes.Buffer{}); code != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("gateway %v = %v (exit %d), want exit %d with %q", tc.args, err, code, tc.code, tc.want)
		}
	}
	// A key file others can read works, with a warning.
	loose := filepath.Join(t.TempDir(), "loose.key")
	if err := os.WriteFile(loose, []byte(strings.Repeat("ab", 32)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := gatewayStdin(t, map[string]string{"GATEWAY_POLICIES_SUBJECT_KEY_FILE": loose}, noKari+"\n",
		"consent", "list", "--db", db, "--country", "NO")
	if err != nil || !strings.Contains(stderr, "can be read by others") {
		t.Errorf("a loose key file: %v, stderr %q", err, stderr)
	}
	for _, args := range [][]string{{"consent", "--help"}, {"consent", "grant", "--help"}, {"mandate", "--help"}, {"mandate", "grant", "--help"},
		{"mandate", "list", "--help"}, {"consent", "rescind", "--help"}} {
		out, _, err := gatewayStdin(t, nil, "", args...)
		if err != nil || !strings.Contains(out, "Usage") {
			t.Errorf("gateway %v = %v, %q", args, err, out)
		}
	}
}
