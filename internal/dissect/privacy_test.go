package dissect

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// TestHL7KeepsNoPatientData decodes the real HL7 captures and proves that
// no byte of any segment after MSH survives: not in an observation, not in
// the decoder's stream buffers after any frame. The PID segments' contents
// are read from the capture itself, so the test knows what to look for.
func TestHL7KeepsNoPatientData(t *testing.T) {
	for _, rel := range []string{"pcap/peers/hl7-mllp-adt-a01.pcap", "pcap/medical/ndpi-hl7.pcap"} {
		src, err := capture.OpenFile(vigiltest.SharedData(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder("test")
		var p Packet
		var obs []domain.Observation
		var secrets [][]byte
		for {
			f, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, pidFields(f.Data)...)
			_ = d.Decode(f.At, LinkType(f.Link), f.Data, &p, func(o domain.Observation) { obs = append(obs, o) })
			for _, s := range d.streams.m {
				for _, dr := range s.side {
					if bytes.Contains(dr.buf, []byte("PID")) {
						t.Fatalf("%s: a stream buffer holds a PID segment after frame %d", rel, d.frame)
					}
				}
			}
		}
		src.Close()
		if len(secrets) == 0 {
			t.Fatalf("%s: the capture holds no PID segment; the test proves nothing", rel)
		}
		if len(obs) == 0 {
			t.Fatalf("%s: no observations", rel)
		}
		for _, o := range obs {
			for _, s := range secrets {
				if strings.Contains(o.Value, string(s)) || strings.Contains(o.Evidence, string(s)) {
					t.Fatalf("%s: observation %+v contains patient data %q", rel, o, s)
				}
			}
		}
	}
}

// pidFields returns the non-trivial fields of PID segments in a frame.
func pidFields(frame []byte) [][]byte {
	var out [][]byte
	for {
		i := bytes.Index(frame, []byte("PID|"))
		if i < 0 {
			return out
		}
		seg := frame[i:]
		if j := bytes.IndexAny(seg, "\r\n\x1c"); j >= 0 {
			seg = seg[:j]
		}
		var msh []byte // values the header legitimately shares (e.g. an assigning authority)
		if k := bytes.Index(frame, []byte("MSH|")); k >= 0 {
			msh = frame[k:]
			if j := bytes.IndexAny(msh, "\r\n"); j >= 0 {
				msh = msh[:j]
			}
		}
		for _, f := range bytes.FieldsFunc(seg[4:], func(r rune) bool { return r == '|' || r == '^' || r == '~' }) {
			if len(f) >= 4 && !bytes.Contains(msh, f) {
				out = append(out, f)
			}
		}
		frame = frame[i+4:]
	}
}
