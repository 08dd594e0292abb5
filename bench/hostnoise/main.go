//go:build linux

// Command hostnoise measures what the machine itself adds to a latency
// benchmark, before any of Samband's code runs: what a system call costs,
// what a goroutine's wake-up costs when the cores idle between requests
// (the open loop's pattern), how late a short sleep ends, and how often a
// CPU is taken away for a millisecond or more (on a virtual machine, the
// host running something else on it).
//
// The exchange benchmark's tail at moderate load follows these numbers
// (docs/benchmarks.md, "Seventh pass"), so a result should be read with
// them: run it just before or after bench/exchange.sh.
//
//	go run ./bench/hostnoise            # 10 s of stall watching, about 20 s in all
//	go run ./bench/hostnoise -d 30s
//
// The stall watch runs one thread per CPU, pinned, that sleeps 500 µs at a
// time and records every wake-up more than 300 µs late. With permission
// (root or CAP_SYS_NICE) the threads run SCHED_FIFO, so only real-time
// threads of a higher priority and the kernel's interrupts can delay them:
// what is left is mostly time the CPU itself was not running (a host's
// scheduling of a virtual CPU). Without permission they run at normal
// priority and the table says so. (A Go sleep, the "lateness" row, also
// ends up to a millisecond late on idle cores: the runtime waits in epoll
// with a timeout of whole milliseconds. That row is the runtime's and the
// machine's together.) The
// second watch spins every CPU for the same time and records every gap of
// more than 50 µs between two clock reads: time lost while the CPUs are
// busy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"samband/internal/procstat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hostnoise:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hostnoise", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("d", 10*time.Second, "how long each of the two stall watches runs")
	n := fs.Int("n", 3000, "wake-ups (and sleeps) measured for the wake-up cost")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *d <= 0 || *n < 100 {
		return errors.New("-d must be positive and -n at least 100")
	}
	ids := allowedCPUs()
	cpus := len(ids)
	fmt.Fprintf(stdout, "Host noise: %d CPUs (%v), GOMAXPROCS %d, %s, load average %s.\n\n", cpus, ids, runtime.GOMAXPROCS(0), runtime.Version(), procstat.LoadAverage())
	fmt.Fprintln(stdout, "| measure | value |")
	fmt.Fprintln(stdout, "| --- | ---: |")

	fmt.Fprintf(stdout, "| a system call (getppid) | %.2f µs |\n", syscallCost(200_000).Seconds()*1e6)

	sleepCPU, late := sleepCost(*n, 400*time.Microsecond)
	fmt.Fprintf(stdout, "| CPU of a 400 µs sleep on idle cores | %.1f µs |\n", sleepCPU.Seconds()*1e6)
	fmt.Fprintf(stdout, "| lateness of that sleep, p50 / p99 | %s / %s |\n", msf(late[len(late)/2]), msf(late[len(late)*99/100]))
	pp := pingPongCost(*n, 400*time.Microsecond)
	fmt.Fprintf(stdout, "| CPU of a goroutine wake-up on idle cores (ping-pong every 400 µs, less the sleep, per wake-up) | %.1f µs |\n",
		max(0, (pp-sleepCPU).Seconds()*1e6/2))
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Fprintf(stderr, "hostnoise: watching for stalls on idle CPUs, %s\n", *d)
	idle, w := watchSleeps(ctx, ids, *d)
	prio := "SCHED_FIFO"
	if w.fifo < cpus {
		prio = fmt.Sprintf("SCHED_FIFO on %d of %d (no permission for the rest)", w.fifo, cpus)
	}
	if w.pinned < cpus {
		prio += fmt.Sprintf(", pinned %d of %d", w.pinned, cpus)
	}
	fmt.Fprintf(stdout, "| idle CPUs, %s: wake-ups late by more than 1 ms / 2 ms, per CPU and second | %s / %s |\n", prio,
		rate(idle, time.Millisecond, cpus, *d), rate(idle, 2*time.Millisecond, cpus, *d))
	fmt.Fprintf(stdout, "| idle CPUs: longest lateness | %s |\n", msf(longest(idle)))
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Fprintf(stderr, "hostnoise: watching for stalls on busy CPUs, %s\n", *d)
	busy := watchSpins(ctx, ids, *d)
	fmt.Fprintf(stdout, "| busy CPUs: gaps over 1 ms / 2 ms, per CPU and second | %s / %s |\n",
		rate(busy, time.Millisecond, cpus, *d), rate(busy, 2*time.Millisecond, cpus, *d))
	fmt.Fprintf(stdout, "| busy CPUs: time lost in gaps over 50 µs | %.2f %% |\n", 100*total(busy).Seconds()/(float64(cpus)*d.Seconds()))
	fmt.Fprintf(stdout, "| busy CPUs: longest gap | %s |\n", msf(longest(busy)))
	return ctx.Err()
}

// syscallCost is the mean time of n getppid calls.
func syscallCost(n int) time.Duration {
	t := time.Now()
	for range n {
		syscall.Getppid()
	}
	return time.Since(t) / time.Duration(n)
}

