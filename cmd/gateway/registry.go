package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"samband/catalog/lifeevent"
	"samband/policies"
	polsqlite "samband/policies/sqlite"
)

// consentRegistry is what the consent and mandate API and commands need of
// the registry (policies/sqlite).
type consentRegistry interface {
	GrantConsent(ctx context.Context, c policies.Consent, note policies.Note) (policies.Consent, error)
	RescindConsent(ctx context.Context, id string, note policies.Note) (policies.Consent, error)
	ConsentByID(ctx context.Context, id string) (policies.Consent, error)
	Consents(ctx context.Context, subject policies.Subject) ([]policies.Consent, error)
	GrantMandate(ctx context.Context, m policies.Mandate, note policies.Note) (policies.Mandate, error)
	RevokeMandate(ctx context.Context, id string, note policies.Note) (policies.Mandate, error)
	MandateByID(ctx context.Context, id string) (policies.Mandate, error)
	Mandates(ctx context.Context, subject policies.Subject) ([]policies.Mandate, error)
}

// registryAPI is the consent and mandate API's state: the registry and the
// key that turns national identity numbers into Subjects.
type registryAPI struct {
	reg consentRegistry
	key policies.SubjectKey
}

// errNoSubjectKey says how to give the gateway a subject key.
var errNoSubjectKey = errors.New("no subject key: set policies.subject_key_file in the configuration " +
	"(or GATEWAY_POLICIES_SUBJECT_KEY_FILE) to a file of at least 64 hexadecimal digits, made with " +
	"`openssl rand -hex 32 > subject.key`; every gateway that must recognise the same people uses the same key")

// loadSubjectKey reads the subject key the configuration names: nil when it
// names none. warn is told when others than the owner may read the file.
func loadSubjectKey(c PoliciesConfig, warn func(msg string)) (policies.SubjectKey, error) {
	if c.SubjectKeyFile == "" {
		return nil, nil
	}
	fi, err := os.Stat(c.SubjectKeyFile)
	if err != nil {
		return nil, fmt.Errorf("policies.subject_key_file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		warn(fmt.Sprintf("subject key file %s can be read by others (mode %v): chmod 600 it", c.SubjectKeyFile, fi.Mode().Perm()))
	}
	raw, err := os.ReadFile(c.SubjectKeyFile)
	if err != nil {
		return nil, fmt.Errorf("policies.subject_key_file: %w", err)
	}
	k, err := policies.ParseSubjectKey(raw)
	if err != nil {
		return nil, fmt.Errorf("policies.subject_key_file %s: %w", c.SubjectKeyFile, err)
	}
	return k, nil
}

// openServeRegistry opens the registry for serve: nil, and a warning in the
// log, when no subject key is configured (the API answers 503 saying so);
// in the demo a key made for the run. A key file that is configured but
// cannot be read stops the gateway.
func openServeRegistry(ctx context.Context, cfg Config, logger *slog.Logger) (*polsqlite.Registry, *registryAPI, error) {
	key, err := loadSubjectKey(cfg.Policies, func(msg string) { logger.Warn(msg) })
	if err != nil {
		return nil, nil, err
	}
	if key == nil {
		if !cfg.Policies.demoKey {
			logger.Warn("consent and mandate API off", "reason", errNoSubjectKey.Error())
			return nil, nil, nil
		}
		if key, err = policies.NewSubjectKey(); err != nil {
			return nil, nil, err
		}
		logger.Warn("demo: made a subject key in memory for this run; consents and mandates stored now will not be found by their national identity numbers after a restart")
	}
	path := cfg.policiesDB()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, fmt.Errorf("policy registry: %w", err)
	}
	reg, err := polsqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("consent and mandate registry open", "db", path)
	return reg, &registryAPI{reg: reg, key: key}, nil
}

// openCLIRegistry opens the registry for a consent or mandate command: the
// file of --db, else the configuration's. With needKey it also reads the
// subject key, which is then required.
func openCLIRegistry(ctx context.Context, e env, configPath, db string, needKey bool) (*polsqlite.Registry, policies.SubjectKey, Config, error) {
	cfg, err := loadConfig(configPath, e.getenv)
	if err != nil {
		return nil, nil, cfg, err
	}
	var key policies.SubjectKey
	if needKey {
		if key, err = loadSubjectKey(cfg.Policies, func(msg string) { fmt.Fprintf(e.stderr, "gateway: warning: %s\n", msg) }); err != nil {
			return nil, nil, cfg, err
		}
		if key == nil {
			return nil, nil, cfg, errNoSubjectKey
		}
	}
	path := db
	if path == "" {
		path = cfg.policiesDB()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, cfg, err
	}
	reg, err := polsqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, cfg, err
	}
	return reg, key, cfg, nil
}

