// Package capture reads frames from capture files (pcap, pcapng) and from
// live interfaces (Linux AF_PACKET, no cgo). It knows nothing about the
// frames' contents; package dissect reads them.
package capture

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Frame is one captured frame. Data aliases the source's read buffer (or
// the kernel's ring for a live source): it is valid only until the next
// call to Next, so a caller that keeps a frame copies it.
type Frame struct {
	At      time.Time
	Link    uint16 // pcap LINKTYPE_ number: 1 Ethernet, 101 raw IP, 113/276 Linux SLL
	Data    []byte // the captured bytes (possibly cut to the snap length)
	OrigLen int    // the frame's length on the wire
	Offset  int64  // byte offset of the frame's record in the file (0 for live capture)
}

// Source yields frames until it returns io.EOF (end of file) or an error.
// A *FormatError reports where a file stopped making sense; every frame
// before it has already been returned.
type Source interface {
	Next() (Frame, error)
	Close() error
}

// FormatError says at which byte offset a capture file is truncated or
// corrupt.
type FormatError struct {
	File   string
	Offset int64
	Err    error
}

func (e *FormatError) Error() string {
	name := e.File
	if name == "" {
		name = "capture"
	}
	return fmt.Sprintf("%s: %v at byte offset %d", name, e.Err, e.Offset)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Errors a FormatError wraps.
var (
	ErrTruncated = errors.New("truncated record")
	ErrCorrupt   = errors.New("corrupt record")
	ErrFormat    = errors.New("not a pcap or pcapng file")
)

// maxRecord bounds one frame record, so a corrupt length cannot make the
// reader allocate without limit.
const maxRecord = 1 << 18

// OpenFile opens a pcap or pcapng file, telling them apart by their first
// bytes.
func OpenFile(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	// The reader closes the file itself: a wrapper that did would cost
	// an extra call on every frame.
	s.(interface{ own(io.Closer) }).own(f)
	return s, nil
}

// NewReader reads a pcap or pcapng stream; name is used in errors.
func NewReader(r io.Reader, name string) (Source, error) {
	in := &feed{r: r, buf: make([]byte, 64<<10)}
	magic := in.want(4)
	if len(magic) < 4 {
		return nil, &FormatError{File: name, Offset: 0, Err: ErrFormat}
	}
	if magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a {
		return newPcapng(in, name)
	}
	return newPcap(in, name)
}

// feedSize is the largest read buffer of the file readers: one read(2)
// fills up to this much, and it holds any whole record or block
// (maxRecord, maxBlock), so frames are handed out of it without a copy.
// The buffer starts at 64 KiB and doubles while reads fill it, up to
// readSize, so a small input (a fuzz case, a short capture) does not cost
// a megabyte; it grows past readSize only for a record that needs it.
const feedSize = maxBlock

// readSize bounds the buffer that reads fill: larger reads save few
// system calls but stream more of the file through the CPU's caches at
// once, evicting what the dissectors and discovery keep there (a 1 MiB
// buffer made the whole pipeline 3–5 % slower than 256 KiB).
const readSize = 256 << 10

// feed is a large read buffer that hands out slices of itself. Bytes
// before lo have been consumed; bytes lo..hi are read and not yet
// consumed. A refill moves the unconsumed tail to the front, which is why
// a frame is valid only until the next call to Next.
type feed struct {
	r      io.Reader
	buf    []byte
	lo, hi int
	err    error // the reader's first error (io.EOF at the end); sticky
	filled bool  // the last read filled the buffer: the input is large
}

// want returns the unconsumed bytes, at least n of them (n <= len(buf))
// unless the input ends or fails first.
func (f *feed) want(n int) []byte {
	if f.hi-f.lo >= n {
		return f.buf[f.lo:f.hi]
	}
	if n > len(f.buf) || (f.filled && len(f.buf) < readSize) {
		nb := make([]byte, min(max(n, 2*len(f.buf)), feedSize))
		f.hi = copy(nb, f.buf[f.lo:f.hi])
		f.buf, f.lo = nb, 0
	} else if f.lo > 0 {
		f.hi = copy(f.buf, f.buf[f.lo:f.hi])
		f.lo = 0
	}
	for empty := 0; f.hi < n && f.err == nil; {
		m, err := f.r.Read(f.buf[f.hi:])
		f.hi += m
		f.filled = f.hi == len(f.buf)
		if err != nil {
			f.err = err
		} else if m == 0 {
			if empty++; empty > 100 {
				f.err = io.ErrNoProgress
			}
		}
	}
	return f.buf[:f.hi]
}

// done consumes n bytes.
func (f *feed) done(n int) { f.lo += n }

// atEnd says whether the input ended cleanly with nothing left over.
func (f *feed) atEnd() bool { return f.lo == f.hi && f.err == io.EOF }

// closer is the Close of the file readers: it closes the file OpenFile
// opened, and nothing for a reader NewReader made.
type closer struct{ c io.Closer }

func (c *closer) own(x io.Closer) { c.c = x }

func (c *closer) Close() error {
	if c.c == nil {
		return nil
	}
	err := c.c.Close()
	c.c = nil
	return err
}
