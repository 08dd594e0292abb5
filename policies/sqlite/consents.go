package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"samband/policies"
)

// heldConsentsQuery reads the consents a subject has granted and not
// rescinded, the most recently granted first: what Consent picks from (the
// rules of policies.Consent.Holds). Parameter: subject.
const heldConsentsQuery = `SELECT id, recipient, recipient_class, purposes, targets, valid_from, valid_until FROM consents
WHERE subject = ?1 AND rescinded IS NULL
ORDER BY granted DESC, id`

const consentColumns = `id, subject, recipient, recipient_class, purposes, targets, valid_from, valid_until,
	reference, granted, rescinded`

// Consent returns the consent that holds for q, if one does: the most
// recently granted of those that hold. It reads the file, or the cache of
// what it read before as long as nothing was committed to the file since
// (factsCache): a rescission that returned before is seen. A query without
// At is asked at the present; a query without subject, recipient, purpose
// or target is an error.
func (r *Registry) Consent(ctx context.Context, q policies.ConsentQuery) (policies.Grant, bool, error) {
	if r.closed.Load() {
		return policies.Grant{}, false, ErrClosed
	}
	if err := policies.CheckConsentQuery(q); err != nil {
		return policies.Grant{}, false, err
	}
	if q.At.IsZero() {
		q.At = time.Now()
	}
	cs, err := r.cache.consentsOf(ctx, q.Subject, r.heldConsents)
	if err != nil {
		return policies.Grant{}, false, fmt.Errorf("consent: %w", r.readErr(err))
	}
	for _, c := range cs {
		if c.Holds(q) {
			return c.Grant(), true, nil
		}
	}
	return policies.Grant{}, false, nil
}

// heldConsents reads what heldConsentsQuery selects.
func (r *Registry) heldConsents(ctx context.Context, subject policies.Subject) ([]policies.Consent, error) {
	rows, err := r.consentsQ.QueryContext(ctx, string(subject))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cs := []policies.Consent{}
	for rows.Next() {
		c := policies.Consent{Subject: subject}
		var purposes, targets string
		var from, until int64
		if err := rows.Scan(&c.ID, &c.Recipient, &c.RecipientClass, &purposes, &targets, &from, &until); err != nil {
			return nil, err
		}
		if c.Purposes, err = fromListJSON(purposes); err == nil {
			c.Targets, err = fromListJSON(targets)
		}
		if err != nil {
			return nil, fmt.Errorf("consent %s: %w", c.ID, err)
		}
		c.From, c.Until = fromNano(from), fromNano(until)
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// GrantConsent records c, granted now through the channel of note, and
// returns it as stored: with its new ID, Granted and History. A c without
// From holds from now. It is refused, wrapping policies.ErrInvalidConsent,
// when c.Validate refuses it or its Until is already past.
func (r *Registry) GrantConsent(ctx context.Context, c policies.Consent, note policies.Note) (policies.Consent, error) {
	now := time.Now().UTC()
	if c.From.IsZero() {
		c.From = now
	}
	c.From, c.Until = c.From.UTC(), c.Until.UTC()
	if err := c.Validate(); err != nil {
		return policies.Consent{}, err
	}
	if !c.Until.After(now) {
		return policies.Consent{}, fmt.Errorf("%w: until: already past", policies.ErrInvalidConsent)
	}
	if err := checkNote(note, policies.ErrInvalidConsent); err != nil {
		return policies.Consent{}, err
	}
	c.ID, c.Granted, c.Rescinded = newID(), now, nil
	c.History = []policies.Event{{Kind: policies.EventGranted, At: now, Via: note.Via, Reason: note.Reason}}
	err := r.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO consents (`+consentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			c.ID, string(c.Subject), c.Recipient, c.RecipientClass, listJSON(c.Purposes), listJSON(c.Targets),
			c.From.UnixNano(), c.Until.UnixNano(), c.Reference, now.UnixNano()); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO consent_events (consent, kind, at, via, reason) VALUES (?, ?, ?, ?, ?)`,
			c.ID, policies.EventGranted, now.UnixNano(), note.Via, note.Reason)
		return err
	})
	if err != nil {
		return policies.Consent{}, fmt.Errorf("grant consent: %w", err)
	}
	return c, nil
}

