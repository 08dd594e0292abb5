// Package sqlite is the catalogue store in one SQLite file: catalog.Store on
// modernc.org/sqlite, pure Go, no cgo.
//
// The file runs in WAL mode: readers, on a pool of their own, never wait
// for the writer. Writes go through one connection and are batched into
// transactions of up to 1,000 puts or 250 ms, committed early by every
// other write, every read and Close, so that a harvest stores thousands of
// records a second while a read always sees every write that returned
// before it. A crash loses at most the open batch; its run stays running
// and withdraws nothing, and the next run of the source stores the records
// again.
//
// Records are kept with their provenance (one row per source that lists
// them, with what the source said), their earlier versions and a global
// change sequence that a search index follows with Changes; DatasetsAt
// gives every record as it stood at a past time from those versions.
// Triggers keep the live counts of records by country and EU theme, and
// every FinishRun keeps a snapshot of them (CoverageHistory,
// QualityHistory, CoverageAt) at a cost that does not grow with the
// catalogue. Beside them it keeps what the link checker found at each URL
// (the links table), and a record's quality can be rewritten in place
// (SetQuality: no version, a new sequence number). The schema is brought
// up to date at Open by the migrations embedded in the binary.
//
//	st, err := sqlite.Open(ctx, "samband.db")
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	run, err := st.StartRun(ctx, "fdk", time.Now())
//	...
//	outcome, err := st.Put(ctx, run, rec, time.Now())
//	...
//	withdrawn, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete})
package sqlite
