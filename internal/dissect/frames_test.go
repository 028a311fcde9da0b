package dissect_test

import (
	"encoding/binary"
	"net/netip"

	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Synthetic frames for fuzz seeds, unit tests and the benchmark capture.

var (
	macA = [6]byte{0x00, 0x09, 0xfb, 0x01, 0x02, 0x03}
	macB = [6]byte{0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc}
	ipA  = netip.MustParseAddr("10.1.0.10")
	ipB  = netip.MustParseAddr("10.1.0.20")
)

// ethIPv4 wraps an IPv4 payload of protocol proto in Ethernet and IPv4.
var ethIPv4 = vigiltest.EthIPv4

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

var tcpFrameFrom = vigiltest.TCPFrame
