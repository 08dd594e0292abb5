package audit

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A ring writes and syncs a file through io_uring, so that the goroutine
// waiting for the disk does not hold a P of the Go scheduler.
//
// Why: fdatasync is a system call that blocks, and a goroutine in a system
// call keeps its P until the runtime's monitor thread takes it back. That
// thread sleeps up to 10 ms when it has found nothing to do for a while,
// so a sync of a few milliseconds can strand the goroutines queued on the
// syncing P for as long, while the other P works through its own queue.
// An execution trace of the exchange benchmark showed exactly that: a
// handler made runnable before the audit writer's sync ran 6 ms later,
// when the sync ended. With io_uring the writer submits the write and the
// sync in one quick system call, the kernel does them on its own workers,
// and the writer waits for their completion on an eventfd through the
// runtime's poller, parked, its P free for the others.
//
// A ring serves one goroutine at a time (the journal's writer, the
// applier's syncs): each call submits its operations and waits for them.
type ring struct {
	fd      int
	mem     []byte // the submission and completion rings, one mapping
	sqesMem []byte // the submission entries
	event   *os.File
	poll    time.Duration // waitPoll, or 0 to wait on the eventfd alone (benchmarks)
	polls   atomic.Int64  // waits that the read deadline ended
	typical time.Duration // of a call, averaged over the last ones

	sqTail, sqMask         *uint32
	sqArray                unsafe.Pointer
	cqHead, cqTail, cqMask *uint32
	cqes                   unsafe.Pointer

	seq  uint64 // counts the calls; a completion's user data is its call's, shifted, and the operation
	buf  []byte // the bytes the kernel may be writing from
	dead error  // why the ring is not used any more
}

// The kernel's ABI (include/uapi/linux/io_uring.h).
const (
	ioringOffSQRing = 0
	ioringOffSQEs   = 0x10000000

	ioringFeatSingleMmap = 1 << 0

	ioringOpFsync = 3
	ioringOpWrite = 23

	ioringFsyncDatasync = 1
	iosqeIOLink         = 1 << 2

	ioringRegisterEventfd = 4
	ioringEnterGetevents  = 1

	sqeSize = 64
	cqeSize = 16

	ringEntries = 8
)

// ioUringParams is struct io_uring_params.
type ioUringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqOff                                                                  struct {
		head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
		userAddr                                                        uint64
	}
	cqOff struct {
		head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
		userAddr                                                        uint64
	}
}

// sqe is struct io_uring_sqe, as far as a write and a sync use it.
type sqe struct {
	opcode   uint8
	flags    uint8
	ioprio   uint16
	fd       int32
	off      uint64
	addr     uint64
	len      uint32
	opFlags  uint32
	userData uint64
	_        [24]byte
}

// cqe is struct io_uring_cqe.
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// newRing sets up a ring for f and tries it on f (a write of no bytes and
// a sync), or says why it cannot: a kernel before 5.6 (no IORING_OP_WRITE),
// io_uring turned off (kernel.io_uring_disabled, a container's seccomp
// profile), a file system that refuses. The caller then syncs the plain way.
func newRing(f *os.File) (*ring, error) {
	var p ioUringParams
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, ringEntries, uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("io_uring_setup: %w", errno)
	}
	r := &ring{fd: int(fd)}
	fail := func(err error) (*ring, error) {
		r.close()
		return nil, err
	}
	if p.features&ioringFeatSingleMmap == 0 {
		return fail(errors.New("io_uring: the kernel maps the rings apart (before 5.4)"))
	}
	size := max(p.sqOff.array+p.sqEntries*4, p.cqOff.cqes+p.cqEntries*cqeSize)
	var err error
	if r.mem, err = unix.Mmap(r.fd, ioringOffSQRing, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return fail(fmt.Errorf("io_uring: map the rings: %w", err))
	}
	if r.sqesMem, err = unix.Mmap(r.fd, ioringOffSQEs, int(p.sqEntries*sqeSize), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return fail(fmt.Errorf("io_uring: map the entries: %w", err))
	}
	at := func(off uint32) unsafe.Pointer { return unsafe.Pointer(&r.mem[off]) }
	r.sqTail, r.sqMask = (*uint32)(at(p.sqOff.tail)), (*uint32)(at(p.sqOff.ringMask))
	r.sqArray = at(p.sqOff.array)
	r.cqHead, r.cqTail, r.cqMask = (*uint32)(at(p.cqOff.head)), (*uint32)(at(p.cqOff.tail)), (*uint32)(at(p.cqOff.ringMask))
	r.cqes = at(p.cqOff.cqes)

	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return fail(fmt.Errorf("io_uring: eventfd: %w", err))
	}
	r.event = os.NewFile(uintptr(efd), "io_uring completions") // non-blocking: read through the poller
	r.poll = waitPoll
	e := int32(efd)
	if _, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), ioringRegisterEventfd,
		uintptr(unsafe.Pointer(&e)), 1, 0, 0); errno != 0 {
		return fail(fmt.Errorf("io_uring: register the eventfd: %w", errno))
	}
	if err := r.writeSync(f, make([]byte, 0, 1), 0); err != nil {
		return fail(fmt.Errorf("io_uring: %w", err))
	}
	return r, nil
}

