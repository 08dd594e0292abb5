package main

import (
	"os"
	"syscall"
)

// fdatasync syncs f's data, and its size only if that changed.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
