package vigiltest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// MixPackets is the size of the synthetic mixed capture the offline
// benchmarks read (BENCHMARKS.md, issue 4).
const MixPackets = 1_000_000

// MixCapture returns the path of a synthetic mixed capture of n frames
// among 300 hosts (see WriteMix), writing it once per machine (it is
// deterministic) under the temporary directory.
func MixCapture(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("vigil-bench-mix-%d.pcap", n))
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return path
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := WriteMix(tmp, n, 300); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// WriteMix writes a pcap of n Ethernet frames among hosts hosts: TCP
// sessions (HTTP, TLS, DICOM, HL7, SSH, SMB, and unrecognised bulk data)
// with handshakes, headers, data and teardown, interleaved 64 at a time,
// plus DNS, mDNS, DHCP, NTP and ARP.
func WriteMix(path string, n, hosts int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	w.Write(hdr[:])
	rng := rand.New(rand.NewPCG(4, 2))
	type node struct {
		mac [6]byte
		ip  netip.Addr
	}
	nodes := make([]node, hosts)
	ouis := [][3]byte{{0x00, 0x09, 0xfb}, {0x00, 0x50, 0x56}, {0x3c, 0xd9, 0x2b}, {0x00, 0x1b, 0x21}, {0xb8, 0x27, 0xeb}}
	for i := range nodes {
		o := ouis[i%len(ouis)]
		nodes[i].mac = [6]byte{o[0], o[1], o[2], 0x10, byte(i >> 8), byte(i)}
		nodes[i].ip = netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i + 1)})
	}
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	put := func(frame []byte) {
		at = at.Add(time.Duration(rng.IntN(200)) * time.Microsecond)
		var h [16]byte
		binary.LittleEndian.PutUint32(h[0:], uint32(at.Unix()))
		binary.LittleEndian.PutUint32(h[4:], uint32(at.Nanosecond()/1000))
		binary.LittleEndian.PutUint32(h[8:], uint32(len(frame)))
		binary.LittleEndian.PutUint32(h[12:], uint32(len(frame)))
		w.Write(h[:])
		w.Write(frame)
	}
	data := make([]byte, 1400)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	// session is a TCP conversation yielding its frames one at a time.
	type session struct {
		c, s       node
		cport, sp  uint16
		cseq, sseq uint32
		req, rsp   []byte
		data       int
		step       int
	}
	newSession := func() *session {
		s := &session{c: nodes[rng.IntN(hosts)], s: nodes[rng.IntN(hosts/10)], cport: uint16(32768 + rng.IntN(28000)),
			cseq: rng.Uint32(), sseq: rng.Uint32(), data: 4 + rng.IntN(40)}
		switch k := rng.IntN(10); {
		case k < 3:
			s.sp, s.req, s.rsp = 80, []byte("GET /api/v1/status HTTP/1.1\r\nHost: pacs.example.org\r\nUser-Agent: Device/"+strconv.Itoa(rng.IntN(20))+"\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 900000\r\n\r\n")
		case k < 6:
			s.sp, s.req, s.rsp = 443, mixClientHello("portal"+strconv.Itoa(rng.IntN(50))+".example.org"), []byte("\x17\x03\x03\x00\x10encrypted-data..")
		case k == 6:
			s.sp, s.req, s.rsp = 104, MixAssociate("MODALITY"+strconv.Itoa(rng.IntN(30)), "PACS"), []byte("\x05\x00\x00\x00\x00\x04\x00\x00\x00\x00")
		case k == 7:
			s.sp, s.req, s.rsp = 2575, []byte("\x0bMSH|^~\\&|LAB|NORTH|EHR|CENTRAL|20261101||ORU^R01|1|P|2.5\rPID|1||X\r\x1c\r"), []byte("\x0bMSH|^~\\&|EHR|CENTRAL|LAB|NORTH|20261101||ACK|1|P|2.5\rMSA|AA|1\r\x1c\r")
		case k == 8:
			s.sp, s.req, s.rsp = 22, []byte("SSH-2.0-OpenSSH_9.2p1\r\n"), []byte("SSH-2.0-OpenSSH_8.4\r\n")
		default:
			s.sp, s.req, s.rsp = 9000+uint16(rng.IntN(100)), data[:300], data[:600]
		}
		return s
	}
	next := func(s *session) ([]byte, bool) {
		c2s := func(flags byte, p []byte) []byte {
			fr := TCPFrame(s.c.mac, s.s.mac, s.c.ip, s.s.ip, s.cport, s.sp, s.cseq, flags, p)
			s.cseq += uint32(len(p))
			return fr
		}
		s2c := func(flags byte, p []byte) []byte {
			fr := TCPFrame(s.s.mac, s.c.mac, s.s.ip, s.c.ip, s.sp, s.cport, s.sseq, flags, p)
			s.sseq += uint32(len(p))
			return fr
		}
		s.step++
		switch s.step {
		case 1:
			fr := c2s(0x02, nil)
			s.cseq++
			return fr, true
		case 2:
			fr := s2c(0x12, nil)
			s.sseq++
			return fr, true
		case 3:
			return c2s(0x10, nil), true
		case 4:
			return c2s(0x18, s.req), true
		case 5:
			return s2c(0x18, s.rsp), true
		}
		if s.step < 6+2*s.data {
			if s.step%2 == 0 {
				return s2c(0x10, data[:200+rng.IntN(1200)]), true
			}
			return c2s(0x10, nil), true
		}
		switch s.step - (6 + 2*s.data) {
		case 0:
			return c2s(0x11, nil), true
		case 1:
			return s2c(0x11, nil), true
		}
		return c2s(0x10, nil), false
	}
	active := make([]*session, 64)
	for i := range active {
		active[i] = newSession()
	}
	for written := 0; written < n; written++ {
		if rng.IntN(100) < 8 { // UDP and ARP background
			a, b := nodes[rng.IntN(hosts)], nodes[rng.IntN(hosts)]
			var fr []byte
			switch rng.IntN(5) {
			case 0:
				fr = mixUDP(a, b, 40000+uint16(rng.IntN(20000)), 53, MixDNSQuery("host"+strconv.Itoa(rng.IntN(400))+".example.org"))
			case 1:
				fr = mixUDP(a, b, 5353, 5353, MixDNSQuery("_ipp._tcp.local"))
			case 2:
				fr = mixUDP(a, b, 68, 67, mixDHCP(a.mac))
			case 3:
				fr = mixUDP(a, b, 123, 123, data[:48])
			default:
				fr = mixARP(a.mac, a.ip, b.ip)
			}
			put(fr)
			continue
		}
		i := rng.IntN(len(active))
		fr, more := next(active[i])
		put(fr)
		if !more {
			active[i] = newSession()
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func mixUDP(a, b struct {
	mac [6]byte
	ip  netip.Addr
}, sport, dport uint16, payload []byte) []byte {
	u := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:2], sport)
	binary.BigEndian.PutUint16(u[2:4], dport)
	binary.BigEndian.PutUint16(u[4:6], uint16(8+len(payload)))
	copy(u[8:], payload)
	return EthIPv4(b.mac, a.mac, a.ip, b.ip, 17, u)
}