// errRingRetry says that writeSync did not get its operations done for a
// reason other than the disk's (the kernel cancelled them, refused them at
// submission, or the wait for them failed): the caller does them the plain
// way. A write of the same bytes at the same place, and a sync, can be
// done again whatever became of the first.
var errRingRetry = errors.New("io_uring did not do it")

// writeSync writes b at off in f and then syncs f's data (fdatasync), the
// sync linked to the write so that it runs only if the whole write did. A
// nil b syncs only. An error that wraps errRingRetry is the ring's, not the
// disk's; any other is the disk's answer, final.
func (r *ring) writeSync(f *os.File, b []byte, off int64) error {
	if r.dead != nil {
		return fmt.Errorf("%w: %v", errRingRetry, r.dead)
	}
	if uint64(len(b)) > 1<<31 {
		return fmt.Errorf("write of %d bytes: more than one operation takes", len(b))
	}
	// Held by the ring until the kernel is done with it: b is on the heap
	// (a stack could move while this goroutine is parked) and alive.
	r.buf = b
	r.seq++
	start := time.Now()
	// The first wait lasts twice what a call typically takes, so that on
	// idle cores, where the poller is read, the eventfd ends it; later
	// ones poll.
	poll := max(r.poll, 2*r.typical)
	fd := int32(f.Fd())
	n := uint32(0)
	if b != nil {
		r.put(n, sqe{opcode: ioringOpWrite, flags: iosqeIOLink, fd: fd, off: uint64(off),
			addr: uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))), len: uint32(len(b)), userData: r.seq << 1})
		n++
	}
	r.put(n, sqe{opcode: ioringOpFsync, fd: fd, opFlags: ioringFsyncDatasync, userData: r.seq<<1 | 1})
	n++
	tail := atomic.LoadUint32(r.sqTail)
	atomic.StoreUint32(r.sqTail, tail+n)
	var submitted uint32
	for {
		ret, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(n), 0, 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			// Nothing was taken: take the entries back.
			atomic.StoreUint32(r.sqTail, tail)
			r.buf = nil
			return fmt.Errorf("%w: io_uring_enter: %v", errRingRetry, errno)
		}
		submitted = uint32(ret)
		break
	}
	if submitted < n {
		// The kernel stopped at an entry it refused at submission (and
		// completed with its error); what it did not take is taken back,
		// never to be submitted by a later call.
		atomic.StoreUint32(r.sqTail, tail+submitted)
	}
	// The completions of this call's operations; a failed call's may come
	// late, and are told apart by their sequence number.
	var wrote, synced int32
	var sawWrite, sawSync bool
	for got := uint32(0); got < submitted; {
		for c, ok := r.reap(); ok; c, ok = r.reap() {
			if c.userData>>1 != r.seq {
				continue
			}
			got++
			if c.userData&1 == 0 {
				wrote, sawWrite = c.res, true
			} else {
				synced, sawSync = c.res, true
			}
		}
		if got >= submitted {
			break
		}
		if err := r.wait(submitted-got, poll); err != nil {
			r.dead = err
			return fmt.Errorf("%w: %v", errRingRetry, err)
		}
		poll = r.poll
	}
	r.buf = nil
	r.typical += (time.Since(start) - r.typical) / 8
	canceled := -int32(unix.ECANCELED)
	switch {
	case sawWrite && wrote == canceled:
		return fmt.Errorf("%w: cancelled", errRingRetry)
	case sawWrite && wrote < 0:
		return fmt.Errorf("write: %w", unix.Errno(-wrote)) // the linked sync is cancelled for it
	case sawWrite && int(wrote) != len(b):
		return fmt.Errorf("write: %d of %d bytes written", wrote, len(b))
	case sawSync && synced == canceled:
		return fmt.Errorf("%w: cancelled", errRingRetry)
	case submitted < n || !sawSync:
		return fmt.Errorf("%w: %d of %d operations submitted", errRingRetry, submitted, n)
	case synced < 0:
		return fmt.Errorf("fdatasync: %w", unix.Errno(-synced))
	}
	return nil
}

