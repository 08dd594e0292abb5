package audit

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// The crash tests run a log in a child process (this test binary again,
// TestCrashChild) that appends and says on its standard output which
// appends returned ("ok index tag", "sealed index checkpoint"), and kill
// it with SIGKILL: no Close, no applier draining. Reopened, the log must
// hold every entry whose append returned, at the index it was given,
// verify, and be consistent with every checkpoint the child was given.
// A killed process leaves what it wrote in the kernel's page cache; a
// power cut is the fsync's part, which these tests do not simulate.
const (
	crashEnvDir  = "SAMBAND_AUDIT_CRASH_DIR"
	crashEnvMode = "SAMBAND_AUDIT_CRASH_MODE"
	crashEnvKeys = "SAMBAND_AUDIT_CRASH_KEYS"
)

// TestCrashChild is the child of TestReplayAfterKill; it runs only when
// that test starts it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("run by TestReplayAfterKill")
	}
	keys := strings.SplitN(os.Getenv(crashEnvKeys), "\n", 2)
	k := parseKeys(t, keys[0], keys[1])
	journalSize = 64 * journalBlock
	ctx := context.Background()
	l, err := Open(ctx, filepath.Join(dir, "audit.db"), k.signer, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	switch os.Getenv(crashEnvMode) {
	case "held":
		// The file takes 50 entries, then no more (limitPages: a limit
		// of the connection's, gone with the process, where holdFile's
		// trigger would stay in the file): the appends after those are
		// in the journal only, until it is full.
		for tag := range 50 {
			x, err := l.Append(ctx, testEntry(tag))
			if err != nil {
				t.Fatal(err)
			}
			say("ok %d %d", x, tag)
		}
		if err := l.stored(ctx, 50); err != nil {
			t.Fatal(err)
		}
		limitPages(t, l)
		for tag := 50; ; tag++ {
			x, cp, err := l.AppendSealed(ctx, testEntry(tag))
			if err != nil {
				l.amu.Lock()
				applied := l.applied
				l.amu.Unlock()
				say("held %d %v", applied, err)
				break
			}
			say("ok %d %d", x, tag)
			say("sealed %d %s", x, base64.StdEncoding.EncodeToString(cp))
		}
	case "load":
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for tag := g; ; tag += 8 {
					if g%2 == 0 {
						x, err := l.Append(ctx, testEntry(tag))
						if err != nil {
							say("error %v", err)
							return
						}
						say("ok %d %d", x, tag)
						continue
					}
					x, cp, err := l.AppendSealed(ctx, testEntry(tag))
					if err != nil {
						say("error %v", err)
						return
					}
					say("ok %d %d", x, tag)
					say("sealed %d %s", x, base64.StdEncoding.EncodeToString(cp))
				}
			})
		}
		wg.Wait()
	}
	time.Sleep(time.Hour) // until killed
}

