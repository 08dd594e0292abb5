// Package netguard keeps Samband's outbound connections away from the
// network the gateway runs in: the dial-time address guard of every client
// that fetches URLs a peer or a source chose (reachability checks of
// catalogue links, key sets of authorities and peer gateways).
//
// Forbidden judges one address: link-local (where clouds keep their
// metadata services), multicast, unspecified and reserved addresses are
// always refused; loopback, private and shared (carrier-grade NAT)
// addresses unless private addresses are allowed. IPv6 forms that carry an
// IPv4 address (mapped, NAT64, 6to4) are judged by the address they carry.
// Control puts the guard in a net.Dialer, where it sees every address a
// dial tries after name resolution, so DNS rebinding cannot get past it:
//
//	d := &net.Dialer{Timeout: 10 * time.Second, Control: netguard.Control(false)}
//	client := &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: d.DialContext}}
//	_, err := client.Get("http://169.254.169.254/latest/meta-data/")
//	// errors.Is(err, netguard.ErrForbiddenAddress)
package netguard
