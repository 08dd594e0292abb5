package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// maxBatch is the most entries one commit takes.
const maxBatch = 512

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit log closed")

// ErrTampered is wrapped by the error Verify returns when the stored log
// differs from what its entries and signatures say.
var ErrTampered = errors.New("audit log does not verify")

// ErrRange is returned for an index or size outside the log.
var ErrRange = errors.New("out of range")

// Log is an append-only, tamper-evident log in a SQLite file, made
// durable first in its journal (see journal.go). Its methods may be called
// from many goroutines at once.
type Log struct {
	path     string
	readOnly bool    // OpenReadOnly: no writer, no applier, no journal
	wdb      *sql.DB // one connection: the writer's
	rdb      *sql.DB // readers, query only
	signer   note.Signer
	verifier note.Verifier

	reqs      chan appendReq
	closing   chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error // what Close said, for every later call

	mu          sync.Mutex
	size        int64 // entries committed
	cpSize      int64 // size of the latest stored checkpoint
	cpSigned    []byte
	latest      []byte // the latest checkpoint, stored or sealed
	latestSize  int64
	pendingAt   time.Time  // when the log first grew past cpSize; zero when cpSize == size
	commitErr   error      // why the writer's last commit failed; nil once one succeeds
	commitErrAt time.Time  // when it failed
	cpMu        sync.Mutex // serialises Checkpoint

	// The writer's: the journal, where its commits go; the tree's
	// frontier as the last commit left it, and the one the commit in
	// progress extends (both kept, not allocated at every commit).
	journal     *journal
	front, next *frontier
	broken      error // the journal failed, and the log appends no more

	// The applier's: its statements, each prepared once on the writer's
	// connection, which only it uses once Open returns, but for
	// Checkpoint's INSERT; the batches whose frames the journal must keep,
	// in order: those the file holds but has not synced (the first
	// inFile), then those it does not hold yet; how many entries the file
	// holds.
	stmts    writerStmts
	amu      sync.Mutex
	queue    []applyBatch // those the file has first (inFile), until the file is synced
	inFile   int          // how many of queue the file has
	wal      *os.File     // the file's write-ahead log, which syncFile syncs
	walSync  syncer       // on wal
	walErr   error        // the failed sync of wal, after which none is trusted; under amu
	walErrAt time.Time
	walFault atomic.Pointer[error] // tests: what the next syncs of wal fail with, as a failing disk would
	// tests: what the journal's next commits fail with once written, as
	// a sync that fails after the write reached the disk
	journalFault atomic.Pointer[error]
	roomWanted   atomic.Bool // the writer waits for room in the journal
	applied      int64
	applyErr     error         // why the applier's last transaction failed; nil once one succeeds
	applyErrAt   time.Time     // when it failed
	progress     chan struct{} // closed, and replaced, when applied or applyErr changes
	wake         chan struct{} // a batch is queued (buffered: one wake is enough)
	hurry        chan struct{} // a reader waits for the applier (buffered too)
	readers      atomic.Int32  // how many wait
	applyDone    chan struct{}

	commitDelay atomic.Int64 // a time.Duration: see SetCommitDelay
	onCommit    atomic.Pointer[func(Commit)]
}

// DefaultCommitDelay is the commit delay of a log opened (SetCommitDelay).
const DefaultCommitDelay = time.Millisecond

// When the commit delay's waits gather fewer than minWaitGain entries on
// average, the writer stops waiting but for one batch in probeEvery.
const (
	minWaitGain = 0.5
	probeEvery  = 64
)

// SetCommitDelay sets how long, at most, a commit waits for more entries
// once it has its first, when the log is busy enough that at least one
// more is expected in that time (from the rate of the last batches) and
// the last waits did gather some: an idle log commits at once, and so
// does a log whose only caller appends one entry after another (its next
// entry cannot come while it waits for this one). Like PostgreSQL's
// commit_delay, it trades a little latency under load for fewer syncs:
// each costs the same however many entries it makes durable. Zero commits
// at once always.
func (l *Log) SetCommitDelay(d time.Duration) {
	l.commitDelay.Store(int64(max(d, 0)))
}

// maxChunk is the most rows one of the writer's INSERTs takes. A commit
// writes each table's rows of its batch with multi-row INSERTs, not one
// per row, so what database/sql and the driver cost per statement run
// comes a few times a commit instead of about five times an entry: a
// fifth of the writer's CPU at 64 entries a commit (BenchmarkCommit; the
// rest is SQLite's work on each row and the commit's). The rows go in
// chunks of maxChunk rows, then in chunks whose sizes are the binary
// digits of the rest (a batch of 6 entries: an INSERT of 4 rows and one of
// 2), so a table needs at most 7 statements (of 1, 2, 4, ..., 64 rows),
// each prepared when a commit first needs it and kept, and a commit runs
// no more than about log2 of its rows of them; a statement for every
// count up to 64 (64 a table) measured no faster. The largest binds
// 3 × 64 parameters, far below SQLite's limit (SQLITE_MAX_VARIABLE_NUMBER:
// 32766 in modernc.org/sqlite).
const maxChunk = 64

// chunk returns how many of rows (at least 1) the next INSERT takes (see
// maxChunk).
func chunk(rows int) int {
	if rows >= maxChunk {
		return maxChunk
	}
	return 1 << (bits.Len(uint(rows)) - 1)
}

// A Commit is what one of the writer's commits did, for metrics
// (OnCommit).
type Commit struct {
	Entries int           // the entries it took, durable once Err is nil
	Wait    time.Duration // how long its first entry waited for it to begin: the commit before, and the commit delay
	Took    time.Duration // its frame written to the journal and synced, and the wait for room there, if any
	Err     error

	// Unstored is how many entries the journal holds and the SQLite
	// file not yet, once the commit is done: its own, until the applier
	// has stored them, and those the file refuses.
	Unstored int
}

// OnCommit has f called after every commit of the writer, once the
// commit's callers are answered, on the writer's goroutine: f must be
// quick. nil calls none.
func (l *Log) OnCommit(f func(Commit)) {
	if f == nil {
		l.onCommit.Store(nil)
		return
	}
	l.onCommit.Store(&f)
}

// writerStmts are the writer's statements, on its one connection: the
// read of a stored hash, prepared at Open, and a multi-row INSERT for each
// table, prepared for a number of rows when a commit first needs it.
type writerStmts struct {
	getHash                   *sql.Stmt
	entries, subjects, hashes rowInsert
}

