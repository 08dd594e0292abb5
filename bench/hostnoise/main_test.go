//go:build linux

package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestRun measures briefly and checks that every row is there with a
// number, and that flags out of range are refused.
func TestRun(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"-d", "200ms", "-n", "100"}, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"| a system call (getppid) | ", "| CPU of a 400 µs sleep on idle cores | ",
		"| CPU of a goroutine wake-up on idle cores", "| idle CPUs, ", "| busy CPUs: time lost in gaps over 50 µs | ", "| busy CPUs: longest gap | "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, bad := range [][]string{{"-d", "0s"}, {"-n", "10"}} {
		if err := run(context.Background(), bad, &out, &errs); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestStallArithmetic: the table's rates are per CPU and second, and
// count only the stalls over the bound.
func TestStallArithmetic(t *testing.T) {
	s := []stall{{0, 500 * time.Microsecond}, {0, 1500 * time.Microsecond}, {1, 3 * time.Millisecond}}
	if got := rate(s, time.Millisecond, 2, time.Second); got != "1.00" {
		t.Errorf("rate over 1 ms: %s, want 1.00 (two stalls, two CPUs, one second)", got)
	}
	if got := rate(s, 2*time.Millisecond, 2, 2*time.Second); got != "0.25" {
		t.Errorf("rate over 2 ms: %s, want 0.25", got)
	}
	if longest(s) != 3*time.Millisecond || total(s) != 5*time.Millisecond {
		t.Errorf("longest %v, total %v", longest(s), total(s))
	}
}

// TestSleepCostLateness: a sleep's lateness is never negative and the
// list comes sorted, as the table's percentiles read it.
func TestSleepCostLateness(t *testing.T) {
	_, late := sleepCost(50, 200*time.Microsecond)
	if len(late) != 50 {
		t.Fatalf("%d latenesses, want 50", len(late))
	}
	for i, l := range late {
		if l < 0 || i > 0 && late[i-1] > l {
			t.Fatalf("lateness %d is %v after %v: negative or unsorted", i, l, late[max(i-1, 0)])
		}
	}
}

// TestAllowedCPUs: the CPUs to watch are this process's, each once, and
// a thread can be pinned to each.
func TestAllowedCPUs(t *testing.T) {
	ids := allowedCPUs()
	if len(ids) == 0 || len(ids) > runtime.NumCPU() {
		t.Fatalf("allowedCPUs() = %v with %d CPUs", ids, runtime.NumCPU())
	}
	for i, id := range ids {
		if i > 0 && ids[i-1] >= id {
			t.Fatalf("allowedCPUs() = %v: not increasing", ids)
		}
	}
	done := make(chan bool)
	go func() {
		runtime.LockOSThread() // pinned: the thread ends with the goroutine
		done <- pin(ids[len(ids)-1])
	}()
	if !<-done {
		t.Errorf("could not pin a thread to CPU %d of %v", ids[len(ids)-1], ids)
	}
}
