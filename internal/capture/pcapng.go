package capture

import (
	"encoding/binary"
	"io"
	"math"
	"time"
)

// pcapng block types read; every other block is skipped.
const (
	blockSHB = 0x0a0d0d0a // section header
	blockIDB = 0x00000001 // interface description
	blockPB  = 0x00000002 // obsolete packet block
	blockSPB = 0x00000003 // simple packet block
	blockEPB = 0x00000006 // enhanced packet block
)

// maxBlock bounds a non-packet block (options, name resolution, statistics).
const maxBlock = 1 << 20

type ngInterface struct {
	link uint16
	snap uint32
	// timestamp units per second, and whether it is a power of ten
	unitsPerSec uint64
}

// pcapngReader reads the pcapng format: sections, interfaces, and
// enhanced, simple and obsolete packet blocks.
type pcapngReader struct {
	closer
	in     *feed
	name   string
	order  binary.ByteOrder
	ifaces []ngInterface
	off    int64
}

func newPcapng(in *feed, name string) (*pcapngReader, error) {
	// The first block must be a section header; Next reads it.
	hdr := in.want(12)
	if len(hdr) < 12 {
		return nil, &FormatError{File: name, Err: ErrFormat}
	}
	if m := binary.LittleEndian.Uint32(hdr[8:12]); m != 0x1a2b3c4d && m != 0x4d3c2b1a {
		return nil, &FormatError{File: name, Err: ErrFormat}
	}
	return &pcapngReader{in: in, name: name}, nil
}

// Next returns the next packet, io.EOF at a clean end, or a *FormatError.
// The frame's Data aliases the read buffer.
func (p *pcapngReader) Next() (Frame, error) {
	for {
		start := p.off
		b := p.in.want(8)
		if len(b) < 8 {
			if p.in.atEnd() {
				return Frame{}, io.EOF
			}
			return Frame{}, p.errAt(start, ErrTruncated)
		}
		typ := binary.LittleEndian.Uint32(b[0:4])
		var total uint32
		if typ == blockSHB {
			// The byte order is known only from the magic after the length.
			if b = p.in.want(12); len(b) < 12 {
				return Frame{}, p.errAt(start, ErrTruncated)
			}
			switch binary.LittleEndian.Uint32(b[8:12]) {
			case 0x1a2b3c4d:
				p.order = binary.LittleEndian
			case 0x4d3c2b1a:
				p.order = binary.BigEndian
			default:
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
			p.ifaces = p.ifaces[:0]
			total = p.order.Uint32(b[4:8])
			if total < 28 || total%4 != 0 || total > maxBlock {
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
		} else {
			if p.order == nil {
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
			typ = p.order.Uint32(b[0:4])
			total = p.order.Uint32(b[4:8])
			limit := uint32(maxBlock)
			if typ == blockEPB || typ == blockSPB || typ == blockPB {
				limit = maxRecord + 64
			}
			if total < 12 || total%4 != 0 || total > limit {
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
		}
		n := int(total)
		if len(b) < n {
			if b = p.in.want(n); len(b) < n {
				return Frame{}, p.errAt(start, ErrTruncated)
			}
		}
		p.in.done(n)
		p.off += int64(n)
		if typ == blockSHB {
			continue
		}
		if p.order.Uint32(b[n-4:n]) != total {
			return Frame{}, p.errAt(start, ErrCorrupt)
		}
		body := b[8 : n-4 : n-4]
		switch typ {
		case blockIDB:
			if err := p.addInterface(start, body); err != nil {
				return Frame{}, err
			}
		case blockEPB, blockPB:
			return p.packet(start, typ, body)
		case blockSPB:
			if len(body) < 4 || len(p.ifaces) == 0 {
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
			ifc := p.ifaces[0]
			orig := p.order.Uint32(body[0:4])
			data := body[4:]
			if n := min(orig, ifc.snap); ifc.snap > 0 && int(n) < len(data) {
				data = data[:n]
			} else if int(orig) < len(data) {
				data = data[:orig]
			}
			return Frame{Link: ifc.link, Data: data, OrigLen: int(max(orig, uint32(len(data)))), Offset: start}, nil
		}
	}
}

// packet reads an enhanced (or obsolete) packet block body.
func (p *pcapngReader) packet(start int64, typ uint32, body []byte) (Frame, error) {
	if len(body) < 20 {
		return Frame{}, p.errAt(start, ErrCorrupt)
	}
	var id uint32
	if typ == blockEPB {
		id = p.order.Uint32(body[0:4])
	} else {
		id = uint32(p.order.Uint16(body[0:2]))
	}
	if int64(id) >= int64(len(p.ifaces)) {
		return Frame{}, p.errAt(start, ErrCorrupt)
	}
	ifc := p.ifaces[id]
	ts := uint64(p.order.Uint32(body[4:8]))<<32 | uint64(p.order.Uint32(body[8:12]))
	capLen := p.order.Uint32(body[12:16])
	orig := p.order.Uint32(body[16:20])
	if uint64(capLen) > uint64(len(body)-20) {
		return Frame{}, p.errAt(start, ErrCorrupt)
	}
	sec := ts / ifc.unitsPerSec
	frac := ts % ifc.unitsPerSec
	ns := frac * 1_000_000_000 / ifc.unitsPerSec
	if ifc.unitsPerSec > 1_000_000_000 {
		ns = uint64(float64(frac) * 1e9 / float64(ifc.unitsPerSec))
	}
	if sec > math.MaxInt64/2 {
		return Frame{}, p.errAt(start, ErrCorrupt)
	}
	return Frame{
		At:      time.Unix(int64(sec), int64(ns)).UTC(),
		Link:    ifc.link,
		Data:    body[20 : 20+capLen],
		OrigLen: int(max(orig, capLen)),
		Offset:  start,
	}, nil
}

// addInterface reads an interface description block and its if_tsresol.
func (p *pcapngReader) addInterface(start int64, body []byte) error {
	if len(body) < 8 || len(p.ifaces) > 1<<16 {
		return p.errAt(start, ErrCorrupt)
	}
	ifc := ngInterface{
		link:        p.order.Uint16(body[0:2]),
		snap:        p.order.Uint32(body[4:8]),
		unitsPerSec: 1_000_000,
	}
	opts := body[8:]
	for len(opts) >= 4 {
		code := p.order.Uint16(opts[0:2])
		n := int(p.order.Uint16(opts[2:4]))
		if code == 0 || 4+n > len(opts) {
			break
		}
		if code == 9 && n >= 1 { // if_tsresol
			v := opts[4]
			exp := uint64(v & 0x7f)
			if v&0x80 != 0 && exp <= 63 {
				ifc.unitsPerSec = 1 << exp
			} else if v&0x80 == 0 && exp <= 19 {
				ifc.unitsPerSec = 1
				for range exp {
					ifc.unitsPerSec *= 10
				}
			}
			if ifc.unitsPerSec == 0 {
				ifc.unitsPerSec = 1
			}
		}
		opts = opts[4+(n+3)&^3:]
	}
	p.ifaces = append(p.ifaces, ifc)
	return nil
}

func (p *pcapngReader) errAt(off int64, err error) error {
	return &FormatError{File: p.name, Offset: off, Err: err}
}
