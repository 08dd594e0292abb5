package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"samband/catalog"
)

func rowCount(t *testing.T, st *Store, table string) int {
	t.Helper()
	var n int
	if err := st.rdb.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCoverageSnapshotsShared: runs after which the counts are what they
// were share one snapshot; a change makes a new one.
func TestCoverageSnapshotsShared(t *testing.T) {
	st := openTemp(t)
	defer st.Close()
	st.UpsertSource(ctx, fdk)
	run, _ := st.StartRun(ctx, "fdk", t0)
	for n := 1; n <= 3; n++ {
		put(t, st, run, record(n, 1), catalog.Added)
	}
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete, Finished: t0}); err != nil {
		t.Fatal(err)
	}
	counts := rowCount(t, st, "coverage_counts")
	if counts != 2 { // NO/ECON, NO/SOCI
		t.Fatalf("coverage_counts after the first run: %d rows, want 2", counts)
	}
	for i := 1; i <= 5; i++ {
		run, _ := st.StartRun(ctx, "fdk", t0.Add(time.Duration(i)*time.Hour))
		if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusComplete, NotModified: true}); err != nil {
			t.Fatal(err)
		}
	}
	if n := rowCount(t, st, "coverage_counts"); n != counts {
		t.Errorf("coverage_counts after 5 runs that changed nothing: %d rows, want %d", n, counts)
	}
	if n := rowCount(t, st, "coverage_runs"); n != 6 {
		t.Errorf("coverage_runs: %d, want 6", n)
	}
	points, err := st.CoverageHistory(ctx, time.Time{}, time.Time{})
	if err != nil || len(points) != 12 {
		t.Fatalf("CoverageHistory = %d points, %v; want 12 (6 runs x 2)", len(points), err)
	}
	run, _ = st.StartRun(ctx, "fdk", t0.Add(10*time.Hour))
	rec := record(4, 1)
	rec.EUThemes = []string{"HEAL"}
	put(t, st, run, rec, catalog.Added)
	st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusPartial})
	if n := rowCount(t, st, "coverage_counts"); n != counts+3 {
		t.Errorf("coverage_counts after a run that added a theme: %d rows, want %d", n, counts+3)
	}
}

// TestMigrateCoverage: a file of schema 0002 with records in it is brought
// to the coverage schema with its records counted.
func TestMigrateCoverage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	stmts = append(stmts, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`)
	for _, name := range []string{"0001_init.sql", "0002_catalogs.sql"} {
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(body), fmt.Sprintf(`INSERT INTO schema_migrations VALUES (%s, '%s', 0)`, name[:4], name))
	}
	stmts = append(stmts, `INSERT INTO sources (name, country, kind, url) VALUES ('fdk', 'NO', 'dcat', 'x'), ('se', 'SE', 'dcat', 'y')`)
	for i, r := range []struct {
		source, country, record string
		withdrawn               string
	}{
		{"fdk", "NO", `{"id":"a","eu_themes":["SOCI","ECON","SOCI"],"quality":{"score":300}}`, "NULL"},
		{"fdk", "NO", `{"id":"b","quality":{"score":100}}`, "NULL"},
		{"fdk", "NO", `{"id":"c","eu_themes":["ECON"]}`, "5"}, // withdrawn: not counted
		{"se", "SE", `{"id":"d","eu_themes":["REGI"]}`, "NULL"},
	} {
		id := string(rune('a' + i))
		stmts = append(stmts,
			fmt.Sprintf(`INSERT INTO records (id, iri, kind, owner, hash, record, withdrawn_at, changed, seq) VALUES ('%s', 'https://x/%s', 'Dataset', '%s', 'h', '%s', %s, 1, %d)`,
				id, id, r.source, r.record, r.withdrawn, i+1),
			fmt.Sprintf(`INSERT INTO provenance (record_id, source, country, first_seen, last_changed, last_seen, hash, last_run) VALUES ('%s', '%s', '%s', 1, 1, 1, 'h', 0)`,
				id, r.source, r.country))
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("make a 0002 file: %v", err)
		}
	}
	db.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a 0002 file = %v", err)
	}
	defer st.Close()
	run, err := st.StartRun(ctx, "fdk", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishRun(ctx, run, catalog.Report{Status: catalog.StatusPartial, Finished: t0}); err != nil {
		t.Fatal(err)
	}
	points, err := st.CoverageHistory(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range points {
		got = append(got, fmt.Sprintf("%s/%s=%d", p.Country, p.Theme, p.Count))
	}
	if want := []string{"NO/=1", "NO/ECON=1", "NO/SOCI=1", "SE/REGI=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("coverage after migrating = %v, want %v", got, want)
	}
	q, err := st.QualityHistory(ctx, time.Time{}, time.Time{})
	if err != nil || len(q) != 2 || q[0].Country != "NO" || q[0].Count != 2 || q[0].Scored != 2 || q[0].Mean != 200 || q[1].Scored != 0 {
		t.Errorf("quality after migrating = %+v, %v", q, err)
	}
}
