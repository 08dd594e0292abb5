package upstream

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"samband/internal/procstat"
	"samband/internal/schedtest"
)

// TestPollConn: a read waits through its steps for data however late it
// comes; the caller's deadline ends it with the timeout error, not before;
// a deadline set in the past while a read waits (a cancelled call) ends
// it; a cleared one lets it wait again.
func TestPollConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &pollConn{Conn: a}
	buf := make([]byte, 16)

	go func() {
		time.Sleep(20 * time.Millisecond) // past several steps, some of the longest
		b.Write([]byte("late"))
	}()
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "late" {
		t.Fatalf("Read = %q, %v; want the late data", buf[:n], err)
	}

	start := time.Now()
	c.SetReadDeadline(start.Add(3 * time.Millisecond))
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past the caller's deadline = %v, want os.ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d < 3*time.Millisecond {
		t.Fatalf("the read ended after %v, before the caller's deadline", d)
	}

	c.SetDeadline(time.Time{})
	go func() {
		time.Sleep(5 * time.Millisecond)
		c.SetDeadline(time.Unix(1, 0))
	}()
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read when the deadline passed while waiting = %v, want os.ErrDeadlineExceeded", err)
	}

	c.SetDeadline(time.Time{})
	go b.Write([]byte("again"))
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "again" {
		t.Fatalf("Read after the deadline was cleared = %q, %v", buf[:n], err)
	}
}

// TestSlowAnswer: a service that answers after 40 ms, beyond the longest
// step, is read whole, and the connection kept.
func TestSlowAnswer(t *testing.T) {
	u, conns := rawServer(t, func(_ int, c net.Conn) {
		r := bufio.NewReader(c)
		for {
			if _, ok := readRequest(r); !ok {
				return
			}
			time.Sleep(40 * time.Millisecond)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow")
		}
	})
	c := New(Config{Timeout: 5 * time.Second})
	for range 2 {
		resp, body, err := get(t, c, u, 100)
		if err != nil || resp.StatusCode != http.StatusOK || string(body) != "slow" {
			t.Fatalf("get = %v, %q, %v", resp, body, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for two calls, want 1", n)
	}
}

// BenchmarkDo: a call to a service on loopback, its reads waiting on the
// socket alone (the runtime's poller) and in pollConn's steps; on idle
// Ps, and while every P is kept busy (schedtest.KeepBusy). CPU is the
// process's, the service's included.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"record":"death"}`)
	}))
	defer srv.Close()
	for _, ps := range []string{"idle", "busy"} {
		for _, way := range []string{"socket", "polled"} {
			b.Run(ps+"/"+way, func(b *testing.B) {
				c := New(Config{Timeout: 10 * time.Second})
				c.plainReads = way == "socket"
				defer c.CloseIdle()
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				if ps == "busy" {
					stop := schedtest.KeepBusy()
					defer stop()
				}
				var took []time.Duration
				cpu := procstat.CPU()
				for b.Loop() {
					start := time.Now()
					if _, _, err := c.Do(req, 1<<10); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
				}
				if ps == "idle" {
					b.ReportMetric(float64((procstat.CPU()-cpu).Microseconds())/float64(len(took)), "CPU-µs/op")
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
			})
		}
	}
}
