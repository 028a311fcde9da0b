package dissect

import (
	"encoding/binary"
	"net/netip"

	"github.com/vigil-med/vigil/internal/domain"
)

// llc reads an IEEE 802.3 frame with an LLC header; of these only CDP
// (SNAP, OUI 00:00:0c, protocol 0x2000) is dissected.
func (d *Decoder) llc(b []byte) {
	if len(b) >= 8 && b[0] == 0xaa && b[1] == 0xaa && b[2] == 0x03 &&
		b[3] == 0 && b[4] == 0 && b[5] == 0x0c && b[6] == 0x20 && b[7] == 0x00 {
		d.cdp(b[8:])
	}
}

// cdp reads a Cisco Discovery Protocol frame: device ID (TLV 1), first
// IPv4 address (TLV 2), software version (TLV 5) and platform (TLV 6),
// reported against the sender's MAC.
func (d *Decoder) cdp(b []byte) {
	d.p.App = AppCDP
	if len(b) < 4 {
		d.fail("cdp", ErrTruncated)
		return
	}
	b = b[4:] // version, TTL, checksum
	src := host{mac: d.p.SrcMAC, has: d.p.HasMAC}
	var id, software, platform []byte
	for len(b) >= 4 {
		typ := binary.BigEndian.Uint16(b[0:2])
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < 4 || n > len(b) {
			d.fail("cdp", ErrTruncated)
			break
		}
		v := b[4:n]
		b = b[n:]
		switch typ {
		case 1:
			id = v
		case 2:
			if ip, ok := cdpFirstIPv4(v); ok {
				src.ip = ip
			}
		case 5:
			software = v
		case 6:
			platform = v
		}
	}
	d.observeB(src, domain.ObsCDPDeviceID, id, "CDP device ID TLV")
	d.observeB(src, domain.ObsCDPPlatform, platform, "CDP platform TLV")
	d.observeB(src, domain.ObsCDPSoftware, software, "CDP software version TLV")
}

// cdpFirstIPv4 returns the first IPv4 address of a CDP addresses TLV.
func cdpFirstIPv4(v []byte) (netip.Addr, bool) {
	if len(v) < 4 {
		return netip.Addr{}, false
	}
	count := int(binary.BigEndian.Uint32(v[0:4]))
	v = v[4:]
	for i := 0; i < count && i < 16 && len(v) >= 2; i++ {
		pl := int(v[1])
		if len(v) < 2+pl+2 {
			break
		}
		proto := v[2 : 2+pl]
		al := int(binary.BigEndian.Uint16(v[2+pl:]))
		if len(v) < 4+pl+al {
			break
		}
		addr := v[4+pl : 4+pl+al]
		if v[0] == 1 && pl == 1 && proto[0] == 0xcc && al == 4 {
			ip := netip.AddrFrom4([4]byte(addr))
			return ip, usableHostIP(ip)
		}
		v = v[4+pl+al:]
	}
	return netip.Addr{}, false
}
