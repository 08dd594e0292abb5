package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"samband/catalog"
)

var (
	ctx = context.Background()
	t0  = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)
	fdk = catalog.Source{Name: "fdk", Country: "NO", Kind: "dcat", URL: "https://data.norge.no/api/dcat/catalogs"}
)

// record returns the n-th test record of fdk, in version v.
func record(n, v int) catalog.Dataset {
	iri := fmt.Sprintf("https://data.norge.no/datasets/nav-%06d", n)
	return catalog.Dataset{
		IRI:         iri,
		Kind:        catalog.KindDataset,
		Identifiers: []string{fmt.Sprintf("NAV-%d", n)},
		Title: catalog.Text{
			"nb": {fmt.Sprintf("Arbeidsledige etter fylke %d, versjon %d", n, v)},
			"nn": {"Arbeidsledige etter fylke"},
			"en": {"Unemployed persons by county"},
		},
		Description: catalog.Text{"nb": {"Helt ledige registrert hos NAV, etter fylke og måned."}},
		Keywords:    catalog.Text{"nb": {"arbeidsledighet", "NAV"}},
		EUThemes:    []string{"ECON", "SOCI"},
		Publisher:   &catalog.Agent{Name: catalog.Text{"nb": {"Arbeids- og velferdsetaten"}}, Identifier: "889640782"},
		Distributions: []catalog.Distribution{{
			AccessURLs: []string{"https://data.nav.no/api/arbeidsledige.csv"},
			FormatEU:   "CSV", MediaType: "text/csv", LicenseEU: "NLOD_2_0",
		}},
		Sources: []catalog.SourceRecord{{
			Source:   "fdk",
			Hash:     fmt.Sprintf("sha256:%d-%d", n, v),
			Original: fmt.Sprintf("<%s> <http://purl.org/dc/terms/title> \"Arbeidsledige etter fylke %d, versjon %d\"@nb .\n", iri, n, v),
		}},
	}
}

func put(t testing.TB, st *Store, run int64, rec catalog.Dataset, want catalog.PutOutcome) {
	t.Helper()
	got, err := st.Put(ctx, run, rec, t0)
	if err != nil {
		t.Fatalf("Put(%s) = %v", rec.IRI, err)
	}
	if got != want {
		t.Fatalf("Put(%s) = %d, want %d", rec.IRI, got, want)
	}
}

func count(t *testing.T, st *Store, withdrawn bool) int {
	t.Helper()
	p, err := st.Datasets(ctx, catalog.ListOptions{Limit: 1, IncludeWithdrawn: withdrawn})
	if err != nil {
		t.Fatalf("Datasets = %v", err)
	}
	return p.Total
}

// abandon closes st as a crash would: the open batch is not committed.
func (s *Store) abandon() {
	s.mu.Lock()
	if s.inTx {
		s.w.ExecContext(ctx, "ROLLBACK")
		s.endTxLocked()
	}
	s.closed.Store(true)
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.st.close()
	s.w.Close()
	s.wdb.Close()
	s.rdb.Close()
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertSource(ctx, fdk); err != nil {
		t.Fatal(err)
	}
	if err := st.SetValidators(ctx, "fdk", `"abc"`, "Mon, 03 Mar 2025 05:00:00 GMT"); err != nil {
		t.Fatal(err)
	}
	run, _ := st.StartRun(ctx, "fdk", t0)
	put(t, st, run, record(1, 1), catalog.Added)
	put(t, st, run, record(2, 1), catalog.Added)
	put(t, st, run, record(1, 2), catalog.Updated)
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete, Added: 2, Updated: 1}); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Dataset(ctx, record(1, 1).IRI)
	if err := st.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	d, err := st.Dataset(ctx, record(1, 1).IRI)
	if err != nil {
		t.Fatalf("Dataset after reopen = %v", err)
	}
	if d.Seq != before.Seq || d.Title.Get("nb") != record(1, 2).Title.Get("nb") || len(d.Sources) != 1 ||
		d.Sources[0].Original != record(1, 2).Sources[0].Original {
		t.Errorf("Dataset after reopen = %+v, want %+v", d, before)
	}
	if h, err := st.History(ctx, d.ID); err != nil || len(h) != 1 {
		t.Errorf("History after reopen = %d versions, %v; want 1", len(h), err)
	}
	src, err := st.Source(ctx, "fdk")
	if err != nil || src.Records != 2 || src.ETag != `"abc"` || src.LastRun == nil || src.LastRun.Updated != 1 {
		t.Errorf("Source after reopen = %+v, %v", src, err)
	}
	// The change sequence goes on from where it was.
	run, _ = st.StartRun(ctx, "fdk", t0.Add(time.Hour))
	put(t, st, run, record(3, 1), catalog.Added)
	if d, _ := st.Dataset(ctx, record(3, 1).IRI); d.Seq != before.Seq+1 {
		t.Errorf("Seq of the first change after reopen = %d, want %d", d.Seq, before.Seq+1)
	}
}

