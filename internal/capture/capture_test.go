package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/vigil-med/vigil/internal/vigiltest"
)

// readAll reads every frame of r, copying the data.
func readAll(t testing.TB, r Source) ([]Frame, error) {
	var out []Frame
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		f.Data = bytes.Clone(f.Data)
		out = append(out, f)
	}
}

func openAll(t *testing.T, path string) []Frame {
	t.Helper()
	s, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	frames, err := readAll(t, s)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return frames
}

// requireTool finds a peer program; under VIGIL_REQUIRE_PEERS=1 (CI) a
// missing one fails the test instead of skipping it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s is required (VIGIL_REQUIRE_PEERS=1): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// TestPcapngMatchesPcap converts real pcap captures to pcapng with
// Wireshark's editcap and checks both readers return the same frames.
func TestPcapngMatchesPcap(t *testing.T) {
	editcap := requireTool(t, "editcap")
	for _, rel := range []string{"pcap/discovery/zeek-dhcp.pcap", "pcap/peers/dicom-echo-store.pcap", "pcap/medical-devices/fitbit/2_6.pcap", "pcap/http/zeek-http-basic-auth-with-colon.pcap"} {
		src := vigiltest.SharedData(t, rel)
		ng := filepath.Join(t.TempDir(), "x.pcapng")
		if out, err := exec.Command(editcap, "-F", "pcapng", src, ng).CombinedOutput(); err != nil {
			t.Fatalf("editcap: %v\n%s", err, out)
		}
		a, b := openAll(t, src), openAll(t, ng)
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("%s: %d pcap frames, %d pcapng frames", rel, len(a), len(b))
		}
		for i := range a {
			if !a[i].At.Equal(b[i].At) || a[i].Link != b[i].Link || !bytes.Equal(a[i].Data, b[i].Data) || a[i].OrigLen != b[i].OrigLen {
				t.Fatalf("%s frame %d differs: %v/%d/%d vs %v/%d/%d", rel, i+1, a[i].At, a[i].Link, len(a[i].Data), b[i].At, b[i].Link, len(b[i].Data))
			}
		}
	}
}

// TestSharedPcapngFiles reads the shared pcapng captures to the end.
func TestSharedPcapngFiles(t *testing.T) {
	for _, rel := range []string{"pcap/medical/ndpi-dicom.pcap", "pcap/medical/ndpi-hl7.pcap", "pcap/discovery/ndpi-netbios.pcap", "pcap/ics/ndpi-bacnet.pcap"} {
		frames := openAll(t, vigiltest.SharedData(t, rel))
		want := map[string]int{"pcap/medical/ndpi-dicom.pcap": 6, "pcap/medical/ndpi-hl7.pcap": 47}[rel]
		if len(frames) == 0 || (want > 0 && len(frames) != want) {
			t.Fatalf("%s: %d frames, want %d", rel, len(frames), want)
		}
	}
}

// TestTruncatedFile cuts real captures in the middle of a record: every
// frame before it is returned, then an error names the record's offset.
func TestTruncatedFile(t *testing.T) {
	for _, rel := range []string{"pcap/discovery/zeek-dhcp.pcap", "pcap/medical/ndpi-hl7.pcap"} {
		data, err := os.ReadFile(vigiltest.SharedData(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		full := openAll(t, vigiltest.SharedData(t, rel))
		last := full[len(full)-1]
		cut := data[:last.Offset+10]
		s, err := NewReader(bytes.NewReader(cut), "cut")
		if err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, s)
		var fe *FormatError
		if !errors.As(err, &fe) || !errors.Is(err, ErrTruncated) {
			t.Fatalf("%s: want a truncation FormatError, got %v", rel, err)
		}
		if fe.Offset != last.Offset || len(got) != len(full)-1 {
			t.Fatalf("%s: error at %d (want %d), %d frames kept (want %d)", rel, fe.Offset, last.Offset, len(got), len(full)-1)
		}
	}
}

// TestCorruptLength gives a pcap record an absurd length.
func TestCorruptLength(t *testing.T) {
	data, err := os.ReadFile(vigiltest.SharedData(t, "pcap/discovery/zeek-dhcp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	full := openAll(t, vigiltest.SharedData(t, "pcap/discovery/zeek-dhcp.pcap"))
	bad := bytes.Clone(data)
	off := full[3].Offset
	copy(bad[off+8:off+12], []byte{0xff, 0xff, 0xff, 0x7f}) // included length
	s, _ := NewReader(bytes.NewReader(bad), "bad")
	got, err := readAll(t, s)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != off || len(got) != 3 {
		t.Fatalf("got %d frames, err %v", len(got), err)
	}
	if _, err := NewReader(bytes.NewReader([]byte("not a capture at all")), "x"); err == nil {
		t.Fatal("garbage accepted")
	}
}

func fuzzReader(f *testing.F, rels ...string) {
	for _, rel := range rels {
		data, err := os.ReadFile(vigiltest.SharedData(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), 4096)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := NewReader(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		var prev int64 = -1
		for range 10000 {
			fr, err := s.Next()
			if err != nil {
				var fe *FormatError
				if !errors.Is(err, io.EOF) && !errors.As(err, &fe) {
					t.Fatalf("error of the wrong type: %v", err)
				}
				return
			}
			if fr.Offset <= prev || fr.Offset >= int64(len(b)) || len(fr.Data) > maxRecord {
				t.Fatalf("bad frame offset %d (prev %d) or length %d", fr.Offset, prev, len(fr.Data))
			}
			prev = fr.Offset
		}
	})
}

func FuzzPcap(f *testing.F) {
	fuzzReader(f, "pcap/discovery/zeek-dhcp.pcap", "pcap/peers/hl7-mllp-adt-a01.pcap")
}
func FuzzPcapng(f *testing.F) {
	fuzzReader(f, "pcap/medical/ndpi-dicom.pcap", "pcap/ics/ndpi-bacnet.pcap")
}
