package sbom_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/intel/sbom"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

func marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return append(out, '\n')
}

func fixtures(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, ext := range []string{"json", "xml", "spdx"} {
		files, _ := filepath.Glob("testdata/*." + ext)
		for _, f := range files {
			if !strings.HasSuffix(f, ".golden.json") {
				out = append(out, f)
			}
		}
	}
	if len(out) < 8 {
		tb.Fatalf("only %d fixtures", len(out))
	}
	return out
}

// Ensure the shared CycloneDX SBOM of a real medical device reads whole:
// every component of the file (counted independently), each with its
// PURL and CPE, and equal to the golden rendering.
func TestRead_Shared(t *testing.T) {
	path := vigiltest.SharedData(t, "sbom/medical-device-case-study/narrow.sbom.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := sbom.Sniff(data[:4096]); got != sbom.FormatCycloneDXJSON {
		t.Fatalf("Sniff = %q", got)
	}
	s, err := sbom.Read("narrow.sbom.json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v\n%v", err, domain.ErrorProblems(err))
	}
	var raw struct{ Components []map[string]any }
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if len(s.Components) != len(raw.Components) || s.Subject.Name == "" || s.SpecVersion != "1.4" {
		t.Fatalf("%d components (file: %d), subject %+v, spec %s", len(s.Components), len(raw.Components), s.Subject, s.SpecVersion)
	}
	for _, c := range s.Components {
		if c.PURL == "" || c.CPE == "" || c.Name == "" {
			t.Errorf("component without identity: %+v", c)
		}
	}
	importertest.Golden(t, "testdata/shared/narrow.sbom.golden.json", marshal(t, s))
}

// Ensure each fixture (both CycloneDX serialisations, both SPDX ones, and
// each kind of bad input) reads to exactly its golden SBOM or located
// error.
func TestRead_Golden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s, err := sbom.Read(name, f)
			var got any = s
			if err != nil {
				if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(err.Error(), name+": ") {
					t.Fatalf("unlocated error %v", err)
				}
				got = map[string]any{"error": err.Error(), "problems": domain.ErrorProblems(err)}
			} else if strings.HasPrefix(name, "bad-") {
				t.Fatal("a bad fixture read without error")
			}
			importertest.Golden(t, path+".golden.json", marshal(t, got))
		})
	}
}

// Ensure the SPDX JSON and tag-value forms of the same document read to
// the same SBOM but for the format.
func TestRead_SPDXFormsAgree(t *testing.T) {
	read := func(path string) *domain.SBOM {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s, err := sbom.Read("x", f)
		if err != nil {
			t.Fatal(err)
		}
		s.Format = ""
		return s
	}
	j, tv := marshal(t, read("testdata/spdx-2.3-monitor.json")), marshal(t, read("testdata/spdx-2.3-monitor.spdx"))
	if !bytes.Equal(j, tv) {
		t.Fatalf("JSON:\n%s\ntag-value:\n%s", j, tv)
	}
}

// FuzzReadSBOM feeds arbitrary bytes through Read: nothing may panic, an
// error is CodeInvalid and names the file, and an SBOM's components have
// names.
func FuzzReadSBOM(f *testing.F) {
	for _, path := range fixtures(f) { // all four formats, and every kind of bad input
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := sbom.Read("f", bytes.NewReader(data))
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(err.Error(), "f: ") {
				t.Fatalf("unlocated error %q", err)
			}
			return
		}
		for _, c := range s.Components {
			if c.Name == "" {
				t.Fatalf("component without a name: %+v", c)
			}
		}
	})
}
