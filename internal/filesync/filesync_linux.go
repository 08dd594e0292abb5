package filesync

import (
	"os"

	"golang.org/x/sys/unix"
)

func data(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			return err
		}
	}
}
