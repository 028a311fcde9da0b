// Package activecheck holds Vigil's only active probes. Vigil is passive by
// default: these run only when a user asks for one explicitly, only
// against addresses on an explicit allow-list, and at a limited rate.
package activecheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// DICOM UIDs used by the verification check (PS3.6, PS3.7).
const (
	appContextUID    = "1.2.840.10008.3.1.1.1"                       // DICOM Application Context Name
	verificationUID  = "1.2.840.10008.1.1"                           // Verification SOP Class
	implicitLEUID    = "1.2.840.10008.1.2"                           // Implicit VR Little Endian
	ImplClassUID     = "2.25.60193876284963474854393016796821565295" // Vigil's implementation class UID: a UUID-derived UID (ITU-T X.667, DICOM PS3.5 §B.2)
	ImplVersionName  = "VIGIL_1"
	maxPDU           = 1 << 20
	defaultDICOMPort = 104
)

// DICOMResult is what one verification check learned.
type DICOMResult struct {
	Address      string `json:"address"`
	CalledAE     string `json:"called_ae"`
	CallingAE    string `json:"calling_ae"`
	Accepted     bool   `json:"accepted"`         // the association was accepted
	Reason       string `json:"reason,omitempty"` // why not
	ImplClassUID string `json:"implementation_class_uid,omitempty"`
	ImplVersion  string `json:"implementation_version_name,omitempty"`
	EchoStatus   *int   `json:"echo_status,omitempty"` // 0 = success
	At           time.Time
}

// Observations turns the result into observations of the peer.
func (r *DICOMResult) Observations() []domain.Observation {
	ip, _ := netip.ParseAddrPort(r.Address)
	src := "check:dicom"
	var out []domain.Observation
	add := func(k domain.ObservationKind, v, ev string) {
		if v != "" {
			out = append(out, domain.Observation{At: r.At, IP: ip.Addr(), Kind: k, Value: v, Source: src, Evidence: ev})
		}
	}
	add(domain.ObsDICOMImplUID, r.ImplClassUID, "A-ASSOCIATE-AC from an explicit DICOM check")
	add(domain.ObsDICOMImplVer, r.ImplVersion, "A-ASSOCIATE-AC from an explicit DICOM check")
	if r.Accepted {
		add(domain.ObsDICOMAETitle, r.CalledAE, "accepted as called AE title by an explicit DICOM check")
		add(domain.ObsOpenPort, fmt.Sprintf("tcp/%d dicom", ip.Port()), "explicit DICOM check")
	}
	return out
}

// AllowList is the set of addresses active checks may reach.
type AllowList struct{ prefixes []netip.Prefix }

