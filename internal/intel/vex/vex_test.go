package vex_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/intel/vex"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// The shared data holds no VEX document: the fixtures in testdata/ are
// written by hand after the OpenVEX and CycloneDX specifications.

func fixtures(tb testing.TB) []string {
	tb.Helper()
	return feedtest.Fixtures(tb, 8, "testdata/*.json", "testdata/*.xml")
}

// Ensure each fixture reads to exactly its golden statements or located
// error.
func TestRead_Golden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			st, err := vex.Read(name, bytes.NewReader(feedtest.ReadFile(t, path)))
			var got any = st
			if err != nil {
				feedtest.CheckError(t, name, err)
				got = feedtest.ErrorView(err)
			} else {
				if strings.HasPrefix(name, "bad-") {
					t.Fatal("a bad fixture read without error")
				}
				for _, s := range st {
					if s.Vuln == "" || s.Status == "" || len(s.Products) == 0 || s.Source != name {
						t.Errorf("incomplete statement %+v", s)
					}
				}
			}
			feedtest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", got) // x.xml → x.xml.golden.json
		})
	}
}

// Ensure Detect tells VEX from a plain SBOM: the shared CycloneDX SBOM
// (no vulnerabilities) is not VEX.
func TestDetect(t *testing.T) {
	data, err := os.ReadFile(vigiltest.SharedData(t, "sbom/medical-device-case-study/narrow.sbom.json"))
	if err != nil {
		t.Fatal(err)
	}
	if vex.Detect(data) {
		t.Error("a plain SBOM is detected as VEX")
	}
	for _, p := range []string{"testdata/openvex-0.2.0.json", "testdata/cdx-vex.json", "testdata/cdx-vex-1.6.xml"} {
		d, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !vex.Detect(d) {
			t.Errorf("%s not detected", p)
		}
	}
}

// FuzzReadVEX feeds arbitrary bytes through Read: nothing may panic; an
// error is CodeInvalid and names the file; statements are complete.
func FuzzReadVEX(f *testing.F) {
	for _, p := range fixtures(f) { // both OpenVEX versions, CycloneDX VEX, each kind of bad input
		f.Add(feedtest.ReadFile(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := vex.Read("f", bytes.NewReader(data))
		if err != nil {
			feedtest.CheckError(t, "f", err)
			return
		}
		for _, s := range st {
			if s.Status == "" || len(s.Products) == 0 {
				t.Fatalf("incomplete statement %+v", s)
			}
		}
	})
}
