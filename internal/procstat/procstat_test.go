package procstat

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCPUCountsWork: CPU grows while this goroutine spins, by as much as
// the spinning took of wall time at most.
func TestCPUCountsWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage here")
	}
	before, start := CPU(), time.Now()
	for CPU()-before < 20*time.Millisecond {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("CPU grew %v in 10 s of spinning", CPU()-before)
		}
	}
	if grew, took := CPU()-before, time.Since(start); grew > 2*took+10*time.Millisecond {
		t.Errorf("CPU grew %v in %v of wall time on one goroutine", grew, took)
	}
}

// TestLoadAverage: three numbers where /proc/loadavg is, else "unknown".
func TestLoadAverage(t *testing.T) {
	got := LoadAverage()
	if _, err := os.Stat("/proc/loadavg"); err != nil {
		if got != "unknown" {
			t.Errorf("LoadAverage() = %q with no /proc/loadavg", got)
		}
		return
	}
	if f := strings.Fields(got); len(f) != 3 || strings.Trim(f[0], "0123456789.") != "" {
		t.Errorf("LoadAverage() = %q, want three numbers", got)
	}
}

// TestUsageCountsSwitchesAndKernelTime: a thread that waits on a pipe
// its partner writes to leaves its CPU each time, and the writes and
// reads are the kernel's time; Sub gives what happened in between.
func TestUsageCountsSwitchesAndKernelTime(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage here")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	const rounds = 200
	before := Read()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		b := make([]byte, 1)
		for range rounds {
			if _, err := r.Read(b); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range rounds {
		if _, err := w.Write([]byte{1}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Microsecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	d := Read().Sub(before)
	if d.Switches < rounds/2 {
		t.Errorf("%d context switches over %d waits for a pipe, want at least %d", d.Switches, rounds, rounds/2)
	}
	if d.System <= 0 || d.User < 0 {
		t.Errorf("usage over %d pipe round trips: user %v, system %v", rounds, d.User, d.System)
	}
	if d.CPU() != d.User+d.System {
		t.Errorf("CPU() = %v, want user + system = %v", d.CPU(), d.User+d.System)
	}
}

// TestUsageArithmetic: Add and Sub undo each other, field by field.
func TestUsageArithmetic(t *testing.T) {
	u := Usage{User: 3 * time.Second, System: time.Second, Switches: 40}
	v := Usage{User: time.Second, System: 2 * time.Second, Switches: 7}
	if got := u.Add(v); got != (Usage{User: 4 * time.Second, System: 3 * time.Second, Switches: 47}) {
		t.Errorf("Add = %+v", got)
	}
	if got := u.Add(v).Sub(v); got != u {
		t.Errorf("Add then Sub = %+v, want %+v", got, u)
	}
}