// prepare prepares the writer's statements on db.
func (w *writerStmts) prepare(ctx context.Context, db *sql.DB) error {
	w.entries = rowInsert{into: `audit_entries("index", data)`, cols: 2}
	w.subjects = rowInsert{into: `audit_subjects(subject, role, "index")`, cols: 3}
	w.hashes = rowInsert{into: `audit_hashes("index", hash)`, cols: 2}
	var err error
	w.getHash, err = db.PrepareContext(ctx, `SELECT hash FROM audit_hashes WHERE "index" = ?`)
	return err
}

// close closes the statements prepared.
func (w *writerStmts) close() error {
	var errs []error
	if w.getHash != nil {
		errs = append(errs, w.getHash.Close())
	}
	for _, r := range []*rowInsert{&w.entries, &w.subjects, &w.hashes} {
		errs = append(errs, r.close())
	}
	return errors.Join(errs...)
}

// rowInsert writes the rows of a commit into one table, in chunks (see
// maxChunk). Its rows are gathered first (add), its statements prepared
// on the writer's connection before the transaction takes it (prepare),
// then run in the transaction (exec).
type rowInsert struct {
	into  string                  // the table and its columns: t(a, b)
	cols  int                     // how many columns
	stmts [maxChunk + 1]*sql.Stmt // stmts[k] inserts k rows; nil until a commit needs it
	args  []any                   // the rows of the commit in progress, cols values each
}

// add adds a row of the commit in progress.
func (r *rowInsert) add(vals ...any) {
	r.args = append(r.args, vals...)
}

// reset forgets the rows of the last commit, and what they point to.
func (r *rowInsert) reset() {
	clear(r.args)
	r.args = r.args[:0]
}

// prepare prepares on db the statements the rows added need, those a
// commit has not needed before.
func (r *rowInsert) prepare(ctx context.Context, db *sql.DB) error {
	for rows := len(r.args) / r.cols; rows > 0; {
		k := chunk(rows)
		rows -= k
		if r.stmts[k] != nil {
			continue
		}
		row := "(?" + strings.Repeat(", ?", r.cols-1) + ")"
		q := "INSERT INTO " + r.into + " VALUES " + row + strings.Repeat(", "+row, k-1)
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare insert of %d rows into %s: %w", k, r.into, err)
		}
		r.stmts[k] = s
	}
	return nil
}

