//go:build !linux

package audit

func newDelayTimer() delayTimer { return newGoTimer() }
