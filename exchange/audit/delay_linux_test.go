package audit

import "testing"

// TestDelayTimerPlatform: on Linux the commit delay is a timerfd's.
func TestDelayTimerPlatform(t *testing.T) {
	tm := newDelayTimer()
	defer tm.close()
	if _, ok := tm.(*fdTimer); !ok {
		t.Errorf("newDelayTimer() = %T, want *fdTimer", tm)
	}
}
