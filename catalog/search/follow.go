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
		for {
			after := idx.LastSeq()
			recs, err := changes(ctx, after, followBatch)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return fmt.Errorf("follow changes after %d: %w", after, err)
			}
			if err := idx.Apply(ctx, recs); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("follow changes after %d: %w", after, err)
			}
			if len(recs) < followBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
