package dissect

import (
	"net/netip"

	"github.com/vigil-med/vigil/internal/domain"
)

// dhcp reads a DHCPv4 (BOOTP) message. From a client's messages it takes
// the host name (option 12), the parameter request list as a fingerprint
// (55), the vendor class (60), the client identifier (61) and the FQDN
// (81); from a server's ACK the address it leased to the client.
func (d *Decoder) dhcp(b []byte) {
	if len(b) < 240 {
		d.fail("dhcp", ErrTruncated)
		return
	}
	op, htype, hlen := b[0], b[1], b[2]
	if (op != 1 && op != 2) || b[236] != 99 || b[237] != 130 || b[238] != 83 || b[239] != 99 {
		d.fail("dhcp", ErrMalformed)
		return
	}
	var client host
	if htype == 1 && hlen == 6 {
		client.mac, client.has = [6]byte(b[28:34]), true
	}
	ciaddr := netip.AddrFrom4([4]byte(b[12:16]))
	yiaddr := netip.AddrFrom4([4]byte(b[16:20]))
	if usableHostIP(ciaddr) {
		client.ip = ciaddr
	}
	// First pass: find the message type so replies are told apart.
	var msgType byte
	opts := b[240:]
	walkOptions(opts, func(code byte, v []byte) {
		if code == 53 && len(v) == 1 {
			msgType = v[0]
		}
	})
	if op == 2 {
		if msgType == 5 && client.has && usableHostIP(yiaddr) && d.seen.addPair(client.mac, yiaddr) {
			client.ip = yiaddr
			d.observe(client, obsIP, yiaddr.String(), "DHCP ACK your-address")
		}
		return
	}
	if !walkOptions(opts, func(code byte, v []byte) { d.dhcpOption(client, code, v) }) {
		d.fail("dhcp", ErrTruncated)
	}
}

// dhcpOption reports one client option.
func (d *Decoder) dhcpOption(client host, code byte, v []byte) {
	switch code {
	case 12:
		d.observeB(client, domain.ObsHostname, v, "DHCP option 12")
	case 55:
		var buf [maxValue + 8]byte
		s := buf[:0]
		for i, c := range v {
			if len(s) > maxValue-4 {
				break
			}
			if i > 0 {
				s = append(s, ',')
			}
			s = appendUint(s, uint64(c))
		}
		d.observeRaw(client, domain.ObsDHCPFingerprint, s, "DHCP option 55")
	case 60:
		d.observeB(client, domain.ObsDHCPVendorClass, v, "DHCP option 60")
	case 61:
		var buf [2*maxValue + 8]byte
		s := appendHex(buf[:0], v[:min(len(v), maxValue)])
		d.observeRaw(client, domain.ObsDHCPClientID, s, "DHCP option 61")
	case 81:
		if len(v) < 3 {
			return
		}
		flags, name := v[0], v[3:]
		if flags&0x04 != 0 { // canonical wire format
			var buf [256]byte
			n, _, ok := readName(name, 0, buf[:0])
			if !ok {
				return
			}
			name = n
		}
		d.observeB(client, domain.ObsHostname, trimDot(name), "DHCP option 81")
	}
}

// walkOptions calls f for each option until the end option; it reports
// false when an option runs past the end.
func walkOptions(b []byte, f func(code byte, v []byte)) bool {
	for len(b) > 0 {
		code := b[0]
		if code == 0 {
			b = b[1:]
			continue
		}
		if code == 255 {
			return true
		}
		if len(b) < 2 || len(b) < 2+int(b[1]) {
			return false
		}
		n := int(b[1])
		f(code, b[2:2+n])
		b = b[2+n:]
	}
	return true
}

func trimDot(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '.' {
		return b[:len(b)-1]
	}
	return b
}