// sleepCost sleeps d n times and returns the process CPU time a sleep
// costs and each sleep's lateness, sorted.
func sleepCost(n int, d time.Duration) (cpu time.Duration, late []time.Duration) {
	late = make([]time.Duration, 0, n)
	c := procstat.CPU()
	for range n {
		t := time.Now()
		time.Sleep(d)
		late = append(late, time.Since(t)-d)
	}
	cpu = (procstat.CPU() - c) / time.Duration(n)
	slices.Sort(late)
	return cpu, late
}

// pingPongCost returns the process CPU time of one round trip between two
// goroutines (two wake-ups) followed by a sleep of d, so the cores idle
// between round trips as they do between an open loop's requests.
func pingPongCost(n int, d time.Duration) time.Duration {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	defer close(ping)
	c := procstat.CPU()
	for range n {
		ping <- struct{}{}
		<-pong
		time.Sleep(d)
	}
	return (procstat.CPU() - c) / time.Duration(n)
}

// stall is a time a CPU was away: a wake-up that came late, or a gap
// between two clock reads of a spinning thread.
type stall struct {
	cpu int
	d   time.Duration
}

// watched says how many of the watching threads were pinned to their CPU
// and ran SCHED_FIFO.
type watched struct{ pinned, fifo int }

// watchSleeps runs, on each CPU of ids, a pinned thread that sleeps 500 µs
// at a time for d, SCHED_FIFO when permitted, and returns the wake-ups
// more than 300 µs late.
func watchSleeps(ctx context.Context, ids []int, d time.Duration) (stalls []stall, w watched) {
	const nap = 500 * time.Microsecond
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, cpu := range ids {
		wg.Go(func() {
			runtime.LockOSThread() // the thread ends with the goroutine, its priority with it
			pinned, fifo := pin(cpu), setFIFO()
			mu.Lock()
			w.pinned += b2i(pinned)
			w.fifo += b2i(fifo)
			mu.Unlock()
			var mine []stall
			ts := unix.NsecToTimespec(nap.Nanoseconds())
			end := time.Now().Add(d)
			for ctx.Err() == nil {
				t0 := time.Now()
				if t0.After(end) {
					break
				}
				unix.Nanosleep(&ts, nil)
				if late := time.Since(t0) - nap; late > 300*time.Microsecond {
					mine = append(mine, stall{cpu, late})
				}
			}
			mu.Lock()
			stalls = append(stalls, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return stalls, w
}

// watchSpins spins a pinned thread on each CPU of ids for d and returns
// every gap of more than 50 µs between two of its clock reads.
func watchSpins(ctx context.Context, ids []int, d time.Duration) []stall {
	prev := runtime.GOMAXPROCS(len(ids) + 1) // the spinners, and this goroutine
	defer runtime.GOMAXPROCS(prev)
	var mu sync.Mutex
	var stalls []stall
	var wg sync.WaitGroup
	for _, cpu := range ids {
		wg.Go(func() {
			runtime.LockOSThread()
			pin(cpu)
			var mine []stall
			end := time.Now().Add(d)
			last := time.Now()
			for i := 0; ; i++ {
				now := time.Now()
				if g := now.Sub(last); g > 50*time.Microsecond {
					mine = append(mine, stall{cpu, g})
				}
				last = now
				if i%4096 == 0 && (now.After(end) || ctx.Err() != nil) {
					break
				}
			}
			mu.Lock()
			stalls = append(stalls, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return stalls
}

// allowedCPUs lists the CPUs this process may run on (a container's CPU
// set may leave some out, and number the rest as it likes).
func allowedCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil || set.Count() == 0 {
		ids := make([]int, runtime.NumCPU())
		for i := range ids {
			ids[i] = i
		}
		return ids
	}
	var ids []int
	for i := 0; len(ids) < set.Count(); i++ {
		if set.IsSet(i) {
			ids = append(ids, i)
		}
	}
	return ids
}

// pin binds the calling thread to cpu and reports whether it could; where
// it could not, the thread stays where the kernel puts it.
func pin(cpu int) bool {
	var set unix.CPUSet
	set.Set(cpu)
	return unix.SchedSetaffinity(0, &set) == nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setFIFO gives the calling thread SCHED_FIFO priority 50, and reports
// whether it could.
func setFIFO() bool {
	param := struct{ priority int32 }{50}
	_, _, errno := unix.Syscall(unix.SYS_SCHED_SETSCHEDULER, 0, 1 /* SCHED_FIFO */, uintptr(unsafe.Pointer(&param)))
	return errno == 0
}

// rate is how many stalls longer than over there were per CPU and second.
func rate(s []stall, over time.Duration, cpus int, d time.Duration) string {
	n := 0
	for _, x := range s {
		if x.d > over {
			n++
		}
	}
	return fmt.Sprintf("%.2f", float64(n)/float64(cpus)/d.Seconds())
}

func longest(s []stall) (m time.Duration) {
	for _, x := range s {
		m = max(m, x.d)
	}
	return m
}

func total(s []stall) (t time.Duration) {
	for _, x := range s {
		t += x.d
	}
	return t
}

func msf(d time.Duration) string { return fmt.Sprintf("%.2f ms", d.Seconds()*1000) }
