package dissect

import (
	"encoding/binary"
	"net/netip"
)

// Stream limits: how many TCP conversations are tracked at once, and how
// many bytes of one direction may wait for an application header to
// complete. A TLS certificate record is the largest header read.
const (
	maxStreams   = 1 << 15
	maxStreamBuf = 20 << 10
)

// content is what a TCP direction was recognised as carrying.
type content uint8

const (
	cUnknown content = iota
	cNone            // nothing more to learn from this direction
	cHTTPRequest
	cHTTPResponse
	cTLS
	cSSH
	cBanner // FTP/Telnet server greeting
	cDICOM
	cHL7
	cSMB
)

// dir is the reassembly state of one direction of a TCP conversation.
type dir struct {
	started bool
	kind    content
	next    uint32 // next expected sequence number
	skip    uint32 // payload bytes to pass over before collecting again
	buf     []byte // collected bytes not yet parsed
	count   uint8  // application messages parsed so far
	inBody  bool   // HL7: inside a message body, discarding to its end block
}

// stream is one TCP conversation; side 0 is the lower (address, port).
type stream struct {
	app      string
	side     [2]dir
	dicomCtx []dicomContext
}

// streamKey names a conversation by plain words (no pointers), so the
// map hashes it quickly: each end's address as netip.Addr.As16 gives it,
// in two words (hi, lo), and its port. Side a is the lower (address,
// port).
type streamKey struct {
	ahi, alo, bhi, blo uint64
	ap, bp             uint16
}

