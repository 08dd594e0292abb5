// Package schedtest keeps a Go program's Ps busy, for tests and
// benchmarks of what a goroutine waits for while every core is taken.
//
//	stop := schedtest.KeepBusy()
//	defer stop()
//	// ... measure a wait ...
package schedtest

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// KeepBusy runs one goroutine per P that never blocks and yields often:
// every P always finds a goroutine to run, so none reads the runtime's
// poller (which it does only when it runs out of goroutines), as when a
// gateway's cores are saturated for a while. It returns the function that
// stops them and waits until they have.
func KeepBusy() (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for !done.Load() {
				spin()
				runtime.Gosched()
			}
		})
	}
	return func() { done.Store(true); wg.Wait() }
}

// spin is a few microseconds of work the compiler keeps.
func spin() {
	var x uint64 = 1
	for i := range 1000 {
		x = x*6364136223846793005 + uint64(i)
	}
	sink.Store(x)
}

var sink atomic.Uint64