// TestReplayAfterKill: a log killed while the file lags its journal (held:
// the file refuses entries, the journal takes them until full) or in the
// middle of concurrent appends (load) reopens with every entry whose
// append returned, at its index, and nothing else lost: it verifies, each
// checkpoint a sealed append returned is a prefix of it, and it appends
// on.
func TestReplayAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, mode := range []string{"held", "load"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			skey, vkey, err := GenerateKey("gateway.example.no")
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
			cmd.Env = append(os.Environ(), crashEnvDir+"="+dir, crashEnvMode+"="+mode, crashEnvKeys+"="+skey+"\n"+vkey)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			defer func() {
				if !killed {
					cmd.Process.Kill()
					cmd.Wait()
				}
			}()
			tags := map[int64]int{} // the tag of the entry at each index acknowledged
			type sealed struct {
				index int64
				cp    []byte
			}
			var seals []sealed
			held := int64(-1)
			sc := bufio.NewScanner(out)
			sc.Buffer(nil, 1<<20)
			for !killed && sc.Scan() {
				f := strings.Fields(sc.Text())
				switch {
				case len(f) == 3 && f[0] == "ok":
					x, _ := strconv.ParseInt(f[1], 10, 64)
					tag, _ := strconv.Atoi(f[2])
					tags[x] = tag
					if mode == "load" && len(tags) == 1500 {
						killed = true
					}
				case len(f) == 3 && f[0] == "sealed":
					x, _ := strconv.ParseInt(f[1], 10, 64)
					cp, err := base64.StdEncoding.DecodeString(f[2])
					if err != nil {
						t.Fatal(err)
					}
					seals = append(seals, sealed{x, cp})
				case len(f) >= 2 && f[0] == "held":
					held, _ = strconv.ParseInt(f[1], 10, 64)
					if !strings.Contains(sc.Text(), "journal is full") {
						t.Errorf("the held child's last append: %s; want the journal is full", sc.Text())
					}
					killed = true
				case strings.HasPrefix(sc.Text(), "error"):
					t.Fatalf("child: %s", sc.Text())
				}
			}
			if !killed {
				t.Fatalf("the child stopped before it was killed (%d appends acknowledged): %v", len(tags), sc.Err())
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if mode == "held" && int64(len(tags))-held < 32 {
				t.Fatalf("held: %d entries acknowledged, the file had %d: want a journal's worth the file lacked", len(tags), held)
			}

			k := parseKeys(t, skey, vkey)
			l := openTest(t, filepath.Join(dir, "audit.db"), k)
			size := l.Size()
			// Its writer may now write over the journal's frames, so the
			// database file must hold every entry by itself: a power cut
			// may take whatever of the write-ahead log the killed child
			// never synced.
			if n := entriesInFileAlone(t, filepath.Join(dir, "audit.db")); n != size {
				t.Fatalf("the database file alone holds %d entries once the log is open again, want all %d", n, size)
			}
			for x, tag := range tags {
				if x >= size {
					t.Fatalf("entry %d was acknowledged, the reopened log has %d", x, size)
				}
				e, err := l.Entry(ctx, x)
				if err != nil || !e.Time.Equal(testEntry(tag).Time) {
					t.Fatalf("Entry(%d) after the kill = %v, %v; want the one acknowledged there (tag %d)", x, e.Time, err, tag)
				}
			}
			if mode == "held" && size != int64(len(tags)) {
				t.Errorf("held: size after the kill %d, want the %d entries acknowledged, no more", size, len(tags))
			}
			if err := l.Verify(ctx, nil); err != nil {
				t.Fatalf("Verify after the kill: %v", err)
			}
			var th tlog.Hash
			if err := l.readHashes(ctx, func(r tlog.HashReader) (err error) {
				th, err = tlog.TreeHash(size, r)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, s := range seals {
				tree := openTree(t, s.cp, k)
				if tree.N > size {
					t.Fatalf("checkpoint of size %d given, the reopened log has %d", tree.N, size)
				}
				p, err := l.ConsistencyProof(ctx, tree.N, size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckTree(p, size, th, tree.N, tree.Hash); err != nil {
					t.Fatalf("the checkpoint of size %d given for entry %d is not a prefix of the reopened log: %v", tree.N, s.index, err)
				}
			}
			x, cp, err := l.AppendSealed(ctx, testEntry(1_000_000))
			if err != nil || x != size {
				t.Fatalf("AppendSealed after the kill = %d, %v; want %d", x, err, size)
			}
			checkSealed(t, l, k, x, cp)
			t.Logf("%s: %d appends acknowledged, %d checkpoints; reopened with %d entries", mode, len(tags), len(seals), size)
		})
	}
}

// entriesInFileAlone counts the entries in a copy of the database file at
// path made without its write-ahead log, as a power cut that lost all of
// that log would leave it.
func entriesInFileAlone(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(t.TempDir(), "alone.db")
	if err := os.WriteFile(alone, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: alone}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_entries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
