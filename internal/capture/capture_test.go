package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/iotest"

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

// TestCutAtEveryByte cuts a pcap and a pcapng capture at every byte and,
// through a reader that returns one byte per call (so every refill path of
// the read buffer runs), checks that the frames read are exactly the whole
// records before the cut and that a cut inside a record is reported at
// that record's offset.
func TestCutAtEveryByte(t *testing.T) {
	for _, rel := range []string{"pcap/discovery/zeek-dhcp.pcap", "pcap/medical/ndpi-hl7.pcap"} {
		data, err := os.ReadFile(vigiltest.SharedData(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		full := openAll(t, vigiltest.SharedData(t, rel))
		pcapng := data[0] == 0x0a
		for cut := 0; cut <= len(data); cut++ {
			var r io.Reader = bytes.NewReader(data[:cut])
			if cut%7 == 0 {
				r = iotest.OneByteReader(r)
			}
			s, err := NewReader(r, "cut")
			if err != nil {
				var fe *FormatError
				if !errors.As(err, &fe) || cut >= 64 {
					t.Fatalf("%s cut at %d: open: %v", rel, cut, err)
				}
				continue
			}
			got, err := readAll(t, s)
			if len(got) > len(full) {
				t.Fatalf("%s cut at %d: %d frames of %d", rel, cut, len(got), len(full))
			}
			for i := range got {
				if got[i].Offset != full[i].Offset || !bytes.Equal(got[i].Data, full[i].Data) || !got[i].At.Equal(full[i].At) {
					t.Fatalf("%s cut at %d: frame %d differs", rel, cut, i+1)
				}
			}
			// A frame is whole before the cut when the next record starts
			// at or before it.
			whole := 0
			for i := range full {
				end := int64(len(data))
				if i+1 < len(full) {
					end = full[i+1].Offset
				}
				if !pcapng {
					end = full[i].Offset + 16 + int64(len(full[i].Data))
				}
				if end <= int64(cut) {
					whole = i + 1
				}
			}
			var fe *FormatError
			switch {
			case err == nil:
				if len(got) != whole {
					t.Fatalf("%s cut at %d: clean end after %d frames, %d are whole", rel, cut, len(got), whole)
				}
			case errors.As(err, &fe) && errors.Is(err, ErrTruncated):
				if fe.Offset >= int64(cut) || (len(got) > 0 && fe.Offset <= got[len(got)-1].Offset) {
					t.Fatalf("%s cut at %d: truncation reported at %d after %d frames", rel, cut, fe.Offset, len(got))
				}
				if !pcapng && (len(got) != whole || (whole < len(full) && fe.Offset != full[whole].Offset)) {
					t.Fatalf("%s cut at %d: %d frames, truncation at %d; want %d frames", rel, cut, len(got), fe.Offset, whole)
				}
				if pcapng && len(got) < whole-1 {
					t.Fatalf("%s cut at %d: %d frames kept, %d are whole", rel, cut, len(got), whole)
				}
			default:
				t.Fatalf("%s cut at %d: %v", rel, cut, err)
			}
		}
	}
}

// TestReaderAllocations reads a 20,000-frame pcap and pcapng (real
// records, repeated) and checks that frames come out of the read buffer
// without an allocation each.
func TestReaderAllocations(t *testing.T) {
	for _, rel := range []string{"pcap/discovery/zeek-dhcp.pcap", "pcap/medical/ndpi-hl7.pcap"} {
		data, err := os.ReadFile(vigiltest.SharedData(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		full := openAll(t, vigiltest.SharedData(t, rel))
		// Repeat everything after the first frame's record start (the file
		// header, and for pcapng the section and interface blocks, stay once).
		head, recs := data[:full[0].Offset], data[full[0].Offset:]
		big := bytes.Clone(head)
		for len(big) < 4<<20 {
			big = append(big, recs...)
		}
		frames := 0
		allocs := testing.AllocsPerRun(1, func() {
			s, err := NewReader(bytes.NewReader(big), "big")
			if err != nil {
				t.Fatal(err)
			}
			frames = 0
			for {
				if _, err := s.Next(); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Fatal(err)
					}
					return
				}
				frames++
			}
		})
		if frames < 1000 || allocs/float64(frames) > 0.01 {
			t.Fatalf("%s: %.0f allocations for %d frames", rel, allocs, frames)
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
