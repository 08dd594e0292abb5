package schedtest

import (
	"os"
	"testing"
	"time"
)

// While the Ps are kept busy, a goroutine blocked reading a pipe learns of
// its data only when the runtime's monitor polls (up to 10 ms), and a
// read deadline, a runtime timer, ends a read on time; once stopped, the
// goroutines are gone.
func TestKeepBusy(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	stop := KeepBusy()
	start := time.Now()
	r.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	if _, err := r.Read(b[:]); !os.IsTimeout(err) {
		t.Fatalf("Read = %v, want a timeout", err)
	}
	if d := time.Since(start); d < time.Millisecond {
		t.Fatalf("the deadline ended the read after %v, before it", d)
	}
	stop()
	stop2 := KeepBusy()
	stop2()
}
