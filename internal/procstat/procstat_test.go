package procstat

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCPUCountsWork: CPU grows by about the CPU this goroutine burns.
func TestCPUCountsWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage here")
	}
	before := CPU()
	end := time.Now().Add(50 * time.Millisecond)
	x := 0
	for time.Now().Before(end) {
		x++
	}
	if got := CPU() - before; got < 20*time.Millisecond {
		t.Errorf("CPU grew %v over 50 ms of spinning (%d loops), want at least 20 ms", got, x)
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
