// Package procstat reads what the operating system says of this process
// and machine, for the benchmarks: the CPU time the process has used and
// the load average.
package procstat

import (
	"os"
	"strings"
	"time"
)

// CPU is the CPU time the process has used, user and system: zero where
// the system does not say (CPU is then useless for a difference, and the
// benchmarks print it as such).
func CPU() time.Duration { return cpu() }

// LoadAverage is the first three fields of /proc/loadavg, or "unknown"
// where there is none.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
