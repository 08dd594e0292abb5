package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress is the error of a connection refused by Control: the
// host resolved to an address that Forbidden refuses.
var ErrForbiddenAddress = errors.New("address not allowed")

// addressError is a connection refused by the guard, with the address and
// why.
type addressError struct {
	addr netip.Addr
	why  string
}

func (e *addressError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s address", e.addr, e.why)
}

func (e *addressError) Unwrap() error { return ErrForbiddenAddress }

// Address ranges refused beside those netip.Addr knows by name.
var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")      // "this host on this network"
	sharedCGNAT = netip.MustParsePrefix("100.64.0.0/10")  // carrier-grade NAT, RFC 6598
	ietfSpecial = netip.MustParsePrefix("192.0.0.0/24")   // IETF protocol assignments, RFC 6890
	benchmark   = netip.MustParsePrefix("198.18.0.0/15")  // benchmarking, RFC 2544
	reserved4   = netip.MustParsePrefix("240.0.0.0/4")    // reserved, and the broadcast address
	nat64       = netip.MustParsePrefix("64:ff9b::/96")   // IPv4 inside IPv6, RFC 6052
	nat64Local  = netip.MustParsePrefix("64:ff9b:1::/48") // local-use NAT64, RFC 8215
	sixToFour   = netip.MustParsePrefix("2002::/16")      // 6to4, IPv4 in bits 16-47
	teredo      = netip.MustParsePrefix("2001::/32")      // Teredo, an obfuscated IPv4 inside
	ipv4Compat  = netip.MustParsePrefix("::/96")          // deprecated IPv4-compatible IPv6
	docIPv6     = netip.MustParsePrefix("2001:db8::/32")  // documentation
	siteLocal6  = netip.MustParsePrefix("fec0::/10")      // deprecated site-local
	discardOnly = netip.MustParsePrefix("100::/64")       // discard-only, RFC 6666
	orchid      = netip.MustParsePrefix("2001:10::/28")   // ORCHID, not routable
	docIPv4     = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}
)

// Forbidden returns why a connection to a is refused, as a short phrase
// ("loopback", "link-local", ...), or "" when it is allowed. Link-local,
// multicast, unspecified and reserved addresses are always refused
// (link-local holds the metadata services of clouds); loopback, private
// and shared (carrier-grade NAT) addresses unless allowPrivate is set. IPv6 forms that carry an IPv4 address (mapped,
// NAT64, 6to4) are judged by the IPv4 address they carry.
func Forbidden(a netip.Addr, allowPrivate bool) string {
	a = a.Unmap()
	if !a.IsValid() {
		return "invalid"
	}
	if a.Is6() {
		switch {
		case nat64.Contains(a):
			b := a.As16()
			return Forbidden(netip.AddrFrom4([4]byte(b[12:16])), allowPrivate)
		case sixToFour.Contains(a):
			b := a.As16()
			return Forbidden(netip.AddrFrom4([4]byte(b[2:6])), allowPrivate)
		case nat64Local.Contains(a), teredo.Contains(a), orchid.Contains(a), discardOnly.Contains(a), docIPv6.Contains(a):
			return "reserved"
		case siteLocal6.Contains(a):
			if allowPrivate {
				return ""
			}
			return "private"
		case ipv4Compat.Contains(a) && !a.IsUnspecified() && !a.IsLoopback():
			return "reserved"
		}
	}
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast():
		return "multicast"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.Is4() && (thisNetwork.Contains(a) || reserved4.Contains(a) || benchmark.Contains(a) || ietfSpecial.Contains(a)):
		return "reserved"
	case a.Is4() && (docIPv4[0].Contains(a) || docIPv4[1].Contains(a) || docIPv4[2].Contains(a)):
		return "reserved"
	case allowPrivate:
		return ""
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case sharedCGNAT.Contains(a):
		return "shared (carrier-grade NAT)"
	}
	return ""
}

// Control returns a net.Dialer Control function that refuses the addresses
// Forbidden refuses, with an error that wraps ErrForbiddenAddress. It runs
// for every address a dial tries, after name resolution and before the
// connection is made, so a name that resolves to a public address when
// looked up and to a private one when dialled (DNS rebinding) is refused
// all the same. An address that is not an IP
// address and port is refused too.
func Control(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("refused to connect to %q: %w", address, ErrForbiddenAddress)
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("refused to connect to %q: %w", address, ErrForbiddenAddress)
		}
		if why := Forbidden(a, allowPrivate); why != "" {
			return &addressError{addr: a, why: why}
		}
		return nil
	}
}