// latestMigration returns the version of the newest embedded migration and
// how many there are.
func latestMigration(t *testing.T) (version, n int) {
	t.Helper()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v, %v", names, err)
	}
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: %v", name, err)
		}
		version = max(version, v)
	}
	return version, len(names)
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	latest, count := latestMigration(t)
	for i := 0; i < 3; i++ {
		st, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d = %v", i+1, err)
		}
		v, err := st.SchemaVersion(ctx)
		if err != nil || v != latest {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, latest)
		}
		var n int
		if err := st.rdb.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != count {
			t.Errorf("schema_migrations after Open #%d: %d rows, %v; want %d", i+1, n, err, count)
		}
		if i == 2 {
			// A newer program migrated the file.
			st.mu.Lock()
			_, err = st.w.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, 0)",
				latest+1, fmt.Sprintf("%04d_future.sql", latest+1))
			st.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer than this program knows") {
		t.Errorf("Open of a newer schema = %v, want an error saying it is newer", err)
	}
}

// TestMigrateFrom0001: a file made by the first schema, with a source and a
// finished run in it, opens, is brought to the current schema, keeps what
// it held, and stores catalogues.
func TestMigrateFrom0001(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`,
		string(schema),
		`INSERT INTO schema_migrations (version, name, applied) VALUES (1, '0001_init.sql', 0)`,
		`INSERT INTO sources (name, country, kind, url, etag) VALUES ('fdk', 'NO', 'dcat', 'https://data.norge.no/api/dcat/catalogs', '"abc"')`,
		`INSERT INTO runs (source, status, started, finished, report) VALUES ('fdk', 'complete', 1, 2, '{"status":"complete","added":3}')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("make a 0001 file: %v", err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a 0001 file = %v", err)
	}
	defer st.Close()
	latest, _ := latestMigration(t)
	if v, err := st.SchemaVersion(ctx); err != nil || v != latest {
		t.Errorf("SchemaVersion after upgrade = %d, %v; want %d", v, err, latest)
	}
	src, err := st.Source(ctx, "fdk")
	if err != nil {
		t.Fatalf("Source(fdk) after upgrade = %v", err)
	}
	if src.ETag != `"abc"` || src.LastRun == nil || src.LastRun.Added != 3 || src.Catalogs != nil {
		t.Errorf("Source(fdk) after upgrade = %+v; want its validators and last run kept, no catalogues", src)
	}
	cats := []catalog.Catalog{{IRI: "https://data.norge.no/catalog", Title: catalog.Text{"nb": {"Datakatalog"}}, Datasets: 2}}
	if err := st.SetCatalogs(ctx, "fdk", cats); err != nil {
		t.Fatalf("SetCatalogs after upgrade = %v", err)
	}
	if src, err := st.Source(ctx, "fdk"); err != nil || len(src.Catalogs) != 1 || src.Catalogs[0].Title.Get("nb") != "Datakatalog" {
		t.Errorf("Source(fdk).Catalogs = %+v, %v; want the catalogue set", src.Catalogs, err)
	}
}

func TestCloseWithoutFinishRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.UpsertSource(ctx, fdk)
	first, _ := st.StartRun(ctx, "fdk", t0)
	for n := 1; n <= 10; n++ {
		put(t, st, first, record(n, 1), catalog.Added)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := count(t, st, false); n != 10 {
		t.Errorf("after Close without FinishRun: %d records, want 10", n)
	}
	if rep, err := st.Run(ctx, first); err != nil || rep.Status != catalog.StatusRunning {
		t.Errorf("run left behind = %+v, %v; want running", rep, err)
	}
	second, err := st.StartRun(ctx, "fdk", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := st.Run(ctx, first)
	if err != nil || rep.Status != catalog.StatusFailed || len(rep.Errors) != 1 ||
		!strings.Contains(rep.Errors[0].Message, "gateway stopped") || !rep.Finished.Equal(t0.Add(time.Hour)) {
		t.Errorf("run left behind, after the next StartRun = %+v, %v; want failed, saying the gateway stopped", rep, err)
	}
	for n := 2; n <= 10; n++ {
		put(t, st, second, record(n, 1), catalog.Unchanged)
	}
	if w, err := st.FinishRun(ctx, second, catalog.Report{Status: catalog.StatusComplete}); err != nil || w != 1 {
		t.Errorf("FinishRun(second) = %d, %v; want 1 withdrawn", w, err)
	}
}

func TestCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.UpsertSource(ctx, fdk)
	run, _ := st.StartRun(ctx, "fdk", t0)
	const n = batchPuts + batchPuts/2
	for i := 1; i <= n; i++ {
		put(t, st, run, record(i, 1), catalog.Added)
	}
	st.abandon()

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after a crash = %v", err)
	}
	defer st.Close()
	// A batch commits after batchPuts puts or batchAge, whichever comes
	// first, so a crash loses at most the open batch: at most batchPuts
	// records, however the commits fell on a slow machine.
	kept := count(t, st, true)
	if kept < n-batchPuts || kept > n {
		t.Errorf("after a crash: %d records, want at least %d (all but one open batch), at most %d", kept, n-batchPuts, n)
	}
	// Every record kept is whole: its provenance and original are there.
	page, err := st.Datasets(ctx, catalog.ListOptions{Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Items {
		if len(d.Sources) != 1 || d.Sources[0].Hash == "" {
			t.Fatalf("record %s kept without its provenance", d.IRI)
		}
	}
	if rep, _ := st.Run(ctx, run); rep.Status != catalog.StatusRunning {
		t.Errorf("crashed run is %s, want running", rep.Status)
	}
	// The next run stores the rest.
	next, err := st.StartRun(ctx, "fdk", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for i := 1; i <= n; i++ {
		out, err := st.Put(ctx, next, record(i, 1), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if out == catalog.Added {
			added++
		} else if out != catalog.Unchanged {
			t.Fatalf("Put(%d) after a crash = %d", i, out)
		}
	}
	if added != n-kept {
		t.Errorf("next run added %d, want %d", added, n-kept)
	}
	if w, err := st.FinishRun(ctx, next, catalog.Report{Status: catalog.StatusComplete}); err != nil || w != 0 {
		t.Errorf("FinishRun = %d, %v; want 0 withdrawn", w, err)
	}
	if c := count(t, st, false); c != n {
		t.Errorf("after the next run: %d records, want %d", c, n)
	}
}

func TestLostBatch(t *testing.T) {
	st := openTemp(t)
	defer st.Close()
	st.UpsertSource(ctx, fdk)
	run, _ := st.StartRun(ctx, "fdk", t0)
	put(t, st, run, record(1, 1), catalog.Added)
	put(t, st, run, record(2, 1), catalog.Added)
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete}); err != nil {
		t.Fatal(err)
	}

	run, _ = st.StartRun(ctx, "fdk", t0.Add(time.Hour))
	put(t, st, run, record(1, 1), catalog.Unchanged)
	// The batch holding that put fails to commit.
	st.mu.Lock()
	st.abortLocked(errors.New("disk I/O error"))
	st.mu.Unlock()
	put(t, st, run, record(2, 1), catalog.Unchanged)

	w, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete})
	if err == nil || w != 0 {
		t.Errorf("FinishRun of a run with a lost batch = %d, %v; want 0 and an error", w, err)
	}
	rep, _ := st.Run(ctx, run)
	if rep.Status != catalog.StatusPartial || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "disk I/O error") {
		t.Errorf("report of a run with a lost batch = %+v, want partial with the cause", rep)
	}
	if c := count(t, st, false); c != 2 {
		t.Errorf("%d live records, want 2: nothing withdrawn", c)
	}
}

func TestChanges(t *testing.T) {
	st := openTemp(t)
	defer st.Close()
	st.UpsertSource(ctx, fdk)
	run, _ := st.StartRun(ctx, "fdk", t0)
	for n := 1; n <= 5; n++ {
		put(t, st, run, record(n, 1), catalog.Added)
	}
	st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete})

	ch, err := st.Changes(ctx, 0, 3)
	if err != nil || len(ch) != 3 {
		t.Fatalf("Changes(0, 3) = %d records, %v; want 3", len(ch), err)
	}
	for i, d := range ch {
		if d.Seq != int64(i+1) || d.IRI != record(i+1, 1).IRI || len(d.Sources) != 1 || d.Sources[0].Original != "" {
			t.Errorf("Changes[%d] = %s seq %d, want %s seq %d with sources, no original", i, d.IRI, d.Seq, record(i+1, 1).IRI, i+1)
		}
	}
	last := ch[2].Seq

	run, _ = st.StartRun(ctx, "fdk", t0.Add(time.Hour))
	put(t, st, run, record(1, 2), catalog.Updated)
	for n := 2; n <= 4; n++ {
		put(t, st, run, record(n, 1), catalog.Unchanged)
	}
	st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete}) // withdraws 5

	ch, err = st.Changes(ctx, last, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ch {
		got = append(got, fmt.Sprintf("%s:%d:%v", strings.TrimPrefix(d.IRI, "https://data.norge.no/datasets/"), d.Seq, d.Withdrawn))
	}
	want := []string{"nav-000004:4:false", "nav-000001:6:false", "nav-000005:7:true"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Changes(%d) = %v, want %v", last, got, want)
	}
	if ch, err := st.Changes(ctx, 7, 100); err != nil || len(ch) != 0 {
		t.Errorf("Changes(7) = %d, %v; want none", len(ch), err)
	}
}

func TestContinueRunAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	st, _ := Open(ctx, path)
	st.UpsertSource(ctx, fdk)
	run, _ := st.StartRun(ctx, "fdk", t0)
	put(t, st, run, record(1, 1), catalog.Added)
	st.Close()
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put(t, st, run, record(2, 1), catalog.Added)
	if w, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete}); err != nil || w != 0 {
		t.Errorf("FinishRun of a run started before reopen = %d, %v", w, err)
	}
}

// TestPing: an open store answers Ping, a closed one says it is closed.
func TestPing(t *testing.T) {
	st, err := Open(ctx, filepath.Join(t.TempDir(), "samband.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("Ping of an open store = %v, want nil", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); !errors.Is(err, catalog.ErrClosed) {
		t.Errorf("Ping after Close = %v, want catalog.ErrClosed", err)
	}
}