// person is someone as the API and the commands take them: the country
// that issued their national identity number, and the number, which is
// checked and hashed at once and never kept, logged or shown.
type personArg struct {
	Country    string `json:"country"`
	NationalID string `json:"national_id"`
}

// subject checks p's number and returns its Subject; field names p in
// errors, which never hold the number.
func (p personArg) subject(key policies.SubjectKey, field string, now time.Time) (policies.Subject, error) {
	if p.Country == "" {
		return "", fmt.Errorf("%s.country: %w: required (ISO 3166-1 alpha-2, such as NO)", field, policies.ErrNationalID)
	}
	if p.NationalID == "" {
		return "", fmt.Errorf("%s.national_id: %w: required", field, policies.ErrNationalID)
	}
	id, err := policies.ParseNationalID(p.Country, p.NationalID, now)
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	return id.Subject(key)
}

// shortSubject is how a Subject is shown: its first 12 hexadecimal digits,
// enough to tell people apart in a list, too few to link them elsewhere.
func shortSubject(s policies.Subject) string {
	if len(s) > 12 {
		return string(s[:12])
	}
	return string(s)
}

// timeArg is a time as the API and the commands take it: RFC 3339
// ("2027-06-30T12:00:00+02:00"), or a date ("2027-06-30"), which is the
// start of that day in UTC.
type timeArg struct{ t time.Time }

func parseTimeArg(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2027-06-30) or an RFC 3339 time (2027-06-30T12:00:00Z)", s)
}

func (a *timeArg) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want a string: a date (2027-06-30) or an RFC 3339 time")
	}
	if s == "" {
		a.t = time.Time{}
		return nil
	}
	t, err := parseTimeArg(s)
	a.t = t
	return err
}

// String and Set make a timeArg a flag.
func (a *timeArg) String() string {
	if a == nil || a.t.IsZero() {
		return ""
	}
	return a.t.Format(time.RFC3339)
}

func (a *timeArg) Set(s string) error {
	t, err := parseTimeArg(s)
	a.t = t
	return err
}

// listArg is a flag given once per value (not split at commas, which an
// IRI may hold).
type listArg []string

func (l *listArg) String() string { return strings.Join(*l, " ") }

func (l *listArg) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// checkLifeEvents refuses a life event the rules do not know.
func checkLifeEvents(rules *lifeevent.Rules, events []string) error {
	var known []string
	for _, c := range rules.Concepts() {
		known = append(known, c.ID)
	}
	for i, ev := range events {
		if ev != policies.Wildcard && !slices.Contains(known, ev) {
			return fmt.Errorf("%w: life_events[%d]: %q is not a life event; known: %s, or %q for all",
				policies.ErrInvalidMandate, i, ev, strings.Join(known, ", "), policies.Wildcard)
		}
	}
	return nil
}

// status says where a consent or mandate stands at now.
func entryStatus(from, until time.Time, ended *time.Time, endedAs string, now time.Time) string {
	switch {
	case ended != nil:
		return endedAs
	case now.Before(from):
		return "pending"
	case !until.IsZero() && !now.Before(until):
		return "expired"
	}
	return "active"
}

// consentView is a consent as the API and the commands show it: the
// subject by the first digits of their hash.
type consentView struct {
	ID             string           `json:"id"`
	Subject        string           `json:"subject"`
	Recipient      string           `json:"recipient,omitempty"`
	RecipientClass string           `json:"recipient_class,omitempty"`
	Purposes       []string         `json:"purposes"`
	Targets        []string         `json:"targets"`
	From           time.Time        `json:"from"`
	Until          time.Time        `json:"until"`
	Reference      string           `json:"reference,omitempty"`
	Status         string           `json:"status"` // pending, active, expired, rescinded
	Granted        time.Time        `json:"granted"`
	Rescinded      *time.Time       `json:"rescinded,omitempty"`
	History        []policies.Event `json:"history"`
}

func viewConsent(c policies.Consent, now time.Time) consentView {
	return consentView{ID: c.ID, Subject: shortSubject(c.Subject), Recipient: c.Recipient, RecipientClass: c.RecipientClass,
		Purposes: c.Purposes, Targets: c.Targets, From: c.From, Until: c.Until, Reference: c.Reference,
		Status: entryStatus(c.From, c.Until, c.Rescinded, "rescinded", now), Granted: c.Granted, Rescinded: c.Rescinded,
		History: nonNil(c.History)}
}

