package dissect

import (
	"encoding/binary"
	"net/netip"

	"github.com/vigil-med/vigil/internal/domain"
)

// lldp reads an LLDP frame (IEEE 802.1AB): the sender's system name (TLV
// 5), system description (TLV 6) and an IPv4/IPv6 management address
// (TLV 8), reported against the sender's MAC.
func (d *Decoder) lldp(b []byte) {
	d.p.App = AppLLDP
	src := host{mac: d.p.SrcMAC, has: d.p.HasMAC}
	var name, desc []byte
	for len(b) >= 2 {
		h := binary.BigEndian.Uint16(b[0:2])
		typ, n := h>>9, int(h&0x1ff)
		if typ == 0 {
			break
		}
		if 2+n > len(b) {
			d.fail("lldp", ErrTruncated)
			break
		}
		v := b[2 : 2+n]
		b = b[2+n:]
		switch typ {
		case 5:
			name = v
		case 6:
			desc = v
		case 8:
			// string length, subtype, address
			if len(v) >= 2 {
				al := int(v[0])
				if al == 5 && v[1] == 1 && len(v) >= 6 {
					src.ip = netip.AddrFrom4([4]byte(v[2:6]))
				} else if al == 17 && v[1] == 2 && len(v) >= 18 {
					src.ip = netip.AddrFrom16([16]byte(v[2:18]))
				}
			}
		}
	}
	if src.ip.IsValid() && !usableHostIP(src.ip) {
		src.ip = netip.Addr{}
	}
	d.observeB(src, domain.ObsLLDPSysName, name, "LLDP system name TLV")
	d.observeB(src, domain.ObsLLDPSysDesc, desc, "LLDP system description TLV")
}
