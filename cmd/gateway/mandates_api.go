package main

import (
	"net/http"
	"strings"
	"time"

	"samband/catalog/lifeevent"
	"samband/policies"
)

// mandateRequest is the body of POST /api/v1/mandates.
type mandateRequest struct {
	Grantor         personArg `json:"grantor"`
	GrantorDeceased bool      `json:"grantor_deceased"`
	Representative  personArg `json:"representative"`
	Targets         []string  `json:"targets"`
	Purposes        []string  `json:"purposes"`
	LifeEvents      []string  `json:"life_events"`
	From            timeArg   `json:"from"`
	Until           timeArg   `json:"until"`
	Basis           string    `json:"basis"`
	Evidence        string    `json:"evidence"`
	Issuer          string    `json:"issuer"`
	Reason          string    `json:"reason"`
}

// mandate hashes both numbers, checks the life events against the rules,
// and returns the mandate to grant.
func (req mandateRequest) mandate(key policies.SubjectKey, rules *lifeevent.Rules, now time.Time) (policies.Mandate, error) {
	g, err := req.Grantor.subject(key, "grantor", now)
	if err != nil {
		return policies.Mandate{}, err
	}
	rep, err := req.Representative.subject(key, "representative", now)
	if err != nil {
		return policies.Mandate{}, err
	}
	if err := checkLifeEvents(rules, req.LifeEvents); err != nil {
		return policies.Mandate{}, err
	}
	return policies.Mandate{Grantor: g, GrantorDeceased: req.GrantorDeceased, Representative: rep, Targets: req.Targets,
		Purposes: req.Purposes, LifeEvents: req.LifeEvents, From: req.From.t, Until: req.Until.t,
		Basis: policies.MandateBasis(req.Basis), Evidence: req.Evidence, Issuer: strings.ToUpper(req.Issuer)}, nil
}

// mandateQuery is the body of POST /api/v1/mandates/query.
type mandateQuery struct {
	personArg
	// Role narrows the answer to the mandates in which the person is the
	// grantor, or the representative; "": both.
	Role string `json:"role"`
}

// grantMandate answers POST /api/v1/mandates: 201 with the mandate.
func (s *server) grantMandate(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	var req mandateRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	now := time.Now()
	m, err := req.mandate(api.key, s.rules, now)
	if err != nil {
		return err
	}
	if m, err = api.reg.GrantMandate(r.Context(), m, policies.Note{Via: "api", Reason: req.Reason}); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/mandates/"+m.ID)
	return writeJSON(w, http.StatusCreated, viewMandate(m, time.Now()))
}

// revokeMandate answers POST /api/v1/mandates/{id}/revoke.
func (s *server) revokeMandate(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	var req endRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	m, err := api.reg.RevokeMandate(r.Context(), r.PathValue("id"), policies.Note{Via: "api", Reason: req.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewMandate(m, time.Now()))
}

// getMandate answers GET /api/v1/mandates/{id}.
func (s *server) getMandate(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	m, err := api.reg.MandateByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewMandate(m, time.Now()))
}

// queryMandates answers POST /api/v1/mandates/query: the mandates a person
// gave or holds, revoked and expired ones too, with their history.
func (s *server) queryMandates(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	var req mandateQuery
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	switch req.Role {
	case "", "grantor", "representative":
	default:
		return badRequest("role: %q is not grantor or representative (or absent, for both)", req.Role)
	}
	now := time.Now()
	subject, err := req.subject(api.key, "body", now)
	if err != nil {
		return err
	}
	ms, err := api.reg.Mandates(r.Context(), subject)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, subjectList[mandateView]{shortSubject(subject), viewMandatesOf(ms, subject, req.Role, now)})
}

// viewMandatesOf returns the views of subject's mandates in role ("" for
// both), each saying the part subject plays.
func viewMandatesOf(ms []policies.Mandate, subject policies.Subject, role string, now time.Time) []mandateView {
	items := make([]mandateView, 0, len(ms))
	for _, m := range ms {
		v := viewMandate(m, now)
		v.Role = "representative"
		if m.Grantor == subject {
			v.Role = "grantor"
		}
		if role == "" || role == v.Role {
			items = append(items, v)
		}
	}
	return items
}
