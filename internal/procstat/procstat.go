// Package procstat reads what the operating system says of this process
// and machine, for the benchmarks: the CPU time the process has used, in
// user and kernel mode, its threads' context switches, and the load
// average.
package procstat

import (
	"os"
	"strings"
	"time"
)

// CPU is the CPU time the process has used, user and system: zero where
// the system does not say (CPU is then useless for a difference, and the
// benchmarks print it as such).
func CPU() time.Duration { return read().CPU() }

// Usage is what the operating system has counted of this process so far:
// CPU time in user and in kernel mode, and the context switches of all its
// threads (a thread leaving its CPU, because it waits or is preempted).
// Where the system does not say, every field is zero.
type Usage struct {
	User, System time.Duration
	Switches     int64
}

// Read returns the process's usage so far.
func Read() Usage { return read() }

// CPU is the CPU time, user and system.
func (u Usage) CPU() time.Duration { return u.User + u.System }

// Sub is u less v: what the process used between reading v and u.
func (u Usage) Sub(v Usage) Usage {
	return Usage{User: u.User - v.User, System: u.System - v.System, Switches: u.Switches - v.Switches}
}

// Add is u and v together: two processes' usage.
func (u Usage) Add(v Usage) Usage {
	return Usage{User: u.User + v.User, System: u.System + v.System, Switches: u.Switches + v.Switches}
}

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
