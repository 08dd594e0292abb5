//go:build unix

package upstream

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// alive says whether a kept connection may carry a call: the other side
// has neither closed it nor sent anything unasked (an HTTP server's
// "408" before it closes, a TLS close_notify). One system call, which
// does not wait.
func alive(cn *conn) bool {
	sc, ok := cn.raw.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	ok = false
	var b [1]byte
	if err := rc.Read(func(fd uintptr) bool {
		_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		ok = err == unix.EAGAIN || err == unix.EWOULDBLOCK
		return true
	}); err != nil {
		return false
	}
	return ok
}
