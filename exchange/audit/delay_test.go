package audit

import (
	"slices"
	"testing"
	"time"

	"samband/internal/schedtest"
)

// delayTimers are the commit delay's timers this platform has.
func delayTimers() map[string]func() delayTimer {
	return map[string]func() delayTimer{
		"time.Timer": func() delayTimer { return newGoTimer() },
		"platform":   newDelayTimer,
	}
}

// TestDelayTimers: a timer fires once, not before its time; a stopped one
// does not fire; one reset again and again keeps firing; zero fires at
// once.
func TestDelayTimers(t *testing.T) {
	for name, make := range delayTimers() {
		t.Run(name, func(t *testing.T) {
			tm := make()
			defer tm.close()
			for range 3 {
				start := time.Now()
				tm.reset(2 * time.Millisecond)
				select {
				case <-tm.fired():
				case <-tm.late():
				case <-time.After(5 * time.Second):
					t.Fatal("did not fire")
				}
				if d := time.Since(start); d < 2*time.Millisecond {
					t.Errorf("fired after %v, before its 2ms", d)
				}
				tm.stop()
			}
			tm.reset(20 * time.Millisecond)
			tm.stop()
			select {
			case <-tm.fired():
				t.Error("fired after stop")
			case <-tm.late():
				t.Error("fired late after stop")
			case <-time.After(60 * time.Millisecond):
			}
			tm.reset(0)
			select {
			case <-tm.fired():
			case <-tm.late():
			case <-time.After(5 * time.Second):
				t.Fatal("reset(0) did not fire")
			}
			tm.stop()
			// The late twin, where there is one, fires on its own, and
			// not before the time either.
			if tm.late() == nil {
				return
			}
			start := time.Now()
			tm.reset(2 * time.Millisecond)
			select {
			case <-tm.late():
				if d := time.Since(start); d < 2*time.Millisecond {
					t.Errorf("late fired after %v, before its 2ms", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("late did not fire")
			}
			tm.stop()
		})
	}
}

// BenchmarkDelayTimerBusy: how late a 300 µs wait ends while every P is
// kept busy (schedtest.KeepBusy), so that none reads the runtime's poller: waiting
// for the timer's fire alone, and for the fire or its late twin (the
// writer's way).
func BenchmarkDelayTimerBusy(b *testing.B) {
	for _, way := range []string{"fired", "fired-or-late"} {
		b.Run(way, func(b *testing.B) {
			tm := newDelayTimer()
			defer tm.close()
			late := tm.late()
			if way == "fired" {
				late = nil
			}
			stop := schedtest.KeepBusy()
			defer stop()
			const d = 300 * time.Microsecond
			var lateness []time.Duration
			for b.Loop() {
				start := time.Now()
				tm.reset(d)
				select {
				case <-tm.fired():
				case <-late:
				}
				lateness = append(lateness, time.Since(start)-d)
				tm.stop()
			}
			slices.Sort(lateness)
			b.ReportMetric(float64(lateness[len(lateness)/2].Microseconds()), "p50-late-µs")
			b.ReportMetric(float64(lateness[len(lateness)*99/100].Microseconds()), "p99-late-µs")
		})
	}
}

// BenchmarkDelayTimerLateness: how late a 300 µs wait ends, with nothing
// else running: the commit delay's timer when the cores idle between
// requests.
func BenchmarkDelayTimerLateness(b *testing.B) {
	for name, make := range delayTimers() {
		b.Run(name, func(b *testing.B) {
			tm := make()
			defer tm.close()
			const d = 300 * time.Microsecond
			var late []time.Duration
			for b.Loop() {
				start := time.Now()
				tm.reset(d)
				<-tm.fired()
				late = append(late, time.Since(start)-d)
			}
			slices.Sort(late)
			b.ReportMetric(float64(late[len(late)/2].Microseconds()), "p50-late-µs")
			b.ReportMetric(float64(late[len(late)*99/100].Microseconds()), "p99-late-µs")
		})
	}
}