// MixDNSQuery is a DNS query for name (one question, type A).
func MixDNSQuery(name string) []byte {
	b := []byte{0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range strings.Split(name, ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0, 0, 1, 0, 1)
}

func mixDHCP(mac [6]byte) []byte {
	b := make([]byte, 240)
	b[0], b[1], b[2] = 1, 1, 6
	copy(b[28:], mac[:])
	copy(b[236:], []byte{99, 130, 83, 99})
	b = append(b, 53, 1, 1, 12, 6, 'm', 'o', 'n', 'i', 't', 'r', 55, 4, 1, 3, 6, 15, 60, 8, 'V', 'e', 'n', 'd', 'o', 'r', 'X', '1', 255)
	return b
}

func mixARP(mac [6]byte, sip, tip netip.Addr) []byte {
	b := make([]byte, 42)
	copy(b[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(b[6:12], mac[:])
	b[12], b[13] = 0x08, 0x06
	copy(b[14:22], []byte{0, 1, 8, 0, 6, 4, 0, 1})
	copy(b[22:28], mac[:])
	s, t := sip.As4(), tip.As4()
	copy(b[28:32], s[:])
	copy(b[38:42], t[:])
	return b
}

func mixClientHello(sni string) []byte {
	ext := func(t uint16, v []byte) []byte {
		b := []byte{byte(t >> 8), byte(t), byte(len(v) >> 8), byte(len(v))}
		return append(b, v...)
	}
	name := append([]byte{0, byte(len(sni) + 3), 0, 0, byte(len(sni))}, sni...)
	exts := ext(0, name)
	exts = append(exts, ext(0x0a0a, nil)...)
	exts = append(exts, ext(0x000d, []byte{0, 4, 4, 3, 8, 4})...)
	exts = append(exts, ext(0x0010, []byte{0, 3, 2, 'h', '2'})...)
	exts = append(exts, ext(0x002b, []byte{4, 3, 4, 3, 3})...)
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)
	body = append(body, 0, 0, 6, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 1, 0, byte(len(exts)>>8), byte(len(exts)))
	body = append(body, exts...)
	hs := append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{0x16, 3, 1, byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

// MixAssociate is a DICOM A-ASSOCIATE-RQ PDU from calling to called
// (CT image storage, implicit VR little endian, a GE implementation UID).
func MixAssociate(calling, called string) []byte {
	pad := func(s string) []byte { return []byte(fmt.Sprintf("%-16s", s)) }
	body := append([]byte{0, 1, 0, 0}, pad(called)...)
	body = append(body, pad(calling)...)
	body = append(body, make([]byte, 32)...)
	item := func(t byte, v []byte) []byte { return append([]byte{t, 0, byte(len(v) >> 8), byte(len(v))}, v...) }
	body = append(body, item(0x10, []byte("1.2.840.10008.3.1.1.1"))...)
	pc := append([]byte{1, 0, 0, 0}, item(0x30, []byte("1.2.840.10008.5.1.4.1.1.2"))...)
	pc = append(pc, item(0x40, []byte("1.2.840.10008.1.2"))...)
	body = append(body, item(0x20, pc)...)
	ui := append(item(0x52, []byte("1.2.840.113619.6.1")), item(0x55, []byte("VENDOR_1"))...)
	body = append(body, item(0x50, ui)...)
	h := []byte{1, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[2:], uint32(len(body)))
	return append(h, body...)
}

// EthIPv4 wraps an IPv4 payload of protocol proto in Ethernet and IPv4
// (checksums left zero: test frames are only read, never routed).
func EthIPv4(dst, src [6]byte, sip, dip netip.Addr, proto byte, payload []byte) []byte {
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

// TCPFrame builds an Ethernet/IPv4/TCP frame (no options, window 65535).
func TCPFrame(src, dst [6]byte, sip, dip netip.Addr, sport, dport uint16, seq uint32, flags byte, payload []byte) []byte {
	t := make([]byte, 20+len(payload))
	binary.BigEndian.PutUint16(t[0:2], sport)
	binary.BigEndian.PutUint16(t[2:4], dport)
	binary.BigEndian.PutUint32(t[4:8], seq)
	t[12] = 5 << 4
	t[13] = flags
	binary.BigEndian.PutUint16(t[14:16], 65535)
	copy(t[20:], payload)
	return EthIPv4(dst, src, sip, dip, 6, t)
}
