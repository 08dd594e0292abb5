package main

import (
	"net/http"
	"time"

	"samband/policies"
)

// consentRequest is the body of POST /api/v1/consents.
type consentRequest struct {
	Subject        personArg `json:"subject"`
	Recipient      string    `json:"recipient"`
	RecipientClass string    `json:"recipient_class"`
	Purposes       []string  `json:"purposes"`
	Targets        []string  `json:"targets"`
	From           timeArg   `json:"from"`
	Until          timeArg   `json:"until"`
	Reference      string    `json:"reference"`
	Reason         string    `json:"reason"`
}

// consent hashes the subject's number and returns the consent to grant.
func (req consentRequest) consent(key policies.SubjectKey, now time.Time) (policies.Consent, error) {
	s, err := req.Subject.subject(key, "subject", now)
	if err != nil {
		return policies.Consent{}, err
	}
	return policies.Consent{Subject: s, Recipient: req.Recipient, RecipientClass: req.RecipientClass,
		Purposes: req.Purposes, Targets: req.Targets, From: req.From.t, Until: req.Until.t, Reference: req.Reference}, nil
}

// endRequest is the body of a rescission or revocation: why, if said.
type endRequest struct {
	Reason string `json:"reason"`
}

// grantConsent answers POST /api/v1/consents: 201 with the consent.
func (s *server) grantConsent(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	var req consentRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	now := time.Now()
	c, err := req.consent(api.key, now)
	if err != nil {
		return err
	}
	if c, err = api.reg.GrantConsent(r.Context(), c, policies.Note{Via: "api", Reason: req.Reason}); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/consents/"+c.ID)
	return writeJSON(w, http.StatusCreated, viewConsent(c, time.Now()))
}

// rescindConsent answers POST /api/v1/consents/{id}/rescind.
func (s *server) rescindConsent(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	var req endRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	c, err := api.reg.RescindConsent(r.Context(), r.PathValue("id"), policies.Note{Via: "api", Reason: req.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewConsent(c, time.Now()))
}

// getConsent answers GET /api/v1/consents/{id}.
func (s *server) getConsent(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	c, err := api.reg.ConsentByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewConsent(c, time.Now()))
}

// queryConsents answers POST /api/v1/consents/query: a person's consents,
// rescinded ones too, with their history. The number is in the body so
// that it stays out of URLs and the logs that keep them.
func (s *server) queryConsents(w http.ResponseWriter, r *http.Request) error {
	api, err := s.registryOn()
	if err != nil {
		return err
	}
	var req personArg
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	now := time.Now()
	subject, err := req.subject(api.key, "body", now)
	if err != nil {
		return err
	}
	cs, err := api.reg.Consents(r.Context(), subject)
	if err != nil {
		return err
	}
	items := make([]consentView, 0, len(cs))
	for _, c := range cs {
		items = append(items, viewConsent(c, now))
	}
	return writeJSON(w, http.StatusOK, subjectList[consentView]{shortSubject(subject), items})
}
