package netguard_test

import (
	"fmt"
	"net/netip"

	"samband/internal/netguard"
)

func ExampleForbidden() {
	for _, s := range []string{"169.254.169.254", "64:ff9b::a9fe:a9fe", "10.1.2.3", "93.184.216.34"} {
		a := netip.MustParseAddr(s)
		fmt.Printf("%s: %q, with private addresses allowed: %q\n", s, netguard.Forbidden(a, false), netguard.Forbidden(a, true))
	}
	// Output:
	// 169.254.169.254: "link-local", with private addresses allowed: "link-local"
	// 64:ff9b::a9fe:a9fe: "link-local", with private addresses allowed: "link-local"
	// 10.1.2.3: "private", with private addresses allowed: ""
	// 93.184.216.34: "", with private addresses allowed: ""
}
