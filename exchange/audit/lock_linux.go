package audit

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lockFile takes f's exclusive lock: one process at a time keeps a log.
// Should another open file hold it, it tries again for lockWait before it
// fails. A process killed while a sync of its journal was under way
// keeps the lock until the kernel has done that sync: io_uring's request
// holds the file open past the process's exit. A gateway restarted at once
// would otherwise find its own log locked.
func lockFile(f *os.File) error {
	deadline := time.Now().Add(lockWait)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == unix.EINTR:
		case err == unix.EWOULDBLOCK && time.Now().Before(deadline):
			time.Sleep(5 * time.Millisecond)
		default:
			return err
		}
	}
}

// unlockFile gives up f's lock at once. Closing f alone may not: the
// kernel releases a lock when the last reference to the open file goes,
// and io_uring may still hold one for a while after its completions are
// in the ring (it drops it when it next frees its requests).
func unlockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_UN)
		if err != unix.EINTR {
			return err
		}
	}
}
