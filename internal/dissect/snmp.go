package dissect

import (
	"github.com/vigil-med/vigil/internal/domain"
)

// BER-encoded OIDs of the MIB-II system group objects read.
var (
	oidSysDescr = []byte{0x2b, 6, 1, 2, 1, 1, 1, 0} // 1.3.6.1.2.1.1.1.0
	oidSysName  = []byte{0x2b, 6, 1, 2, 1, 1, 5, 0} // 1.3.6.1.2.1.1.5.0
)

// snmp reads an SNMPv1/v2c GetResponse: the agent (the sender) reports its
// own sysDescr and sysName. Requests carry no values; SNMPv3 is skipped.
func (d *Decoder) snmp(b []byte) {
	tag, msg, _, ok := ber(b)
	if !ok || tag != 0x30 {
		d.fail("snmp", ErrMalformed)
		return
	}
	tag, version, msg, ok := ber(msg)
	if !ok || tag != 0x02 || len(version) != 1 || version[0] > 1 {
		return // SNMPv3 or not SNMP
	}
	if tag, _, msg, ok = ber(msg); !ok || tag != 0x04 { // community
		d.fail("snmp", ErrMalformed)
		return
	}
	tag, pdu, _, ok := ber(msg)
	if !ok {
		d.fail("snmp", ErrTruncated)
		return
	}
	if tag != 0xa2 { // GetResponse
		return
	}
	for range 3 { // request-id, error-status, error-index
		if _, _, pdu, ok = ber(pdu); !ok {
			d.fail("snmp", ErrMalformed)
			return
		}
	}
	tag, list, _, ok := ber(pdu)
	if !ok || tag != 0x30 {
		d.fail("snmp", ErrMalformed)
		return
	}
	src := d.srcHost()
	for i := 0; len(list) > 0 && i < 64; i++ {
		var vb []byte
		tag, vb, list, ok = ber(list)
		if !ok || tag != 0x30 {
			d.fail("snmp", ErrMalformed)
			return
		}
		tag, oid, rest, ok := ber(vb)
		if !ok || tag != 0x06 {
			continue
		}
		tag, value, _, ok := ber(rest)
		if !ok || tag != 0x04 {
			continue
		}
		switch string(oid) {
		case string(oidSysDescr):
			d.observeB(src, domain.ObsSNMPSysDescr, value, "SNMP GetResponse sysDescr.0")
		case string(oidSysName):
			d.observeB(src, domain.ObsSNMPSysName, value, "SNMP GetResponse sysName.0")
		}
	}
}

// ber reads one BER tag-length-value: the tag, the value and what follows.
func ber(b []byte) (tag byte, value, rest []byte, ok bool) {
	if len(b) < 2 {
		return 0, nil, nil, false
	}
	tag = b[0]
	n := int(b[1])
	p := 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil, false
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		p += k
	}
	if p+n > len(b) {
		return 0, nil, nil, false
	}
	return tag, b[p : p+n], b[p+n:], true
}
