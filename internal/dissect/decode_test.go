package dissect_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// TestPacketFields checks the conversation facts of a tagged TCP frame.
func TestPacketFields(t *testing.T) {
	f := tcpFrame(40000, 104, 7, 0x18, []byte("hello"))
	// insert an 802.1Q tag with VLAN 42
	tagged := append(append(append([]byte{}, f[:12]...), 0x81, 0x00, 0x00, 42), f[12:]...)
	d := dissect.NewDecoder("t")
	var p dissect.Packet
	at := time.Unix(100, 0)
	if err := d.Decode(at, dissect.LinkEthernet, tagged, &p, nil); err != nil {
		t.Fatal(err)
	}
	if !p.At.Equal(at) || p.VLAN != 42 || !p.HasMAC || p.SrcMAC != macA || p.DstMAC != macB || p.Src != ipA || p.Dst != ipB ||
		p.Proto != 6 || p.SrcPort != 40000 || p.DstPort != 104 || p.TCPFlags != 0x18 || p.App != "dicom" || p.Length != len(tagged) {
		t.Fatalf("got %+v", p)
	}
	if err := d.Decode(at, dissect.LinkEthernet, tagged[:20], &p, nil); err == nil {
		t.Fatal("a truncated frame gave no error")
	} else if de := (*dissect.DecodeError)(nil); !errors.As(err, &de) || de.Frame != 2 {
		t.Fatalf("error %v does not name frame 2", err)
	}
}

// TestNoAllocations: an ordinary data packet of a known conversation and a
// repeated DNS query decode without allocating.
func TestNoAllocations(t *testing.T) {
	d := dissect.NewDecoder("t")
	var p dissect.Packet
	at := time.Unix(1, 0)
	d.Decode(at, dissect.LinkEthernet, tcpFrame(40000, 9001, 1, 0x02, nil), &p, nil)
	d.Decode(at, dissect.LinkEthernet, tcpFrame(40000, 9001, 2, 0x18, []byte("some opaque application bytes")), &p, nil)
	seq := uint32(2 + 29)
	data := tcpFrame(40000, 9001, seq, 0x10, make([]byte, 1000))
	dns := udpFrame(40001, 53, vigiltest.MixDNSQuery("pacs.example.org"))
	d.Decode(at, dissect.LinkEthernet, dns, &p, nil)
	allocs := testing.AllocsPerRun(200, func() {
		binary.BigEndian.PutUint32(data[14+20+4:], seq)
		seq += 1000
		d.Decode(at, dissect.LinkEthernet, data, &p, nil)
		d.Decode(at, dissect.LinkEthernet, dns, &p, nil)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per ordinary packet pair", allocs)
	}
}

// TestHeadersAcrossSegments: a DICOM A-ASSOCIATE-RQ and an HL7 MSH cut
// into pieces, with a retransmission, are still read, exactly once.
func TestHeadersAcrossSegments(t *testing.T) {
	for _, tc := range []struct {
		port    uint16
		payload []byte
		kind    domain.ObservationKind
		want    []string
	}{
		{4100, vigiltest.MixAssociate("CT_SCANNER", "PACS"), domain.ObsDICOMAETitle, []string{"CT_SCANNER", "PACS"}},
		{5100, []byte("\x0bMSH|^~\\&|LABSYS|NORTH|EHR|CENTRAL|2026||ORU^R01|7|P|2.5\rPID|1||SECRET\r\x1c\r"), domain.ObsHL7Message, []string{"ORU^R01 2.5"}},
	} {
		d := dissect.NewDecoder("t")
		var p dissect.Packet
		var got []string
		emit := func(o domain.Observation) {
			if o.Kind == tc.kind {
				got = append(got, o.Value)
			}
		}
		d.Decode(time.Unix(1, 0), dissect.LinkEthernet, tcpFrame(40000, tc.port, 99, 0x02, nil), &p, emit)
		pl := tc.payload
		cuts := []int{0, 3, 10, 10, len(pl) / 2, len(pl)} // 10→10 is empty; 3..10 resent below
		for i := 0; i+1 < len(cuts); i++ {
			a, b := cuts[i], cuts[i+1]
			d.Decode(time.Unix(1, 0), dissect.LinkEthernet, tcpFrame(40000, tc.port, 100+uint32(a), 0x18, pl[a:b]), &p, emit)
			if i == 1 { // retransmit the segment just sent
				d.Decode(time.Unix(1, 0), dissect.LinkEthernet, tcpFrame(40000, tc.port, 100+uint32(a), 0x18, pl[a:b]), &p, emit)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("port %d: got %q, want %q", tc.port, got, tc.want)
		}
	}
}