// RescindConsent rescinds the consent id now, through the channel of note,
// and returns it with its history. From the moment it returns the consent
// holds for no question. It returns an error wrapping
// policies.ErrUnknownConsent for an id it does not know and
// policies.ErrRescinded for a consent rescinded before.
func (r *Registry) RescindConsent(ctx context.Context, id string, note policies.Note) (policies.Consent, error) {
	if err := checkNote(note, policies.ErrInvalidConsent); err != nil {
		return policies.Consent{}, err
	}
	now := time.Now().UTC()
	err := r.write(ctx, func(tx *sql.Tx) error {
		var rescinded sql.NullInt64
		switch err := tx.QueryRow(`SELECT rescinded FROM consents WHERE id = ?`, id).Scan(&rescinded); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("consent %q: %w", id, policies.ErrUnknownConsent)
		case err != nil:
			return err
		case rescinded.Valid:
			return fmt.Errorf("consent %s, on %s: %w", id, fromNano(rescinded.Int64).Format(time.RFC3339), policies.ErrRescinded)
		}
		if _, err := tx.Exec(`UPDATE consents SET rescinded = ? WHERE id = ?`, now.UnixNano(), id); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO consent_events (consent, kind, at, via, reason) VALUES (?, ?, ?, ?, ?)`,
			id, policies.EventRescinded, now.UnixNano(), note.Via, note.Reason)
		return err
	})
	if err != nil {
		return policies.Consent{}, fmt.Errorf("rescind consent: %w", err)
	}
	return r.ConsentByID(ctx, id)
}

// ConsentByID returns the consent id with its history, rescinded or not,
// or an error wrapping policies.ErrUnknownConsent.
func (r *Registry) ConsentByID(ctx context.Context, id string) (policies.Consent, error) {
	var out []policies.Consent
	err := r.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = readConsents(tx, `WHERE id = ?`, `WHERE consent = ?`, id)
		return err
	})
	if err != nil {
		return policies.Consent{}, fmt.Errorf("consent %s: %w", id, err)
	}
	if len(out) == 0 {
		return policies.Consent{}, fmt.Errorf("consent %q: %w", id, policies.ErrUnknownConsent)
	}
	return out[0], nil
}

// Consents returns every consent subject has granted, rescinded ones too,
// the most recently granted first, each with its history.
func (r *Registry) Consents(ctx context.Context, subject policies.Subject) ([]policies.Consent, error) {
	var out []policies.Consent
	err := r.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = readConsents(tx, `WHERE subject = ?`,
			`WHERE consent IN (SELECT id FROM consents WHERE subject = ?)`, string(subject))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	return out, nil
}

// readConsents reads the consents that where selects, and the events that
// eventsWhere selects, with one argument for both.
func readConsents(tx *sql.Tx, where, eventsWhere string, arg string) ([]policies.Consent, error) {
	rows, err := tx.Query(`SELECT `+consentColumns+` FROM consents `+where+` ORDER BY granted DESC, id`, arg)
	if err != nil {
		return nil, err
	}
	var out []policies.Consent
	byID := map[string]int{}
	for rows.Next() {
		var c policies.Consent
		var subject, purposes, targets string
		var from, until, granted int64
		var rescinded sql.NullInt64
		if err := rows.Scan(&c.ID, &subject, &c.Recipient, &c.RecipientClass, &purposes, &targets, &from, &until,
			&c.Reference, &granted, &rescinded); err != nil {
			rows.Close()
			return nil, err
		}
		c.Subject = policies.Subject(subject)
		if c.Purposes, err = fromListJSON(purposes); err == nil {
			c.Targets, err = fromListJSON(targets)
		}
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("consent %s: %w", c.ID, err)
		}
		c.From, c.Until, c.Granted, c.Rescinded = fromNano(from), fromNano(until), fromNano(granted), fromNullNano(rescinded)
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	erows, err := tx.Query(`SELECT consent, kind, at, via, reason FROM consent_events `+eventsWhere+` ORDER BY seq`, arg)
	if err != nil {
		return nil, err
	}
	events, err := scanEvents(erows)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if i, ok := byID[e.owner]; ok {
			out[i].History = append(out[i].History, e.ev)
		}
	}
	return out, nil
}
