// Package dicom reads the DICOM upper layer protocol (PS3.8 section 9):
// the A-ASSOCIATE request and accept PDUs that name the two application
// entities and their implementations, and the command set at the start of
// a P-DATA-TF PDU (PS3.7 section 9) that says which service is used. It
// reads bytes only and never keeps data set contents.
package dicom

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// PDU types (PS3.8 table 9-11).
const (
	AssociateRQ = 0x01
	AssociateAC = 0x02
	AssociateRJ = 0x03
	PDataTF     = 0x04
	ReleaseRQ   = 0x05
	ReleaseRP   = 0x06
	Abort       = 0x07
)

// HeaderLen is the length of every PDU header: type, reserved, length.
const HeaderLen = 6

// Item types inside A-ASSOCIATE PDUs (PS3.8 9.3.2, 9.3.3, annex D).
const (
	itemApplicationContext = 0x10
	itemPresentationRQ     = 0x20
	itemPresentationAC     = 0x21
	itemAbstractSyntax     = 0x30
	itemTransferSyntax     = 0x40
	itemUserInfo           = 0x50
	subMaxLength           = 0x51
	subImplClassUID        = 0x52
	subImplVersion         = 0x55
)

// Errors the parsers return.
var (
	ErrTruncated = errors.New("dicom: truncated PDU")
	ErrMalformed = errors.New("dicom: malformed PDU")
)

// PresentationContext is one proposed (RQ) or answered (AC) context.
type PresentationContext struct {
	ID               byte
	Result           byte   // AC only: 0 acceptance, 1–4 rejection reasons
	AbstractSyntax   string // RQ only: the SOP class UID
	TransferSyntaxes []string
}

// Associate is the content of an A-ASSOCIATE-RQ or -AC PDU.
type Associate struct {
	Type                   byte // AssociateRQ or AssociateAC
	ProtocolVersion        uint16
	CalledAE               string // trailing spaces removed
	CallingAE              string
	ApplicationContext     string
	Contexts               []PresentationContext
	MaxPDULength           uint32
	ImplementationClassUID string
	ImplementationVersion  string
}

// PDUHeader returns the type and body length of the PDU at the start of b.
func PDUHeader(b []byte) (typ byte, length uint32, ok bool) {
	if len(b) < HeaderLen {
		return 0, 0, false
	}
	return b[0], binary.BigEndian.Uint32(b[2:6]), true
}

// LooksLikeAssociate reports whether b starts like an A-ASSOCIATE-RQ or
// -AC PDU: the right type, protocol version 1 and a plausible length.
func LooksLikeAssociate(b []byte) bool {
	if len(b) < 10 || (b[0] != AssociateRQ && b[0] != AssociateAC) || b[1] != 0 {
		return false
	}
	n := binary.BigEndian.Uint32(b[2:6])
	return n >= 68 && n < 1<<20 && b[6] == 0 && b[7] == 1
}

// ParseAssociate reads a whole A-ASSOCIATE-RQ or -AC PDU, header included.
func ParseAssociate(pdu []byte) (Associate, error) {
	var a Associate
	typ, n, ok := PDUHeader(pdu)
	if !ok {
		return a, ErrTruncated
	}
	if typ != AssociateRQ && typ != AssociateAC {
		return a, fmt.Errorf("%w: PDU type %#02x is not an A-ASSOCIATE", ErrMalformed, typ)
	}
	if uint64(len(pdu)) < HeaderLen+uint64(n) {
		return a, ErrTruncated
	}
	body := pdu[HeaderLen : HeaderLen+int(n)]
	if len(body) < 68 {
		return a, ErrTruncated
	}
	a.Type = typ
	a.ProtocolVersion = binary.BigEndian.Uint16(body[0:2])
	a.CalledAE = aeTitle(body[4:20])
	a.CallingAE = aeTitle(body[20:36])
	items := body[68:]
	for len(items) > 0 {
		if len(items) < 4 {
			return a, ErrTruncated
		}
		it, ln := items[0], int(binary.BigEndian.Uint16(items[2:4]))
		if 4+ln > len(items) {
			return a, ErrTruncated
		}
		v := items[4 : 4+ln]
		items = items[4+ln:]
		switch it {
		case itemApplicationContext:
			a.ApplicationContext = uid(v)
		case itemPresentationRQ, itemPresentationAC:
			pc, err := presentationContext(v)
			if err != nil {
				return a, err
			}
			if len(a.Contexts) < 128 {
				a.Contexts = append(a.Contexts, pc)
			}
		case itemUserInfo:
			if err := a.userInfo(v); err != nil {
				return a, err
			}
		}
	}
	return a, nil
}

