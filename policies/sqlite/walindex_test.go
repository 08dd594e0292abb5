package sqlite

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"samband/policies"
)

// slowChecks is how many of the cache's checks have read data_version.
func slowChecks(r *Registry) uint64 {
	r.cache.mu.Lock()
	defer r.cache.mu.Unlock()
	return r.cache.slow
}

// Questions asked while nothing is committed are answered without a
// read transaction, from the wal-index's header; a commit from any
// connection, and a restart of the write-ahead log, send the next
// question to data_version, and it sees the change.
func TestFactsCacheWALIndex(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the wal-index is read on Linux only")
	}
	ctx := context.Background()
	a, b := openPair(t)
	if b.cache.wal.Load() == nil {
		t.Fatal("the registry does not read its file's wal-index")
	}
	heir, deceased := person(t, "FI", "170852-234C"), person(t, "NO", "15038510190")
	q := policies.MandateQuery{Representative: heir, Grantor: deceased, Target: "t", Purpose: "p", LifeEvent: "death-and-inheritance"}
	holds := func(want bool, when string) {
		t.Helper()
		if _, ok, err := b.Mandate(ctx, q); ok != want || err != nil {
			t.Fatalf("%s: Mandate = %v, %v; want %v", when, ok, err, want)
		}
	}
	grant := func() policies.Mandate {
		t.Helper()
		m, err := a.GrantMandate(ctx, policies.Mandate{Grantor: deceased, GrantorDeceased: true, Representative: heir,
			Targets: []string{"*"}, Purposes: []string{"*"}, LifeEvents: []string{"*"}, Until: time.Now().Add(time.Hour),
			Basis: policies.BasisHeirCertificate, Evidence: "skifteattest", Issuer: "NO"}, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	holds(false, "before any grant")
	m := grant()
	holds(true, "after a grant")
	slow := slowChecks(b)
	for range 100 {
		holds(true, "asked again")
	}
	if got := slowChecks(b); got != slow {
		t.Fatalf("100 questions with nothing committed read data_version %d times, want 0", got-slow)
	}
	if _, err := a.RevokeMandate(ctx, m.ID, policies.Note{}); err != nil {
		t.Fatal(err)
	}
	holds(false, "after a revocation")
	if got := slowChecks(b); got != slow+1 {
		t.Fatalf("the question after a commit read data_version %d times, want 1", got-slow)
	}

	// The write-ahead log copied into the file and started again from its
	// beginning: the next commit's frames are where the first ones were.
	m = grant()
	holds(true, "after a second grant")
	for _, mode := range []string{"TRUNCATE", "RESTART"} {
		if _, err := a.wdb.ExecContext(ctx, "PRAGMA wal_checkpoint("+mode+")"); err != nil {
			t.Fatal(err)
		}
		holds(true, "after a checkpoint ("+mode+")")
	}
	if _, err := a.RevokeMandate(ctx, m.ID, policies.Note{}); err != nil {
		t.Fatal(err)
	}
	holds(false, "after a revocation following checkpoints")
}

// A revocation by another process (as `gateway mandate revoke` beside
// `gateway serve`) is seen by the next question. The other process is
// this test binary again, run as TestHelperRevoke.
func TestRevocationFromAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	r, path := openTemp(t)
	heir, deceased := person(t, "FI", "170852-234C"), person(t, "NO", "15038510190")
	q := policies.MandateQuery{Representative: heir, Grantor: deceased, Target: "t", Purpose: "p", LifeEvent: "death-and-inheritance"}
	for round := range 3 {
		m, err := r.GrantMandate(ctx, policies.Mandate{Grantor: deceased, GrantorDeceased: true, Representative: heir,
			Targets: []string{"*"}, Purposes: []string{"*"}, LifeEvents: []string{"*"}, Until: time.Now().Add(time.Hour),
			Basis: policies.BasisHeirCertificate, Evidence: "skifteattest", Issuer: "NO"}, policies.Note{})
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if _, ok, err := r.Mandate(ctx, q); !ok || err != nil {
				t.Fatalf("round %d: Mandate = %v, %v before the revocation", round, ok, err)
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRevoke$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SAMBAND_TEST_REVOKE="+path+"\n"+m.ID)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("round %d: the other process: %v\n%s", round, err, out)
		}
		if g, ok, err := r.Mandate(ctx, q); ok || err != nil {
			t.Fatalf("round %d: Mandate = %+v, %v, %v after another process revoked it", round, g, ok, err)
		}
	}
}

// TestHelperRevoke is the other process of TestRevocationFromAnotherProcess.
func TestHelperRevoke(t *testing.T) {
	arg := os.Getenv("SAMBAND_TEST_REVOKE")
	if arg == "" {
		t.Skip("run by TestRevocationFromAnotherProcess")
	}
	path, id, _ := strings.Cut(arg, "\n")
	r, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.RevokeMandate(context.Background(), id, policies.Note{Via: "cli"}); err != nil {
		t.Fatal(err)
	}
}
