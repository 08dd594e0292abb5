package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"samband/policies"
)

// heldMandatesQuery reads the mandates a grantor has given a
// representative and not revoked, the most recently granted first: what
// Mandate picks from (the rules of policies.Mandate.Holds). Parameters:
// representative, grantor.
const heldMandatesQuery = `SELECT id, targets, purposes, life_events, valid_from, valid_until, basis FROM mandates
WHERE representative = ?1 AND grantor = ?2 AND revoked IS NULL
ORDER BY granted DESC, id`

const mandateColumns = `id, grantor, grantor_deceased, representative, targets, purposes, life_events,
	valid_from, valid_until, basis, evidence, issuer, granted, revoked`

// Mandate returns the mandate that holds for q, if one does: the most
// recently granted of those that hold. It reads the file, or the cache of
// what it read before as long as nothing was committed to the file since
// (factsCache): a revocation that returned before is seen, and a mandate
// past its Until holds no more. A query without At is asked at the
// present; a query without representative, grantor, target or purpose is
// an error.
func (r *Registry) Mandate(ctx context.Context, q policies.MandateQuery) (policies.Grant, bool, error) {
	if r.closed.Load() {
		return policies.Grant{}, false, ErrClosed
	}
	if err := policies.CheckMandateQuery(q); err != nil {
		return policies.Grant{}, false, err
	}
	if q.At.IsZero() {
		q.At = time.Now()
	}
	ms, err := r.cache.mandatesOf(ctx, q.Representative, q.Grantor, r.heldMandates)
	if err != nil {
		return policies.Grant{}, false, fmt.Errorf("mandate: %w", r.readErr(err))
	}
	for _, m := range ms {
		if m.Holds(q) {
			return m.Grant(), true, nil
		}
	}
	return policies.Grant{}, false, nil
}

