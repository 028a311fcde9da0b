package dissect

import (
	"net/netip"
)

// arp reads an Ethernet/IPv4 ARP request or reply: the sender's hardware
// and protocol addresses are a first-hand MAC↔IP binding.
func (d *Decoder) arp(b []byte) {
	d.p.App = AppARP
	if len(b) < 28 {
		d.fail("arp", ErrTruncated)
		return
	}
	if b[0] != 0 || b[1] != 1 || b[2] != 8 || b[3] != 0 || b[4] != 6 || b[5] != 4 {
		return // not Ethernet/IPv4
	}
	mac := [6]byte(b[8:14])
	ip := netip.AddrFrom4([4]byte(b[14:18]))
	if isMulticastMAC(mac) || mac == zeroMAC || !usableHostIP(ip) {
		return // ARP probes carry 0.0.0.0
	}
	if !d.seen.addPair(mac, ip) {
		return
	}
	d.observe(host{mac: mac, has: true, ip: ip}, obsIP, ip.String(), "ARP sender address")
}
