// Command gateway is Samband: a federated data-catalogue and exchange gateway
// for Nordic and Baltic public authorities. Run `gateway --help` for its commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr (unless it was reported already) and returns
// the process exit status: 0 for success, 2 for a usage error, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	var se *silentError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return 2
	case errors.As(err, &se):
		return 1
	default:
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return 1
	}
}

// usageError is a mistake in the command line; the process exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// silentError is a failure the command has already reported in its own
// format (for example as JSON); the process exits 1 without another word.
type silentError struct{ err error }

func (e *silentError) Error() string { return e.err.Error() }
func (e *silentError) Unwrap() error { return e.err }
