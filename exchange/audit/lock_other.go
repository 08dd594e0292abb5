//go:build !linux

package audit

import "os"

// lockFile takes no lock where flock is not at hand: one process at a
// time must keep a log, as the documentation says.
func lockFile(f *os.File) error { return nil }

// unlockFile has no lock to give up where flock is not at hand.
func unlockFile(f *os.File) error { return nil }