// exec inserts the rows added in tx, with the statements prepare
// prepared.
func (r *rowInsert) exec(ctx context.Context, tx *sql.Tx) error {
	for args := r.args; len(args) > 0; {
		n := chunk(len(args)/r.cols) * r.cols
		if _, err := tx.StmtContext(ctx, r.stmts[n/r.cols]).ExecContext(ctx, args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// close closes the statements prepared.
func (r *rowInsert) close() error {
	var errs []error
	for k, s := range r.stmts {
		if s != nil {
			errs = append(errs, s.Close())
			r.stmts[k] = nil
		}
	}
	return errors.Join(errs...)
}

type appendReq struct {
	data           []byte
	hash           tlog.Hash
	subject        string // for the subject index: "" for none
	representative string
	seal           bool      // the caller wants a checkpoint covering the entry
	at             time.Time // when it was handed to the writer
	reply          chan appendResult
}

type appendResult struct {
	index      int64
	checkpoint []byte // when the request asked for one
	err        error
}

// ErrReadOnly is returned by the writes of a log opened by OpenReadOnly.
var ErrReadOnly = errors.New("audit log opened read-only")

// OpenReadOnly opens the log in the SQLite file at path to read and
// verify it, while the process that keeps it (Open, which locks the log's
// journal) may be running: it reads what the file holds, a consistent
// prefix of the log, and not the entries still only in the journal, which
// that process's applier, or its next Open, puts in the file. Its
// checkpoints are checked by verifier. Append, Checkpoint and Run return
// ErrReadOnly. A file whose audit schema is not the one this program
// knows is refused.
func OpenReadOnly(ctx context.Context, path string, verifier note.Verifier) (*Log, error) {
	if path == "" || verifier == nil {
		return nil, errors.New("open audit log read-only: a path and a verifier are needed")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open audit log %s read-only: %w", path, err)
	}
	l := newLog(path, nil, verifier)
	l.readOnly = true
	close(l.done)
	close(l.applyDone)
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	var err error
	if l.rdb, err = sql.Open("sqlite", dsn); err != nil {
		return nil, fmt.Errorf("open audit log %s read-only: %w", path, err)
	}
	if v, err := schemaVersion(ctx, l.rdb); err != nil || v != len(migrations) {
		l.rdb.Close()
		if err == nil {
			err = fmt.Errorf("audit schema version %d, this program's is %d: open it read-write once, with the program that keeps it", v, len(migrations))
		}
		return nil, fmt.Errorf("open audit log %s read-only: %w", path, err)
	}
	if err := l.load(ctx, l.rdb); err != nil {
		l.rdb.Close()
		return nil, fmt.Errorf("open audit log %s read-only: %w", path, err)
	}
	l.applied = l.size
	return l, nil
}

// load reads the log's size and latest stored checkpoint from db, and
// checks the checkpoint's signature.
func (l *Log) load(ctx context.Context, db *sql.DB) error {
	var lo, n sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MIN("index"), MAX("index") FROM audit_entries`).Scan(&lo, &n); err != nil {
		return err
	}
	if n.Valid {
		// Indexes run from 0; the journal's frames carry them below
		// 2^62 (parseFrame), and tlog's stored hash indexes overflow
		// not far above.
		if lo.Int64 != 0 || n.Int64 >= maxIndex {
			return fmt.Errorf("its entries are numbered %d to %d, which no log of this program's is: want 0 to less than 2^62", lo.Int64, n.Int64)
		}
		l.size = n.Int64 + 1
	}
	var cp []byte
	err := db.QueryRowContext(ctx, `SELECT size, text FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&l.cpSize, &cp)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if cp != nil {
		if _, err := note.Open(cp, note.VerifierList(l.verifier)); err != nil {
			return fmt.Errorf("its latest checkpoint (size %d) is not signed by %s+%08x (%v): the log was kept with another key",
				l.cpSize, l.verifier.Name(), l.verifier.KeyHash(), err)
		}
	}
	l.cpSigned = cp
	l.latest, l.latestSize = cp, l.cpSize
	if l.size > l.cpSize {
		l.pendingAt = time.Now()
	}
	return nil
}

// newLog returns a Log with its channels made, nothing opened.
func newLog(path string, signer note.Signer, verifier note.Verifier) *Log {
	return &Log{
		path:      path,
		signer:    signer,
		verifier:  verifier,
		reqs:      make(chan appendReq, maxBatch),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
		progress:  make(chan struct{}),
		wake:      make(chan struct{}, 1),
		hurry:     make(chan struct{}, 1),
		applyDone: make(chan struct{}),
	}
}

// Open opens the log in the SQLite file at path, creating it if need be.
// Checkpoints are signed by signer and checked by verifier, which must be
// the same key. A file whose audit schema is newer than this program knows
// is refused, and so is one whose latest checkpoint another key signed.
// Close releases it.
func Open(ctx context.Context, path string, signer note.Signer, verifier note.Verifier) (*Log, error) {
	if path == "" {
		return nil, errors.New("open audit log: empty path")
	}
	if signer == nil || verifier == nil {
		return nil, errors.New("open audit log: a signer and a verifier are needed")
	}
	if signer.Name() != verifier.Name() || signer.KeyHash() != verifier.KeyHash() {
		return nil, fmt.Errorf("open audit log: signer %s+%08x and verifier %s+%08x are not one key",
			signer.Name(), signer.KeyHash(), verifier.Name(), verifier.KeyHash())
	}
	// SQLite checkpoints the write-ahead log into the file once it holds
	// 10,000 pages (40 MiB), not the default 1,000: each checkpoint's two
	// fsyncs hold a scheduler thread for as long as the disk takes (SQLite
	// calls them itself, so they cannot go through the ring), and the
	// B-trees' last pages, rewritten by every transaction, are copied once
	// for ten times the transactions (docs/benchmarks.md, "Seventh pass").
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(10000)"
	l := newLog(path, signer, verifier)
	var err error
	fail := func(err error) (*Log, error) {
		l.stmts.close()
		l.journal.close()
		if l.wal != nil {
			l.walSync.close()
			l.wal.Close()
		}
		if l.wdb != nil {
			l.wdb.Close()
		}
		if l.rdb != nil {
			l.rdb.Close()
		}
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	// The journal first: its lock says this process keeps the log, and
	// nothing is written to the file (not even a migration) without it.
	var frames []frame
	if l.journal, frames, err = openJournal(journalPath(path)); err != nil {
		return fail(err)
	}
	if l.wdb, err = sql.Open("sqlite", dsn); err != nil {
		return fail(err)
	}
	l.wdb.SetMaxOpenConns(1)
	l.wdb.SetMaxIdleConns(1)
	l.wdb.SetConnMaxLifetime(0)
	l.wdb.SetConnMaxIdleTime(0)
	if err := migrate(ctx, l.wdb); err != nil {
		return fail(err)
	}
	if err := l.stmts.prepare(ctx, l.wdb); err != nil {
		return fail(err)
	}
	// The migration wrote in WAL mode: the write-ahead log is there, and
	// stays while the writer's connection is open.
	if l.wal, err = os.OpenFile(path+"-wal", os.O_RDWR, 0); err != nil {
		return fail(err)
	}
	l.walSync = newSyncer(l.wal)
	if l.rdb, err = sql.Open("sqlite", dsn+"&_pragma=query_only(1)"); err != nil {
		return fail(err)
	}
	if err := l.load(ctx, l.wdb); err != nil {
		return fail(err)
	}
	l.loadFrontier(ctx)
	// Entries the journal made durable, and the file lacks, go in first.
	if frames, err = chain(frames, l.size); err != nil {
		return fail(fmt.Errorf("journal %s: %w", journalPath(path), err))
	}
	l.applied = l.size
	if err := l.replay(ctx, frames); err != nil {
		return fail(err)
	}
	// Before the writer writes over the journal's frames, every entry
	// the file shows must be durable in it, not only those replayed: the
	// file shows what an earlier process stored and never synced (it was
	// killed between its applier's syncs, or a sync failed and the kernel
	// may have dropped the pages, which it still serves from its cache).
	// A sync from this process would not write such pages again; a full
	// checkpoint does: it copies the write-ahead log's pages into the
	// database file and syncs that.
	if err := l.checkpointFile(ctx); err != nil {
		return fail(err)
	}
	l.SetCommitDelay(DefaultCommitDelay)
	go l.write()
	go l.apply()
	return l, nil
}

// checkpointFile copies the whole write-ahead log into the database file
// and syncs it (SQLite's full checkpoint, which at synchronous=NORMAL
// syncs the log first and the file after). It fails unless every frame
// was copied: a reader of an older snapshot in another process can hold
// the checkpoint back past the busy timeout.
func (l *Log) checkpointFile(ctx context.Context) error {
	var busy, frames, copied int64
	if err := l.wdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(FULL)").Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpoint %s-wal into the file: %w", l.path, err)
	}
	if busy != 0 || frames != copied {
		return fmt.Errorf("checkpoint %s-wal into the file: %d of its %d frames copied (busy %d): another process reads an older state of the log; the entries the journal holds are not yet durable in the file, so the log does not open until they are", l.path, copied, frames, busy)
	}
	return nil
}

// replay puts in the file the entries of frames, the journal's frames
// that continue it (chain), as the applier would have.
func (l *Log) replay(ctx context.Context, frames []frame) error {
	for _, fr := range frames {
		batch := make([]appendReq, len(fr.data))
		for i, data := range fr.data {
			var e Entry
			if err := e.UnmarshalBinary(data); err != nil {
				return fmt.Errorf("journal frame at byte %d, entry %d: %w", fr.at, fr.first+int64(i), err)
			}
			batch[i] = appendReq{data: data, hash: tlog.RecordHash(data),
				subject: string(e.Subject), representative: string(e.Representative)}
		}
		_, hashes, err := l.hash(fr.first, batch, false)
		if err == nil {
			err = l.store(ctx, []applyBatch{{first: fr.first, reqs: batch, hashes: hashes}})
		}
		if err != nil {
			return fmt.Errorf("apply journal frame at byte %d (entries %d to %d): %w", fr.at, fr.first, fr.first+int64(len(batch))-1, err)
		}
		l.front, l.next = l.next, l.front
		l.size += int64(len(batch))
		l.applied = l.size
		if l.pendingAt.IsZero() {
			l.pendingAt = time.Now()
		}
	}
	return nil
}

// Close stops the writer, waits for the batch in flight and for the
// applier to put what the journal holds in the file, and closes them.
// Appends after Close return ErrClosed. Should the file refuse the
// entries (a full disk), Close says how many stay in the journal only:
// the next Open applies them; should a sync of the file have failed, it
// says so too. Close may be called more than once, from any goroutine:
// the log is closed once, and every call returns what that closing said.
func (l *Log) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.close() })
	return l.closeErr
}

