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
