package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"samband/catalog"
)

// DatasetsAfter returns up to limit records that are not withdrawn (100
// when limit is zero or less) whose id sorts after afterID, ordered by id,
// without Sources, as catalog.Store describes. Each page is a range scan of
// the index of listed records, so a walk over a million records costs the
// same on its last page as on its first.
func (s *Store) DatasetsAfter(ctx context.Context, afterID string, limit int) ([]catalog.Dataset, error) {
	if limit <= 0 {
		limit = 100
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("datasets after %q: %w", afterID, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+recordColumns+` FROM records r
		WHERE r.withdrawn_at IS NULL AND r.id > ? ORDER BY r.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("datasets after %q: %w", afterID, s.readErr(err))
	}
	defer rows.Close()
	items := []catalog.Dataset{}
	for rows.Next() {
		d, _, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("datasets after %q: %w", afterID, s.readErr(err))
		}
		items = append(items, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("datasets after %q: %w", afterID, s.readErr(err))
	}
	return items, nil
}

// SetQuality replaces the quality score of the record id if its change
// sequence number is still seq, as catalog.Store describes: the stored
// record's quality is rewritten in place, no version goes to its history,
// and it takes the next number of the change sequence. The write is
// batched like a Put.
func (s *Store) SetQuality(ctx context.Context, id string, seq int64, q catalog.Quality) error {
	js, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("set quality of %s: encode: %w", id, err)
	}
	err = s.write(ctx, false, func(ctx context.Context) (func(), error) {
		res, err := s.st.setQuality.ExecContext(ctx, id, seq, string(js), s.nextSeq())
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		if n == 1 {
			s.txPuts++
			return nil, nil
		}
		var exists bool
		if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM records WHERE id = ?)`, id).Scan(&exists); err != nil {
			return nil, err
		}
		if !exists {
			return nil, catalog.ErrNotFound
		}
		return nil, catalog.ErrChanged
	})
	if err != nil {
		return fmt.Errorf("set quality of %s: %w", id, err)
	}
	return nil
}

// SetLinkStatus stores what the link checker found at st.URL. The write is
// batched like a Put.
func (s *Store) SetLinkStatus(ctx context.Context, st catalog.LinkStatus) error {
	if st.URL == "" {
		return errors.New("set link status: empty URL")
	}
	err := s.write(ctx, false, func(ctx context.Context) (func(), error) {
		if _, err := s.st.setLink.ExecContext(ctx, st.URL, unixNano(st.Checked), st.Answered, st.Status, st.FinalURL, st.Error); err != nil {
			return nil, err
		}
		s.txPuts++
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("set link status of %s: %w", st.URL, err)
	}
	return nil
}

// LinkStatuses returns the stored statuses of those of urls that were
// checked. It reads on the writer's connection, where the open batch is
// visible, so that it sees every write that returned without committing
// the batch: a harvest asks it for every record it stores.
func (s *Store) LinkStatuses(ctx context.Context, urls []string) (catalog.LinkStatuses, error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("link statuses: %w", catalog.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("link statuses: %w", err)
	}
	out := catalog.LinkStatuses{}
	if len(urls) == 0 {
		return out, nil
	}
	js, err := json.Marshal(urls)
	if err != nil {
		return nil, fmt.Errorf("link statuses: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, fmt.Errorf("link statuses: %w", catalog.ErrClosed)
	}
	// Not cancelled half-way: an interrupted statement on the writer's
	// connection must not touch the open batch.
	rows, err := s.st.linkStatuses.QueryContext(wctx(ctx), string(js))
	if err != nil {
		return nil, fmt.Errorf("link statuses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st catalog.LinkStatus
		var checked int64
		if err := rows.Scan(&st.URL, &checked, &st.Answered, &st.Status, &st.FinalURL, &st.Error); err != nil {
			return nil, fmt.Errorf("link statuses: %w", err)
		}
		st.Checked = fromNano(checked)
		out[st.URL] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("link statuses: %w", err)
	}
	return out, nil
}

// PruneLinkStatuses deletes the statuses of URLs last checked before
// checkedBefore, and commits.
func (s *Store) PruneLinkStatuses(ctx context.Context, checkedBefore time.Time) (int, error) {
	var n int64
	err := s.write(ctx, true, func(ctx context.Context) (func(), error) {
		res, err := s.w.ExecContext(ctx, `DELETE FROM links WHERE checked < ?`, unixNano(checkedBefore))
		if err != nil {
			return nil, err
		}
		n, err = res.RowsAffected()
		return nil, err
	})
	if err != nil {
		return 0, fmt.Errorf("prune link statuses: %w", err)
	}
	return int(n), nil
}
