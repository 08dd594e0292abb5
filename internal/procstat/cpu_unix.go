//go:build unix

package procstat

import (
	"syscall"
	"time"
)

func read() Usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}
	}
	return Usage{
		User:     time.Duration(ru.Utime.Nano()),
		System:   time.Duration(ru.Stime.Nano()),
		Switches: int64(ru.Nvcsw) + int64(ru.Nivcsw),
	}
}
