package capture

import (
	"encoding/binary"
	"io"
	"time"
)

// pcapReader reads the classic libpcap format (microsecond or nanosecond
// timestamps, either byte order).
type pcapReader struct {
	closer
	in   *feed
	name string
	be   bool // big-endian file
	nano bool
	// fracs is how many fractional units a second has (1e6, or 1e9 for
	// nanosecond files) and unit a unit's nanoseconds.
	fracs, unit uint32
	link        uint16
	snap        uint32
	off         int64
}

func newPcap(in *feed, name string) (*pcapReader, error) {
	h := in.want(24)
	if len(h) < 24 {
		return nil, &FormatError{File: name, Offset: 0, Err: ErrFormat}
	}
	p := &pcapReader{in: in, name: name, off: 24}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case 0xa1b2c3d4:
	case 0xa1b23c4d:
		p.nano = true
	case 0xd4c3b2a1:
		p.be = true
	case 0x4d3cb2a1:
		p.be, p.nano = true, true
	default:
		return nil, &FormatError{File: name, Offset: 0, Err: ErrFormat}
	}
	p.fracs, p.unit = 1e6, 1000
	if p.nano {
		p.fracs, p.unit = 1e9, 1
	}
	p.snap = p.u32(h[16:20])
	p.link = uint16(p.u32(h[20:24]) & 0xffff)
	in.done(24)
	return p, nil
}

func (p *pcapReader) u32(b []byte) uint32 {
	if p.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// Next returns the next frame, io.EOF at a clean end, or a *FormatError.
// The frame's Data aliases the read buffer.
func (p *pcapReader) Next() (Frame, error) {
	start := p.off
	b := p.in.want(16)
	if len(b) < 16 {
		if p.in.atEnd() {
			return Frame{}, io.EOF
		}
		return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrTruncated}
	}
	sec := p.u32(b[0:4])
	frac := p.u32(b[4:8])
	incl := p.u32(b[8:12])
	orig := p.u32(b[12:16])
	if incl > maxRecord || frac >= p.fracs {
		return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrCorrupt}
	}
	n := 16 + int(incl)
	if len(b) < n {
		if b = p.in.want(n); len(b) < n {
			return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrTruncated}
		}
	}
	p.in.done(n)
	p.off += int64(n)
	return Frame{
		At:      time.Unix(int64(sec), int64(frac)*int64(p.unit)).UTC(),
		Link:    p.link,
		Data:    b[16:n:n],
		OrigLen: int(max(orig, incl)),
		Offset:  start,
	}, nil
}