// addrWords is an address as the two words of its 16-byte form.
func addrWords(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// streamTable holds the tracked conversations and recycles their state.
// A direct-mapped cache of recent lookups sits in front of the map: the
// frames of a few dozen conversations in flight interleave, and each is
// found again without hashing its key.
type streamTable struct {
	m     map[streamKey]*stream
	free  []*stream
	cache [256]struct {
		k streamKey
		s *stream // nil: empty
	}
}

// eq is *k == *o, field by field (see flowID.eq in discovery).
func (k *streamKey) eq(o *streamKey) bool {
	return k.alo == o.alo && k.blo == o.blo && k.ap == o.ap && k.bp == o.bp && k.ahi == o.ahi && k.bhi == o.bhi
}

func (k *streamKey) slot() int {
	x := uint32(k.alo) ^ uint32(k.blo)*0x9e3779b1 ^ (uint32(k.ap)<<16|uint32(k.bp))*0x85ebca77
	return int(x >> 24)
}

// lookup finds the conversation of k (nil: none).
func (t *streamTable) lookup(k *streamKey) *stream {
	c := &t.cache[k.slot()]
	if c.s != nil && c.k.eq(k) {
		return c.s
	}
	s := t.m[*k]
	if s != nil {
		c.k, c.s = *k, s
	}
	return s
}

func (t *streamTable) init() {
	t.m = make(map[streamKey]*stream, 1024)
}

func (t *streamTable) release(k streamKey, s *stream) {
	delete(t.m, k)
	if c := &t.cache[k.slot()]; c.s == s {
		c.s = nil
	}
	for i := range s.side {
		if cap(s.side[i].buf) > 4096 {
			s.side[i].buf = nil
		}
		s.side[i] = dir{buf: s.side[i].buf[:0]}
	}
	s.app = ""
	s.dicomCtx = s.dicomCtx[:0]
	t.free = append(t.free, s)
}

func (t *streamTable) get(k streamKey) *stream {
	if len(t.m) >= maxStreams {
		for k, s := range t.m { // evict everything: bounded memory over completeness
			t.release(k, s)
		}
	}
	var s *stream
	if n := len(t.free); n > 0 {
		s, t.free = t.free[n-1], t.free[:n-1]
	} else {
		s = new(stream)
	}
	t.m[k] = s
	c := &t.cache[k.slot()]
	c.k, c.s = k, s
	return s
}

// stream feeds one TCP segment to its conversation, and names the
// frame's application.
func (d *Decoder) stream(seq uint32, payload []byte) {
	p := d.p
	shi, slo := addrWords(p.Src)
	dhi, dlo := addrWords(p.Dst)
	k := streamKey{ahi: shi, alo: slo, bhi: dhi, blo: dlo, ap: p.SrcPort, bp: p.DstPort}
	side := 0
	if shi > dhi || (shi == dhi && (slo > dlo || (slo == dlo && p.SrcPort > p.DstPort))) {
		k = streamKey{ahi: dhi, alo: dlo, bhi: shi, blo: slo, ap: p.DstPort, bp: p.SrcPort}
		side = 1
	}
	// A conversation's application is its ports' (portApp, the same
	// both ways) until its content names one; a tracked stream holds it.
	s := d.streams.lookup(&k)
	if s == nil {
		p.App = portApp(protoTCP, p.SrcPort, p.DstPort)
		if len(payload) == 0 && p.TCPFlags&TCPSyn == 0 {
			return
		}
		s = d.streams.get(k)
		s.app = p.App
	}
	p.App = s.app
	dr := &s.side[side]
	if p.TCPFlags&TCPSyn != 0 {
		dr.started, dr.next = true, seq+1
	}
	if len(payload) > 0 && dr.kind != cNone {
		d.segment(s, dr, seq, payload)
		if s.app != "" {
			p.App = s.app
		}
	}
	if p.TCPFlags&(TCPFin|TCPRst) != 0 {
		d.streams.release(k, s)
	}
}

// segment appends in-order payload to a direction and parses what is
// complete. A gap (lost or reordered segment) ends the direction.
func (d *Decoder) segment(s *stream, dr *dir, seq uint32, payload []byte) {
	if !dr.started {
		dr.started, dr.next = true, seq
	}
	off := int32(seq - dr.next)
	if off > 0 {
		if dr.skip > 0 && uint32(off) <= dr.skip { // a gap inside data being skipped anyway
			dr.skip -= uint32(off)
			dr.next = seq
		} else {
			d.endDir(dr)
			return
		}
	}
	if off < 0 {
		if int(-off) >= len(payload) {
			return // retransmission
		}
		payload = payload[-off:]
	}
	dr.next += uint32(len(payload))
	if dr.skip > 0 {
		n := min(dr.skip, uint32(len(payload)))
		dr.skip -= n
		payload = payload[n:]
		if len(payload) == 0 {
			return
		}
	}
	data := payload
	if len(dr.buf) > 0 {
		room := maxStreamBuf - len(dr.buf)
		if room <= 0 {
			d.endDir(dr)
			return
		}
		dr.buf = append(dr.buf, payload[:min(room, len(payload))]...)
		data = dr.buf
	}
	for len(data) > 0 && dr.kind != cNone {
		if dr.kind == cUnknown {
			dr.kind = d.classify(s, data)
			if dr.kind == cUnknown {
				break // need more bytes to tell
			}
			continue
		}
		used, skip := d.parse(s, dr, data)
		if used == 0 {
			if len(data) >= maxStreamBuf {
				d.endDir(dr)
				return
			}
			break // need more
		}
		data = data[used:]
		if skip > 0 {
			if uint32(len(data)) >= skip {
				data = data[skip:]
			} else {
				dr.skip = skip - uint32(len(data))
				data = nil
			}
		}
	}
	if dr.kind == cNone {
		dr.buf = dr.buf[:0]
		return
	}
	// keep what is left for the next segment
	if len(data) == 0 {
		dr.buf = dr.buf[:0]
	} else if len(dr.buf) > 0 {
		n := copy(dr.buf, data)
		dr.buf = dr.buf[:n]
	} else {
		dr.buf = append(dr.buf[:0], data...)
	}
}

func (d *Decoder) endDir(dr *dir) {
	dr.kind = cNone
	dr.buf = dr.buf[:0]
	dr.skip = 0
}

// classify recognises a direction's content from its first bytes and
// names the conversation's application when the content proves it.
func (d *Decoder) classify(s *stream, b []byte) content {
	p := d.p
	switch {
	case d.isDICOMStart(b):
		s.app = AppDICOM
		return cDICOM
	case len(b) >= 4 && b[0] == 0x0b && string(b[1:4]) == "MSH":
		s.app = AppHL7
		return cHL7
	case len(b) >= 1 && b[0] == 0x0b && len(b) < 4:
		return cUnknown
	case len(b) >= 3 && b[0] == 0x16 && b[1] == 3:
		s.app = AppTLS
		return cTLS
	case hasPrefix(b, "SSH-"):
		s.app = AppSSH
		return cSSH
	case isHTTPRequest(b):
		s.app = AppHTTP
		return cHTTPRequest
	case hasPrefix(b, "HTTP/1."):
		s.app = AppHTTP
		return cHTTPResponse
	case isSMBStart(b):
		s.app = AppSMB
		return cSMB
	case (p.SrcPort == 21 || p.SrcPort == 23) && p.App != "":
		return cBanner
	case len(b) < 8:
		return cUnknown
	}
	return cNone
}

// parse hands collected bytes to the recognised protocol. It returns how
// many bytes were consumed (0: need more) and how many further bytes of the
// stream to skip without collecting them.
func (d *Decoder) parse(s *stream, dr *dir, b []byte) (used int, skip uint32) {
	switch dr.kind {
	case cDICOM:
		return d.dicomPDU(s, dr, b)
	case cHL7:
		return d.hl7Message(dr, b)
	case cTLS:
		return d.tlsRecord(dr, b)
	case cHTTPRequest, cHTTPResponse:
		return d.httpHeader(dr, b)
	case cSSH:
		return d.sshBanner(dr, b)
	case cBanner:
		return d.serverBanner(dr, b)
	case cSMB:
		return d.smbMessage(dr, b)
	}
	dr.kind = cNone
	return len(b), 0
}

func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}
