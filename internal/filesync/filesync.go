// Package filesync makes a file's data durable with the least the system
// offers for it.
package filesync

import "os"

// Data makes f's data durable, and of its metadata only what reading the
// data back needs: fdatasync on Linux (for a file whose size does not
// change, the data alone), fsync elsewhere.
func Data(f *os.File) error { return data(f) }
