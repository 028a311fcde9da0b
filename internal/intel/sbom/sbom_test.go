package sbom_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/intel/sbom"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

func fixtures(tb testing.TB) []string {
	tb.Helper()
	return feedtest.Fixtures(tb, 8, "testdata/*.json", "testdata/*.xml", "testdata/*.spdx")
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
	feedtest.Golden(t, "testdata/shared/narrow.sbom.golden.json", s)
}

// Ensure each fixture (both CycloneDX serialisations, both SPDX ones, and
// each kind of bad input) reads to exactly its golden SBOM or located
// error.
func TestRead_Golden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			s, err := sbom.Read(name, bytes.NewReader(feedtest.ReadFile(t, path)))
			var got any = s
			if err != nil {
				feedtest.CheckError(t, name, err)
				got = feedtest.ErrorView(err)
			} else if strings.HasPrefix(name, "bad-") {
				t.Fatal("a bad fixture read without error")
			}
			feedtest.Golden(t, path+".golden.json", got)
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
	j, tv := feedtest.Marshal(t, read("testdata/spdx-2.3-monitor.json")), feedtest.Marshal(t, read("testdata/spdx-2.3-monitor.spdx"))
	if !bytes.Equal(j, tv) {
		t.Fatalf("JSON:\n%s\ntag-value:\n%s", j, tv)
	}
}

// FuzzReadSBOM feeds arbitrary bytes through Read: nothing may panic, an
// error is CodeInvalid and names the file, and an SBOM's components have
// names.
func FuzzReadSBOM(f *testing.F) {
	for _, path := range fixtures(f) { // all four formats, and every kind of bad input
		f.Add(feedtest.ReadFile(f, path))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := sbom.Read("f", bytes.NewReader(data))
		if err != nil {
			feedtest.CheckError(t, "f", err)
			return
		}
		for _, c := range s.Components {
			if c.Name == "" {
				t.Fatalf("component without a name: %+v", c)
			}
		}
	})
}
