package netguard

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestForbidden(t *testing.T) {
	cases := []struct {
		addr         string
		why, private string // refused by default; with allowPrivate
	}{
		{"93.184.216.34", "", ""},
		{"2606:2800:220:1:248:1893:25c8:1946", "", ""},
		{"169.254.169.254", "link-local", "link-local"},
		{"169.254.0.1", "link-local", "link-local"},
		{"127.0.0.1", "loopback", ""},
		{"127.8.9.10", "loopback", ""},
		{"::1", "loopback", ""},
		{"10.0.0.1", "private", ""},
		{"10.255.255.255", "private", ""},
		{"172.16.0.1", "private", ""},
		{"172.31.255.255", "private", ""},
		{"172.15.255.255", "", ""},
		{"172.32.0.1", "", ""},
		{"192.168.0.1", "private", ""},
		{"192.168.255.254", "private", ""},
		{"100.64.0.1", "shared (carrier-grade NAT)", ""},
		{"100.127.255.254", "shared (carrier-grade NAT)", ""},
		{"100.128.0.1", "", ""},
		{"fd00::1", "private", ""},
		{"fdff:ffff::1", "private", ""},
		{"fc00::1", "private", ""},
		{"fe80::1", "link-local", "link-local"},
		{"fe80::a9fe:a9fe", "link-local", "link-local"},
		{"::ffff:169.254.169.254", "link-local", "link-local"},
		{"::ffff:127.0.0.1", "loopback", ""},
		{"::ffff:10.0.0.1", "private", ""},
		{"64:ff9b::a9fe:a9fe", "link-local", "link-local"}, // NAT64 of 169.254.169.254
		{"64:ff9b::7f00:1", "loopback", ""},                // NAT64 of 127.0.0.1
		{"64:ff9b::5db8:d822", "", ""},                     // NAT64 of a public address
		{"2002:a9fe:a9fe::", "link-local", "link-local"},   // 6to4 of 169.254.169.254
		{"2002:7f00:1::", "loopback", ""},                  // 6to4 of 127.0.0.1
		{"2002:5db8:d822::1", "", ""},                      // 6to4 of a public address
		{"0.0.0.0", "unspecified", "unspecified"},
		{"::", "unspecified", "unspecified"},
		{"0.1.2.3", "reserved", "reserved"},
		{"224.0.0.1", "multicast", "multicast"},
		{"ff02::1", "multicast", "multicast"},
		{"255.255.255.255", "reserved", "reserved"},
		{"240.0.0.1", "reserved", "reserved"},
		{"198.18.0.1", "reserved", "reserved"},
		{"192.0.0.170", "reserved", "reserved"},
		{"192.0.2.1", "reserved", "reserved"},
		{"2001:db8::1", "reserved", "reserved"},
		{"2001::1", "reserved", "reserved"},     // Teredo
		{"::127.0.0.1", "reserved", "reserved"}, // IPv4-compatible
		{"fec0::1", "private", ""},              // site-local
	}
	for _, tc := range cases {
		a, err := netip.ParseAddr(tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := Forbidden(a, false); got != tc.why {
			t.Errorf("Forbidden(%s, false) = %q, want %q", tc.addr, got, tc.why)
		}
		if got := Forbidden(a, true); got != tc.private {
			t.Errorf("Forbidden(%s, true) = %q, want %q", tc.addr, got, tc.private)
		}
	}
	if got := Forbidden(netip.Addr{}, true); got != "invalid" {
		t.Errorf("Forbidden(zero Addr) = %q, want \"invalid\"", got)
	}
}

func TestControl(t *testing.T) {
	cases := []struct {
		network, address string
		allowPrivate     bool
		refused          bool
		says             string // part of the error
	}{
		{"tcp4", "93.184.216.34:443", false, false, ""},
		{"tcp6", "[2606:2800:220:1:248:1893:25c8:1946]:443", false, false, ""},
		{"tcp4", "10.0.0.1:80", false, true, "10.0.0.1: private address"},
		{"tcp4", "10.0.0.1:80", true, false, ""},
		{"tcp4", "169.254.169.254:80", true, true, "link-local"},
		{"tcp6", "[::ffff:169.254.169.254]:80", true, true, "link-local"},
		{"tcp6", "[fe80::1%eth0]:80", true, true, ""}, // a zone is not an address Samband dials
		{"tcp", "not an address", false, true, "not an address"},
		{"tcp", "example.org:80", true, true, "example.org:80"}, // names are resolved before Control
	}
	for _, tc := range cases {
		err := Control(tc.allowPrivate)(tc.network, tc.address, nil)
		if tc.refused != (err != nil) || tc.refused != errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("Control(%v)(%s, %s) = %v, refused want %v", tc.allowPrivate, tc.network, tc.address, err, tc.refused)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Control(%v)(%s, %s) = %q, want it to say %q", tc.allowPrivate, tc.network, tc.address, err, tc.says)
		}
	}
}

// TestControlInDialer: the guard in a real dialer keeps a client away from
// a real server on loopback unless private addresses are allowed.
func TestControlInDialer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("inside"))
	}))
	defer srv.Close()
	client := func(allowPrivate bool) *http.Client {
		d := &net.Dialer{Timeout: 5 * time.Second, Control: Control(allowPrivate)}
		return &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: d.DialContext}}
	}
	_, err := client(false).Get(srv.URL)
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("GET %s without private addresses: err = %v, want ErrForbiddenAddress", srv.URL, err)
	}
	resp, err := client(true).Get(srv.URL)
	if err != nil {
		t.Fatalf("GET %s with private addresses: %v", srv.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s with private addresses: status %d", srv.URL, resp.StatusCode)
	}
}
