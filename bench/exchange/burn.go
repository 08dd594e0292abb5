package main

import (
	"crypto/sha256"
	"net/http"
	"time"
)

// A burner makes the plain proxy spend a fixed amount of CPU on every
// request before it forwards it (-proxy-cpu): SHA-256 over 1 KiB blocks,
// each block's hash fed into the next. The proxy then stands for a
// gateway of that cost that does nothing else (no disk, no waits, no
// hand-offs between goroutines), so the open loop shows what tail this
// machine gives any gateway of a given CPU cost at a given rate.
type burner struct {
	blocks   int           // blocks hashed a request
	perBlock time.Duration // one block's time, the fastest of the trials
}

const burnBlock = 1024

// newBurner counts how many blocks take d on this machine: the fastest
// of five timed trials, so that a trial the machine slowed does not make
// the burner spend less than d.
func newBurner(d time.Duration) burner {
	if d <= 0 {
		return burner{}
	}
	const trial = 2000
	var b burner
	for i := 0; i < 5; i++ {
		start := time.Now()
		chain(trial)
		if t := time.Since(start) / trial; b.perBlock == 0 || t < b.perBlock {
			b.perBlock = t
		}
	}
	b.perBlock = max(b.perBlock, time.Nanosecond)
	b.blocks = max(1, int(d/b.perBlock))
	return b
}

// chain hashes n blocks, each the hash of the one before it followed by
// the block, and returns the last hash.
func chain(n int) [sha256.Size]byte {
	var block [burnBlock]byte
	var sum [sha256.Size]byte
	for i := 0; i < n; i++ {
		copy(block[:], sum[:])
		sum = sha256.Sum256(block[:])
	}
	return sum
}

// wrap returns h spending the burner's CPU before each request; h itself
// when the burner spends none.
func (b burner) wrap(h http.Handler) http.Handler {
	if b.blocks == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chain(b.blocks)
		h.ServeHTTP(w, r)
	})
}

// cost is the CPU a request the burner spends, by its trials.
func (b burner) cost() time.Duration { return time.Duration(b.blocks) * b.perBlock }
