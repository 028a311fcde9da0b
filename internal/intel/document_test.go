package intel

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure each format is recognised by content, gzipped or not, and an
// unknown one is refused with the file's name.
func TestReadDocument(t *testing.T) {
	for _, tc := range []struct {
		path string
		kind Kind
	}{
		{"csaf/icsma/2019/icsma-19-190-01.json", KindCSAF},
		{"nvd/api-2.0-records/CVE-2019-10966.json", KindNVD},
		{"nvd/cve-json5-vulnrichment/CVE-2018-10631.json", KindNVD},
		{"kev/known_exploited_vulnerabilities.json", KindKEV},
		{"epss/CVE_2019_EPSS.csv", KindEPSS},
		{"sbom/medical-device-case-study/narrow.sbom.json", KindSBOM},
	} {
		raw, err := os.ReadFile(vigiltest.SharedData(t, tc.path))
		if err != nil {
			t.Fatal(err)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(raw)
		zw.Close()
		for _, in := range [][]byte{raw, gz.Bytes()} {
			doc, err := ReadDocument(tc.path, bytes.NewReader(in))
			if err != nil {
				t.Errorf("%s: %v", tc.path, err)
				continue
			}
			if doc.Kind != tc.kind || doc.Count() == "nothing" {
				t.Errorf("%s: kind %s holding %s, want %s", tc.path, doc.Kind, doc.Count(), tc.kind)
			}
		}
	}
	_, err := ReadDocument("notes.txt", strings.NewReader("hello"))
	if domain.ErrorCode(err) != domain.CodeInvalid || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("unknown format: %v", err)
	}
}

func FuzzReadDocument(f *testing.F) {
	f.Add([]byte(`{"document": {"csaf_version": "2.0"}}`))
	f.Add([]byte(`{"resultsPerPage": 1, "vulnerabilities": [{"cve": {"id": "CVE-2020-0001"}}]}`))
	f.Add([]byte("cve,epss,percentile\nCVE-2020-0001,0.1,0.5\n"))
	f.Add([]byte(`{"catalogVersion": "1", "vulnerabilities": []}`))
	f.Add([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}`))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ReadDocument("fuzz", bytes.NewReader(data))
		if err != nil {
			if domain.ErrorCode(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		// Whatever was read can be matched without a panic.
		m := NewMatcher()
		if doc.Advisory != nil {
			m.AddAdvisory(doc.Advisory)
		}
		for _, c := range doc.CVEs {
			m.AddCVE(c)
		}
		for i := range doc.VEX {
			m.AddVEX(&doc.VEX[i])
		}
		m.Match(Subject{Device: &domain.Device{Manufacturer: "Philips", Model: "IntelliVue MX40", Firmware: "B.06.12"}})
	})
}
