package dissect

import (
	"encoding/binary"

	"github.com/vigil-med/vigil/internal/domain"
)

// maxSMBNegotiate bounds the NEGOTIATE message waited for.
const maxSMBNegotiate = 4096

// isSMBStart recognises an SMB1 or SMB2/3 message in a NetBIOS session
// service frame (direct TCP on 445 or NetBIOS on 139).
func isSMBStart(b []byte) bool {
	if len(b) < 8 || b[0] != 0 {
		return false
	}
	return (b[4] == 0xff || b[4] == 0xfe) && string(b[5:8]) == "SMB"
}

// smbMessage reads the NEGOTIATE request (dialects offered by a client) or
// response (dialect chosen by the server). An SMB1 negotiate is reported as
// dialect "SMB1": the protocol is deprecated and worth flagging.
func (d *Decoder) smbMessage(dr *dir, b []byte) (int, uint32) {
	if len(b) < 4 {
		return 0, 0
	}
	n := int(binary.BigEndian.Uint32(b[0:4]) & 0x00ffffff)
	if b[0] != 0 || n < 4 {
		d.endDir(dr)
		return len(b), 0
	}
	if n > maxSMBNegotiate {
		d.endDir(dr)
		return len(b), 0
	}
	if len(b) < 4+n {
		return 0, 0
	}
	msg := b[4 : 4+n]
	dr.count++
	src := d.srcHost()
	switch {
	case msg[0] == 0xff && len(msg) >= 32 && string(msg[1:4]) == "SMB":
		if msg[4] == 0x72 { // SMB_COM_NEGOTIATE
			d.observe(src, domain.ObsSMBDialect, "SMB1", "SMB1 NEGOTIATE")
		}
	case msg[0] == 0xfe && len(msg) >= 64 && string(msg[1:4]) == "SMB":
		if binary.LittleEndian.Uint16(msg[12:14]) == 0 { // NEGOTIATE
			d.smb2Negotiate(src, msg[64:], binary.LittleEndian.Uint32(msg[16:20])&1 != 0)
		}
	}
	if dr.count >= 2 {
		d.endDir(dr)
		return len(b), 0
	}
	return 4 + n, 0
}

// smb2Negotiate reads the dialect list of an SMB2 NEGOTIATE request or the
// chosen dialect of its response.
func (d *Decoder) smb2Negotiate(src host, body []byte, response bool) {
	if response {
		if len(body) >= 6 {
			d.observe(src, domain.ObsSMBDialect, smbDialect(binary.LittleEndian.Uint16(body[4:6])), "SMB2 NEGOTIATE response dialect")
		}
		return
	}
	if len(body) < 36 {
		return
	}
	count := int(binary.LittleEndian.Uint16(body[2:4]))
	list := body[36:]
	for i := 0; i < count && 2*i+1 < len(list); i++ {
		d.observe(src, domain.ObsSMBDialect, smbDialect(binary.LittleEndian.Uint16(list[2*i:])), "SMB2 NEGOTIATE request dialect")
	}
}

func smbDialect(v uint16) string {
	switch v {
	case 0x0202:
		return "2.0.2"
	case 0x0210:
		return "2.1"
	case 0x0300:
		return "3.0"
	case 0x0302:
		return "3.0.2"
	case 0x0311:
		return "3.1.1"
	case 0x02ff:
		return "2.???"
	}
	return ""
}
