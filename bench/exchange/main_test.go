package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMain lets the test binary be the load process of -load-process, as
// the command is.
func TestMain(m *testing.M) {
	if os.Getenv(loadEnv) != "" {
		if err := loadChild(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestDeathRecordSize(t *testing.T) {
	if n := len(deathRecord); n < 280 || n > 320 {
		t.Errorf("the provider's record is %d bytes, want about 300", n)
	}
}

// TestRun runs every mode briefly: every answer must be right and the
// audit log must hold one entry per samband answer, or run fails.
func TestRun(t *testing.T) {
	for _, client := range []string{"conn", "net/http"} {
		t.Run(client, func(t *testing.T) {
			var out, errs bytes.Buffer
			args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-keep-client-verify", "-client", client,
				"-policy", "../../exchange/testdata/estate.ttl"}
			if err := run(context.Background(), args, &out, &errs); err != nil {
				t.Fatalf("run: %v\n%s", err, errs.String())
			}
			for _, want := range []string{"| samband |", "| direct |", "| proxy |", "Audit log:", "Load client: in this process, -client " + client} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

// TestRunLoadProcess: with -load-process the load clients run in
// processes of their own, every answer is still checked (the audit log
// holds one entry per samband answer, theirs included), and the servers'
// CPU is reported apart.
func TestRunLoadProcess(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-keep-client-verify", "-load-process",
		"-modes", "direct,samband", "-policy", "../../exchange/testdata/estate.ttl"}
	if err := run(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"| samband |", "| direct |", "Audit log:", "Load client: a process of its own"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The closed-loop table gives the servers' CPU a number, not "–".
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| samband |") && strings.Count(line, "|") == 12 && strings.Contains(line, "| – |") {
			t.Errorf("no servers' CPU with -load-process: %s", line)
		}
	}
}

// TestRunOpenOnly: -runs open measures the open loop alone at -rate,
// and refuses to guess a rate it has no closed-loop run to take it from.
func TestRunOpenOnly(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-modes", "direct,samband",
		"-runs", "open", "-rate", "200", "-policy", "../../exchange/testdata/estate.ttl"}
	if err := run(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	if s := out.String(); strings.Contains(s, "Closed loop") || !strings.Contains(s, "Open loop at 200 exchanges/s") || !strings.Contains(s, "| samband | ") {
		t.Errorf("want the open-loop table alone:\n%s", s)
	}
	if strings.Contains(errs.String(), "closed ") {
		t.Errorf("a closed-loop run was made:\n%s", errs.String())
	}
	// Each row gives the kernel's share of the CPU and the threads'
	// context switches an exchange: a share in (0, 100], and switches,
	// since the run's threads waited for every answer.
	for _, line := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(line, "| samband | ") && !strings.HasPrefix(line, "| direct | ") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 12 {
			t.Fatalf("open-loop row of %d cells, want 10: %s", len(f)-2, line)
		}
		kernel, err1 := strconv.ParseFloat(strings.TrimSpace(f[8]), 64)
		switches, err2 := strconv.ParseFloat(strings.TrimSpace(f[9]), 64)
		if err1 != nil || err2 != nil || kernel <= 0 || kernel > 100 || switches <= 0 {
			t.Errorf("kernel %% %q, switches/exchange %q: %s", f[8], f[9], line)
		}
	}
	for _, bad := range [][]string{{"-runs", "open"}, {"-runs", "open,closed", "-modes", "direct"}, {"-runs", "half"}} {
		err := run(context.Background(), append([]string{"-dir", t.TempDir()}, bad...), &out, &errs)
		if err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestOpenLoopSchedule: the open loop sends every scheduled request once,
// measures those after the warm-up, and counts a worker's lateness: with
// one worker and a send that takes three intervals, the measured latencies
// grow, request after request, as the schedule runs ahead.
func TestOpenLoopSchedule(t *testing.T) {
	var sent atomic.Int64
	send := func(context.Context) error { sent.Add(1); return nil }
	start := time.Now()
	r := openLoop(context.Background(), send, 1000, 8, start, 50*time.Millisecond, 100*time.Millisecond, recorder{})
	if got := sent.Load(); got != 150 {
		t.Errorf("sent %d requests, want 150 (1000/s for 150 ms)", got)
	}
	if len(r.lat) != 100 || r.errors != 0 {
		t.Errorf("measured %d (errors %d), want the 100 after the warm-up", len(r.lat), r.errors)
	}

	slow := func(context.Context) error { time.Sleep(3 * time.Millisecond); return nil }
	r = openLoop(context.Background(), slow, 1000, 1, time.Now(), 0, 30*time.Millisecond, recorder{})
	if len(r.lat) != 30 {
		t.Fatalf("measured %d, want 30", len(r.lat))
	}
	// r.lat is sorted; the last request waited for the 29 before it, at
	// 3 ms each, against a schedule of 1 ms each: some 58 ms late.
	if max := r.lat[len(r.lat)-1]; max < 50*time.Millisecond {
		t.Errorf("the slowest latency is %v: a worker's lateness was not counted", max)
	}
}

// TestBurner: the burner's chain is the SHA-256 chain it claims, a
// burner for no time spends nothing, and one for 200 µs hashes blocks
// and costs about that by its own trials.
func TestBurner(t *testing.T) {
	var block [burnBlock]byte
	var want [32]byte
	for i := 0; i < 3; i++ {
		copy(block[:], want[:])
		want = sha256.Sum256(block[:])
	}
	if got := chain(3); got != want {
		t.Errorf("chain(3) = %x, want %x", got, want)
	}
	if chain(3) == chain(4) {
		t.Error("chain(3) == chain(4): the blocks are not chained")
	}
	if b := newBurner(0); b.blocks != 0 || b.cost() != 0 {
		t.Errorf("newBurner(0) = %+v, want none", b)
	}
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if got := newBurner(0).wrap(h); fmt.Sprintf("%p", got) != fmt.Sprintf("%p", h) {
		t.Error("a burner of no time wraps the handler")
	}
	b := newBurner(200 * time.Microsecond)
	if b.blocks < 1 || b.perBlock <= 0 || b.cost() > 200*time.Microsecond || b.cost() < 200*time.Microsecond-b.perBlock {
		t.Errorf("newBurner(200µs) = %+v, cost %v; want blocks that cost 200 µs less at most a block", b, b.cost())
	}
}

// TestRunProxyCPU: -proxy-cpu makes the proxy spend the CPU it says,
// every answer still right, and the output names the cost.
func TestRunProxyCPU(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-modes", "direct,proxy",
		"-runs", "open", "-rate", "200", "-proxy-cpu", "150us", "-policy", "../../exchange/testdata/estate.ttl"}
	if err := run(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	if s := out.String(); !strings.Contains(s, "The proxy spends 1") || !strings.Contains(s, "| proxy | ") {
		t.Errorf("want the proxy's cost and its row:\n%s", s)
	}
	if err := run(context.Background(), []string{"-dir", t.TempDir(), "-proxy-cpu", "-1ms", "-runs", "open", "-rate", "10"}, &out, &errs); err == nil {
		t.Error("-proxy-cpu -1ms: no error")
	}
}

// TestGroupSync: records appended at once from many goroutines all reach
// the file, in fewer syncs than records when they came together, and a
// failed write fails its batch and every append after it, none hanging.
func TestGroupSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records")
	g, err := newGroupSync(path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			rec := fmt.Appendf(nil, "record %03d\n", i)
			errs <- g.append(rec)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != groupSyncSize {
		t.Errorf("the file is %d bytes, want %d", len(b), groupSyncSize)
	}
	for i := range n {
		if !bytes.Contains(b, fmt.Appendf(nil, "record %03d\n", i)) {
			t.Fatalf("record %d is not in the file", i)
		}
	}
	if g.syncs < 1 || g.syncs > n {
		t.Errorf("%d syncs for %d records", g.syncs, n)
	}
	if err := g.append(nil); err == nil {
		t.Error("an empty record: no error")
	}
	g.close()
	if err := g.append([]byte("after close\n")); err == nil {
		t.Error("an append to a closed file: no error")
	}
	if err := g.append([]byte("and again\n")); err == nil || !strings.Contains(err.Error(), "group sync") {
		t.Errorf("an append after a failed batch: %v, want its error", err)
	}
}

// TestRunProxySync: -proxy-sync makes the proxy sync before it forwards,
// every answer still right.
func TestRunProxySync(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-modes", "direct,proxy",
		"-runs", "open", "-rate", "200", "-proxy-sync", "-policy", "../../exchange/testdata/estate.ttl"}
	if err := run(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	s := out.String()
	i := strings.Index(s, "fdatasync): ")
	if i < 0 {
		t.Fatalf("want the proxy's syncs:\n%s", s)
	}
	var syncs int
	if _, err := fmt.Sscanf(s[i+len("fdatasync): "):], "%d syncs", &syncs); err != nil || syncs < 1 || syncs > 100 {
		t.Errorf("%d syncs (%v) for some 80 requests, want 1 to 100:\n%s", syncs, err, s)
	}
}
