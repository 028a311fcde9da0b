// Package dissect reads network frames and turns them into conversation
// facts (Packet, for flow accounting) and host facts (domain.Observation,
// for identity resolution and fingerprinting). It performs no I/O.
//
// Every dissector is total over arbitrary bytes: truncated, malformed and
// hostile frames yield an error or partial facts, never a panic. The hot
// path (link, network and transport headers) does not allocate; application
// payloads are inspected only where they can carry facts: the first bytes of
// each TCP direction and UDP datagrams to known ports.
package dissect

import (
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// LinkType is the link-layer header type of a frame, numbered as pcap's
// LINKTYPE_ values.
type LinkType uint16

// Link types Decode understands.
const (
	LinkNull      LinkType = 0   // BSD loopback: 4-byte address family
	LinkEthernet  LinkType = 1   // IEEE 802.3 Ethernet
	LinkRaw       LinkType = 101 // raw IPv4 or IPv6
	LinkLinuxSLL  LinkType = 113 // Linux "cooked" capture v1
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkLinuxSLL2 LinkType = 276 // Linux "cooked" capture v2
)

// Packet holds the conversation facts of one frame, for flow accounting.
// Decode fills it without allocating.
type Packet struct {
	At             time.Time
	SrcMAC, DstMAC [6]byte
	HasMAC         bool
	VLAN           uint16
	Src, Dst       netip.Addr // zero when the frame carries no IP
	Proto          uint8      // 6 tcp, 17 udp, 1/58 icmp, 0 none
	SrcPort        uint16
	DstPort        uint16
	TCPFlags       uint8
	App            string // "dicom", "hl7", "http", "tls", "dns"…; constant strings only
	Length         int    // frame length on the wire
}

// TCP flag bits as found in Packet.TCPFlags.
const (
	TCPFin uint8 = 0x01
	TCPSyn uint8 = 0x02
	TCPRst uint8 = 0x04
	TCPPsh uint8 = 0x08
	TCPAck uint8 = 0x10
)

// Errors Decode returns. They are wrapped with the layer and frame number.
var (
	ErrTruncated   = errors.New("truncated")
	ErrMalformed   = errors.New("malformed")
	ErrUnsupported = errors.New("unsupported link type")
)

// DecodeError says which layer of which frame could not be read.
type DecodeError struct {
	Frame int64  // 1-based frame number within this decoder
	Layer string // "ethernet", "ipv4", "dhcp"…
	Err   error
}

func (e *DecodeError) Error() string {
	return e.Layer + ": " + e.Err.Error() + " in frame " + strconv.FormatInt(e.Frame, 10)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder dissects frames of one capture or interface. It keeps small,
// bounded per-stream state (the first bytes of each TCP direction) and a
// bounded set of facts already reported, so each fact is emitted once.
// A Decoder is not safe for concurrent use.
type Decoder struct {
	source string
	frame  int64

	streams streamTable
	seen    seenSet

	// per-frame scratch, reused
	emit func(domain.Observation)
	p    *Packet
	err  error
	// macLater is set while an Ethernet frame's source MAC waits for its
	// IPv4 header to be checked along with it (see sourceSeen4).
	macLater bool
}

// NewDecoder returns a decoder whose observations name source, e.g.
// "pcap:ward3.pcap" or "sensor:eth1".
func NewDecoder(source string) *Decoder {
	d := &Decoder{source: source}
	d.streams.init()
	d.seen.init()
	return d
}

// Frames reports how many frames the decoder has been given.
func (d *Decoder) Frames() int64 { return d.frame }

// Decode dissects one frame captured at at. It fills p and calls emit for
// every new fact learned. Malformed input returns an error (a *DecodeError)
// and possibly partial facts; it never panics.
func (d *Decoder) Decode(at time.Time, link LinkType, frame []byte, p *Packet, emit func(domain.Observation)) error {
	d.frame++
	*p = Packet{At: at, Length: len(frame)}
	if emit == nil {
		emit = discard
	}
	d.emit, d.p, d.err = emit, p, nil
	switch link {
	case LinkEthernet:
		d.ethernet(frame)
	case LinkRaw, 12, 14:
		d.rawIP(frame)
	case LinkIPv4:
		d.ipv4(frame)
	case LinkIPv6:
		d.ipv6(frame)
	case LinkNull:
		d.null(frame)
	case LinkLinuxSLL:
		d.sll(frame)
	case LinkLinuxSLL2:
		d.sll2(frame)
	default:
		d.fail("link", ErrUnsupported)
	}
	err := d.err
	d.emit, d.p, d.err = nil, nil, nil
	return err
}

func discard(domain.Observation) {}

// fail records the first error of the current frame.
func (d *Decoder) fail(layer string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Frame: d.frame, Layer: layer, Err: err}
	}
}

// evidence names protocol, field and the current frame number.
func (d *Decoder) evidence(what string) string {
	var b [96]byte
	s := append(b[:0], what...)
	s = append(s, ", frame "...)
	s = strconv.AppendInt(s, d.frame, 10)
	return string(s)
}

// host names one end of the current frame.
type host struct {
	mac [6]byte
	has bool
	ip  netip.Addr
}

func (d *Decoder) srcHost() host { return host{d.p.SrcMAC, d.p.HasMAC, d.p.Src} }
func (d *Decoder) dstHost() host { return host{d.p.DstMAC, d.p.HasMAC, d.p.Dst} }

// observe emits one fact about h unless it was already reported.
func (d *Decoder) observe(h host, kind domain.ObservationKind, value, evidence string) {
	if kind == obsMAC || kind == obsIP {
		d.report(h, kind, value, evidence, nil) // addPair deduplicates them
		return
	}
	k := d.seen.key(h, kind, value)
	d.report(h, kind, value, evidence, &k)
}

// report emits a fact about h unless h cannot be identified or the fact's
// key k (seenSet.key) was added before; a nil k is a fact deduplicated
// elsewhere.
func (d *Decoder) report(h host, kind domain.ObservationKind, value, evidence string, k *factKey) {
	named := h.has && !isMulticastMAC(h.mac) && h.mac != zeroMAC
	if value == "" || (!named && !h.ip.IsValid()) {
		return // a fact about no identifiable host
	}
	if k != nil && !d.seen.add(*k) {
		return
	}
	o := domain.Observation{
		At:       d.p.At,
		IP:       h.ip,
		Kind:     kind,
		Value:    value,
		Source:   d.source,
		Evidence: d.evidence(evidence),
	}
	if named {
		o.MAC = FormatMAC(h.mac)
	}
	d.emit(o)
}

// FormatMAC writes a hardware address as aa:bb:cc:dd:ee:ff.
func FormatMAC(m [6]byte) string {
	const hexdigits = "0123456789abcdef"
	var b [17]byte
	for i, c := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hexdigits[c>>4]
		b[i*3+1] = hexdigits[c&0xf]
	}
	return string(b[:])
}

func isMulticastMAC(m [6]byte) bool { return m[0]&1 == 1 }

var zeroMAC [6]byte
