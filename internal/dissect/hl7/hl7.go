// Package hl7 reads the message header (MSH) of HL7 version 2 messages
// carried over MLLP. It reads the MSH segment only: the sending and
// receiving application and facility, the message type and the version.
// Every other segment — PID and all patient, order and result data — is
// never parsed, copied or returned.
package hl7

import (
	"bytes"
	"errors"
)

// MLLP framing bytes: a message is <VT> message <FS><CR>.
const (
	StartBlock = 0x0b
	EndBlock   = 0x1c
)

// Errors ParseMSH returns.
var (
	ErrNotMSH    = errors.New("hl7: segment is not MSH")
	ErrMalformed = errors.New("hl7: malformed MSH segment")
)

// MSH holds the header fields Vigil keeps. Components inside a field are
// joined with '^' whatever the message's own separator.
type MSH struct {
	SendingApplication   string // MSH-3
	SendingFacility      string // MSH-4
	ReceivingApplication string // MSH-5
	ReceivingFacility    string // MSH-6
	MessageType          string // MSH-9, first two components: "ADT^A01"
	Version              string // MSH-12
}

// maxField bounds a kept field's length.
const maxField = 128

// SegmentEnd returns the length of the segment at the start of b (the
// index of its CR or LF terminator), or -1 when b holds no terminator.
func SegmentEnd(b []byte) int {
	for i, c := range b {
		if c == '\r' || c == '\n' || c == EndBlock {
			return i
		}
	}
	return -1
}

// ParseMSH reads one MSH segment, without its terminator. It must not be
// given more than the segment: nothing after it is examined.
func ParseMSH(seg []byte) (MSH, error) {
	var m MSH
	if len(seg) < 8 || string(seg[:3]) != "MSH" {
		return m, ErrNotMSH
	}
	fs := seg[3]
	if fs == '\r' || fs == '\n' || fs < 0x20 || fs == 0x7f {
		return m, ErrMalformed
	}
	enc := seg[4:]
	if i := bytes.IndexByte(enc, fs); i >= 0 {
		enc = enc[:i]
	}
	cs := byte('^')
	if len(enc) > 0 {
		cs = enc[0]
	}
	// Field n (n >= 2) is the (n-1)th fs-separated part after "MSH".
	fields := seg[4:]
	for n := 2; n <= 12 && fields != nil; n++ {
		var f []byte
		if i := bytes.IndexByte(fields, fs); i >= 0 {
			f, fields = fields[:i], fields[i+1:]
		} else {
			f, fields = fields, nil
		}
		switch n {
		case 3:
			m.SendingApplication = field(f, cs, 3)
		case 4:
			m.SendingFacility = field(f, cs, 3)
		case 5:
			m.ReceivingApplication = field(f, cs, 3)
		case 6:
			m.ReceivingFacility = field(f, cs, 3)
		case 9:
			m.MessageType = field(f, cs, 2)
		case 12:
			m.Version = field(f, cs, 1)
		}
	}
	if m.MessageType == "" && m.SendingApplication == "" {
		return m, ErrMalformed
	}
	return m, nil
}

// field keeps up to n components of f, joined with '^', printable ASCII
// only, trailing empty components dropped.
func field(f []byte, cs byte, n int) string {
	var b [maxField]byte
	out := b[:0]
	comp := 1
	for _, c := range f {
		if c == cs {
			comp++
			if comp > n {
				break
			}
			c = '^'
		}
		if len(out) == maxField {
			break
		}
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	for len(out) > 0 && (out[len(out)-1] == '^' || out[len(out)-1] == ' ') {
		out = out[:len(out)-1]
	}
	return string(out)
}
