package upstream

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"
)

// FuzzAnswer: whatever a service answers, a call returns an error or an
// answer whose status is a final HTTP status (200 to 599) and whose body
// is within the bound, in bounded time, and never panics.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"garbage\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	defer ln.Close()
	answers := make(chan []byte)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				// One answer a connection, then the close: an answer
				// cut short ends there, not at the timeout.
				if _, ok := readRequest(bufio.NewReader(c)); ok {
					c.Write(<-answers)
				}
			}()
		}
	}()
	c := New(Config{Timeout: 2 * time.Second})
	u := "http://" + ln.Addr().String() + "/"
	f.Fuzz(func(t *testing.T, answer []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case answers <- answer:
			case <-done:
			}
		}()
		defer close(done)
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		const bound = 1000
		resp, body, err := c.Do(req, bound)
		if err != nil {
			c.CloseIdle() // a connection the fuzzer's bytes left mid-answer
			return
		}
		if len(body) > bound || resp.StatusCode < 200 || resp.StatusCode > 599 {
			t.Fatalf("status %d, %d bytes of body with a bound of %d", resp.StatusCode, len(body), bound)
		}
		c.CloseIdle()
	})
}
