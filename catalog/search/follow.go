package search

import (
	"context"
	"fmt"
	"time"

	"samband/catalog"
)

// Changes returns up to limit records whose last change came after the
// sequence number after, in the order of their changes, withdrawn ones
// included: the method value (*sqlite.Store).Changes is one.
type Changes func(ctx context.Context, after int64, limit int) ([]catalog.Dataset, error)

// followBatch is how many changes Follow asks for at a time.
const followBatch = 1000

// Follow keeps idx up to date with changes until ctx ends: it applies every
// change after idx.LastSeq(), as fast as changes gives them, then asks again
// every interval. It blocks; the caller decides to go it. It returns nil when
// ctx ends, and the error when changes or Apply fails, leaving the index as
// it was after the last batch applied: calling Follow again goes on from there.
func Follow(ctx context.Context, idx *Index, changes Changes, every time.Duration) error {
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := CatchUp(ctx, idx, changes, nil); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// CatchUp applies every change after idx.LastSeq(), followBatch at a time,
// until changes has none left, calling progress (when not nil) after each
// batch with the sequence number reached and the batch's size.
func CatchUp(ctx context.Context, idx *Index, changes Changes, progress func(seq int64, n int)) error {
	for {
		after := idx.LastSeq()
		recs, err := changes(ctx, after, followBatch)
		if err != nil {
			return fmt.Errorf("follow changes after %d: %w", after, err)
		}
		if err := idx.Apply(ctx, recs); err != nil {
			return fmt.Errorf("follow changes after %d: %w", after, err)
		}
		if progress != nil && len(recs) > 0 {
			progress(idx.LastSeq(), len(recs))
		}
		if len(recs) < followBatch {
			return nil
		}
	}
}
