package dissect

import (
	"encoding/binary"
	"net/netip"

	"github.com/vigil-med/vigil/internal/domain"
)

// dnsKind says which of the DNS-shaped protocols a message belongs to.
type dnsKind uint8

const (
	dnsUnicast dnsKind = iota
	dnsMDNS
	dnsLLMNR
	dnsNBNS
)

// DNS record types read.
const (
	rrA    = 1
	rrPTR  = 12
	rrAAAA = 28
	rrSRV  = 33
	rrNB   = 32 // NBNS NB record (same number as NIMLOC in DNS)
)

// dns reads a DNS, mDNS, LLMNR or NBNS message. Queries name what a host
// looked up; answers sent by a host name the host itself (mDNS A/AAAA,
// LLMNR, NBNS) or the services it offers (mDNS PTR/SRV).
func (d *Decoder) dns(b []byte, kind dnsKind) {
	if len(b) < 12 {
		d.fail("dns", ErrTruncated)
		return
	}
	flags := binary.BigEndian.Uint16(b[2:4])
	isResponse := flags&0x8000 != 0
	opcode := (flags >> 11) & 0xf
	qd := int(binary.BigEndian.Uint16(b[4:6]))
	an := int(binary.BigEndian.Uint16(b[6:8]))
	ns := int(binary.BigEndian.Uint16(b[8:10]))
	ar := int(binary.BigEndian.Uint16(b[10:12]))
	off := 12
	src := d.srcHost()
	var buf [256]byte
	for i := 0; i < qd && i < 16; i++ {
		name, next, ok := readName(b, off, buf[:0])
		if !ok || next+4 > len(b) {
			d.fail("dns", ErrMalformed)
			return
		}
		off = next + 4
		if isResponse {
			continue
		}
		switch kind {
		case dnsUnicast, dnsLLMNR:
			d.observeB(src, domain.ObsDNSQuery, trimDot(name), dnsLabel(kind)+" query name")
		case dnsNBNS:
			var nbBuf [16]byte
			nb, _ := netbiosName(name, &nbBuf)
			if opcode == 5 || opcode == 8 { // registration, refresh: the sender's own name
				d.observeB(src, domain.ObsHostname, nb, "NBNS registration name")
			} else {
				d.observeB(src, domain.ObsDNSQuery, nb, "NBNS query name")
			}
		}
	}
	if !isResponse && kind != dnsNBNS && kind != dnsMDNS {
		return
	}
	// Answer, authority and additional records.
	records := an + ns + ar
	for i := 0; i < records && i < 64; i++ {
		name, next, ok := readName(b, off, buf[:0])
		if !ok || next+10 > len(b) {
			if i < an {
				d.fail("dns", ErrMalformed)
			}
			return
		}
		typ := binary.BigEndian.Uint16(b[next : next+2])
		rdlen := int(binary.BigEndian.Uint16(b[next+8 : next+10]))
		rdata := next + 10
		if rdata+rdlen > len(b) {
			d.fail("dns", ErrTruncated)
			return
		}
		off = rdata + rdlen
		if !isResponse && !(kind == dnsNBNS && typ == rrNB) && !(kind == dnsMDNS && i >= an) {
			continue
		}
		d.dnsRecord(kind, src, b, name, typ, rdata, rdlen)
	}
}

