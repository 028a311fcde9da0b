package dissect_test

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// checkObservation holds for every fact any input produces.
func checkObservation(t *testing.T, o domain.Observation) {
	t.Helper()
	if o.Kind == "" || o.Value == "" || o.Source == "" || !strings.Contains(o.Evidence, ", frame ") {
		t.Fatalf("incomplete observation %+v", o)
	}
	if !utf8.ValidString(o.Value) || len(o.Value) > 300 {
		t.Fatalf("value not clean text: %q", o.Value)
	}
	if o.MAC != "" && len(o.MAC) != 17 {
		t.Fatalf("MAC not normalised: %q", o.MAC)
	}
	if !o.IP.IsValid() && o.MAC == "" {
		t.Fatalf("observation names no host: %+v", o)
	}
}

// decodeAll feeds frames to one decoder and checks every fact.
func decodeAll(t *testing.T, link dissect.LinkType, frames ...[]byte) {
	d := dissect.NewDecoder("fuzz")
	var p dissect.Packet
	for _, f := range frames {
		_ = d.Decode(time.Unix(1, 0), link, f, &p, func(o domain.Observation) { checkObservation(t, o) })
		if p.Length != len(f) {
			t.Fatalf("Length %d for a %d-byte frame", p.Length, len(f))
		}
	}
}

// seedCaptures adds frames of a few shared captures as seeds.
func seedCaptures(f *testing.F, rels ...string) {
	for _, rel := range rels {
		src, err := capture.OpenFile(vigiltest.SharedData(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		for i := 0; i < 40; i++ {
			fr, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint16(fr.Link), bytes.Clone(fr.Data))
		}
		src.Close()
	}
}

// FuzzDecode: any frame of any link type, then the same frame again (the
// TCP stream state sees a retransmission), never panics.
func FuzzDecode(f *testing.F) {
	seedCaptures(f, "pcap/discovery/zeek-dhcp.pcap", "pcap/discovery/zeek-cdp-v1.pcap", "pcap/discovery/zeek-lldp.pcap",
		"pcap/medical/ndpi-dicom.pcap", "pcap/peers/hl7-mllp-adt-a01.pcap", "pcap/http/zeek-http-get.pcap",
		"pcap/medical-devices/withings-bpm/3_2.pcap")
	f.Fuzz(func(t *testing.T, link uint16, frame []byte) {
		lt := dissect.LinkType(link % 300)
		decodeAll(t, lt, frame, frame)
	})
}

// fuzzUDP fuzzes one UDP dissector through a frame to its port.
func fuzzUDP(f *testing.F, port uint16, rels ...string) {
	seedCaptures(f, rels...)
	f.Fuzz(func(t *testing.T, _ uint16, payload []byte) {
		decodeAll(t, dissect.LinkEthernet, udpFrame(port, port, payload))
	})
}

// fuzzTCP fuzzes one TCP dissector: the payload is cut in two segments of
// one stream, so headers spanning segments are exercised.
func fuzzTCP(f *testing.F, sport, dport uint16, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(uint8(len(s)/2), s)
	}
	f.Fuzz(func(t *testing.T, cut uint8, payload []byte) {
		c := min(int(cut), len(payload))
		decodeAll(t, dissect.LinkEthernet,
			tcpFrame(sport, dport, 100, 0x02, nil),
			tcpFrame(sport, dport, 101, 0x18, payload[:c]),
			tcpFrame(sport, dport, 101+uint32(c), 0x18, payload[c:]))
	})
}

func FuzzDHCP(f *testing.F) { fuzzUDP(f, 67, "pcap/discovery/zeek-dhcp.pcap") }
func FuzzDNS(f *testing.F)  { fuzzUDP(f, 53, "pcap/discovery/zeek-mdns.pcap") }
func FuzzMDNS(f *testing.F) { fuzzUDP(f, 5353, "pcap/discovery/zeek-mdns.pcap") }
func FuzzNBNS(f *testing.F) { fuzzUDP(f, 137, "pcap/discovery/ndpi-netbios.pcap") }
func FuzzSSDP(f *testing.F) { fuzzUDP(f, 1900, "pcap/discovery/ndpi-ssdp-m-search.pcap") }
func FuzzSNMP(f *testing.F) { fuzzUDP(f, 161, "pcap/discovery/zeek-snmpv2_get.pcap") }

func FuzzLLDPCDP(f *testing.F) {
	seedCaptures(f, "pcap/discovery/zeek-lldp.pcap", "pcap/discovery/zeek-cdp-v1.pcap")
	f.Fuzz(func(t *testing.T, _ uint16, frame []byte) {
		decodeAll(t, dissect.LinkEthernet, frame)
		if len(frame) > 14 { // as LLDP whatever the EtherType
			g := bytes.Clone(frame)
			g[12], g[13] = 0x88, 0xcc
			decodeAll(t, dissect.LinkEthernet, g)
		}
	})
}

func FuzzDICOM(f *testing.F) {
	fuzzTCP(f, 40000, 104, []byte("\x01\x00\x00\x00\x00\x44\x00\x01\x00\x00CALLED          CALLING         "+strings.Repeat("\x00", 32)),
		[]byte("\x04\x00\x00\x00\x00\x10\x00\x00\x00\x0c\x01\x03\x00\x00\x00\x01\x02\x00\x00\x00\x30\x00"))
}

func FuzzHL7(f *testing.F) {
	fuzzTCP(f, 40000, 2575, []byte("\x0bMSH|^~\\&|APP|FAC|RAPP|RFAC|20240101||ADT^A01|1|P|2.5\rPID|1||123\r\x1c\r"))
}

func FuzzHTTP(f *testing.F) {
	fuzzTCP(f, 40000, 80, []byte("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nServer: z\r\nContent-Length: 3\r\n\r\nabc"))
}

func FuzzTLS(f *testing.F) {
	fuzzTCP(f, 40000, 443, []byte("\x16\x03\x01\x00\x2d\x01\x00\x00\x29\x03\x03"+strings.Repeat("\x00", 32)+"\x00\x00\x02\x13\x01\x01\x00"))
}

func FuzzSMB(f *testing.F) {
	fuzzTCP(f, 40000, 445, []byte("\x00\x00\x00\x20\xffSMB\x72"+strings.Repeat("\x00", 27)))
}

func FuzzSSH(f *testing.F) { fuzzTCP(f, 22, 40000, []byte("SSH-2.0-OpenSSH_9.2\r\n")) }
func FuzzFTP(f *testing.F) { fuzzTCP(f, 21, 40000, []byte("220 ready\r\n")) }
func FuzzTelnet(f *testing.F) {
	fuzzTCP(f, 23, 40000, []byte("\xff\xfd\x18\xff\xfa\x18\x01\xff\xf0\r\nlogin banner\r\n"))
}

// TestFuzzSeedsDecodeQuietly keeps the seed helper honest: the shared
// captures used as seeds exist and decode.
func TestFuzzSeedsExist(t *testing.T) {
	for _, rel := range []string{"pcap/discovery/zeek-dhcp.pcap", "pcap/medical/ndpi-dicom.pcap"} {
		if r := decodeFile(t, vigiltest.SharedData(t, rel)); r.frames == 0 {
			t.Fatalf("%s: no frames", filepath.Base(rel))
		}
	}
}
