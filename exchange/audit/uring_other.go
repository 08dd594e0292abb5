//go:build !linux

package audit

import (
	"errors"
	"os"
)

// ring is io_uring's, which only Linux has.
type ring struct{}

func newRing(*os.File) (*ring, error) { return nil, errors.New("io_uring is Linux's") }

func (r *ring) writeSync(*os.File, []byte, int64) error { return errRingRetry }

var errRingRetry = errors.New("io_uring is Linux's")

func (r *ring) close() error { return nil }