func (l *Log) close() error {
	close(l.closing)
	<-l.done
	<-l.applyDone
	var left error
	l.amu.Lock()
	if n := queued(l.queue[l.inFile:]); n > 0 {
		left = fmt.Errorf("close audit log: %d entries are in its journal and not yet in %s (%v): the next Open applies them", n, l.path, errors.Join(l.applyErr, l.walErr))
	} else if l.walErr != nil {
		left = fmt.Errorf("close audit log: %d entries are in its journal and in %s, which could not be synced (%v): the next Open writes them into the database file again and syncs it before the journal's space is used", queued(l.queue), l.path, l.walErr)
	}
	l.amu.Unlock()
	if l.readOnly {
		return l.rdb.Close()
	}
	return errors.Join(left, l.stmts.close(), l.wdb.Close(), l.rdb.Close(), l.journal.close(), l.walSync.close(), l.wal.Close())
}

// Append adds e to the log and returns its index once it is committed to
// disk (its journal). If ctx ends before the writer takes the entry,
// nothing is appended and ctx's error is returned; once taken, Append
// waits for the commit, so a returned index is always durable. An error
// means the entry is not in the log, but for one case the error then
// names: the journal's write or sync failed, and the next Open applies
// the batch's entries should they have reached the disk.
func (l *Log) Append(ctx context.Context, e Entry) (int64, error) {
	r, err := l.append(ctx, e, false)
	if err != nil {
		return 0, fmt.Errorf("append to audit log: %w", err)
	}
	return r.index, nil
}

// AppendSealed is Append that also returns a checkpoint: a signed note in
// the form Checkpoint signs (tlog.FormatTree), whose tree is the log as
// the commit that took e left it, so its size is more than index and an
// inclusion proof of index can be checked against it.
//
// Concurrent appends share one commit, and the writer computes the tree
// hash (from the hashes it keeps in memory) and signs once per commit, so
// a sealed append costs about what an Append costs. The checkpoint is not
// stored: it is a signed statement of the log, given to the caller for a
// receipt, and every checkpoint the log stores or signs later (Checkpoint,
// Run) must be consistent with it (a consistency proof between the two
// checks, tlog.CheckTree). Stored checkpoints remain those of Checkpoint.
//
// The errors are Append's, with one more case: if the entry was committed
// but the checkpoint could not be signed, AppendSealed returns the index,
// no checkpoint, and an error saying so.
func (l *Log) AppendSealed(ctx context.Context, e Entry) (index int64, checkpoint []byte, err error) {
	r, err := l.append(ctx, e, true)
	if err != nil {
		return r.index, nil, fmt.Errorf("append to audit log: %w", err)
	}
	return r.index, r.checkpoint, nil
}

// append hands e to the writer and waits for its answer. The result's
// index is set, along with an error, when the entry was committed but its
// checkpoint was not signed.
func (l *Log) append(ctx context.Context, e Entry, seal bool) (appendResult, error) {
	if l.readOnly {
		return appendResult{}, ErrReadOnly
	}
	data, err := e.MarshalBinary()
	if err != nil {
		return appendResult{}, err
	}
	req := appendReq{data: data, hash: tlog.RecordHash(data), subject: string(e.Subject),
		representative: string(e.Representative), seal: seal, at: time.Now(), reply: make(chan appendResult, 1)}
	// The queue is buffered, so a caller does not wait for the writer to
	// take its entry (a wake-up of its own) but only for the answer. An
	// entry still queued when the writer stops is not committed: its
	// caller gets ErrClosed.
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		return appendResult{}, ctx.Err()
	case <-l.closing:
		return appendResult{}, ErrClosed
	}
	select {
	case r := <-req.reply:
		return r, r.err
	case <-l.done:
		select {
		case r := <-req.reply:
			return r, r.err
		default:
			return appendResult{}, ErrClosed
		}
	}
}

// write is the single writer: it takes every request waiting, commits them
// as one frame of the journal, then answers each.
func (l *Log) write() {
	defer close(l.done)
	batch := make([]appendReq, 0, maxBatch)
	timer := newDelayTimer()
	defer timer.close()
	var rate float64 // entries a second, averaged over the last batches
	var prev time.Time
	// What a wait is worth: the entries the last waits gathered, averaged.
	// A lone caller appending one entry after another gets none (its next
	// entry comes after this commit, however fast), so once waits gain
	// less than minWaitGain a batch of one entry commits at once, waiting
	// again only one time in probeEvery, to see whether company has come;
	// a batch that found more than one entry waiting has company.
	gain := 1.0
	var unprobed int
	// A batch is bounded in bytes too: a quarter of the journal, so that
	// large entries arriving together commit in turn rather than fail
	// together as a frame the journal cannot hold. An entry taken that
	// would pass the bound waits in carry for the next batch.
	limit := (l.journal.size - journalBlock) / 4
	var carry *appendReq
	var payload int64 // of the batch's frame
	take := func(r appendReq) bool {
		n := int64(4 + len(r.data))
		if len(batch) > 0 && frameHeader+payload+n > limit {
			carry = &r
			return false
		}
		batch = append(batch, r)
		payload += n
		return true
	}
	for {
		batch, payload = batch[:0], 0
		if carry != nil {
			take(*carry)
			carry = nil
		} else {
			select {
			case r := <-l.reqs:
				take(r)
			case <-l.closing:
				return
			}
		}
		start := time.Now()
	more:
		for len(batch) < maxBatch && carry == nil {
			select {
			case r := <-l.reqs:
				take(r)
			default:
				break more
			}
		}
		// Under load, wait until the batch's first entry has waited the
		// commit delay, for more entries to share the commit (its sync
		// costs some 75 µs of CPU however many entries it takes); when
		// fewer than one is expected in that time, or the last waits
		// gathered next to none, commit at once.
		d := time.Duration(l.commitDelay.Load())
		wait := d > 0 && len(batch) < maxBatch && carry == nil && rate*d.Seconds() >= 1 && time.Since(batch[0].at) < d
		if wait && gain < minWaitGain && len(batch) == 1 {
			unprobed++
			wait = unprobed%probeEvery == 0
		}
		if wait {
			had := len(batch)
			timer.reset(d - time.Since(batch[0].at))
		gather:
			for len(batch) < maxBatch && carry == nil {
				select {
				case r := <-l.reqs:
					take(r)
				case <-timer.fired():
					break gather
				case <-timer.late():
					break gather
				case <-l.closing:
					break gather
				}
			}
			timer.stop()
			gain = 0.5*gain + 0.5*float64(len(batch)-had)
		}
		if !prev.IsZero() {
			if dt := start.Sub(prev).Seconds(); dt > 0 {
				rate = 0.8*rate + 0.2*float64(len(batch))/dt
			}
		}
		prev = start
		l.mu.Lock()
		first := l.size
		l.mu.Unlock()
		seal := false
		for _, r := range batch {
			seal = seal || r.seal
		}
		began := time.Now()
		root, err := l.commit(first, batch, seal)
		took := time.Since(began)
		size := first + int64(len(batch))
		if err != nil {
			size = first
		}
		var cp []byte
		var cpErr error
		if err == nil && seal {
			cp, cpErr = note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: root}))}, l.signer)
			if cpErr != nil {
				cpErr = fmt.Errorf("entry committed, but its checkpoint at size %d was not signed: %w", size, cpErr)
			}
		}
		l.mu.Lock()
		l.commitErr, l.commitErrAt = err, time.Time{}
		if err != nil {
			l.commitErrAt = time.Now()
		}
		if size > l.size && l.size == l.cpSize {
			l.pendingAt = time.Now()
		}
		l.size = size
		if cp != nil && size > l.latestSize {
			l.latest, l.latestSize = cp, size
		}
		l.mu.Unlock()
		for i, r := range batch {
			switch {
			case err != nil:
				r.reply <- appendResult{err: err}
			case r.seal:
				r.reply <- appendResult{index: first + int64(i), checkpoint: cp, err: cpErr}
			default:
				r.reply <- appendResult{index: first + int64(i)}
			}
		}
		if f := l.onCommit.Load(); f != nil {
			l.amu.Lock()
			unstored := queued(l.queue[l.inFile:])
			l.amu.Unlock()
			(*f)(Commit{Entries: len(batch), Wait: began.Sub(batch[0].at), Took: took, Unstored: unstored, Err: err})
		}
	}
}

// commit makes batch the entries first, first+1, ... of the log: it
// computes their stored hashes (hash) and, with seal, the tree hash of
// the log it leaves, writes them to the journal as one frame and syncs
// it, and hands them to the applier. Once it returns nil the entries are
// durable. Should the journal's write or sync fail, what reached the disk
// is unknown (a failed fsync may have dropped the data it was to sync,
// and a second may report success), so the log appends no more until it
// is opened again, and the error says this batch may then be in it.
func (l *Log) commit(first int64, batch []appendReq, seal bool) (tlog.Hash, error) {
	if l.broken != nil {
		return tlog.Hash{}, fmt.Errorf("these %d entries were not written: the log appends no more until it is opened again, since a write or sync of its journal failed: %w",
			len(batch), l.broken)
	}
	root, hashes, err := l.hash(first, batch, seal)
	if err != nil {
		return tlog.Hash{}, err
	}
	b := l.journal.encode(first, batch)
	at, err := l.room(int64(len(b)))
	if err != nil {
		return tlog.Hash{}, err
	}
	err = l.journal.write(b, at)
	if fault := l.journalFault.Load(); fault != nil && err == nil {
		err = *fault
	}
	if err != nil {
		l.broken = err
		return tlog.Hash{}, fmt.Errorf("%w: the log appends no more until it is opened again, which applies this batch's %d entries from %d should they have reached the disk",
			err, len(batch), first)
	}
	l.front, l.next = l.next, l.front
	reqs := make([]appendReq, len(batch))
	for i, r := range batch {
		reqs[i] = appendReq{data: r.data, subject: r.subject, representative: r.representative}
	}
	l.amu.Lock()
	l.queue = append(l.queue, applyBatch{first: first, reqs: reqs, hashes: hashes, span: span{at, at + int64(len(b))}})
	l.amu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return root, nil
}

// hash computes the stored hashes of batch as the entries first, first+1,
// ... and, with seal, the tree hash of the log they leave. It extends
// l.next, a copy of the frontier, which the caller makes the frontier
// (swapping l.front and l.next) once the batch is durable. What the
// hashes read comes from the frontier, which holds every hash of the
// batch that a later entry of it or the tree hash reads; from the batch's
// own hashes, should the frontier not; and, for the older hashes a
// frontier lacks (one Open could not read whole), from the file.
func (l *Log) hash(first int64, batch []appendReq, seal bool) (root tlog.Hash, hashes []tlog.Hash, err error) {
	front := l.next
	*front = *l.front
	fresh := &batchHashes{base: tlog.StoredHashIndex(0, first), hashes: make([]tlog.Hash, 0, 2*len(batch)+8),
		next: fileHashes{l: l, first: first}}
	r := frontierReader{f: front, next: fresh}
	for i, req := range batch {
		n := first + int64(i)
		hs, err := tlog.StoredHashesForRecordHash(n, req.hash, r)
		if err != nil {
			return tlog.Hash{}, nil, err
		}
		front.add(n, hs)
		fresh.hashes = append(fresh.hashes, hs...)
	}
	if seal {
		if root, err = tlog.TreeHash(first+int64(len(batch)), r); err != nil {
			return tlog.Hash{}, nil, err
		}
	}
	return root, fresh.hashes, nil
}

// fileHashes reads stored hashes from the file once it holds the entries
// before first, which the applier may not yet have put there.
type fileHashes struct {
	l     *Log
	first int64
}

func (r fileHashes) ReadHashes(indexes []int64) (out []tlog.Hash, err error) {
	ctx := context.Background()
	if err := r.l.stored(ctx, r.first); err != nil {
		return nil, err
	}
	err = r.l.readHashes(ctx, func(h tlog.HashReader) error {
		out, err = h.ReadHashes(indexes)
		return err
	})
	return out, err
}

// An applyBatch is a commit's entries, durable in the journal, for the
// applier to put in the file: the entries first, first+1, ..., and their
// stored hashes, consecutive from tlog.StoredHashIndex(0, first).
type applyBatch struct {
	first  int64
	reqs   []appendReq // data, subject and representative
	hashes []tlog.Hash
	span   span // its frame in the journal, free once applied
}