// dnsRecord reports what one resource record says about its sender.
func (d *Decoder) dnsRecord(kind dnsKind, src host, msg, name []byte, typ uint16, rdata, rdlen int) {
	switch kind {
	case dnsMDNS:
		switch typ {
		case rrA, rrAAAA:
			d.observeB(src, domain.ObsHostname, trimLocal(name), "mDNS address record name")
		case rrPTR:
			if svc := serviceType(name); svc != nil && !hasPrefix(name, "_services.") {
				d.observeB(src, domain.ObsService, svc, "mDNS PTR service type")
			}
		case rrSRV:
			if rdlen > 6 {
				var buf [256]byte
				target, _, ok := readName(msg, rdata+6, buf[:0])
				if ok {
					d.observeB(src, domain.ObsHostname, trimLocal(target), "mDNS SRV target")
				}
			}
			if svc := serviceType(name); svc != nil {
				d.observeB(src, domain.ObsService, svc, "mDNS SRV service type")
			}
		}
	case dnsLLMNR:
		if typ == rrA || typ == rrAAAA {
			d.observeB(src, domain.ObsHostname, trimDot(name), "LLMNR answer name")
		}
	case dnsNBNS:
		// The NB record's address owns the name; a WINS server or a
		// proxy may answer for another host.
		if typ == rrNB && rdlen >= 6 {
			var nbBuf [16]byte
			if nb, suffix := netbiosName(name, &nbBuf); suffix == 0x00 || suffix == 0x20 {
				owner := host{ip: netip.AddrFrom4([4]byte(msg[rdata+2 : rdata+6]))}
				if owner.ip == src.ip {
					owner = src
				}
				if usableHostIP(owner.ip) {
					d.observeB(owner, domain.ObsHostname, nb, "NBNS name record")
				}
			}
		}
	case dnsUnicast:
		// PTR answers name the address they resolve: reverse lookups.
	}
}

func dnsLabel(k dnsKind) string {
	switch k {
	case dnsMDNS:
		return "mDNS"
	case dnsLLMNR:
		return "LLMNR"
	case dnsNBNS:
		return "NBNS"
	}
	return "DNS"
}

// readName appends the dotted name at off (following compression pointers,
// at most 16 of them) to dst. It returns the name, the offset after the
// name in msg, and false on malformed input.
func readName(msg []byte, off int, dst []byte) ([]byte, int, bool) {
	next := -1
	for hops := 0; ; {
		if off >= len(msg) {
			return dst, 0, false
		}
		c := int(msg[off])
		switch {
		case c == 0:
			if next < 0 {
				next = off + 1
			}
			return dst, next, true
		case c&0xc0 == 0xc0:
			if off+1 >= len(msg) {
				return dst, 0, false
			}
			if next < 0 {
				next = off + 2
			}
			hops++
			if hops > 16 {
				return dst, 0, false
			}
			off = (c&0x3f)<<8 | int(msg[off+1])
		case c&0xc0 != 0:
			return dst, 0, false
		default:
			if off+1+c > len(msg) || len(dst)+c+1 > 255 {
				return dst, 0, false
			}
			dst = append(dst, msg[off+1:off+1+c]...)
			dst = append(dst, '.')
			off += 1 + c
		}
	}
}

// netbiosName decodes a first-level encoded NetBIOS name ("EGEF…") into
// its 15 characters (trailing spaces trimmed) and its suffix byte.
func netbiosName(enc []byte, out *[16]byte) ([]byte, byte) {
	enc = trimDot(enc)
	if i := indexByte(enc, '.'); i >= 0 {
		enc = enc[:i] // drop a scope id
	}
	if len(enc) != 32 {
		return nil, 0xff
	}
	for i := range 16 {
		hi, lo := enc[2*i]-'A', enc[2*i+1]-'A'
		if hi > 15 || lo > 15 {
			return nil, 0xff
		}
		out[i] = hi<<4 | lo
	}
	name := out[:15]
	for len(name) > 0 && name[len(name)-1] == ' ' {
		name = name[:len(name)-1]
	}
	return name, out[15]
}

// serviceType returns "_ipp._tcp" from "Printer._ipp._tcp.local." or
// "_ipp._tcp.local.", or nil when the name holds no service type.
func serviceType(name []byte) []byte {
	for i := 0; i+5 < len(name); i++ {
		if name[i] == '_' && (i == 0 || name[i-1] == '.') {
			rest := name[i:]
			for _, proto := range []string{"._tcp.", "._udp."} {
				if j := indexOf(rest, proto); j > 0 {
					return rest[:j+5]
				}
			}
		}
	}
	return nil
}

func trimLocal(b []byte) []byte {
	b = trimDot(b)
	if len(b) > 6 && string(b[len(b)-6:]) == ".local" {
		return b[:len(b)-6]
	}
	return b
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}