// ParseAllowList reads CIDR ranges (or single addresses).
func ParseAllowList(ranges []string) (*AllowList, error) {
	a := &AllowList{}
	for _, r := range ranges {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if p, err := netip.ParsePrefix(r); err == nil {
			a.prefixes = append(a.prefixes, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(r)
		if err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "allow-list entry %q is not an address or a range like 10.20.0.0/24", r)
		}
		a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return a, nil
}

// Permits reports whether ip is on the list.
func (a *AllowList) Permits(ip netip.Addr) bool {
	for _, p := range a.prefixes {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// Target resolves HOST[:PORT] (port 104 by default) to an address on the
// allow-list; names are resolved, and every address they give must be
// allowed.
func (a *AllowList) Target(ctx context.Context, hostport string) (netip.AddrPort, error) {
	host, port := hostport, fmt.Sprint(defaultDICOMPort)
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	var pn uint16
	if _, err := fmt.Sscan(port, &pn); err != nil || pn == 0 {
		return netip.AddrPort{}, domain.Errorf(domain.CodeInvalid, "%q: port %q is not a port number", hostport, port)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, domain.Errorf(domain.CodeInvalid, "cannot resolve %q", host)
	}
	for _, ip := range ips {
		if !a.Permits(ip) {
			return netip.AddrPort{}, domain.Errorf(domain.CodeForbidden, "%s (%s) is not on the allow-list; Vigil only probes addresses you list with --allow", host, ip.Unmap())
		}
	}
	return netip.AddrPortFrom(ips[0].Unmap(), pn), nil
}

// EchoDICOM opens one association with the verification SOP class, sends
// one C-ECHO, reads the answer and releases the association. The caller
// checks the target against the allow-list first.
func EchoDICOM(ctx context.Context, target netip.AddrPort, calledAE, callingAE string, timeout time.Duration) (*DICOMResult, error) {
	res := &DICOMResult{Address: target.String(), CalledAE: calledAE, CallingAE: callingAE, At: time.Now().UTC()}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", target.String())
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "cannot connect to %s: %v", target, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(associateRQ(calledAE, callingAE)); err != nil {
		return nil, fmt.Errorf("activecheck: sending A-ASSOCIATE-RQ: %w", err)
	}
	typ, body, err := readPDU(conn)
	if err != nil {
		return nil, fmt.Errorf("activecheck: reading the association answer: %w", err)
	}
	switch typ {
	case 0x02:
	case 0x03:
		res.Reason = rejectReason(body)
		return res, nil
	case 0x07:
		res.Reason = "the peer aborted the association"
		return res, nil
	default:
		return nil, fmt.Errorf("activecheck: unexpected PDU type 0x%02x in answer to A-ASSOCIATE-RQ", typ)
	}
	accepted, err := parseAssociateAC(body, res)
	if err != nil {
		return nil, err
	}
	if !accepted {
		res.Reason = "the peer accepted the association but not the verification SOP class"
		release(conn)
		return res, nil
	}
	res.Accepted = true
	if _, err := conn.Write(echoRQ()); err != nil {
		return nil, fmt.Errorf("activecheck: sending C-ECHO-RQ: %w", err)
	}
	typ, body, err = readPDU(conn)
	if err != nil || typ != 0x04 {
		return nil, fmt.Errorf("activecheck: no C-ECHO-RSP (PDU 0x%02x): %v", typ, err)
	}
	if st, ok := echoStatus(body); ok {
		res.EchoStatus = &st
	}
	release(conn)
	return res, nil
}

func aeField(ae string) []byte {
	b := bytes.Repeat([]byte{' '}, 16)
	copy(b, ae)
	return b
}

func item(typ byte, value []byte) []byte {
	b := []byte{typ, 0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(value)))
	return append(b, value...)
}

func pdu(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[2:], uint32(len(body)))
	return append(b, body...)
}

// associateRQ builds an A-ASSOCIATE-RQ (PS3.8 §9.3.2) proposing the
// verification SOP class in Implicit VR Little Endian.
func associateRQ(called, calling string) []byte {
	var b []byte
	b = append(b, 0, 1, 0, 0) // protocol version 1, reserved
	b = append(b, aeField(called)...)
	b = append(b, aeField(calling)...)
	b = append(b, make([]byte, 32)...)
	b = append(b, item(0x10, []byte(appContextUID))...)
	pc := []byte{1, 0, 0, 0}
	pc = append(pc, item(0x30, []byte(verificationUID))...)
	pc = append(pc, item(0x40, []byte(implicitLEUID))...)
	b = append(b, item(0x20, pc)...)
	maxLen := make([]byte, 4)
	binary.BigEndian.PutUint32(maxLen, 16384)
	ui := item(0x51, maxLen)
	ui = append(ui, item(0x52, []byte(ImplClassUID))...)
	ui = append(ui, item(0x55, []byte(ImplVersionName))...)
	b = append(b, item(0x50, ui)...)
	return pdu(0x01, b)
}

func readPDU(r io.Reader) (byte, []byte, error) {
	var h [6]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[2:])
	if n > maxPDU {
		return 0, nil, fmt.Errorf("a PDU of %d bytes is larger than the %d Vigil accepts", n, maxPDU)
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return h[0], body, err
}

// parseAssociateAC reads the presentation context result and the user
// information of an A-ASSOCIATE-AC (PS3.8 §9.3.3).
func parseAssociateAC(body []byte, res *DICOMResult) (bool, error) {
	if len(body) < 68 {
		return false, errors.New("activecheck: A-ASSOCIATE-AC is too short")
	}
	accepted := false
	items := body[68:]
	for len(items) >= 4 {
		typ, n := items[0], int(binary.BigEndian.Uint16(items[2:]))
		if 4+n > len(items) {
			return false, errors.New("activecheck: A-ASSOCIATE-AC item runs past the PDU")
		}
		v := items[4 : 4+n]
		switch typ {
		case 0x21:
			if len(v) >= 4 && v[0] == 1 && v[2] == 0 {
				accepted = true
			}
		case 0x50:
			for len(v) >= 4 {
				st, m := v[0], int(binary.BigEndian.Uint16(v[2:]))
				if 4+m > len(v) {
					break
				}
				sv := strings.TrimRight(string(v[4:4+m]), "\x00 ")
				switch st {
				case 0x52:
					res.ImplClassUID = sv
				case 0x55:
					res.ImplVersion = sv
				}
				v = v[4+m:]
			}
		}
		items = items[4+n:]
	}
	return accepted, nil
}

func rejectReason(body []byte) string {
	if len(body) < 4 {
		return "the peer rejected the association"
	}
	switch {
	case body[2] == 1 && body[3] == 7:
		return "the peer rejected the association: called AE title not recognised"
	case body[2] == 1 && body[3] == 3:
		return "the peer rejected the association: calling AE title not recognised"
	}
	return fmt.Sprintf("the peer rejected the association (source %d, reason %d)", body[2], body[3])
}

// element encodes one Implicit VR Little Endian data element.
func element(group, elem uint16, value []byte) []byte {
	b := make([]byte, 8, 8+len(value))
	binary.LittleEndian.PutUint16(b[0:], group)
	binary.LittleEndian.PutUint16(b[2:], elem)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(value)))
	return append(b, value...)
}

