package dicom

import (
	"encoding/binary"
	"testing"
)

// associateRQ builds an A-ASSOCIATE-RQ as PS3.8 9.3.2 lays it out.
func associateRQ(called, calling, impl, version string, abstract ...string) []byte {
	item := func(t byte, v []byte) []byte {
		b := []byte{t, 0, 0, 0}
		binary.BigEndian.PutUint16(b[2:], uint16(len(v)))
		return append(b, v...)
	}
	body := []byte{0, 1, 0, 0}
	pad := func(s string) []byte {
		b := []byte(s)
		for len(b) < 16 {
			b = append(b, ' ')
		}
		return b
	}
	body = append(body, pad(called)...)
	body = append(body, pad(calling)...)
	body = append(body, make([]byte, 32)...)
	body = append(body, item(0x10, []byte("1.2.840.10008.3.1.1.1"))...)
	for i, a := range abstract {
		pc := []byte{byte(2*i + 1), 0, 0, 0}
		pc = append(pc, item(0x30, []byte(a))...)
		pc = append(pc, item(0x40, []byte("1.2.840.10008.1.2"))...)
		body = append(body, item(0x20, pc)...)
	}
	ui := item(0x51, []byte{0, 0, 0x40, 0})
	ui = append(ui, item(0x52, []byte(impl))...)
	ui = append(ui, item(0x55, []byte(version))...)
	body = append(body, item(0x50, ui)...)
	h := []byte{AssociateRQ, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[2:], uint32(len(body)))
	return append(h, body...)
}

func TestParseAssociate(t *testing.T) {
	pdu := associateRQ("ARCHIVE", "MODALITY1", "1.2.3.4\x00", "VENDOR_1", "1.2.840.10008.1.1", "1.2.840.10008.5.1.4.1.1.2")
	if !LooksLikeAssociate(pdu) {
		t.Fatal("not recognised")
	}
	a, err := ParseAssociate(pdu)
	if err != nil {
		t.Fatal(err)
	}
	if a.CalledAE != "ARCHIVE" || a.CallingAE != "MODALITY1" || a.ImplementationClassUID != "1.2.3.4" ||
		a.ImplementationVersion != "VENDOR_1" || a.ApplicationContext != "1.2.840.10008.3.1.1.1" || a.MaxPDULength != 0x4000 {
		t.Fatalf("got %+v", a)
	}
	if len(a.Contexts) != 2 || a.Contexts[1].AbstractSyntax != "1.2.840.10008.5.1.4.1.1.2" || a.Contexts[1].ID != 3 {
		t.Fatalf("contexts %+v", a.Contexts)
	}
	for n := range len(pdu) - 1 {
		if _, err := ParseAssociate(pdu[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
}

func TestParseCommand(t *testing.T) {
	el := func(elem uint16, v []byte) []byte {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint16(b[2:], elem)
		binary.LittleEndian.PutUint32(b[4:], uint32(len(v)))
		return append(b, v...)
	}
	cmd := append(el(0x0002, []byte("1.2.840.10008.1.1\x00")), el(0x0100, []byte{0x30, 0x80})...)
	c, err := ParseCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	name, rsp := CommandName(c.Field)
	if name != "C-ECHO" || !rsp || c.AffectedSOPClass != "1.2.840.10008.1.1" {
		t.Fatalf("got %+v %s %v", c, name, rsp)
	}
}

func FuzzParseAssociate(f *testing.F) {
	f.Add(associateRQ("A", "B", "1.2", "V", "1.2.840.10008.1.1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAssociate(b)
		if err == nil && len(a.Contexts) > 128 {
			t.Fatal("unbounded contexts")
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 2, 0, 0, 0, 0x30, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCommand(b)
		if err == nil {
			CommandName(c.Field)
		}
	})
}
