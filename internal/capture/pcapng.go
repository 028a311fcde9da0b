package capture

import (
	"bufio"
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
	nopCloser
	r      *bufio.Reader
	name   string
	order  binary.ByteOrder
	ifaces []ngInterface
	off    int64
	buf    []byte
}

func newPcapng(r *bufio.Reader, name string) (*pcapngReader, error) {
	p := &pcapngReader{r: r, name: name, buf: make([]byte, 0, 4096)}
	// The first block must be a section header; readBlock handles it.
	hdr, err := r.Peek(12)
	if err != nil {
		return nil, &FormatError{File: name, Err: ErrFormat}
	}
	if m := binary.LittleEndian.Uint32(hdr[8:12]); m != 0x1a2b3c4d && m != 0x4d3c2b1a {
		return nil, &FormatError{File: name, Err: ErrFormat}
	}
	return p, nil
}

// Next returns the next packet, io.EOF at a clean end, or a *FormatError.
func (p *pcapngReader) Next() (Frame, error) {
	for {
		start := p.off
		var h [8]byte
		n, err := io.ReadFull(p.r, h[:])
		if err == io.EOF {
			return Frame{}, io.EOF
		}
		if err != nil {
			return Frame{}, p.errAt(start, ErrTruncated)
		}
		p.off += int64(n)
		typ := binary.LittleEndian.Uint32(h[0:4])
		if typ == blockSHB {
			// The byte order is known only from the magic after the length.
			var m [4]byte
			if _, err := io.ReadFull(p.r, m[:]); err != nil {
				return Frame{}, p.errAt(start, ErrTruncated)
			}
			p.off += 4
			switch binary.LittleEndian.Uint32(m[:]) {
			case 0x1a2b3c4d:
				p.order = binary.LittleEndian
			case 0x4d3c2b1a:
				p.order = binary.BigEndian
			default:
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
			p.ifaces = p.ifaces[:0]
			total := p.order.Uint32(h[4:8])
			if total < 28 || total%4 != 0 || total > maxBlock {
				return Frame{}, p.errAt(start, ErrCorrupt)
			}
			if err := p.discard(start, int(total)-12); err != nil {
				return Frame{}, err
			}
			continue
		}
		if p.order == nil {
			return Frame{}, p.errAt(start, ErrCorrupt)
		}
		typ = p.order.Uint32(h[0:4])
		total := p.order.Uint32(h[4:8])
		limit := uint32(maxBlock)
		if typ == blockEPB || typ == blockSPB || typ == blockPB {
			limit = maxRecord + 64
		}
		if total < 12 || total%4 != 0 || total > limit {
			return Frame{}, p.errAt(start, ErrCorrupt)
		}
		body, err := p.read(start, int(total)-8)
		if err != nil {
			return Frame{}, err
		}
		if p.order.Uint32(body[len(body)-4:]) != total {
			return Frame{}, p.errAt(start, ErrCorrupt)
		}
		body = body[:len(body)-4]
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

// read returns the next n bytes of the file in the reusable buffer.
func (p *pcapngReader) read(start int64, n int) ([]byte, error) {
	if n < 4 {
		return nil, p.errAt(start, ErrCorrupt)
	}
	if cap(p.buf) < n {
		p.buf = make([]byte, n)
	}
	b := p.buf[:n]
	got, err := io.ReadFull(p.r, b)
	p.off += int64(got)
	if err != nil {
		return nil, p.errAt(start, ErrTruncated)
	}
	return b, nil
}

func (p *pcapngReader) discard(start int64, n int) error {
	got, err := p.r.Discard(n)
	p.off += int64(got)
	if err != nil {
		return p.errAt(start, ErrTruncated)
	}
	return nil
}

func (p *pcapngReader) errAt(off int64, err error) error {
	return &FormatError{File: p.name, Offset: off, Err: err}
}
