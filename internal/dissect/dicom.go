package dissect

import (
	"github.com/vigil-med/vigil/internal/dissect/dicom"
	"github.com/vigil-med/vigil/internal/domain"
)

// maxAssociate bounds the A-ASSOCIATE PDU the decoder waits for.
const maxAssociate = maxStreamBuf - dicom.HeaderLen

// maxCommandPDV bounds the command set read from a P-DATA-TF PDU.
const maxCommandPDV = 4096

// isDICOMStart recognises an A-ASSOCIATE-RQ/AC at the start of a direction,
// or a P-DATA-TF on a well-known DICOM port (a capture started mid-association).
func (d *Decoder) isDICOMStart(b []byte) bool {
	if dicom.LooksLikeAssociate(b) {
		return true
	}
	return d.p.App == AppDICOM && len(b) >= 12 && b[0] == dicom.PDataTF && b[1] == 0 && b[6] == 0 && b[7] == 0
}

// dicomPDU reads one PDU of a DICOM direction: associations in full, and
// the command set at the start of P-DATA-TF PDUs; data sets are skipped
// without being buffered.
func (d *Decoder) dicomPDU(s *stream, dr *dir, b []byte) (int, uint32) {
	typ, n, ok := dicom.PDUHeader(b)
	if !ok {
		return 0, 0
	}
	total := uint64(dicom.HeaderLen) + uint64(n)
	consume := func() (int, uint32) {
		if uint64(len(b)) >= total {
			return int(total), 0
		}
		return len(b), uint32(total - uint64(len(b)))
	}
	switch typ {
	case dicom.AssociateRQ, dicom.AssociateAC:
		if n > maxAssociate {
			d.endDir(dr)
			return len(b), 0
		}
		if uint64(len(b)) < total {
			return 0, 0
		}
		a, err := dicom.ParseAssociate(b[:total])
		if err != nil {
			d.fail("dicom", ErrMalformed)
		}
		d.dicomAssociate(s, a)
		return int(total), 0
	case dicom.PDataTF:
		pdv, ok := dicom.FirstPDV(b[dicom.HeaderLen:])
		if !ok {
			return 0, 0
		}
		if pdv.Command && pdv.Length >= 2 && pdv.Length <= maxCommandPDV && uint64(pdv.Length)+4 <= uint64(n) {
			end := dicom.HeaderLen + 4 + int(pdv.Length)
			if len(b) < end {
				return 0, 0
			}
			if c, err := dicom.ParseCommand(b[dicom.HeaderLen+6 : end]); err == nil {
				d.dicomCommand(c)
			}
		}
		return consume()
	case dicom.AssociateRJ, dicom.ReleaseRQ, dicom.ReleaseRP, dicom.Abort:
		return consume()
	}
	d.endDir(dr)
	return len(b), 0
}

// dicomAssociate reports the facts of an A-ASSOCIATE-RQ or -AC. In a
// request the calling AE title is the sender's and the called AE title
// the receiver's; in an accept the roles are reversed.
func (d *Decoder) dicomAssociate(s *stream, a dicom.Associate) {
	src, dst := d.srcHost(), d.dstHost()
	pdu := "DICOM A-ASSOCIATE-RQ"
	own, peer := a.CallingAE, a.CalledAE
	ownField, peerField := " calling AE title", " called AE title"
	if a.Type == dicom.AssociateAC {
		pdu = "DICOM A-ASSOCIATE-AC"
		own, peer = a.CalledAE, a.CallingAE
		ownField, peerField = " called AE title", " calling AE title"
	}
	d.observe(src, domain.ObsDICOMAETitle, cleanString(own), pdu+ownField)
	d.observe(dst, domain.ObsDICOMAETitle, cleanString(peer), pdu+peerField)
	d.observe(src, domain.ObsDICOMImplUID, cleanString(a.ImplementationClassUID), pdu+" implementation class UID")
	d.observe(src, domain.ObsDICOMImplVer, cleanString(a.ImplementationVersion), pdu+" implementation version name")
	for _, pc := range a.Contexts {
		if a.Type == dicom.AssociateRQ {
			if len(s.dicomCtx) < 128 {
				s.dicomCtx = append(s.dicomCtx, dicomContext{pc.ID, pc.AbstractSyntax})
			}
			d.observe(src, domain.ObsDICOMAbstract, cleanString(pc.AbstractSyntax), pdu+" proposed abstract syntax")
			continue
		}
		if pc.Result != 0 {
			continue
		}
		for _, c := range s.dicomCtx {
			if c.id == pc.ID {
				d.observe(src, domain.ObsDICOMAbstract, cleanString(c.abstract), pdu+" accepted abstract syntax")
			}
		}
	}
}

// dicomCommand reports the DIMSE service a P-DATA-TF command set uses.
func (d *Decoder) dicomCommand(c dicom.Command) {
	name, response := dicom.CommandName(c.Field)
	if name == "" {
		return
	}
	what := "DICOM P-DATA command field " + name + "-RQ"
	if response {
		what = "DICOM P-DATA command field " + name + "-RSP"
	}
	d.observe(d.srcHost(), domain.ObsDICOMCommand, name, what)
}

// dicomContext remembers a proposed presentation context of a stream, so
// the accept can name the abstract syntaxes it accepted.
type dicomContext struct {
	id       byte
	abstract string
}
