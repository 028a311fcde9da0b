package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure feeds import reads a directory tree and the KEV catalogue, skips a
// malformed advisory whole with its file and JSON path, matches the
// practice's devices, and is idempotent; advisory show, vulns list and
// vulns set then answer from what was matched.
func TestFeedsImport(t *testing.T) {
	db := newPractice(t)
	run(t, db, "device", "add", "--serial", "VUE-1", "--name", "PACS 1", "--manufacturer", "Philips", "--model", "Vue PACS", "--firmware", "12.2.1.5", "--site", "main-clinic").must(t)
	run(t, db, "device", "add", "--serial", "VUE-2", "--name", "PACS 2", "--manufacturer", "Philips", "--model", "Vue PACS", "--site", "main-clinic").must(t)

	dir := t.TempDir()
	good, err := os.ReadFile(vigiltest.SharedData(t, "csaf/icsma/2021/icsma-21-187-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "2021"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "2021", "icsma-21-187-01.json"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "2021", "icsma-21-187-01.json.asc"), []byte("signature"), 0o644)
	bad := strings.Replace(string(good), `"category": "vendor"`, `"category": "vendorr"`, 1)
	bad = strings.Replace(bad, "ICSMA-21-187-01", "ICSMA-21-999-99", -1)
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(bad), 0o644)

	r := run(t, db, "feeds", "import", dir, vigiltest.SharedData(t, "kev/known_exploited_vulnerabilities.json")).must(t)
	for _, want := range []string{"Read 3 files", "1 new advisory", "1404 KEV entries", "2 devices newly affected", "on KEV", "skipped 1 file",
		"bad.json: $.product_tree.branches[0].category"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := run(t, db, "advisory", "show", "ICSMA-21-999-99"); r.code != ExitFailure {
		t.Errorf("the malformed advisory was stored: %d %s", r.code, r.stdout)
	}
	again := run(t, db, "feeds", "import", dir).must(t)
	if !strings.Contains(again.stdout, "1 unchanged") || !strings.Contains(again.stdout, "0 devices newly affected") {
		t.Errorf("re-import: %s", again.stdout)
	}

	show := run(t, db, "advisory", "show", "ICSMA-21-187-01").must(t)
	for _, want := range []string{"Does this affect us? Yes: 2 devices", "PACS 1: affected", "version 12.2.1.5 (advisory: <= 12.2.x.x)", "PACS 2: possibly affected", "no version is recorded"} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("advisory show lacks %q:\n%s", want, show.stdout)
		}
	}
	var rows []struct {
		DeviceName string          `json:"device_name"`
		CVE        string          `json:"cve"`
		Status     string          `json:"status"`
		KEV        json.RawMessage `json:"kev"`
	}
	out := run(t, db, "vulns", "list", "--kev", "--device", "VUE-1", "--json").must(t)
	if err := json.Unmarshal([]byte(out.stdout), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("vulns list --kev --json: %v %s", err, out.stdout)
	}
	for _, x := range rows {
		if x.KEV == nil || x.DeviceName != "PACS 1" || x.Status != "affected" {
			t.Errorf("row %+v", x)
		}
	}
	// The model's rubric answers rescore its devices' vulnerabilities.
	rub := run(t, db, "rubric", "set", "Philips/Vue PACS", "--answer", "reach=segment", "--answer", "phi=yes", "--answer", "secrets=no",
		"--answer", "diagnosis=yes", "--answer", "therapy=no", "--answer", "workflow=yes").must(t)
	for _, want := range []string{"MAV:A", "CR:H", "IR:H", "AR:M", "stores or transmits patients' health information"} {
		if !strings.Contains(rub.stdout, want) {
			t.Errorf("rubric set lacks %q:\n%s", want, rub.stdout)
		}
	}
	if r := run(t, db, "rubric", "set", "Philips/Vue PACS", "--answer", "reach=moon"); r.code != ExitFailure {
		t.Errorf("a bad rubric answer: exit %d", r.code)
	}
	var env []struct {
		Environmental *struct {
			Vector string  `json:"vector"`
			Base   float64 `json:"base"`
		} `json:"environmental"`
	}
	out = run(t, db, "vulns", "list", "--device", "VUE-1", "--json").must(t)
	if err := json.Unmarshal([]byte(out.stdout), &env); err != nil || len(env) == 0 || env[0].Environmental == nil || !strings.Contains(env[0].Environmental.Vector, "MAV:A") {
		t.Errorf("no rubric score: %v %.300s", err, out.stdout)
	}
	cve := rows[0].CVE
	if r := run(t, db, "vulns", "set", "VUE-1", cve, "--status", "risk_accepted", "--reason", "isolated"); r.code != ExitFailure || !strings.Contains(r.stderr, "end date") {
		t.Errorf("risk acceptance without --until: %d %s", r.code, r.stderr)
	}
	set := run(t, db, "vulns", "set", "VUE-1", cve, "--status", "risk_accepted", "--reason", "isolated VLAN", "--until", "2030-06-30").must(t)
	if !strings.Contains(set.stdout, "risk accepted by") || !strings.Contains(set.stdout, "until 2030-06-30") {
		t.Errorf("vulns set: %s", set.stdout)
	}
	audit := run(t, db, "audit", "list", "--json").must(t)
	if !strings.Contains(audit.stdout, "vulnerability.decide") {
		t.Errorf("no audit event for the decision")
	}
	if r := run(t, db, "vulns", "list", "--status", "sideways"); r.code != ExitUsage {
		t.Errorf("bad --status: exit %d", r.code)
	}
}

