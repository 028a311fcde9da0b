package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Ensure the lifecycle commands work end to end: a forecast with its
// budget as text, JSON and CSV; a release whose work item goes through the
// workflow, refused outside the window and with exit codes that say why;
// the override; windows; the vendor notification; the plan.
func TestLifecycleCommands(t *testing.T) {
	db := newPractice(t)
	for i, fw := range []string{"4.1", "4.1", "4.2"} {
		run(t, db, "device", "add", "--serial", "P"+strconv.Itoa(i), "--manufacturer", "Acme Medical", "--model", "Pump 9", "--category", "infusion",
			"--firmware", fw, "--site", "main-clinic", "--install-date", "2020-02-29").must(t)
	}
	run(t, db, "device", "add", "--serial", "X1", "--manufacturer", "Acme Medical", "--model", "Scope", "--category", "imaging", "--site", "east-clinic").must(t)
	run(t, db, "model", "set", "Acme Medical", "Pump 9", "--service-life", "5", "--replacement-cost", "3,333.335").must(t)
	run(t, db, "lifecycle", "cost", "P2", "2999.99").must(t)

	r := run(t, db, "lifecycle", "forecast", "--from", "2025", "--years", "2", "--by", "site", "--json").must(t)
	var fc struct {
		Budget struct {
			Years []int `json:"years"`
			Rows  []struct {
				Key   string  `json:"key"`
				Cents []int64 `json:"cents"`
			} `json:"rows"`
			Unknown []struct {
				Serial string `json:"serial"`
				DueOn  string `json:"due_on"`
			} `json:"unknown"`
			Total int64 `json:"total_cents"`
		} `json:"budget"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &fc); err != nil {
		t.Fatalf("forecast JSON: %v\n%s", err, r.stdout)
	}
	// Installed 2020-02-29 + 5 years = 2025-02-28: all three pumps in 2025,
	// two at 3,333.34 (the typed 3,333.335 rounds up) and one at 2,999.99.
	if len(fc.Budget.Rows) != 1 || fc.Budget.Rows[0].Key != "main-clinic" || fc.Budget.Rows[0].Cents[0] != 966667 || fc.Budget.Total != 966667 ||
		len(fc.Budget.Unknown) != 1 || fc.Budget.Unknown[0].Serial != "X1" {
		t.Fatalf("forecast: %+v", fc.Budget)
	}
	r = run(t, db, "lifecycle", "forecast", "--from", "2025", "--years", "2", "--csv").must(t)
	if want := "year,2025,2026,total,currency\nall devices,9666.67,0.00,9666.67,USD\ntotal,9666.67,0.00,9666.67,USD\n"; r.stdout != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", r.stdout, want)
	}
	if r = run(t, db, "lifecycle", "forecast", "--by", "color"); r.code != 2 || !strings.Contains(r.stderr, `cannot group by "color"`) {
		t.Fatalf("bad --by: %d %s", r.code, r.stderr)
	}

	run(t, db, "window", "add", "main-clinic", "--days", "sun", "--start", "02:00", "--end", "05:00").must(t)
	r = run(t, db, "window", "list", "--json").must(t)
	if !strings.Contains(r.stdout, `"TimeZone": "America/Chicago"`) {
		t.Fatalf("window takes the site's zone: %s", r.stdout)
	}
	r = run(t, db, "patch", "release", "add", "Acme Medical", "Pump 9", "4.2", "--released", "2026-01-10", "--notes", "security fixes").must(t)
	if !strings.Contains(r.stdout, "opened 2 work item(s)") {
		t.Fatalf("release: %s", r.stdout)
	}
	var items []struct{ ID int64 }
	json.Unmarshal([]byte(run(t, db, "patch", "list", "--json").must(t).stdout), &items)
	if len(items) != 2 {
		t.Fatalf("items: %+v", items)
	}
	id := strconv.FormatInt(items[0].ID, 10)
	if r = run(t, db, "patch", "schedule", id, "--at", "2026-03-08 03:00"); r.code != 1 || !strings.Contains(r.stderr, "not been validated") {
		t.Fatalf("unvalidated: %d %s", r.code, r.stderr)
	}
	if r = run(t, db, "patch", "validate", id); r.code != 1 || !strings.Contains(r.stderr, "validation needs evidence") {
		t.Fatalf("no evidence: %d %s", r.code, r.stderr)
	}
	run(t, db, "patch", "validate", id, "--evidence", "bench test").must(t)
	if r = run(t, db, "patch", "schedule", id, "--at", "2026-03-09 03:00"); r.code != 1 || !strings.Contains(r.stderr, "outside every maintenance window") {
		t.Fatalf("Monday: %d %s", r.code, r.stderr)
	}
	// 2026-03-08 is the spring-forward Sunday; 03:00 CDT is 08:00 UTC.
	r = run(t, db, "patch", "schedule", id, "--at", "2026-03-08 03:00").must(t)
	if !strings.Contains(r.stdout, "2026-03-08 08:00 UTC") {
		t.Fatalf("schedule: %s", r.stdout)
	}
	run(t, db, "patch", "apply", id).must(t)
	run(t, db, "patch", "verify", id).must(t)
	if r = run(t, db, "patch", "apply", id); r.code != 1 || !strings.Contains(r.stderr, "verified and closed") {
		t.Fatalf("reopen: %d %s", r.code, r.stderr)
	}
	other := strconv.FormatInt(items[1].ID, 10)
	if r = run(t, db, "patch", "override", other, "--at", "2026-03-10 12:00"); r.code != 1 || !strings.Contains(r.stderr, "an override needs a reason") {
		t.Fatalf("override without reason: %d %s", r.code, r.stderr)
	}
	run(t, db, "patch", "override", other, "--at", "2026-03-10 12:00", "--reason", "vendor engineer on site").must(t)
	r = run(t, db, "patch", "show", other).must(t)
	if !strings.Contains(r.stdout, "patch.override") || !strings.Contains(r.stdout, "Override:    vendor engineer on site") {
		t.Fatalf("show: %s", r.stdout)
	}
	r = run(t, db, "device", "show", "P0", "--json").must(t)
	if !strings.Contains(r.stdout, `"firmware": "4.2"`) {
		t.Fatalf("applied firmware not on the device: %s", r.stdout)
	}
	r = run(t, db, "patch", "metrics", "--json").must(t)
	if !strings.Contains(r.stdout, `"behind_latest"`) || !strings.Contains(r.stdout, `"applied": 1`) {
		t.Fatalf("metrics: %s", r.stdout)
	}

	run(t, db, "vendor", "edit", "Acme Medical", "--psirt-email", "psirt@acme.example", "--account-manager", "Sam", "--contract-end", "2027-06-30").must(t)
	r = run(t, db, "vendor", "notify", "Acme Medical", "--model", "Pump 9", "--csv").must(t)
	if !strings.HasPrefix(r.stdout, "model,serial,firmware,site\nPump 9,P0,4.2,main-clinic\n") || strings.Count(r.stdout, "\n") != 4 {
		t.Fatalf("notify csv: %s", r.stdout)
	}
	r = run(t, db, "vendor", "notify", "Acme Medical", "--problem", "CVE-2026-0001").must(t)
	if !strings.Contains(r.stdout, "To: psirt@acme.example") || !strings.Contains(r.stdout, "CVE-2026-0001") || !strings.Contains(r.stdout, "following 4 device(s)") {
		t.Fatalf("notify text: %s", r.stdout)
	}
	r = run(t, db, "vendor", "scorecard", "--json").must(t)
	if !strings.Contains(r.stdout, `"advisories_published": 0`) || !strings.Contains(r.stdout, `"contact_stale": true`) {
		t.Fatalf("scorecard: %s", r.stdout)
	}

	plan := filepath.Join(t.TempDir(), "plan.html")
	run(t, db, "lifecycle", "plan", "--out", plan).must(t)
	b, err := os.ReadFile(plan)
	if err != nil || !strings.Contains(string(b), "Maintenance and monitoring plan") || !strings.Contains(string(b), "vendor engineer on site") ||
		!strings.Contains(string(b), "Acme Medical") {
		t.Fatalf("plan: %v %s", err, b)
	}
	if r = run(t, db, "window", "rm", "99"); r.code != 1 {
		t.Fatalf("rm unknown window: %d", r.code)
	}
}

// Ensure `vigil patch validate --evidence-file` attaches the test report,
// refuses one over 10 MiB before reading it, and `vigil patch evidence`
// gives back the same bytes without overwriting a file.
func TestPatchEvidenceCommands(t *testing.T) {
	db := newPractice(t)
	run(t, db, "device", "add", "--serial", "P0", "--manufacturer", "Acme Medical", "--model", "Pump 9", "--category", "infusion",
		"--firmware", "4.1", "--site", "main-clinic").must(t)
	run(t, db, "patch", "release", "add", "Acme Medical", "Pump 9", "4.2", "--released", "2026-01-10").must(t)
	var items []struct{ ID int64 }
	json.Unmarshal([]byte(run(t, db, "patch", "list", "--json").must(t).stdout), &items)
	if len(items) != 1 {
		t.Fatalf("items: %+v", items)
	}
	id := strconv.FormatInt(items[0].ID, 10)
	dir := t.TempDir()

	huge := filepath.Join(dir, "huge.bin")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 10<<20+1); err != nil { // sparse: nothing is written
		t.Fatal(err)
	}
	if r := run(t, db, "patch", "validate", id, "--evidence-file", huge); r.code != 1 || !strings.Contains(r.stderr, "the limit is 10 MiB") {
		t.Fatalf("too large: %d %s", r.code, r.stderr)
	}
	if r := run(t, db, "patch", "validate", id, "--evidence-file", filepath.Join(dir, "missing.pdf")); r.code != 2 {
		t.Fatalf("missing file: %d %s", r.code, r.stderr)
	}
	report := filepath.Join(dir, "bench-report.csv")
	content := "step,result\ninfusion 4 h,no alarms\n"
	if err := os.WriteFile(report, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, db, "patch", "validate", id, "--evidence-file", report).must(t)
	r := run(t, db, "patch", "show", id).must(t)
	if !strings.Contains(r.stdout, "report attached: bench-report.csv") || !strings.Contains(r.stdout, "Evidence:    bench-report.csv (text/csv; charset=utf-8, 35 bytes, SHA-256 ") {
		t.Fatalf("show: %s", r.stdout)
	}
	if r = run(t, db, "patch", "evidence", id, "--out", "-").must(t); r.stdout != content {
		t.Fatalf("evidence to stdout: %q", r.stdout)
	}
	saved := filepath.Join(dir, "copy.csv")
	run(t, db, "patch", "evidence", id, "--out", saved).must(t)
	if b, err := os.ReadFile(saved); err != nil || string(b) != content {
		t.Fatalf("saved %q, %v", b, err)
	}
	if r = run(t, db, "patch", "evidence", id, "--out", saved); r.code != 2 || !strings.Contains(r.stderr, "choose another name") {
		t.Fatalf("overwrite: %d %s", r.code, r.stderr)
	}
}
