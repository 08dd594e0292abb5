package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"samband/catalog"
	"samband/policies"
)

// gatewayPolicies are the policies the configuration gives: the gateway's
// defaults and those set locally for catalogue records.
type gatewayPolicies struct {
	defaults, local []*policies.Policy
}

// loadGatewayPolicies reads the configured policy files; any fault in any
// file stops the gateway, with where it is: a policy is never skipped.
func loadGatewayPolicies(c PoliciesConfig) (gatewayPolicies, error) {
	var gp gatewayPolicies
	read := func(paths []string, into *[]*policies.Policy) error {
		for _, path := range paths {
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("config: policies: %w", err)
			}
			ps, err := policies.Load(f, path, policies.LoadOptions{Base: "file://" + filepath.ToSlash(path)})
			f.Close()
			if err != nil {
				return fmt.Errorf("config: policies: %w", err)
			}
			*into = append(*into, ps...)
		}
		return nil
	}
	if err := read(c.Defaults, &gp.defaults); err != nil {
		return gp, err
	}
	if err := read(c.Files, &gp.local); err != nil {
		return gp, err
	}
	if _, err := policies.NewLibrary(gp.defaults, gp.local); err != nil {
		return gp, fmt.Errorf("config: policies: %w", err)
	}
	return gp, nil
}

// evaluateRequest is the body of POST /api/v1/policies/evaluate: a use of a
// record, described as the exchange would see it.
type evaluateRequest struct {
	// Target is a catalogue record (id or IRI) or any IRI a policy names.
	Target     string `json:"target"`
	Action     string `json:"action"`
	Purpose    string `json:"purpose"`
	LegalBasis string `json:"legal_basis"`
	Recipient  struct {
		Org     string   `json:"org"`
		Classes []string `json:"classes"`
		Country string   `json:"country"`
	} `json:"recipient"`
	Time *time.Time `json:"time"`
	// Subject is the person the record is about; Representative who acts
	// for them (an heir for a deceased person's estate). Numbers are
	// hashed at once and never kept.
	Subject         *personArg `json:"subject"`
	Representative  *personArg `json:"representative"`
	LifeEvent       string     `json:"life_event"`
	ExplicitRequest bool       `json:"explicit_request"`
	// Policies, when given, are ODRL documents (Turtle or JSON-LD) to
	// decide by instead of the gateway's and the catalogue's: what would
	// this policy say.
	Policies []string `json:"policies"`
}

