package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure an SBOM attached to a device makes its components match NVD
// records by CPE, and a manufacturer's VEX statement then marks the device
// not affected with its justification.
func TestSBOMAndVEX(t *testing.T) {
	db := newPractice(t)
	run(t, db, "device", "add", "--serial", "NP-1", "--name", "Narrow pump", "--manufacturer", "Acme Medical", "--model", "Narrow", "--firmware", "1.0", "--site", "main-clinic").must(t)
	run(t, db, "sbom", "attach", "--device", "NP-1", vigiltest.SharedData(t, "sbom/medical-device-case-study/narrow.sbom.json")).must(t)

	// A CVE record in the NVD API 2.0 form, for the wolfSSL the SBOM lists (4.8.1).
	raw, err := os.ReadFile(vigiltest.SharedData(t, "nvd/api-2.0-records/CVE-2019-10966.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	rec["id"] = "CVE-2099-4242"
	rec["configurations"] = []any{map[string]any{"nodes": []any{map[string]any{"operator": "OR", "cpeMatch": []any{
		map[string]any{"vulnerable": true, "criteria": "cpe:2.3:a:wolfssl:wolfssl:*:*:*:*:*:*:*:*", "versionEndExcluding": "5.0.0", "matchCriteriaId": "00000000-0000-0000-0000-000000000000"}}}}}}
	dir := t.TempDir()
	nvdFile := filepath.Join(dir, "CVE-2099-4242.json")
	b, _ := json.Marshal(rec)
	os.WriteFile(nvdFile, b, 0o644)
	r := run(t, db, "feeds", "import", nvdFile).must(t)
	if !strings.Contains(r.stdout, "1 device newly affected") {
		t.Fatalf("NVD import: %s", r.stdout)
	}
	list := run(t, db, "vulns", "list", "--device", "NP-1").must(t)
	if !strings.Contains(list.stdout, "CVE-2099-4242") || !strings.Contains(list.stdout, "component WolfSSL 4.8.1") {
		t.Fatalf("vulns list: %s", list.stdout)
	}

	vex := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://psirt.acme.test/vex/1", "author": "Acme PSIRT",
 "timestamp": "2026-01-02T09:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2099-4242"}, "products": [{"@id": "pkg:github/wolfssl/wolfssl@4.8.1"}],
   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`
	vexFile := filepath.Join(dir, "acme.openvex.json")
	os.WriteFile(vexFile, []byte(vex), 0o644)
	run(t, db, "feeds", "import", vexFile).must(t)
	list = run(t, db, "vulns", "list", "--device", "NP-1", "--status", "not_affected").must(t)
	if !strings.Contains(list.stdout, "CVE-2099-4242") || !strings.Contains(list.stdout, "vulnerable_code_not_in_execute_path") {
		t.Fatalf("after VEX: %s", list.stdout)
	}
	if r := run(t, db, "sbom", "attach", "NP-1"); r.code != ExitUsage {
		t.Errorf("sbom attach without --model/--device: exit %d", r.code)
	}
}
