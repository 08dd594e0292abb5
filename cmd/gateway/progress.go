package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// isTerminal reports whether w is a character device, where a person is watching.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress draws "read 12.3 MB of 80.0 MB (15%)" on one terminal line, at most
// a few times a second, while bytes pass through its Write.
type progress struct {
	w     io.Writer
	total int64
	n     int64
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, total int64) *progress {
	return &progress{w: w, total: total, last: time.Now()}
}

func (p *progress) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if now := time.Now(); now.Sub(p.last) >= 250*time.Millisecond {
		p.last = now
		p.draw()
	}
	return len(b), nil
}

func (p *progress) draw() {
	p.drawn = true
	if p.total > 0 {
		fmt.Fprintf(p.w, "\rread %.1f MB of %.1f MB (%d%%)", mb(p.n), mb(p.total), p.n*100/p.total)
		return
	}
	fmt.Fprintf(p.w, "\rread %.1f MB", mb(p.n))
}

// done clears the progress line, if one was drawn.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }
