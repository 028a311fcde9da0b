package dissect

import (
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// ipv4 reads an IPv4 header. Non-first fragments carry no transport header
// and are counted without looking further; first fragments are dissected
// only up to the transport header they contain.
func (d *Decoder) ipv4(b []byte) {
	if len(b) < 20 {
		d.fail("ipv4", ErrTruncated)
		return
	}
	ihl := int(b[0]&0x0f) * 4
	if b[0]>>4 != 4 || ihl < 20 || len(b) < ihl {
		d.fail("ipv4", ErrMalformed)
		return
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if total >= ihl && total < len(b) {
		b = b[:total] // drop Ethernet padding
	}
	p := d.p
	src := [4]byte(b[12:16])
	p.Src = netip.AddrFrom4(src)
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.Proto = b[9]
	d.sourceSeen4(src)
	frag := binary.BigEndian.Uint16(b[6:8])
	if frag&0x1fff != 0 {
		return // a later fragment: no transport header
	}
	more := frag&0x2000 != 0
	d.transport(b[ihl:], more)
}

// ipv6 reads an IPv6 header and skips the common extension headers.
func (d *Decoder) ipv6(b []byte) {
	if len(b) < 40 {
		d.fail("ipv6", ErrTruncated)
		return
	}
	if b[0]>>4 != 6 {
		d.fail("ipv6", ErrMalformed)
		return
	}
	p := d.p
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	next := b[6]
	b = b[40:]
	if plen <= len(b) && plen > 0 {
		b = b[:plen]
	}
	d.ipSeen()
	for range 8 {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(b) < 8 {
				d.fail("ipv6", ErrTruncated)
				return
			}
			n := (int(b[1]) + 1) * 8
			if len(b) < n {
				d.fail("ipv6", ErrTruncated)
				return
			}
			next, b = b[0], b[n:]
		case 44: // fragment
			if len(b) < 8 {
				d.fail("ipv6", ErrTruncated)
				return
			}
			off := binary.BigEndian.Uint16(b[2:4]) &^ 7
			more := b[3]&1 != 0
			next, b = b[0], b[8:]
			p.Proto = next
			if off != 0 {
				return
			}
			d.transport(b, more)
			return
		default:
			p.Proto = next
			d.transport(b, false)
			return
		}
	}
	d.fail("ipv6", ErrMalformed)
}

// transport reads the TCP or UDP header; fragmented says the payload may be
// cut short by fragmentation, so application parsers see partial data.
func (d *Decoder) transport(b []byte, fragmented bool) {
	switch d.p.Proto {
	case protoTCP:
		d.tcp(b)
	case protoUDP:
		d.udp(b, fragmented)
	}
}

// tcp reads a TCP header and feeds its payload to the stream table.
func (d *Decoder) tcp(b []byte) {
	if len(b) < 20 {
		d.fail("tcp", ErrTruncated)
		return
	}
	p := d.p
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	p.TCPFlags = b[13]
	off := int(b[12]>>4) * 4
	if off < 20 || off > len(b) {
		d.fail("tcp", ErrMalformed)
		return
	}
	seq := binary.BigEndian.Uint32(b[4:8])
	if p.TCPFlags&(TCPSyn|TCPAck) == TCPSyn|TCPAck {
		d.openPort()
	}
	d.stream(seq, b[off:])
}

// udp reads a UDP header and hands datagrams to known ports' dissectors.
func (d *Decoder) udp(b []byte, fragmented bool) {
	if len(b) < 8 {
		d.fail("udp", ErrTruncated)
		return
	}
	p := d.p
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	n := int(binary.BigEndian.Uint16(b[4:6]))
	payload := b[8:]
	if n >= 8 && n-8 < len(payload) {
		payload = payload[:n-8]
	}
	p.App = portApp(protoUDP, p.SrcPort, p.DstPort)
	d.udpApp(payload)
}

// openPort reports a listening TCP port when a SYN-ACK leaves it.
func (d *Decoder) openPort() {
	p := d.p
	if !d.seen.addPort(p.Src, p.SrcPort) {
		return
	}
	var b [40]byte
	s := append(b[:0], "tcp/"...)
	s = appendUint(s, uint64(p.SrcPort))
	if app := portApp(protoTCP, p.SrcPort, 0); app != "" {
		s = append(s, ' ')
		s = append(s, app...)
	}
	d.observe(d.srcHost(), obsOpenPort, string(s), "TCP SYN-ACK from port")
}

func appendUint(b []byte, v uint64) []byte {
	var t [20]byte
	i := len(t)
	for {
		i--
		t[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, t[i:]...)
}
