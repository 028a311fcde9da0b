// Package capture reads frames from capture files (pcap, pcapng) and from
// live interfaces (Linux AF_PACKET, no cgo). It knows nothing about the
// frames' contents; package dissect reads them.
package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Frame is one captured frame. Data is valid until the next call to Next.
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
	return &fileSource{Source: s, f: f}, nil
}

type fileSource struct {
	Source
	f *os.File
}

func (s *fileSource) Close() error { return s.f.Close() }

// NewReader reads a pcap or pcapng stream; name is used in errors.
func NewReader(r io.Reader, name string) (Source, error) {
	br := bufio.NewReaderSize(r, 1<<20) // larger than any record: pcap frames are handed out without a copy
	magic, err := br.Peek(4)
	if err != nil {
		return nil, &FormatError{File: name, Offset: 0, Err: ErrFormat}
	}
	if magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a {
		return newPcapng(br, name)
	}
	return newPcap(br, name)
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
