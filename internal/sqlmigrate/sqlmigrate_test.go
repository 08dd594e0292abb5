package sqlmigrate

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	_ "modernc.org/sqlite"
)

func TestApply(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"m/0003_c.sql": {Data: []byte("INSERT INTO a VALUES (3);")},
		"m/0002_b.sql": {Data: []byte("INSERT INTO a VALUES (2);")},
	}
	ms, err := FromFS(fsys, "m")
	if err != nil || len(ms) != 3 || ms[0].Version != 1 || ms[2].Name != "0003_c.sql" {
		t.Fatalf("FromFS = %+v, %v", ms, err)
	}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	apply := func(ms []Migration) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := Apply(ctx, tx, "m_migrations", "the test schema", ms); err != nil {
			return err
		}
		return tx.Commit()
	}
	if err := apply(ms[:2]); err != nil {
		t.Fatal(err)
	}
	if err := apply(ms); err != nil { // only 0003 is new
		t.Fatal(err)
	}
	var sum int
	if err := db.QueryRow("SELECT sum(x) FROM a").Scan(&sum); err != nil || sum != 5 {
		t.Errorf("after applying twice: sum %d, %v; want 5 (each migration once)", sum, err)
	}
	if err := apply(ms[:1]); err == nil || !strings.Contains(err.Error(), "the test schema is version 3, newer than this program knows (1)") {
		t.Errorf("an older program = %v, want a refusal", err)
	}
	if _, err := FromFS(fstest.MapFS{"m/x.sql": {Data: []byte("")}}, "m"); err == nil {
		t.Error("a migration without a version number was read")
	}
}

// ApplyFS applies what the file lacks, once, and a failing migration
// leaves nothing of its run behind.
func TestApplyFS(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);")},
	}
	for range 2 {
		if err := ApplyFS(ctx, db, fsys, "m", "m_migrations", "the test schema"); err != nil {
			t.Fatal(err)
		}
	}
	fsys["m/0002_b.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO a VALUES (2);")}
	fsys["m/0003_bad.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO nowhere VALUES (3);")}
	if err := ApplyFS(ctx, db, fsys, "m", "m_migrations", "the test schema"); err == nil || !strings.HasPrefix(err.Error(), "migrate: ") {
		t.Fatalf("a failing migration: %v", err)
	}
	var sum, version int
	if err := db.QueryRow("SELECT sum(x), (SELECT max(version) FROM m_migrations) FROM a").Scan(&sum, &version); err != nil ||
		sum != 1 || version != 1 {
		t.Errorf("after a failed run: sum %d, version %d, %v; want 1 and 1 (0002 rolled back with 0003)", sum, version, err)
	}
}
