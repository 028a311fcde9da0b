package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the update workflow works in a real browser: record a release,
// then take its work item through validation, a refused schedule outside
// the site's maintenance window, an accepted one inside it (on the night
// New York's clocks go forward), installation and verification, and find
// every step in the item's history and the audit trail.
func TestBrowserPatchWorkflow(t *testing.T) {
	chrome := chromium(t)
	shot := screenshot(artifacts(t))
	db := filepath.Join(t.TempDir(), "patch.db")
	st := vigiltest.MustOpenSQLitePath(t, db)
	ctx := vigiltest.Context(0)
	tn := &domain.Tenant{Name: "Harbor Clinic"}
	if err := st.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	ctx = domain.WithTenant(ctx, tn.ID)
	if err := st.CreateSite(ctx, &domain.Site{Name: "Main", TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertModel(ctx, &domain.Model{Manufacturer: "Acme Medical", Name: "Pump 9", Category: "infusion"}); err != nil {
		t.Fatal(err)
	}
	d := &domain.Device{Serial: "PUMP-1", Name: "ICU pump 1", Category: "infusion", Manufacturer: "Acme Medical", Model: "Pump 9", Firmware: "4.1.0", Department: "ICU"}
	if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateMaintenanceWindow(ctx, &domain.MaintenanceWindow{Site: "main", Weekdays: []time.Weekday{time.Sunday}, Start: 120, End: 300}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	srv := startServe(t, "--db", db, "serve", "--listen", "127.0.0.1:0")
	base := "http://" + srv.addr
	m := regexp.MustCompile(`one-time password\s+(\S+)`).FindStringSubmatch(srv.out.String())
	if m == nil {
		t.Fatalf("no one-time password printed: %s", srv.out.String())
	}
	bctx := browserContext(t, chrome, 3*time.Minute)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text, state string
	run("sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, "admin@localhost"),
		chromedp.SendKeys(`input[name=password]`, m[1]),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`input[name=new]`),
		chromedp.SendKeys(`input[name=current]`, m[1]),
		chromedp.SendKeys(`input[name=new]`, "a sound passphrase"),
		chromedp.SendKeys(`input[name=confirm]`, "a sound passphrase"),
		chromedp.Submit(`input[name=confirm]`),
		chromedp.WaitVisible(`svg.chart`),
	)
	var model string
	var ok bool
	run("open the updates page",
		chromedp.Navigate(base+"/patches"),
		chromedp.WaitVisible(`#release-form`),
		chromedp.AttributeValue(`#release-form select[name=model] option:nth-child(2)`, "value", &model, &ok),
	)
	if !ok || model == "" {
		t.Fatal("the release form offers no model")
	}
	run("record a release",
		chromedp.SetValue(`#release-form select[name=model]`, model),
		chromedp.SendKeys(`#release-form input[name=version]`, "4.2.1"),
		chromedp.SetValue(`#release-form input[name=released]`, "2027-02-01"),
		chromedp.SendKeys(`#release-form textarea[name=notes]`, "Fixes the hard-coded service password."),
		shot("patch-01-release"),
		chromedp.Submit(`#release-form input[name=version]`),
		chromedp.WaitVisible(`#work tbody tr td a`),
		chromedp.Text(`#work`, &text),
	)
	if !strings.Contains(text, "ICU pump 1") || !strings.Contains(text, "4.2.1") || !strings.Contains(text, "available") {
		t.Fatalf("work list: %s", text)
	}
	report := filepath.Join(t.TempDir(), "bench-report.txt")
	reportText := "Biomed lab bench test, spare pump SN-9\n4 h infusion at 125 mL/h: no alarms, no occlusion errors.\n"
	if err := os.WriteFile(report, []byte(reportText), 0o600); err != nil {
		t.Fatal(err)
	}
	var fileName, href string
	run("validate with the test report attached",
		chromedp.Click(`#work tbody tr td a`),
		chromedp.WaitVisible(`#validate-form`),
		chromedp.SendKeys(`#validate-form textarea[name=evidence]`, "Bench test on spare pump SN-9 in the biomed lab: 4 h infusion, no alarms."),
		chromedp.SetUploadFiles(`#validate-form input[name=file]`, []string{report}),
		chromedp.Submit(`#validate-form textarea[name=evidence]`),
		chromedp.WaitVisible(`#schedule-form`),
		chromedp.Text(`#state`, &state),
		chromedp.Text(`a.evidence`, &fileName),
		chromedp.AttributeValue(`a.evidence`, "href", &href, &ok),
	)
	if state != "validated" || fileName != "bench-report.txt" || !strings.HasSuffix(strings.Split(href, "?")[0], "/evidence") {
		t.Fatalf("after validation: state %q, file %q at %q", state, fileName, href)
	}
	run("schedule outside the window",
		chromedp.SetValue(`#schedule-form input[name=at]`, "2027-03-15T03:30"), // a Monday
		chromedp.Submit(`#schedule-form input[name=at]`),
		chromedp.WaitVisible(`p.error`),
		chromedp.Text(`p.error`, &text),
		chromedp.Text(`#state`, &state),
		shot("patch-02-refused"),
	)
	if !strings.Contains(text, "outside every maintenance window of site main") || state != "validated" {
		t.Fatalf("refusal: %q, state %q", text, state)
	}
	run("schedule inside the window",
		chromedp.SetValue(`#schedule-form input[name=at]`, "2027-03-14T03:30"), // Sunday, just after clocks go forward
		chromedp.Submit(`#schedule-form input[name=at]`),
		chromedp.WaitVisible(`#apply-form`),
		chromedp.Text(`#state`, &state),
		chromedp.Text(`table.attrs`, &text),
	)
	if state != "scheduled" || !strings.Contains(text, "2027-03-14 07:30 UTC") {
		t.Fatalf("scheduled: %q, %s", state, text)
	}
	run("apply and verify",
		chromedp.Submit(`#apply-form button`),
		chromedp.WaitVisible(`#verify-form`),
		chromedp.Submit(`#verify-form button`),
		chromedp.WaitNotPresent(`#verify-form`),
		chromedp.Text(`#state`, &state),
		chromedp.Text(`#history`, &text),
		shot("patch-03-verified"),
	)
	if state != "verified" {
		t.Fatalf("final state: %q", state)
	}
	for _, a := range []string{"patch.validated", "patch.scheduled", "patch.applied", "patch.verified"} {
		if !strings.Contains(text, a) {
			t.Fatalf("history lacks %s: %s", a, text)
		}
	}
	if !strings.Contains(text, "user:admin@localhost") {
		t.Fatalf("history does not name the user: %s", text)
	}
	var costText, costErr string
	run("replacement cost: a bad amount, then the device's own",
		chromedp.Navigate(base+"/devices/"+strconv.FormatInt(d.ID, 10)),
		chromedp.WaitVisible(`#cost-form`),
		chromedp.Text(`#replacement-cost`, &costText),
		chromedp.SendKeys(`#cost-form input[name=amount]`, "12,3x"),
		chromedp.Submit(`#cost-form input[name=amount]`),
		chromedp.WaitVisible(`#e-amount`),
		chromedp.Text(`#e-amount`, &costErr),
		shot("patch-04-cost-refused"),
	)
	if !strings.Contains(costText, "Unknown") || !strings.Contains(costErr, `"12,3x" is not an amount of money`) {
		t.Fatalf("cost before: %q, error %q", costText, costErr)
	}
	run("replacement cost: set",
		chromedp.SetValue(`#cost-form input[name=amount]`, "12,500"),
		chromedp.Submit(`#cost-form input[name=amount]`),
		chromedp.WaitVisible(`#cost-form button[name=clear]`),
		chromedp.Text(`#replacement-cost`, &costText),
		shot("patch-05-cost"),
	)
	if !strings.Contains(costText, "12,500.00 USD") || !strings.Contains(costText, "this device's own") {
		t.Fatalf("cost after: %q", costText)
	}
	run("audit trail",
		chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible(`table.audit`),
		chromedp.Text(`table.audit`, &text),
	)
	for _, a := range []string{"release.create", "patch.validated", "patch.verified"} {
		if !strings.Contains(text, a) {
			t.Fatalf("audit trail lacks %s: %s", a, text)
		}
	}
	srv.stop()

	// The report the browser uploaded is stored byte for byte.
	st = vigiltest.MustOpenSQLitePath(t, db)
	defer st.Close()
	items, err := st.FindPatchItems(ctx, domain.PatchFilter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("work items: %v %v", items, err)
	}
	f, err := st.FindPatchEvidence(ctx, items[0].ID)
	if err != nil || string(f.Content) != reportText || f.Name != "bench-report.txt" || f.ContentType != "text/plain" {
		t.Fatalf("stored evidence: %+v %v", f, err)
	}
}