// queued returns how many entries q's batches hold.
func queued(q []applyBatch) (n int) {
	for _, b := range q {
		n += len(b.reqs)
	}
	return n
}

// room returns where in the journal the writer's next frame of n bytes
// goes, once there is room for it: the space of frames the applier has
// put in the file is used again. While the file fails to take them there
// may be none, and the commit fails.
func (l *Log) room(n int64) (int64, error) {
	defer l.roomWanted.Store(false)
	for {
		l.amu.Lock()
		at, ok := l.journal.place(n, l.queue)
		applyErr, walErr, progress, syncable := l.applyErr, l.walErr, l.progress, l.inFile > 0
		l.amu.Unlock()
		switch {
		case ok:
			return at, nil
		case n > l.journal.size-journalBlock:
			return 0, fmt.Errorf("a commit of %d bytes is larger than the journal (%d bytes)", n, l.journal.size-journalBlock)
		case walErr != nil:
			// No sync of the file is trusted again, so no frame's space
			// is freed until the log is opened again.
			return 0, fmt.Errorf("the journal is full, and its entries cannot be made durable in the file: %w", walErr)
		case applyErr != nil && !syncable:
			return 0, fmt.Errorf("the journal is full, and its entries cannot be stored: %w", applyErr)
		}
		l.roomWanted.Store(true)
		select {
		case l.hurry <- struct{}{}:
		default:
		}
		select {
		case <-progress:
		case <-l.closing:
			return 0, ErrClosed
		}
	}
}

// maxApply is about the most entries one of the applier's transactions
// takes: the batches queued, up to the first that reaches it.
const maxApply = 4096

// applyEvery is how often, at most, the applier begins a transaction
// while nobody reads what it has not stored, so that under load it takes
// several commits at a time rather than each one; syncEvery, how often it
// syncs the file (syncFile), freeing the journal's space, unless the
// writer wants room sooner. Each sync costs some 75 µs of CPU however
// much it makes durable. At 25 ms rather than 5, a transaction rewrites
// the B-trees' last pages once for some 60 entries at 2,500 a second, not
// for 12, and wakes the applier a fifth as often: 3 to 6 % less CPU an
// exchange in the open loop (docs/benchmarks.md, "Seventh pass"). Nobody
// waits for it: a reader hurries it, and durability is the journal's.
const (
	applyEvery = 25 * time.Millisecond
	syncEvery  = 100 * time.Millisecond
)

// apply is the applier: it puts the batches the writer queues in the file,
// as many as are queued in one transaction, and syncs the file, until the
// writer is done and the queue empty. A transaction or sync that fails is
// tried again, 10 ms later after a success and at most a second later, or
// at once for a writer that wants room; once the writer is done, three
// more tries, then the journal keeps them for the next Open.
func (l *Log) apply() {
	defer close(l.applyDone)
	const firstRetry = 10 * time.Millisecond
	retry, triesLeft := firstRetry, 3
	var lastTx, lastSync time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	// wait waits for d (none: no timeout) or one of chans.
	wait := func(d time.Duration, chans ...<-chan struct{}) {
		var tick <-chan time.Time
		if d >= 0 {
			timer.Reset(d)
			tick = timer.C
		}
		var c [3]<-chan struct{}
		copy(c[:], chans)
		select {
		case <-tick:
		case <-c[0]:
		case <-c[1]:
		case <-c[2]:
		}
		timer.Stop()
	}
	for {
		l.amu.Lock()
		n, entries := l.inFile, 0
		for n < len(l.queue) && entries < maxApply {
			entries += len(l.queue[n].reqs)
			n++
		}
		batches := l.queue[l.inFile:n:n]
		// Once a sync has failed none is tried again (syncFile): the
		// applier goes on storing, unsynced, for the readers.
		unsynced := l.inFile > 0 && l.walErr == nil
		l.amu.Unlock()
		writerDone := false
		select {
		case <-l.done:
			writerDone = true
		default:
		}
		var err error
		switch {
		case unsynced && (time.Since(lastSync) >= syncEvery || l.roomWanted.Load() || writerDone && len(batches) == 0):
			// The file's sync: once its transactions have waited
			// syncEvery, when the writer waits for room, and before the
			// applier ends.
			// A failed sync is kept in walErr (syncFile), not applyErr:
			// the file still takes transactions, so readers wait for them
			// rather than fail, and room fails once the journal is full.
			lastSync = time.Now()
			if err = l.syncFile(); err != nil {
				l.amu.Lock()
				l.signal()
				l.amu.Unlock()
			}
		case len(batches) == 0:
			if writerDone {
				return
			}
			d := time.Duration(-1)
			if unsynced {
				d = max(syncEvery-time.Since(lastSync), 0)
			}
			wait(d, l.wake, l.hurry, l.done)
			continue
		case time.Since(lastTx) < applyEvery && entries < maxApply && l.readers.Load() == 0 && !l.roomWanted.Load() && !writerDone:
			// Gather: a transaction at most every applyEvery, unless the
			// queue is long, a reader or the writer waits, or the writer
			// is done.
			wait(applyEvery-time.Since(lastTx), l.hurry, l.done)
			continue
		default:
			lastTx = time.Now()
			err = l.store(context.Background(), batches)
			l.amu.Lock()
			if err == nil {
				last := batches[len(batches)-1]
				l.applied = last.first + int64(len(last.reqs))
				l.inFile = n // of the queue, those in the file; see syncFile
				l.applyErr, l.applyErrAt = nil, time.Time{}
			} else {
				l.applyErr, l.applyErrAt = err, time.Now()
			}
			l.signal()
			l.amu.Unlock()
		}
		if err == nil {
			retry = firstRetry
			continue
		}
		if writerDone {
			if triesLeft--; triesLeft < 0 {
				return
			}
			retry = firstRetry
		}
		wait(retry, l.hurry)
		retry = min(2*retry, time.Second)
	}
}

// DiskSync says how the log makes its entries durable: "io_uring", or
// "fdatasync" with why io_uring is not used.
func (l *Log) DiskSync() string {
	if l.journal == nil {
		return "none (read-only)"
	}
	return l.journal.sync.how()
}

