package capture

import (
	"bufio"
	"encoding/binary"
	"io"
	"time"
)

// pcapReader reads the classic libpcap format (microsecond or nanosecond
// timestamps, either byte order).
type pcapReader struct {
	nopCloser
	r     *bufio.Reader
	name  string
	order binary.ByteOrder
	nano  bool
	link  uint16
	snap  uint32
	off   int64
	buf   []byte
}

func newPcap(r *bufio.Reader, name string) (*pcapReader, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, &FormatError{File: name, Offset: 0, Err: ErrFormat}
	}
	p := &pcapReader{r: r, name: name, off: 24}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case 0xa1b2c3d4:
		p.order = binary.LittleEndian
	case 0xa1b23c4d:
		p.order, p.nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		p.order = binary.BigEndian
	case 0x4d3cb2a1:
		p.order, p.nano = binary.BigEndian, true
	default:
		return nil, &FormatError{File: name, Offset: 0, Err: ErrFormat}
	}
	p.snap = p.order.Uint32(h[16:20])
	p.link = uint16(p.order.Uint32(h[20:24]) & 0xffff)
	p.buf = make([]byte, 0, 2048)
	return p, nil
}

// Next returns the next frame, io.EOF at a clean end, or a *FormatError.
func (p *pcapReader) Next() (Frame, error) {
	start := p.off
	hb, err := p.r.Peek(16)
	if len(hb) == 0 && err == io.EOF {
		return Frame{}, io.EOF
	}
	if len(hb) < 16 {
		return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrTruncated}
	}
	var h [16]byte
	copy(h[:], hb)
	p.r.Discard(16)
	p.off += 16
	sec := p.order.Uint32(h[0:4])
	frac := p.order.Uint32(h[4:8])
	incl := p.order.Uint32(h[8:12])
	orig := p.order.Uint32(h[12:16])
	if incl > maxRecord || (!p.nano && frac >= 1e6) || (p.nano && frac >= 1e9) {
		return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrCorrupt}
	}
	var data []byte
	if int(incl) <= p.r.Size() {
		// Within the read buffer: hand out the bytes without copying them.
		data, err = p.r.Peek(int(incl))
		if len(data) < int(incl) {
			p.off += int64(len(data))
			return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrTruncated}
		}
		p.r.Discard(int(incl))
		p.off += int64(incl)
	} else {
		if cap(p.buf) < int(incl) {
			p.buf = make([]byte, incl)
		}
		data = p.buf[:incl]
		n, err := io.ReadFull(p.r, data)
		p.off += int64(n)
		if err != nil {
			return Frame{}, &FormatError{File: p.name, Offset: start, Err: ErrTruncated}
		}
	}
	ns := int64(frac)
	if !p.nano {
		ns *= 1000
	}
	return Frame{
		At:      time.Unix(int64(sec), ns).UTC(),
		Link:    p.link,
		Data:    data,
		OrigLen: int(max(orig, incl)),
		Offset:  start,
	}, nil
}
