package audit

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncData makes f's data durable, and of its metadata only what reading
// the data back needs (fdatasync): for the journal, whose size never
// changes, nothing.
func syncData(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			return err
		}
	}
}

// lockFile takes f's exclusive lock, failing at once if another open file
// holds it: one process at a time keeps a log.
func lockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
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