// Ensure feeds sync downloads feeds (from a loopback server) and imports
// them like files, reporting a failed download as skipped.
func TestFeedsSync(t *testing.T) {
	db := newPractice(t)
	kev, err := os.ReadFile(vigiltest.SharedData(t, "kev/known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/kev.json" {
			http.NotFound(w, r)
			return
		}
		w.Write(kev)
	}))
	defer srv.Close()
	r := run(t, db, "feeds", "sync", "--url", srv.URL+"/kev.json", "--url", srv.URL+"/missing.json").must(t)
	if !strings.Contains(r.stdout, "1404 KEV entries") || !strings.Contains(r.stdout, "missing.json answered 404") {
		t.Errorf("sync: %s", r.stdout)
	}
	if r := run(t, db, "feeds", "sync"); r.code != ExitUsage {
		t.Errorf("sync without --url: exit %d", r.code)
	}
}

// Ensure importing an advisory records the update its vendor fix names for
// the practice's affected model, once, and `vigil patch release
// from-advisories` does the same for devices added after the import.
func TestFeedsImport_Releases(t *testing.T) {
	db := newPractice(t)
	run(t, db, "device", "add", "--serial", "MON-1", "--manufacturer", "Philips", "--model", "IntelliVue MX450", "--firmware", "N.00.08", "--site", "main-clinic").must(t)
	advisory := vigiltest.SharedData(t, "csaf/icsma/2024/icsma-24-200-01.json")
	r := run(t, db, "feeds", "import", advisory).must(t)
	if strings.Contains(r.stdout, "firmware update") {
		t.Fatalf("an update for a model the practice does not have: %s", r.stdout)
	}
	run(t, db, "device", "add", "--serial", "VUE-1", "--name", "PACS 1", "--manufacturer", "Philips", "--model", "Vue PACS", "--firmware", "12.2.1.5", "--site", "main-clinic").must(t)
	r = run(t, db, "patch", "release", "from-advisories").must(t)
	if !strings.Contains(r.stdout, "Recorded Philips Vue PACS 12.2.8.410 from ICSMA-24-200-01") || !strings.Contains(r.stdout, "opened 1 work item(s)") {
		t.Fatalf("from-advisories: %s", r.stdout)
	}
	if r = run(t, db, "patch", "release", "from-advisories").must(t); !strings.Contains(r.stdout, "0 firmware updates recorded from 1 advisories") {
		t.Fatalf("again: %s", r.stdout)
	}
	r = run(t, db, "patch", "release", "list").must(t)
	if !strings.Contains(r.stdout, "advisory ICSMA-24-200-01") || !strings.Contains(r.stdout, "2024-07-18") {
		t.Fatalf("release list: %s", r.stdout)
	}

	// Importing into a practice that already has the PACS records it at once.
	db2 := newPractice(t)
	run(t, db2, "device", "add", "--serial", "VUE-5", "--manufacturer", "Philips", "--model", "Vue PACS", "--firmware", "12.2.1.5", "--site", "main-clinic").must(t)
	if r := run(t, db2, "feeds", "import", advisory).must(t); !strings.Contains(r.stdout, "1 firmware update from advisory remediations") {
		t.Fatalf("import: %s", r.stdout)
	}

	// A second practice with a PACS gets its own release from the import.
	run(t, db, "tenant", "add", "Harbor Clinic").must(t)
	run(t, db, "--tenant", "harbor-clinic", "site", "add", "Harbor").must(t)
	run(t, db, "--tenant", "harbor-clinic", "device", "add", "--serial", "VUE-9", "--manufacturer", "Philips", "--model", "Vue PACS", "--firmware", "12.2.8.0").must(t)
	r = run(t, db, "feeds", "import", advisory).must(t)
	if !strings.Contains(r.stdout, "1 unchanged") || strings.Contains(r.stdout, "firmware update") {
		t.Fatalf("an unchanged advisory is not read again: %s", r.stdout)
	}
	r = run(t, db, "--tenant", "harbor-clinic", "patch", "release", "from-advisories").must(t)
	if !strings.Contains(r.stdout, "Recorded Philips Vue PACS 12.2.8.410") {
		t.Fatalf("second practice: %s", r.stdout)
	}
}