// mandateView is a mandate as the API and the commands show it.
type mandateView struct {
	ID              string    `json:"id"`
	Grantor         string    `json:"grantor"`
	GrantorDeceased bool      `json:"grantor_deceased"`
	Representative  string    `json:"representative"`
	Targets         []string  `json:"targets"`
	Purposes        []string  `json:"purposes"`
	LifeEvents      []string  `json:"life_events"`
	From            time.Time `json:"from"`
	Until           time.Time `json:"until,omitzero"`
	Basis           string    `json:"basis"`
	Evidence        string    `json:"evidence"`
	Issuer          string    `json:"issuer"`
	// Role is the part the person asked about plays: grantor or
	// representative (in query answers only).
	Role    string           `json:"role,omitempty"`
	Status  string           `json:"status"` // pending, active, expired, revoked
	Granted time.Time        `json:"granted"`
	Revoked *time.Time       `json:"revoked,omitempty"`
	History []policies.Event `json:"history"`
}

func viewMandate(m policies.Mandate, now time.Time) mandateView {
	return mandateView{ID: m.ID, Grantor: shortSubject(m.Grantor), GrantorDeceased: m.GrantorDeceased,
		Representative: shortSubject(m.Representative), Targets: m.Targets, Purposes: m.Purposes, LifeEvents: m.LifeEvents,
		From: m.From, Until: m.Until, Basis: string(m.Basis), Evidence: m.Evidence, Issuer: m.Issuer,
		Status: entryStatus(m.From, m.Until, m.Revoked, "revoked", now), Granted: m.Granted, Revoked: m.Revoked,
		History: nonNil(m.History)}
}

// subjectList is a person's consents or mandates, as the query routes and
// the list commands answer.
type subjectList[T any] struct {
	Subject string `json:"subject"` // the first digits of the person's hash
	Items   []T    `json:"items"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// maxRegistryBody bounds a request body of the consent and mandate API.
const maxRegistryBody = 64 << 10

// decodeBody reads a request's JSON body into v strictly: one object, no
// unknown field, at most maxRegistryBody bytes. An empty body is allowed
// when emptyOK.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &httpError{status: http.StatusUnsupportedMediaType, detail: fmt.Sprintf(
				"Content-Type %q: send the body as JSON with Content-Type: application/json (curl --json, or curl -H 'Content-Type: application/json')", ct)}
		}
	}
	body := http.MaxBytesReader(w, r.Body, maxRegistryBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF) && emptyOK:
			return nil
		case errors.Is(err, io.EOF):
			return badRequest("empty body: send a JSON object (see /api/v1/openapi.json)")
		case errors.As(err, &mbe):
			return &httpError{status: http.StatusRequestEntityTooLarge, detail: fmt.Sprintf("body larger than %d bytes", maxRegistryBody)}
		}
		return badRequest("body: %s", jsonProblem(err))
	}
	if dec.More() {
		return badRequest("body: one JSON object, nothing after it")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("body: one JSON object, nothing after it")
	}
	return nil
}

// jsonProblem words a decoding error without quoting the body, which may
// hold a national identity number.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("not JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: want a %s", te.Field, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ") + "; see /api/v1/openapi.json for the fields"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	return err.Error()
}

// registry returns the API's state, or why the API is off.
func (s *server) registryOn() (*registryAPI, error) {
	if s.registry == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, detail: "the consent and mandate registry is off on this gateway: " +
			errNoSubjectKey.Error() + "; or run gateway serve --demo"}
	}
	return s.registry, nil
}

// numberReader reads the national identity numbers a command is given: by
// flag (which shell history keeps), from a file, or from stdin, one a line,
// with a prompt when stdin is a terminal.
type numberReader struct {
	e     env
	stdin *bufio.Reader
}

func newNumberReader(e env) *numberReader {
	return &numberReader{e: e, stdin: bufio.NewReader(e.stdin)}
}

// read returns the number of flag value number or of file ("-": stdin);
// with neither, a line of stdin. flagName names the flags in errors; who
// says whose number a prompt asks for.
func (nr *numberReader) read(number, file, flagName, who string) (string, error) {
	switch {
	case number != "" && file != "":
		return "", usagef("give --%s or --%s-file, not both", flagName, flagName)
	case number != "":
		return number, nil
	case file != "" && file != "-":
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--%s-file: %w", flagName, err)
		}
		line, _, _ := strings.Cut(string(raw), "\n")
		if line = strings.TrimSpace(line); line != "" {
			return line, nil
		}
		return "", fmt.Errorf("--%s-file %s: empty first line; write the number on it", flagName, file)
	}
	if f, ok := nr.e.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintf(nr.e.stderr, "national identity number of the %s: ", who)
		}
	}
	line, err := nr.stdin.ReadString('\n')
	if line = strings.TrimSpace(line); line != "" {
		return line, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("stdin: %w", err)
	}
	return "", usagef("no national identity number of the %s: give --%s-file FILE, a line on stdin, or --%s", who, flagName, flagName)
}
