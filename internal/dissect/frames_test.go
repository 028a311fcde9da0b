package dissect_test

import (
	"encoding/binary"
	"net/netip"
)

// Synthetic frames for fuzz seeds, unit tests and the benchmark capture.

var (
	macA = [6]byte{0x00, 0x09, 0xfb, 0x01, 0x02, 0x03}
	macB = [6]byte{0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc}
	ipA  = netip.MustParseAddr("10.1.0.10")
	ipB  = netip.MustParseAddr("10.1.0.20")
)

// ethIPv4 wraps an IPv4 payload of protocol proto in Ethernet and IPv4.
func ethIPv4(dst, src [6]byte, sip, dip netip.Addr, proto byte, payload []byte) []byte {
	b := make([]byte, 14+20+len(payload))
	copy(b[0:6], dst[:])
	copy(b[6:12], src[:])
	binary.BigEndian.PutUint16(b[12:14], 0x0800)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:4], uint16(20+len(payload)))
	ip[8] = 64
	ip[9] = proto
	s, d := sip.As4(), dip.As4()
	copy(ip[12:16], s[:])
	copy(ip[16:20], d[:])
	copy(ip[20:], payload)
	return b
}

// udpFrame builds an Ethernet/IPv4/UDP frame.
func udpFrame(sport, dport uint16, payload []byte) []byte {
	u := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:2], sport)
	binary.BigEndian.PutUint16(u[2:4], dport)
	binary.BigEndian.PutUint16(u[4:6], uint16(8+len(payload)))
	copy(u[8:], payload)
	return ethIPv4(macB, macA, ipA, ipB, 17, u)
}

// tcpFrame builds an Ethernet/IPv4/TCP frame from A to B.
func tcpFrame(sport, dport uint16, seq uint32, flags byte, payload []byte) []byte {
	return tcpFrameFrom(macA, macB, ipA, ipB, sport, dport, seq, flags, payload)
}

func tcpFrameFrom(src, dst [6]byte, sip, dip netip.Addr, sport, dport uint16, seq uint32, flags byte, payload []byte) []byte {
	t := make([]byte, 20+len(payload))
	binary.BigEndian.PutUint16(t[0:2], sport)
	binary.BigEndian.PutUint16(t[2:4], dport)
	binary.BigEndian.PutUint32(t[4:8], seq)
	t[12] = 5 << 4
	t[13] = flags
	binary.BigEndian.PutUint16(t[14:16], 65535)
	copy(t[20:], payload)
	return ethIPv4(dst, src, sip, dip, 6, t)
}
