package audit

import (
	"errors"
	"fmt"
	"os"

	"samband/internal/filesync"
)

// A syncer writes to one file and makes what it wrote durable: through
// io_uring where the kernel allows it (see ring), else with pwrite and
// fdatasync. Either way writeSync returns once the data is on the disk.
type syncer struct {
	f    *os.File
	ring *ring // nil: the plain system calls
	why  error // why not io_uring, when ring is nil
}

// noRing makes newSyncer skip io_uring (tests of the plain way).
var noRing bool

var errRingOff = errors.New("turned off")

func newSyncer(f *os.File) syncer {
	if noRing {
		return syncer{f: f, why: errRingOff}
	}
	r, err := newRing(f)
	return syncer{f: f, ring: r, why: err}
}

// writeSync writes b at off, then syncs the file's data; a nil b syncs
// only.
func (s syncer) writeSync(b []byte, off int64) error {
	if s.ring != nil {
		err := s.ring.writeSync(s.f, b, off)
		if !errors.Is(err, errRingRetry) {
			return err
		}
		// The ring did not get it done (cancelled, refused at
		// submission): the plain way, for this call.
	}
	if b != nil {
		if _, err := s.f.WriteAt(b, off); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := filesync.Data(s.f); err != nil {
		return fmt.Errorf("fdatasync: %w", err)
	}
	return nil
}

// how says how the syncer reaches the disk.
func (s syncer) how() string {
	if s.ring != nil {
		return "io_uring"
	}
	return fmt.Sprintf("fdatasync (no io_uring: %v)", s.why)
}

func (s syncer) close() error { return s.ring.close() }
