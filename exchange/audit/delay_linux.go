package audit

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// newDelayTimer returns a timerfd's delayTimer, or a time.Timer's when no
// timerfd can be made.
func newDelayTimer() delayTimer {
	if t, err := newFDTimer(); err == nil {
		return t
	}
	return newGoTimer()
}

// fdTimer is a delayTimer on a timerfd. The runtime's poller watches the
// descriptor, so a goroutine blocked reading it wakes when it expires,
// however long the poller's own timeout. But the runtime reads the poller
// only when a P runs out of goroutines (or every 10 ms, from its monitor
// thread), so while both Ps are busy an expiry would wait unseen; a
// time.Timer armed for the same moment is checked by a P each time it
// schedules, and makes its waiter the next goroutine the P runs (late).
type fdTimer struct {
	f    *os.File
	c    chan struct{}
	busy *time.Timer
}

func newFDTimer() (*fdTimer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("timerfd_create", err)
	}
	t := &fdTimer{f: os.NewFile(uintptr(fd), "timerfd"), c: make(chan struct{}, 1), busy: time.NewTimer(time.Hour)}
	t.busy.Stop()
	go t.read()
	return t, nil
}

// read turns the descriptor's expirations into fires, until it is closed.
func (t *fdTimer) read() {
	var n [8]byte // the expirations since the last read
	for {
		if _, err := t.f.Read(n[:]); err != nil {
			return
		}
		select {
		case t.c <- struct{}{}:
		default:
		}
	}
}

func (t *fdTimer) reset(d time.Duration) {
	if d <= 0 {
		d = 1 // a zero it_value would disarm it
	}
	t.set(unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))})
	t.busy.Reset(d)
}

func (t *fdTimer) fired() <-chan struct{} { return t.c }
func (t *fdTimer) late() <-chan time.Time { return t.busy.C }

func (t *fdTimer) stop() {
	t.busy.Stop()
	t.set(unix.ItimerSpec{})
	select {
	case <-t.c:
	default:
	}
}

// set arms or disarms the descriptor. It cannot fail on a descriptor this
// timer made and keeps open, with a value in range.
func (t *fdTimer) set(spec unix.ItimerSpec) {
	rc, err := t.f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) { unix.TimerfdSettime(int(fd), 0, &spec, nil) })
}

func (t *fdTimer) close() {
	t.busy.Stop()
	t.f.Close()
}
