package kev_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/intel/kev"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

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
	feedtest.Golden(t, "testdata/shared.digest.golden.json", digest)
}

// Ensure each bad catalogue in testdata/ fails with exactly its golden
// located problems.
func TestRead_Golden(t *testing.T) {
	for _, path := range feedtest.Fixtures(t, 3, "testdata/bad-*.json") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			c, err := kev.Read(name, bytes.NewReader(feedtest.ReadFile(t, path)))
			if err == nil || c != nil {
				t.Fatalf("no error (catalogue %v)", c)
			}
			feedtest.CheckError(t, name, err)
			feedtest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", feedtest.ErrorView(err))
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
	for _, p := range feedtest.Fixtures(f, 3, "testdata/bad-*.json") {
		f.Add(feedtest.ReadFile(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := kev.Read("f.json", bytes.NewReader(data))
		if err != nil {
			feedtest.CheckError(t, "f.json", err)
			return
		}
		for _, e := range c.Entries {
			if !strings.HasPrefix(e.CVE, "CVE-") || e.DateAdded.IsZero() {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}