// heldMandates reads what heldMandatesQuery selects.
func (r *Registry) heldMandates(ctx context.Context, representative, grantor policies.Subject) ([]policies.Mandate, error) {
	rows, err := r.mandatesQ.QueryContext(ctx, string(representative), string(grantor))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ms := []policies.Mandate{}
	for rows.Next() {
		m := policies.Mandate{Grantor: grantor, Representative: representative}
		var targets, purposes, lifeEvents, basis string
		var from int64
		var until sql.NullInt64
		if err := rows.Scan(&m.ID, &targets, &purposes, &lifeEvents, &from, &until, &basis); err != nil {
			return nil, err
		}
		if m.Targets, err = fromListJSON(targets); err == nil {
			if m.Purposes, err = fromListJSON(purposes); err == nil {
				m.LifeEvents, err = fromListJSON(lifeEvents)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("mandate %s: %w", m.ID, err)
		}
		m.Basis, m.From = policies.MandateBasis(basis), fromNano(from)
		if until.Valid {
			m.Until = fromNano(until.Int64)
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// GrantMandate records m, granted now through the channel of note, and
// returns it as stored: with its new ID, Granted and History. An m without
// From holds from now. It is refused, wrapping policies.ErrInvalidMandate,
// when m.Validate refuses it or its Until is already past.
func (r *Registry) GrantMandate(ctx context.Context, m policies.Mandate, note policies.Note) (policies.Mandate, error) {
	now := time.Now().UTC()
	if m.From.IsZero() {
		m.From = now
	}
	m.From = m.From.UTC()
	if !m.Until.IsZero() {
		m.Until = m.Until.UTC()
	}
	if err := m.Validate(); err != nil {
		return policies.Mandate{}, err
	}
	if !m.Until.IsZero() && !m.Until.After(now) {
		return policies.Mandate{}, fmt.Errorf("%w: until: already past", policies.ErrInvalidMandate)
	}
	if err := checkNote(note, policies.ErrInvalidMandate); err != nil {
		return policies.Mandate{}, err
	}
	m.ID, m.Granted, m.Revoked = newID(), now, nil
	m.History = []policies.Event{{Kind: policies.EventGranted, At: now, Via: note.Via, Reason: note.Reason}}
	var until sql.NullInt64
	if !m.Until.IsZero() {
		until = sql.NullInt64{Int64: m.Until.UnixNano(), Valid: true}
	}
	deceased := 0
	if m.GrantorDeceased {
		deceased = 1
	}
	err := r.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO mandates (`+mandateColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			m.ID, string(m.Grantor), deceased, string(m.Representative), listJSON(m.Targets), listJSON(m.Purposes),
			listJSON(m.LifeEvents), m.From.UnixNano(), until, string(m.Basis), m.Evidence, m.Issuer, now.UnixNano()); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO mandate_events (mandate, kind, at, via, reason) VALUES (?, ?, ?, ?, ?)`,
			m.ID, policies.EventGranted, now.UnixNano(), note.Via, note.Reason)
		return err
	})
	if err != nil {
		return policies.Mandate{}, fmt.Errorf("grant mandate: %w", err)
	}
	return m, nil
}

// RevokeMandate revokes the mandate id now, through the channel of note,
// and returns it with its history. From the moment it returns the mandate
// holds for no question. It returns an error wrapping
// policies.ErrUnknownMandate for an id it does not know and
// policies.ErrRevoked for a mandate revoked before.
func (r *Registry) RevokeMandate(ctx context.Context, id string, note policies.Note) (policies.Mandate, error) {
	if err := checkNote(note, policies.ErrInvalidMandate); err != nil {
		return policies.Mandate{}, err
	}
	now := time.Now().UTC()
	err := r.write(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		switch err := tx.QueryRow(`SELECT revoked FROM mandates WHERE id = ?`, id).Scan(&revoked); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("mandate %q: %w", id, policies.ErrUnknownMandate)
		case err != nil:
			return err
		case revoked.Valid:
			return fmt.Errorf("mandate %s, on %s: %w", id, fromNano(revoked.Int64).Format(time.RFC3339), policies.ErrRevoked)
		}
		if _, err := tx.Exec(`UPDATE mandates SET revoked = ? WHERE id = ?`, now.UnixNano(), id); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO mandate_events (mandate, kind, at, via, reason) VALUES (?, ?, ?, ?, ?)`,
			id, policies.EventRevoked, now.UnixNano(), note.Via, note.Reason)
		return err
	})
	if err != nil {
		return policies.Mandate{}, fmt.Errorf("revoke mandate: %w", err)
	}
	return r.MandateByID(ctx, id)
}

// MandateByID returns the mandate id with its history, revoked or not, or
// an error wrapping policies.ErrUnknownMandate.
func (r *Registry) MandateByID(ctx context.Context, id string) (policies.Mandate, error) {
	var out []policies.Mandate
	err := r.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = readMandates(tx, `WHERE id = ?1`, `WHERE mandate = ?1`, id)
		return err
	})
	if err != nil {
		return policies.Mandate{}, fmt.Errorf("mandate %s: %w", id, err)
	}
	if len(out) == 0 {
		return policies.Mandate{}, fmt.Errorf("mandate %q: %w", id, policies.ErrUnknownMandate)
	}
	return out[0], nil
}

// Mandates returns every mandate in which subject is the grantor or the
// representative, revoked and expired ones too, the most recently granted
// first, each with its history.
func (r *Registry) Mandates(ctx context.Context, subject policies.Subject) ([]policies.Mandate, error) {
	var out []policies.Mandate
	err := r.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = readMandates(tx, `WHERE grantor = ?1 OR representative = ?1`,
			`WHERE mandate IN (SELECT id FROM mandates WHERE grantor = ?1 OR representative = ?1)`, string(subject))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mandates: %w", err)
	}
	return out, nil
}

func readMandates(tx *sql.Tx, where, eventsWhere string, arg string) ([]policies.Mandate, error) {
	rows, err := tx.Query(`SELECT `+mandateColumns+` FROM mandates `+where+` ORDER BY granted DESC, id`, arg)
	if err != nil {
		return nil, err
	}
	var out []policies.Mandate
	byID := map[string]int{}
	for rows.Next() {
		var m policies.Mandate
		var grantor, representative, targets, purposes, lifeEvents, basis string
		var deceased int
		var from, granted int64
		var until, revoked sql.NullInt64
		if err := rows.Scan(&m.ID, &grantor, &deceased, &representative, &targets, &purposes, &lifeEvents,
			&from, &until, &basis, &m.Evidence, &m.Issuer, &granted, &revoked); err != nil {
			rows.Close()
			return nil, err
		}
		m.Grantor, m.Representative, m.GrantorDeceased, m.Basis = policies.Subject(grantor), policies.Subject(representative),
			deceased != 0, policies.MandateBasis(basis)
		if m.Targets, err = fromListJSON(targets); err == nil {
			if m.Purposes, err = fromListJSON(purposes); err == nil {
				m.LifeEvents, err = fromListJSON(lifeEvents)
			}
		}
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("mandate %s: %w", m.ID, err)
		}
		m.From, m.Granted, m.Revoked = fromNano(from), fromNano(granted), fromNullNano(revoked)
		if until.Valid {
			m.Until = fromNano(until.Int64)
		}
		byID[m.ID] = len(out)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	erows, err := tx.Query(`SELECT mandate, kind, at, via, reason FROM mandate_events `+eventsWhere+` ORDER BY seq`, arg)
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