func presentationContext(v []byte) (PresentationContext, error) {
	var pc PresentationContext
	if len(v) < 4 {
		return pc, ErrTruncated
	}
	pc.ID, pc.Result = v[0], v[2]
	sub := v[4:]
	for len(sub) > 0 {
		if len(sub) < 4 {
			return pc, ErrTruncated
		}
		st, ln := sub[0], int(binary.BigEndian.Uint16(sub[2:4]))
		if 4+ln > len(sub) {
			return pc, ErrTruncated
		}
		val := sub[4 : 4+ln]
		sub = sub[4+ln:]
		switch st {
		case itemAbstractSyntax:
			pc.AbstractSyntax = uid(val)
		case itemTransferSyntax:
			if len(pc.TransferSyntaxes) < 32 {
				pc.TransferSyntaxes = append(pc.TransferSyntaxes, uid(val))
			}
		}
	}
	return pc, nil
}

func (a *Associate) userInfo(v []byte) error {
	for len(v) > 0 {
		if len(v) < 4 {
			return ErrTruncated
		}
		st, ln := v[0], int(binary.BigEndian.Uint16(v[2:4]))
		if 4+ln > len(v) {
			return ErrTruncated
		}
		val := v[4 : 4+ln]
		v = v[4+ln:]
		switch st {
		case subMaxLength:
			if len(val) == 4 {
				a.MaxPDULength = binary.BigEndian.Uint32(val)
			}
		case subImplClassUID:
			a.ImplementationClassUID = uid(val)
		case subImplVersion:
			a.ImplementationVersion = aeTitle(val)
		}
	}
	return nil
}

// aeTitle trims the space padding of an AE title or version name.
func aeTitle(b []byte) string {
	for len(b) > 0 && (b[0] == ' ' || b[0] == 0) {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	return string(b)
}

// uid trims the NUL (or space) padding of a UID.
func uid(b []byte) string { return aeTitle(b) }

// PDV is the first presentation data value of a P-DATA-TF PDU body.
type PDV struct {
	Length    uint32 // item length: context ID, control header and data
	ContextID byte
	Command   bool // a command set, not a data set
	Last      bool // the last fragment of its command or data set
}

// FirstPDV reads the PDV item header at the start of a P-DATA-TF body.
func FirstPDV(body []byte) (PDV, bool) {
	if len(body) < 6 {
		return PDV{}, false
	}
	return PDV{
		Length:    binary.BigEndian.Uint32(body[0:4]),
		ContextID: body[4],
		Command:   body[5]&1 != 0,
		Last:      body[5]&2 != 0,
	}, true
}

// Command field values (PS3.7 annex E).
var commands = map[uint16]string{
	0x0001: "C-STORE", 0x0010: "C-GET", 0x0020: "C-FIND", 0x0021: "C-MOVE",
	0x0030: "C-ECHO", 0x0100: "N-EVENT-REPORT", 0x0110: "N-GET", 0x0120: "N-SET",
	0x0130: "N-ACTION", 0x0140: "N-CREATE", 0x0150: "N-DELETE", 0x0fff: "C-CANCEL",
}

// CommandName names a command field: "C-ECHO" and whether it is a response
// (the high bit). Unknown values give "".
func CommandName(field uint16) (name string, response bool) {
	if field == 0x0fff {
		return commands[field], false
	}
	return commands[field&0x7fff], field&0x8000 != 0
}

// Command holds what is read from a command set.
type Command struct {
	Field            uint16 // (0000,0100)
	AffectedSOPClass string // (0000,0002)
}

// ParseCommand reads a command set (implicit VR little endian, PS3.7
// section 6.3) and returns its command field and affected SOP class. Only
// group 0000 elements are read; any other content is ignored.
func ParseCommand(b []byte) (Command, error) {
	var c Command
	found := false
	for len(b) >= 8 {
		group := binary.LittleEndian.Uint16(b[0:2])
		elem := binary.LittleEndian.Uint16(b[2:4])
		n := binary.LittleEndian.Uint32(b[4:8])
		if group != 0 {
			break
		}
		if uint64(n) > uint64(len(b)-8) {
			return c, ErrTruncated
		}
		v := b[8 : 8+n]
		b = b[8+n:]
		switch elem {
		case 0x0002:
			c.AffectedSOPClass = uid(v)
		case 0x0100:
			if len(v) != 2 {
				return c, ErrMalformed
			}
			c.Field = binary.LittleEndian.Uint16(v)
			found = true
		}
	}
	if !found {
		return c, ErrMalformed
	}
	return c, nil
}
