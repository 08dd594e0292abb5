package upstream

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// Steps of a pollConn's read: the first ends this long after the read
// begins, each next one twice as long after the last, up to the longest.
const (
	firstPoll   = 250 * time.Microsecond
	longestPoll = 8 * time.Millisecond
)

// pollConn is a TCP connection whose reads also end at runtime timers.
//
// Go's runtime reads its poller (epoll), which is how a goroutine blocked
// reading a socket learns that data came, only when a P runs out of
// goroutines to run, or from its monitor thread once no poll has happened
// for 10 ms. While every P of a busy gateway stays busy, a service's
// answer can wait in the socket unseen for that long. A read deadline is
// a runtime timer, which a P checks each time it schedules and which makes
// its goroutine the next one the P runs. So a read waits in steps, each a
// short deadline, and looks at the socket again after each: firstPoll,
// then twice the step before, up to longestPoll, so that a slow service
// costs a few wake-ups, not one every step. A deadline the caller sets
// (SetDeadline, SetReadDeadline) is kept apart and still ends the read
// with its timeout error; one set while a read waits (a cancelled
// context's) is seen within the current step.
type pollConn struct {
	net.Conn
	mu   sync.Mutex
	read time.Time // the caller's read deadline
}

func (c *pollConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = t
	return c.Conn.SetDeadline(t)
}

func (c *pollConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = t
	return c.Conn.SetReadDeadline(t)
}

func (c *pollConn) Read(p []byte) (int, error) {
	step := firstPoll
	for {
		c.mu.Lock()
		until := c.read
		end := time.Now().Add(step)
		final := !until.IsZero() && !end.Before(until)
		if final {
			end = until
		}
		err := c.Conn.SetReadDeadline(end)
		c.mu.Unlock()
		if err != nil {
			return 0, err
		}
		n, err := c.Conn.Read(p)
		if n > 0 || final || !errors.Is(err, os.ErrDeadlineExceeded) {
			return n, err
		}
		step = min(2*step, longestPoll)
	}
}
