package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// chromium finds Debian's Chromium. Without it the browser tests skip with
// a message, unless VIGIL_REQUIRE_BROWSER is set (CI sets it), when they
// fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("VIGIL_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("VIGIL_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium is required (VIGIL_REQUIRE_BROWSER is set) but not installed: apt-get install chromium")
	}
	t.Skip("browser tests skipped: Chromium is not installed (apt-get install chromium) and VIGIL_REQUIRE_BROWSER is unset")
	return ""
}

// artifacts is where screenshots go: $VIGIL_ARTIFACTS, else a folder in
// the system's temporary directory, named in the test log.
func artifacts(t *testing.T) string {
	dir := os.Getenv("VIGIL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "vigil-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// Ensure the console works in a real browser, end to end on the demo
// practice: sign in with the first start's one-time password and choose a
// new one, look at the dashboard, turn on two-factor sign-in from the QR
// page, search and open a device, edit it and see the change in its
// history, upload an import with errors and see them, verify the audit
// trail, sign out, and sign in again with password and code. Each main page
// is photographed.
func TestBrowser(t *testing.T) {
	chrome := chromium(t)
	shots := artifacts(t)
	db := filepath.Join(t.TempDir(), "demo.db")
	st := vigiltest.MustOpenSQLitePath(t, db)
	if _, err := demo.Seed(vigiltest.Context(0), st, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	srv := startServe(t, "--db", db, "serve", "--listen", "127.0.0.1:0")
	base, out := "http://"+srv.addr, srv.out
	m := regexp.MustCompile(`one-time password\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no one-time password printed: %s", out.String())
	}

	bctx := browserContext(t, chrome, 3*time.Minute)
	shot := screenshot(shots)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text string

	run("sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`input[name=email]`),
		shot("01-sign-in"),
		chromedp.SendKeys(`input[name=email]`, "admin@localhost"),
		chromedp.SendKeys(`input[name=password]`, m[1]),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`input[name=new]`),
		shot("02-change-password"),
		chromedp.SendKeys(`input[name=current]`, m[1]),
		chromedp.SendKeys(`input[name=new]`, "a sound passphrase"),
		chromedp.SendKeys(`input[name=confirm]`, "a sound passphrase"),
		chromedp.Submit(`input[name=confirm]`),
		chromedp.WaitVisible(`svg.chart`),
		shot("03-dashboard"),
		chromedp.Text(`main`, &text),
	)
	if !strings.Contains(text, "past end of support") {
		t.Fatalf("dashboard text: %s", text)
	}

	var key string
	run("turn on two-factor sign-in",
		chromedp.Navigate(base+"/account/totp"),
		chromedp.WaitVisible(`form[action="/account/totp"] button`),
		chromedp.Click(`form[action="/account/totp"] button`),
		chromedp.WaitVisible(`.qr svg`),
		chromedp.Text(`code.totp-secret`, &key),
		shot("04-two-factor-setup"),
	)
	key = strings.ReplaceAll(key, " ", "")
	code, err := auth.TOTP(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	run("confirm two-factor sign-in",
		chromedp.SendKeys(`.totp-steps input[name=code]`, code),
		chromedp.Submit(`.totp-steps input[name=code]`),
		chromedp.WaitVisible(`p.totp-state strong`),
		chromedp.Text(`p.totp-state`, &text),
	)
	if !strings.Contains(text, "is on") {
		t.Fatalf("two-factor state: %s", text)
	}

	run("search and open a device",
		chromedp.Navigate(base+"/devices"),
		chromedp.WaitVisible(`input[name=q]`),
		chromedp.SendKeys(`input[name=q]`, "intellivue"),
		chromedp.Submit(`input[name=q]`),
		chromedp.WaitVisible(`table.devices tbody tr td a`),
		shot("05-device-search"),
		chromedp.Click(`table.devices tbody tr td a`),
		chromedp.WaitVisible(`table.attrs`),
		shot("06-device"),
		chromedp.Text(`table.attrs`, &text),
	)
	if !strings.Contains(text, "IntelliVue") || !strings.Contains(text, "import of demo") {
		t.Fatalf("device page: %s", text)
	}

	run("edit the device",
		chromedp.Click(`a.button`),
		chromedp.WaitVisible(`input[name=firmware]`),
		chromedp.SetValue(`input[name=firmware]`, "M.00.99"),
		chromedp.SetValue(`textarea[name=notes]`, "Firmware checked in the browser test."),
		shot("07-device-edit"),
		chromedp.Submit(`input[name=firmware]`),
		chromedp.WaitVisible(`ol.history`),
		chromedp.Text(`ol.history`, &text),
		shot("08-device-history"),
	)
	if !strings.Contains(text, "device.update by user:admin@localhost") || !strings.Contains(text, "M.00.99") {
		t.Fatalf("history after the edit: %s", text)
	}

	bad := filepath.Join(t.TempDir(), "assets-with-errors.csv")
	if err := os.WriteFile(bad, []byte("Asset #,Equipment Type,Serial No.,MAC\nX-1,Spaceship,S-1,00:11:22:GG:44:55\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("upload an import with errors",
		chromedp.Navigate(base+"/import"),
		chromedp.WaitVisible(`input[type=file]`),
		chromedp.SetUploadFiles(`input[type=file]`, []string{bad}),
		chromedp.Submit(`input[type=file]`),
		chromedp.WaitVisible(`table.problems`),
		chromedp.Text(`table.problems`, &text),
		shot("09-import-errors"),
	)
	if !strings.Contains(text, "assets-with-errors.csv:2:2") || !strings.Contains(text, "assets-with-errors.csv:2:4") {
		t.Fatalf("import problems: %s", text)
	}

	run("audit trail",
		chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible(`table.audit`),
		chromedp.Click(`form[action^="/audit/verify"] button`),
		chromedp.WaitVisible(`p.ok`),
		chromedp.Text(`p.ok`, &text),
		shot("10-audit"),
	)
	if !strings.Contains(text, "intact") {
		t.Fatalf("audit verify: %s", text)
	}

	run("sign out",
		chromedp.Click(`form.account button`),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.Navigate(base+"/devices"),
		chromedp.WaitVisible(`input[name=email]`),
	)

	// Signing in again takes the password and then a code. The code of the
	// next 30-second step is used: the current one was spent turning the
	// second factor on, and one step of clock drift is accepted.
	next, err := auth.TOTP(key, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	run("sign in with two factors",
		chromedp.SendKeys(`input[name=email]`, "admin@localhost"),
		chromedp.SendKeys(`input[name=password]`, "a sound passphrase"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`input[name=code]`),
		shot("11-sign-in-code"),
		chromedp.SendKeys(`input[name=code]`, next),
		chromedp.Submit(`input[name=code]`),
		chromedp.WaitVisible(`table.devices`),
		chromedp.Location(&text),
	)
	if !strings.HasSuffix(text, "/devices") {
		t.Fatalf("after the code: %s", text)
	}

	// The browser's changes reached the store with their author.
	st = vigiltest.MustOpenSQLitePath(t, db)
	events, err := st.FindAuditEvents(vigiltest.Context(0), domain.AuditFilter{Actor: "admin@localhost", Action: "device.update"})
	if err != nil || len(events) != 1 {
		t.Fatalf("audit of the browser's edit: %d, %v", len(events), err)
	}
	srv.stop()
}

// browserContext starts a headless Chromium for one test and returns its
// context, ending after timeout.
func browserContext(t *testing.T, chrome string, timeout time.Duration) context.Context {
	t.Helper()
	// Chromium's helper processes may still be writing its profile for a
	// moment after it is stopped, so the profile is removed best-effort
	// rather than with t.TempDir, whose cleanup fails the test on a
	// non-empty directory.
	profile, err := os.MkdirTemp("", "vigil-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1366, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	bctx, cancelTimeout := context.WithTimeout(bctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	return bctx
}

// screenshot returns an action that photographs the page into dir.
func screenshot(dir string) func(name string) chromedp.Action {
	return func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var png []byte
			if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		})
	}
}