// syncFile makes the applier's transactions durable in the file, with
// an fdatasync of its write-ahead log: they run at synchronous=NORMAL,
// which syncs that log only at SQLite's own checkpoints, and what it
// holds of a transaction (its frames and their commit record) is what
// the file's recovery reads. Then their frames' space in the journal is
// free.
func (l *Log) syncFile() error {
	l.amu.Lock()
	n, failed := l.inFile, l.walErr
	l.amu.Unlock()
	if failed != nil {
		return failed
	}
	err := l.walSync.writeSync(nil, 0)
	if fault := l.walFault.Load(); fault != nil {
		err = *fault
	}
	if err != nil {
		// After a failed sync the kernel may have dropped the pages it
		// could not write, and a later sync succeed without them: no
		// later sync of this process is trusted. The journal keeps the
		// entries (its space is not freed). The next Open copies the
		// write-ahead log, as the kernel serves it, into the database
		// file and syncs that (checkpointFile), and applies from the
		// journal what the file no longer shows.
		err = fmt.Errorf("sync %s: %w; no later sync is trusted: the journal keeps the entries until the log is opened again", l.wal.Name(), err)
		l.amu.Lock()
		l.walErr, l.walErrAt = err, time.Now()
		l.amu.Unlock()
		return err
	}
	l.amu.Lock()
	l.queue = slices.Delete(l.queue, 0, n)
	l.inFile -= n
	l.signal()
	l.amu.Unlock()
	return nil
}

// signal wakes whoever waits for the applier (stored, room); l.amu is
// held.
func (l *Log) signal() {
	close(l.progress)
	l.progress = make(chan struct{})
}

