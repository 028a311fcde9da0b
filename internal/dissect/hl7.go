package dissect

import (
	"bytes"

	"github.com/vigil-med/vigil/internal/dissect/hl7"
	"github.com/vigil-med/vigil/internal/domain"
)

// maxMSH bounds the MSH segment the decoder waits for.
const maxMSH = 2048

// hl7Message reads one MLLP-framed HL7 v2 message of a direction: the MSH
// segment is parsed; everything after it up to the end block (PID and all
// other segments) is passed over and never buffered.
func (d *Decoder) hl7Message(dr *dir, b []byte) (int, uint32) {
	if dr.inBody {
		i := bytes.IndexByte(b, hl7.EndBlock)
		if i < 0 {
			return len(b), 0 // discard: body bytes are never kept
		}
		dr.inBody = false
		return i + 1, 0
	}
	i := bytes.IndexByte(b, hl7.StartBlock)
	if i < 0 {
		return len(b), 0
	}
	msg := b[i+1:]
	if len(msg) >= 3 && string(msg[:3]) != "MSH" {
		// Not a message's header: what ParseMSH would say at the
		// segment's end, said without looking for it.
		d.fail("hl7", ErrMalformed)
		dr.inBody = true
		return i + 1, 0
	}
	end := hl7.SegmentEnd(msg)
	if end < 0 {
		if len(msg) > maxMSH {
			d.endDir(dr)
			return len(b), 0
		}
		if i > 0 {
			return i, 0 // drop what precedes the start block
		}
		return 0, 0
	}
	m, err := hl7.ParseMSH(msg[:end])
	if err != nil {
		d.fail("hl7", ErrMalformed)
	} else {
		d.hl7Facts(m)
	}
	dr.inBody = true
	return i + 1 + end, 0
}

// hl7Facts reports the MSH fields: the sending application and facility
// belong to the sender, the receiving ones to the receiver.
func (d *Decoder) hl7Facts(m hl7.MSH) {
	src, dst := d.srcHost(), d.dstHost()
	d.observe(src, domain.ObsHL7Application, cleanString(m.SendingApplication), "HL7 MSH-3 sending application")
	d.observe(src, domain.ObsHL7Facility, cleanString(m.SendingFacility), "HL7 MSH-4 sending facility")
	d.observe(dst, domain.ObsHL7Application, cleanString(m.ReceivingApplication), "HL7 MSH-5 receiving application")
	d.observe(dst, domain.ObsHL7Facility, cleanString(m.ReceivingFacility), "HL7 MSH-6 receiving facility")
	if m.MessageType != "" {
		v := m.MessageType
		if m.Version != "" {
			v += " " + m.Version
		}
		d.observe(src, domain.ObsHL7Message, cleanString(v), "HL7 MSH-9 message type and MSH-12 version")
	}
}