// evaluateResponse is the decision and what it was made of.
type evaluateResponse struct {
	Decision policies.Decision `json:"decision"`
	// Target is the IRI decided on; Record the catalogue id when the
	// target is a catalogue record.
	Target string `json:"target"`
	Record string `json:"record,omitempty"`
	// Named are the policies the record names (odrl:hasPolicy).
	Named    []string `json:"named,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// evaluatePolicies answers POST /api/v1/policies/evaluate: what the
// decision on a described use would be, and why, without exchanging
// anything.
func (s *server) evaluatePolicies(w http.ResponseWriter, r *http.Request) error {
	var req evaluateRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	if strings.TrimSpace(req.Target) == "" {
		return badRequest("target: required: a catalogue record's id or IRI, or the IRI a policy names")
	}
	if len(req.Policies) > 16 {
		return badRequest("policies: %d documents; at most 16", len(req.Policies))
	}
	now := time.Now()
	preq := policies.Request{
		Action: req.Action, Target: req.Target, Purpose: req.Purpose, LegalBasis: req.LegalBasis,
		RecipientOrg: req.Recipient.Org, RecipientClasses: req.Recipient.Classes,
		RecipientCountry: strings.ToUpper(req.Recipient.Country), Time: now,
		LifeEvent: req.LifeEvent, ExplicitRequest: req.ExplicitRequest,
	}
	if req.Time != nil {
		preq.Time = *req.Time
	}
	var facts policies.Facts = unavailableFacts{}
	if req.Subject != nil || req.Representative != nil {
		api, err := s.registryOn()
		if err != nil {
			return err
		}
		f, ok := api.reg.(policies.Facts)
		if !ok {
			return &httpError{status: http.StatusServiceUnavailable, detail: "the consent and mandate registry of this gateway cannot answer decisions"}
		}
		facts = f
		if req.Subject != nil {
			if preq.Subject, err = req.Subject.subject(api.key, "subject", now); err != nil {
				return err
			}
		}
		if req.Representative != nil {
			if preq.Representative, err = req.Representative.subject(api.key, "representative", now); err != nil {
				return err
			}
		}
	}
	resp := evaluateResponse{Target: req.Target}
	var set *policies.Set
	if len(req.Policies) > 0 {
		var given []*policies.Policy
		for i, doc := range req.Policies {
			ps, err := policies.Load(strings.NewReader(doc), fmt.Sprintf("policies[%d]", i), policies.LoadOptions{})
			if err != nil {
				return badRequest("%s", err)
			}
			given = append(given, ps...)
		}
		lib, err := policies.NewLibrary(given, nil)
		if err != nil {
			return badRequest("%s", err)
		}
		set = lib.For(req.Target)
	} else {
		lib, named, rec, warnings, err := s.libraryFor(r.Context(), req.Target)
		if err != nil {
			return err
		}
		if rec != nil {
			resp.Target, resp.Record, preq.Target = rec.IRI, rec.ID, rec.IRI
		}
		resp.Named, resp.Warnings = named, warnings
		set = lib.For(preq.Target, named...)
	}
	resp.Decision = set.Decide(r.Context(), &preq, facts)
	s.logger.Info("policy evaluated", "target", resp.Target, "effect", resp.Decision.Effect,
		"policy", resp.Decision.Policy.UID, "reason", resp.Decision.Reason)
	// The answer shows a person's hash by its first digits only, as the
	// registry's answers do.
	resp.Decision.Facts.Subject = policies.Subject(shortSubject(resp.Decision.Facts.Subject))
	resp.Decision.Facts.Representative = policies.Subject(shortSubject(resp.Decision.Facts.Representative))
	return writeJSON(w, http.StatusOK, resp)
}

// libraryFor returns the policies that may govern target: the gateway's,
// and, when target is a catalogue record, those its sources described
// inline (read from the original triples) and the names it gives them.
func (s *server) libraryFor(ctx context.Context, target string) (*policies.Library, []string, *catalog.Dataset, []string, error) {
	catalogue := append([]*policies.Policy(nil), s.policies.local...)
	var named, warnings []string
	var rec *catalog.Dataset
	d, err := s.store.Dataset(ctx, target)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		return nil, nil, nil, nil, err
	default:
		rec = &d
		named = append(named, d.Policies...)
		for _, dist := range d.Distributions {
			named = append(named, dist.Policies...)
		}
		if len(named) > 0 {
			for _, src := range d.Sources {
				if src.Original == "" {
					continue
				}
				ps, err := policies.Load(strings.NewReader(src.Original), src.Source+" original of "+d.IRI, policies.LoadOptions{})
				switch {
				case errors.Is(err, policies.ErrNoPolicy):
				case err != nil:
					warnings = append(warnings, fmt.Sprintf("the policies %s described are refused: %v", src.Source, err))
				default:
					catalogue = append(catalogue, ps...)
				}
			}
		}
	}
	lib, err := policies.NewLibrary(s.policies.defaults, catalogue)
	if err != nil {
		return nil, nil, nil, nil, &httpError{status: http.StatusConflict, detail: err.Error()}
	}
	return lib, named, rec, warnings, nil
}

// unavailableFacts answers every consent and mandate question with an
// error: a request that names no person has no registry to ask, and a
// policy that needs one then denies, saying why.
type unavailableFacts struct{}

var errNoPerson = errors.New("the request names no data subject or representative to ask the registry about")

func (unavailableFacts) Consent(context.Context, policies.ConsentQuery) (policies.Grant, bool, error) {
	return policies.Grant{}, false, errNoPerson
}

func (unavailableFacts) Mandate(context.Context, policies.MandateQuery) (policies.Grant, bool, error) {
	return policies.Grant{}, false, errNoPerson
}
