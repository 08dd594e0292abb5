//go:build !unix

package main

import "errors"

var errLocked = errors.New("locked by another process")

// lockFile does nothing where advisory locks are not available.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }
