package kev_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/intel/kev"
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

// Ensure the shared catalogue reads whole: as many entries as its
// vulnerabilities array (decoded independently), each with its dates, and
// a digest equal to the golden one. (A due date may precede the date
// added: entries from emergency directives keep the directive's date.)
func TestRead_Shared(t *testing.T) {
	path := vigiltest.SharedData(t, "kev/known_exploited_vulnerabilities.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !kev.Detect(data[:4096]) {
		t.Fatal("the catalogue is not detected")
	}
	c, err := kev.Read("known_exploited_vulnerabilities.json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v\n%v", err, domain.ErrorProblems(err))
	}
	var raw struct{ Vulnerabilities []map[string]any }
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != len(raw.Vulnerabilities) || len(c.Entries) < 1000 {
		t.Fatalf("%d entries, the file holds %d", len(c.Entries), len(raw.Vulnerabilities))
	}
	ransomware := 0
	for i, e := range c.Entries {
		if e.CVE != raw.Vulnerabilities[i]["cveID"] || e.DateAdded.IsZero() || e.DueDate.IsZero() {
			t.Errorf("entry %d: %+v", i, e)
		}
		if e.Ransomware == "Known" {
			ransomware++
		}
	}
	digest := map[string]any{"version": c.Version, "released": c.Released, "entries": len(c.Entries), "ransomware_known": ransomware, "first": c.Entries[:2], "last": c.Entries[len(c.Entries)-1]}
	importertest.Golden(t, "testdata/shared.digest.golden.json", marshal(t, digest))
}

// Ensure each bad catalogue in testdata/ fails with exactly its golden
// located problems.
func TestRead_Golden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/bad-*.json")
	if len(inputs) < 3 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for _, path := range inputs {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			c, err := kev.Read(name, f)
			if err == nil || c != nil {
				t.Fatalf("no error (catalogue %v)", c)
			}
			if domain.ErrorCode(err) != domain.CodeInvalid {
				t.Fatalf("code %s", domain.ErrorCode(err))
			}
			importertest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", marshal(t, map[string]any{"error": err.Error(), "problems": domain.ErrorProblems(err)}))
		})
	}
}

// FuzzReadKEV feeds arbitrary bytes through Read: nothing may panic, and
// an error is CodeInvalid and names the file.
func FuzzReadKEV(f *testing.F) {
	data, err := os.ReadFile(vigiltest.SharedData(f, "kev/known_exploited_vulnerabilities.json"))
	if err != nil {
		f.Fatal(err)
	}
	end := bytes.Index(data[2000:], []byte("},")) + 2000 // the header and first entry of the real catalogue
	f.Add(append(append([]byte{}, data[:end+1]...), "]}"...))
	inputs, _ := filepath.Glob("testdata/bad-*.json")
	for _, p := range inputs {
		if d, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, ".golden.json") {
			f.Add(d)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := kev.Read("f.json", bytes.NewReader(data))
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(err.Error(), "f.json: ") {
				t.Fatalf("unlocated error %q", err)
			}
			return
		}
		for _, e := range c.Entries {
			if !strings.HasPrefix(e.CVE, "CVE-") || e.DateAdded.IsZero() {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}
