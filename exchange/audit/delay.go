package audit

import "time"

// A delayTimer times the writer's commit delay. Go's timers can fire a
// millisecond late when every core is idle: the runtime then waits for
// them in epoll_pwait, whose timeout is in whole milliseconds, so a wait
// of 300 µs takes about 1.1 ms (docs/benchmarks.md, "Fourth pass"). On
// Linux the delay is kept by a timerfd instead, which the runtime's
// poller wakes for when it expires, with a time.Timer for the same moment
// beside it for when busy Ps leave the poller unread (delay_linux.go);
// elsewhere, or when no timerfd can be made, by a time.Timer alone.
//
// A fire can come late from a wait that stop ended, and end the next wait
// early: that commits a batch sooner, never loses or delays an entry.
type delayTimer interface {
	reset(d time.Duration)  // fire once, d from now
	fired() <-chan struct{} // a value when it fires
	// late is a second way the same expiry may arrive, or nil: whichever
	// comes first ends the wait.
	late() <-chan time.Time
	stop() // no fire from the last reset, as far as can be
	close()
}

// goTimer is a delayTimer on a time.Timer.
type goTimer struct {
	t *time.Timer
	c chan struct{}
}

func newGoTimer() *goTimer {
	g := &goTimer{c: make(chan struct{}, 1)}
	g.t = time.AfterFunc(time.Hour, func() {
		select {
		case g.c <- struct{}{}:
		default:
		}
	})
	g.t.Stop()
	return g
}

func (g *goTimer) reset(d time.Duration)  { g.t.Reset(d) }
func (g *goTimer) fired() <-chan struct{} { return g.c }
func (g *goTimer) late() <-chan time.Time { return nil }
func (g *goTimer) close()                 { g.t.Stop() }

func (g *goTimer) stop() {
	g.t.Stop()
	select {
	case <-g.c:
	default:
	}
}
