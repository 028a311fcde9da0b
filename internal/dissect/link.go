package dissect

import (
	"encoding/binary"
	"net/netip"
)

// EtherTypes the decoder follows.
const (
	etherIPv4 = 0x0800
	etherARP  = 0x0806
	etherVLAN = 0x8100
	etherQinQ = 0x88a8
	etherIPv6 = 0x86dd
	etherLLDP = 0x88cc
)

// ethernet reads an Ethernet II or 802.3 frame with up to two 802.1Q tags.
func (d *Decoder) ethernet(b []byte) {
	if len(b) < 14 {
		d.fail("ethernet", ErrTruncated)
		return
	}
	p := d.p
	copy(p.DstMAC[:], b[0:6])
	copy(p.SrcMAC[:], b[6:12])
	p.HasMAC = true
	et := binary.BigEndian.Uint16(b[12:14])
	b = b[14:]
	for i := 0; i < 2 && (et == etherVLAN || et == etherQinQ); i++ {
		if len(b) < 4 {
			d.fail("802.1q", ErrTruncated)
			return
		}
		if p.VLAN == 0 {
			p.VLAN = binary.BigEndian.Uint16(b[0:2]) & 0x0fff
		}
		et = binary.BigEndian.Uint16(b[2:4])
		b = b[4:]
	}
	if et == etherIPv4 {
		// Checked with the source address, one lookup for most frames.
		d.macLater = true
		d.ipv4(b)
		if d.macLater { // the IPv4 header was cut short
			d.macLater = false
			d.macSeen()
		}
		return
	}
	d.macSeen()
	d.etherType(et, b)
}

// etherType dispatches on an EtherType, or on an 802.3 length with LLC.
func (d *Decoder) etherType(et uint16, b []byte) {
	switch {
	case et == etherIPv4:
		d.ipv4(b)
	case et == etherIPv6:
		d.ipv6(b)
	case et == etherARP:
		d.arp(b)
	case et == etherLLDP:
		d.lldp(b)
	case et <= 1500:
		d.llc(b[:min(int(et), len(b))])
	}
}

// rawIP reads a frame that starts with an IPv4 or IPv6 header.
func (d *Decoder) rawIP(b []byte) {
	if len(b) == 0 {
		d.fail("ip", ErrTruncated)
		return
	}
	switch b[0] >> 4 {
	case 4:
		d.ipv4(b)
	case 6:
		d.ipv6(b)
	default:
		d.fail("ip", ErrMalformed)
	}
}

// null reads a BSD loopback frame: a 4-byte address family in host order.
func (d *Decoder) null(b []byte) {
	if len(b) < 4 {
		d.fail("null", ErrTruncated)
		return
	}
	d.rawIP(b[4:])
}

// sll reads a Linux cooked (v1) header: 16 bytes, protocol last.
func (d *Decoder) sll(b []byte) {
	if len(b) < 16 {
		d.fail("sll", ErrTruncated)
		return
	}
	d.cooked(binary.BigEndian.Uint16(b[2:4]), binary.BigEndian.Uint16(b[4:6]), b[6:14], binary.BigEndian.Uint16(b[14:16]), b[16:])
}

// sll2 reads a Linux cooked v2 header: 20 bytes, protocol first.
func (d *Decoder) sll2(b []byte) {
	if len(b) < 20 {
		d.fail("sll2", ErrTruncated)
		return
	}
	d.cooked(binary.BigEndian.Uint16(b[8:10]), uint16(b[11]), b[12:20], binary.BigEndian.Uint16(b[0:2]), b[20:])
}

// cooked handles both SLL versions. A packet type of 4 means "sent by us",
// so the link-layer address is the source; otherwise it is still the
// sender's address. Only 6-byte Ethernet addresses are kept.
func (d *Decoder) cooked(hatype, halen uint16, addr []byte, proto uint16, b []byte) {
	if hatype == 1 && halen == 6 {
		copy(d.p.SrcMAC[:], addr[:6])
		d.p.HasMAC = true
		d.macSeen()
	}
	d.etherType(proto, b)
}

// macSeen reports a source MAC the first time it appears.
func (d *Decoder) macSeen() {
	m := d.p.SrcMAC
	if isMulticastMAC(m) || m == zeroMAC {
		return
	}
	if !d.seen.addPair(m, netip.Addr{}) {
		return
	}
	d.observe(host{mac: m, has: true}, obsMAC, FormatMAC(m), "Ethernet source address")
}

// sourceSeen4 does macSeen (when the frame's MAC waits: macLater) and
// ipSeen for an IPv4 frame. When the source MAC and address were reported
// together already, one probe of the seen set's quick table (where
// addPair leaves them) tells, without the checks of each.
func (d *Decoder) sourceSeen4(src [4]byte) {
	if !d.macLater {
		d.ipSeen()
		return
	}
	d.macLater = false
	if d.seen.quickHas(d.p.SrcMAC, src) {
		return
	}
	d.macSeen()
	d.ipSeen()
}

// ipSeen reports a (source MAC, source IP) pair the first time it appears.
// Behind a router one MAC carries many IPs; identity resolution decides.
func (d *Decoder) ipSeen() {
	ip := d.p.Src
	if !usableHostIP(ip) {
		return
	}
	var m [6]byte
	if d.p.HasMAC && !isMulticastMAC(d.p.SrcMAC) {
		m = d.p.SrcMAC
	}
	if !d.seen.addPair(m, ip) {
		return
	}
	what := "IPv4 source address"
	if ip.Is6() {
		what = "IPv6 source address"
	}
	d.observe(host{mac: m, has: m != zeroMAC, ip: ip}, obsIP, ip.String(), what)
}

// usableHostIP is false for unspecified, multicast and broadcast addresses.
func usableHostIP(ip netip.Addr) bool {
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	if ip.Is4() && ip.As4() == [4]byte{255, 255, 255, 255} {
		return false
	}
	return true
}