func us(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// echoRQ builds a P-DATA-TF carrying a C-ECHO-RQ command (PS3.7 §9.3.5).
func echoRQ() []byte {
	uid := []byte(verificationUID)
	if len(uid)%2 == 1 {
		uid = append(uid, 0)
	}
	var cmd []byte
	cmd = append(cmd, element(0x0000, 0x0002, uid)...)
	cmd = append(cmd, element(0x0000, 0x0100, us(0x0030))...) // C-ECHO-RQ
	cmd = append(cmd, element(0x0000, 0x0110, us(1))...)      // message id
	cmd = append(cmd, element(0x0000, 0x0800, us(0x0101))...) // no data set
	gl := binary.LittleEndian.AppendUint32(nil, uint32(len(cmd)))
	cmd = append(element(0x0000, 0x0000, gl), cmd...)
	pdv := binary.BigEndian.AppendUint32(nil, uint32(len(cmd)+2))
	pdv = append(pdv, 1, 0x03) // presentation context 1; command, last fragment
	pdv = append(pdv, cmd...)
	return pdu(0x04, pdv)
}

// echoStatus finds the Status (0000,0900) of a C-ECHO-RSP.
func echoStatus(body []byte) (int, bool) {
	if len(body) < 6 {
		return 0, false
	}
	cmd := body[6:]
	for len(cmd) >= 8 {
		g, e := binary.LittleEndian.Uint16(cmd[0:]), binary.LittleEndian.Uint16(cmd[2:])
		n := int(binary.LittleEndian.Uint32(cmd[4:]))
		if n < 0 || 8+n > len(cmd) {
			return 0, false
		}
		if g == 0 && e == 0x0900 && n == 2 {
			return int(binary.LittleEndian.Uint16(cmd[8:])), true
		}
		cmd = cmd[8+n:]
	}
	return 0, false
}

// release sends A-RELEASE-RQ and reads the answer (best effort).
func release(conn net.Conn) {
	if _, err := conn.Write(pdu(0x05, make([]byte, 4))); err == nil {
		readPDU(conn)
	}
}