// store writes batches, consecutive, in one transaction: their entries,
// stored hashes and rows of the subject index.
func (l *Log) store(ctx context.Context, batches []applyBatch) error {
	w := &l.stmts
	defer func() {
		w.entries.reset()
		w.subjects.reset()
		w.hashes.reset()
	}()
	for _, b := range batches {
		for i, req := range b.reqs {
			n := b.first + int64(i)
			w.entries.add(n, req.data)
			for role, s := range [...]string{RoleSubject: req.subject, RoleRepresentative: req.representative} {
				if s != "" {
					w.subjects.add(s, int64(role), n)
				}
			}
		}
		base := tlog.StoredHashIndex(0, b.first)
		for j := range b.hashes {
			w.hashes.add(base+int64(j), b.hashes[j][:])
		}
	}
	// Statements are prepared on the writer's one connection, which the
	// transaction, once begun, holds: before it.
	for _, ins := range []*rowInsert{&w.entries, &w.subjects, &w.hashes} {
		if err := ins.prepare(ctx, l.wdb); err != nil {
			return err
		}
	}
	tx, err := l.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, ins := range []*rowInsert{&w.entries, &w.subjects, &w.hashes} {
		if err := ins.exec(ctx, tx); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// stored waits until the file holds the first n entries, which it does
// but in the moment between a commit and the applier's transaction. It
// fails at once while the applier fails, and once the log is closed.
func (l *Log) stored(ctx context.Context, n int64) error {
	l.amu.Lock()
	applied, applyErr := l.applied, l.applyErr
	l.amu.Unlock()
	switch {
	case applied >= n:
		return nil
	case applyErr != nil:
		// Not hurried: while the file fails, the applier's retries keep
		// their pace, however many readers come.
		return fmt.Errorf("entries %d to %d are in the journal but not yet in the file: %w", applied, n-1, applyErr)
	}
	// A reader waits: the applier goes at once (applyEvery).
	l.readers.Add(1)
	defer l.readers.Add(-1)
	select {
	case l.hurry <- struct{}{}:
	default:
	}
	for {
		l.amu.Lock()
		applied, applyErr, progress := l.applied, l.applyErr, l.progress
		l.amu.Unlock()
		switch {
		case applied >= n:
			return nil
		case applyErr != nil:
			return fmt.Errorf("entries %d to %d are in the journal but not yet in the file: %w", applied, n-1, applyErr)
		}
		select {
		case <-progress:
		case <-l.applyDone:
			l.amu.Lock()
			applied = l.applied
			l.amu.Unlock()
			if applied >= n {
				return nil
			}
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// batchHashes holds the stored hashes a commit computes, those of its
// entries first, first+1, ..., which are consecutive from base, the
// stored index of first's (tlog.StoredHashIndex(0, first)). It reads
// those from memory, as the commit writes them only once it has them all,
// and the others from next.
type batchHashes struct {
	base   int64
	hashes []tlog.Hash
	next   tlog.HashReader
}

func (b *batchHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return readThrough(indexes, b.lookup, b.next)
}

// lookup returns the stored hash of index x if b holds it.
func (b *batchHashes) lookup(x int64) (tlog.Hash, bool) {
	if x < b.base || x-b.base >= int64(len(b.hashes)) {
		return tlog.Hash{}, false
	}
	return b.hashes[x-b.base], true
}

// loadFrontier reads the frontier of the tree the file holds, for the
// writer to start from. A hash it cannot read is left to the writer to
// read when it needs it (and fail then).
func (l *Log) loadFrontier(ctx context.Context) {
	r := stmtHashReader{ctx: ctx, stmt: l.stmts.getHash}
	f := frontier{size: l.size}
	for lv := 0; l.size>>uint(lv) > 0; lv++ {
		x := tlog.StoredHashIndex(lv, l.size>>uint(lv)-1)
		hs, err := r.ReadHashes([]int64{x})
		if err != nil {
			continue
		}
		f.index[lv], f.hash[lv] = x, hs[0]
		f.known |= 1 << uint(lv)
	}
	l.front, l.next = &f, new(frontier)
}

// stmtHashReader reads stored hashes one by one with a prepared statement.
type stmtHashReader struct {
	ctx  context.Context
	stmt *sql.Stmt
}

func (r stmtHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		var b []byte
		if err := r.stmt.QueryRowContext(r.ctx, x).Scan(&b); err != nil {
			return nil, fmt.Errorf("read stored hash %d: %w", x, err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d: %d bytes, want %d", x, len(b), tlog.HashSize)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// Size returns the number of entries committed.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// Entry returns the entry at index.
func (l *Log) Entry(ctx context.Context, index int64) (Entry, error) {
	if index < 0 || index >= l.Size() {
		return Entry{}, fmt.Errorf("audit entry %d: %w", index, ErrRange)
	}
	if err := l.stored(ctx, index+1); err != nil {
		return Entry{}, fmt.Errorf("audit entry %d: %w", index, err)
	}
	var data []byte
	if err := l.rdb.QueryRowContext(ctx, `SELECT data FROM audit_entries WHERE "index" = ?`, index).Scan(&data); err != nil {
		return Entry{}, fmt.Errorf("audit entry %d: %w", index, err)
	}
	var e Entry
	if err := e.UnmarshalBinary(data); err != nil {
		return Entry{}, fmt.Errorf("audit entry %d: %w", index, err)
	}
	return e, nil
}

// readHashes runs f with a HashReader over the stored hashes, in one read
// transaction.
func (l *Log) readHashes(ctx context.Context, f func(tlog.HashReader) error) error {
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `SELECT hash FROM audit_hashes WHERE "index" = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	return f(stmtHashReader{ctx: ctx, stmt: stmt})
}

// InclusionProof proves that the entry at index is in the tree of the
// first size entries; check it with tlog.CheckRecord against a checkpoint
// of that size.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if index < 0 || index >= size || size > l.Size() {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, ErrRange)
	}
	if err := l.stored(ctx, size); err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	var p tlog.RecordProof
	err := l.readHashes(ctx, func(r tlog.HashReader) (err error) {
		p, err = tlog.ProveRecord(size, index, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ConsistencyProof proves that the tree of the first oldSize entries is a
// prefix of the tree of the first newSize; check it with tlog.CheckTree.
func (l *Log) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	if oldSize < 1 || oldSize > newSize || newSize > l.Size() {
		return nil, fmt.Errorf("consistency proof of %d in %d: %w", oldSize, newSize, ErrRange)
	}
	if err := l.stored(ctx, newSize); err != nil {
		return nil, fmt.Errorf("consistency proof of %d in %d: %w", oldSize, newSize, err)
	}
	var p tlog.TreeProof
	err := l.readHashes(ctx, func(r tlog.HashReader) (err error) {
		p, err = tlog.ProveTree(newSize, oldSize, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("consistency proof of %d in %d: %w", oldSize, newSize, err)
	}
	return p, nil
}

// Checkpoint signs the tree of every entry committed so far as a note
// (tlog.FormatTree), stores it, and returns it with its size. If nothing
// was appended since the last checkpoint, that one is returned.
func (l *Log) Checkpoint(ctx context.Context) (signed []byte, size int64, err error) {
	if l.readOnly {
		return nil, 0, fmt.Errorf("audit checkpoint: %w", ErrReadOnly)
	}
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	size = l.Size()
	l.mu.Lock()
	if l.cpSigned != nil && l.cpSize == size {
		signed = l.cpSigned
		l.mu.Unlock()
		return signed, size, nil
	}
	l.mu.Unlock()
	if err := l.stored(ctx, size); err != nil {
		return nil, 0, fmt.Errorf("audit checkpoint at %d: %w", size, err)
	}
	var h tlog.Hash
	if err := l.readHashes(ctx, func(r tlog.HashReader) (err error) {
		h, err = tlog.TreeHash(size, r)
		return err
	}); err != nil {
		return nil, 0, fmt.Errorf("audit checkpoint at %d: %w", size, err)
	}
	signed, err = note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: h}))}, l.signer)
	if err != nil {
		return nil, 0, fmt.Errorf("audit checkpoint at %d: %w", size, err)
	}
	if _, err := l.wdb.ExecContext(ctx, `INSERT INTO audit_checkpoints(size, text) VALUES (?, ?)
		ON CONFLICT(size) DO UPDATE SET text = excluded.text`, size, signed); err != nil {
		return nil, 0, fmt.Errorf("audit checkpoint at %d: %w", size, err)
	}
	l.mu.Lock()
	l.cpSize, l.cpSigned = size, signed
	if size == l.size {
		l.pendingAt = time.Time{}
	} else {
		l.pendingAt = time.Now() // entries committed while signing
	}
	if size >= l.latestSize {
		l.latest, l.latestSize = signed, size
	}
	l.mu.Unlock()
	return signed, size, nil
}

// CommitFailure returns when and why the writer's last commit failed, or
// else the applier's last transaction, or nil when they succeeded or
// nothing was appended since Open. While the writer's fails the log may
// refuse every append (its journal failed, or is full while the file
// refuses entries); it is nil again once a commit succeeds, which only
// an append can show. While the applier's fails (a full disk), appends go
// on into the journal until it is full, and reads of the entries since
// fail; it is nil again once the applier's next try succeeds. A readiness
// probe reads it: it costs no I/O.
func (l *Log) CommitFailure() (at time.Time, err error) {
	l.mu.Lock()
	at, err = l.commitErrAt, l.commitErr
	l.mu.Unlock()
	if err != nil {
		return at, err
	}
	l.amu.Lock()
	defer l.amu.Unlock()
	if l.walErr != nil {
		return l.walErrAt, fmt.Errorf("entries are durable in the journal, but the file cannot be trusted with them: %w", l.walErr)
	}
	if l.applyErr != nil {
		return l.applyErrAt, fmt.Errorf("entries are durable in the journal, but cannot be stored: %w", l.applyErr)
	}
	return time.Time{}, nil
}

// Latest returns the latest checkpoint the log signed, stored
// (Checkpoint, Run) or sealed (AppendSealed), and its size, without I/O;
// nil and 0 when it has signed none. Check it with Verifier.
func (l *Log) Latest() (checkpoint []byte, size int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.latest, l.latestSize
}

// Pending returns how many committed entries no stored checkpoint covers
// yet, and since when the log has had such entries: the time of the first
// commit past the latest stored checkpoint (for a log opened so, the time
// of Open). The time is zero when there are none. While Run runs it stays
// under about its interval.
func (l *Log) Pending() (entries int64, since time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.size == l.cpSize {
		return 0, time.Time{}
	}
	return l.size - l.cpSize, l.pendingAt
}

// Verifier returns the verifier of the log's checkpoints, for
// note.Open(checkpoint, note.VerifierList(l.Verifier())).
func (l *Log) Verifier() note.Verifier { return l.verifier }

// Run signs a checkpoint every interval while the log grows, until ctx
// ends (then it returns nil) or a checkpoint fails (then it returns that
// error). The caller decides to run it with go.
func (l *Log) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("audit checkpoints: interval %v is not positive", every)
	}
	if l.readOnly {
		return fmt.Errorf("audit checkpoints: %w", ErrReadOnly)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.closing:
			return nil
		case <-t.C:
		}
		l.mu.Lock()
		grew := l.size > l.cpSize
		l.mu.Unlock()
		if !grew {
			continue
		}
		if _, _, err := l.Checkpoint(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}