// waitPoll is how often a waiting writer looks at the completion queue
// itself, besides the eventfd.
const waitPoll = 200 * time.Microsecond

// wait parks until completions may have come: the eventfd says so, or
// poll has passed (0: no such limit), after which the caller reaps what is
// there and waits again if it needs more. The runtime reads the poller, which sees the eventfd,
// only when a P runs out of goroutines (or every 10 ms, from its monitor
// thread): while both Ps are kept busy, a completion would wait unseen.
// A read deadline is a runtime timer, which a P checks each time it
// schedules, and it makes the writer the next goroutine its P runs. Should
// the read fail, wait waits for the left completions in the kernel
// instead (so that nothing is still using the buffer when it returns), and
// says why the ring is not to be used again.
func (r *ring) wait(left uint32, poll time.Duration) error {
	var cnt [8]byte
	var deadline bool
	if poll > 0 {
		deadline = r.event.SetReadDeadline(time.Now().Add(poll)) == nil
	} else {
		r.event.SetReadDeadline(time.Time{})
	}
	_, err := r.event.Read(cnt[:])
	if deadline && errors.Is(err, os.ErrDeadlineExceeded) {
		r.polls.Add(1)
		return nil
	}
	if err == nil {
		return nil
	}
	for left > 0 {
		_, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), 0, uintptr(left), ioringEnterGetevents, 0, 0)
		if errno != 0 && errno != unix.EINTR {
			return fmt.Errorf("io_uring: wait for completions: %v, then %w", err, errno)
		}
		for c, ok := r.reap(); ok; c, ok = r.reap() {
			if c.userData>>1 == r.seq {
				left--
			}
		}
	}
	return fmt.Errorf("io_uring: wait for completions: %w", err)
}

// put fills the submission entry i places after the ring's tail.
func (r *ring) put(i uint32, e sqe) {
	tail := atomic.LoadUint32(r.sqTail) + i
	idx := tail & *r.sqMask
	*(*sqe)(unsafe.Pointer(&r.sqesMem[uintptr(idx)*sqeSize])) = e
	*(*uint32)(unsafe.Add(r.sqArray, uintptr(idx)*4)) = idx
}

// reap takes the next completion, if one is there.
func (r *ring) reap() (cqe, bool) {
	head := atomic.LoadUint32(r.cqHead)
	if head == atomic.LoadUint32(r.cqTail) {
		return cqe{}, false
	}
	c := *(*cqe)(unsafe.Add(r.cqes, uintptr(head&*r.cqMask)*cqeSize))
	atomic.StoreUint32(r.cqHead, head+1)
	return c, true
}

// close releases the ring; closing it again does nothing (its descriptor
// number may belong to another file by then).
func (r *ring) close() error {
	if r == nil || r.fd < 0 {
		return nil
	}
	defer func() { *r = ring{fd: -1} }()
	var errs []error
	if r.event != nil {
		errs = append(errs, r.event.Close())
	}
	if r.sqesMem != nil {
		errs = append(errs, unix.Munmap(r.sqesMem))
	}
	if r.mem != nil {
		errs = append(errs, unix.Munmap(r.mem))
	}
	errs = append(errs, unix.Close(r.fd))
	return errors.Join(errs...)
}
