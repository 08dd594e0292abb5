//go:build !linux

package filesync

import "os"

func data(f *os.File) error { return f.Sync() }
