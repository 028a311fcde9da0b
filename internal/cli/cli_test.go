package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/vigiltest"
)

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// run runs vigil with args against the database db.
func run(t *testing.T, db string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	if db != "" {
		args = append([]string{"--db", db}, args...)
	}
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func (r result) must(t *testing.T) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

// newPractice makes a database with one practice and two sites.
func newPractice(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "vigil.db")
	run(t, db, "tenant", "add", "Lakeside Family Medicine").must(t)
	run(t, db, "site", "add", "Main Clinic", "--timezone", "America/Chicago").must(t)
	run(t, db, "site", "add", "East Clinic").must(t)
	return db
}

// Ensure usage mistakes exit 2 with one sentence, and help exits 0.
func TestMain_Usage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	for _, args := range [][]string{
		{"bogus"}, {"device", "bogus"}, {"device", "list", "--nope"}, {"device", "show"}, {"device", "list", "--sort", "sideways"},
		{"device", "list", "--category", "spaceship"}, {"export", "inventory", "--format", "pdf"}, {"import", "inventory"},
		{"import", "inventory", "x.csv", "--map", "nonsense"}, {"device", "edit", "A1"},
	} {
		r := run(t, db, args...)
		if r.code != ExitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 1 || !strings.HasPrefix(r.stderr, "vigil: ") {
			t.Errorf("vigil %v: exit %d, stderr %q; want exit 2 and one sentence plus the help hint", args, r.code, r.stderr)
		}
	}
	if r := run(t, db, "device", "list", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--category") {
		t.Fatalf("--help: %d %q", r.code, r.stdout)
	}
}

// Ensure a command that needs a practice says how to make one, and several
// practices require --tenant.
func TestMain_TenantChoice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	r := run(t, db, "device", "list")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "vigil tenant add") {
		t.Fatalf("no practice: %d %q", r.code, r.stderr)
	}
	run(t, db, "tenant", "add", "One").must(t)
	run(t, db, "tenant", "add", "Two").must(t)
	r = run(t, db, "device", "list")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "one, two") {
		t.Fatalf("two practices: %d %q", r.code, r.stderr)
	}
	run(t, db, "--tenant", "two", "device", "list").must(t)
	t.Setenv("VIGIL_TENANT", "one")
	run(t, db, "device", "list").must(t)
}

// Ensure the whole life of a device through the CLI: add, edit, show with
// provenance and history, list, remove, and a verified audit trail.
func TestMain_DeviceLifecycle(t *testing.T) {
	db := newPractice(t)
	r := run(t, db, "device", "add", "--serial", "SN1", "--asset-tag", "A-1", "--manufacturer", "GE Healthcare",
		"--model", "CARESCAPE B650", "--category", "monitor", "--site", "main-clinic", "--ips", "10.0.0.5", "--macs", "00-09-FB-01-02-03").must(t)
	if !strings.Contains(r.stdout, "Added device 1") {
		t.Fatalf("add: %q", r.stdout)
	}
	r = run(t, db, "device", "add", "--serial", "SN2", "--macs", "zz", "--purchase-date", "2023-02-30", "--site", "main-clinic")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "--macs: invalid MAC address \"zz\"") || !strings.Contains(r.stderr, "--purchase-date: impossible date") {
		t.Fatalf("bad add: %d %q", r.code, r.stderr)
	}
	r = run(t, db, "device", "add", "--serial", "SN1", "--site", "main-clinic")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "already used by device 1") {
		t.Fatalf("duplicate serial: %d %q", r.code, r.stderr)
	}
	run(t, db, "device", "edit", "A-1", "--firmware", "3.1", "--location", "Room 4").must(t)
	r = run(t, db, "--json", "device", "show", "00:09:fb:01:02:03").must(t)
	var shown struct {
		Device     map[string]string
		Provenance map[string]struct{ Kind, Actor string }
		History    []struct{ Action string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Device["firmware"] != "3.1" || shown.Device["manufacturer"] != "GE HealthCare" || shown.Device["category"] != "patient-monitoring" {
		t.Fatalf("device = %v", shown.Device)
	}
	if shown.Provenance["firmware"].Kind != "manual" || shown.Provenance["lifecycle"].Kind != "system" || len(shown.History) != 2 {
		t.Fatalf("provenance %v history %v", shown.Provenance, shown.History)
	}
	r = run(t, db, "device", "show", "A-1").must(t)
	if !strings.Contains(r.stdout, `firmware: "" → "3.1"`) {
		t.Fatalf("show history: %s", r.stdout)
	}
	r = run(t, db, "device", "list", "-q", "carescape").must(t)
	if !strings.Contains(r.stdout, "CARESCAPE B650") || !strings.Contains(r.stdout, "1 devices") {
		t.Fatalf("list: %s", r.stdout)
	}
	run(t, db, "device", "rm", "SN1").must(t)
	r = run(t, db, "device", "show", "SN1")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "no device") {
		t.Fatalf("after rm: %d %q", r.code, r.stderr)
	}
	r = run(t, db, "audit", "verify").must(t)
	if !strings.Contains(r.stdout, "Audit trail intact") {
		t.Fatalf("verify: %s", r.stdout)
	}
}

// Ensure a messy CMMS-style CSV imports, re-imports without change, and a
// changed file updates only what changed, with provenance.
func TestImport_Idempotent(t *testing.T) {
	db := newPractice(t)
	r := run(t, db, "import", "inventory", "testdata/assets.csv").must(t)
	if !strings.Contains(r.stdout, "4 created, 0 updated, 0 unchanged") {
		t.Fatalf("first import: %s", r.stdout)
	}
	r = run(t, db, "import", "inventory", "testdata/assets.csv").must(t)
	if !strings.Contains(r.stdout, "0 created, 0 updated, 4 unchanged") {
		t.Fatalf("re-import: %s", r.stdout)
	}
	changed := filepath.Join(t.TempDir(), "assets-v2.csv")
	b, _ := os.ReadFile("testdata/assets.csv")
	os.WriteFile(changed, bytes.Replace(b, []byte("PageWriter TC70,SN-1004,Cardiology,,"), []byte("PageWriter TC70,SN-1004,Cardiology,10.20.3.4,"), 1), 0o600)
	r = run(t, db, "import", "inventory", changed, "--dry-run").must(t)
	if !strings.Contains(r.stdout, "assets-v2.csv:5") || !strings.Contains(r.stdout, `ips: "" → "10.20.3.4"`) || !strings.Contains(r.stdout, "nothing was written") {
		t.Fatalf("dry run: %s", r.stdout)
	}
	r = run(t, db, "import", "inventory", changed).must(t)
	if !strings.Contains(r.stdout, "0 created, 1 updated, 3 unchanged") {
		t.Fatalf("changed import: %s", r.stdout)
	}
	r = run(t, db, "--json", "device", "show", "LFM-004").must(t)
	if !strings.Contains(r.stdout, `"name": "assets-v2.csv"`) || !strings.Contains(r.stdout, `"ref": "row 5"`) {
		t.Fatalf("provenance after update: %s", r.stdout)
	}
	r = run(t, db, "--json", "device", "show", "SN-1003").must(t)
	var shown struct{ Device map[string]string }
	json.Unmarshal([]byte(r.stdout), &shown)
	want := map[string]string{"category": "imaging", "manufacturer": "Siemens Healthineers", "macs": "00:0a:95:00:00:03", "site": "east-clinic",
		"purchase_date": "2021-12-01", "patchability": "not-patchable", "department": "Radiology"}
	for k, v := range want {
		if shown.Device[k] != v {
			t.Errorf("%s = %q, want %q", k, shown.Device[k], v)
		}
	}
}

// Ensure an invalid file imports nothing and lists every problem with its
// location; --skip-invalid imports the rest and writes a reject file.
func TestImport_ErrInvalidRows(t *testing.T) {
	db := newPractice(t)
	r := run(t, db, "import", "inventory", "testdata/assets-bad.csv")
	if r.code != ExitFailure {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{
		"assets-bad.csv:3:7", "10.20.1.300",
		"assets-bad.csv:4:2", "Spaceship",
		"assets-bad.csv:4:10", "2023-02-30",
		"assets-bad.csv:5:8", "00:0A:95:GG:00:04",
		"assets-bad.csv:5", "SN-1001",
		"nothing was imported",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := run(t, db, "device", "list").must(t); !strings.Contains(r.stdout, "0 devices") {
		t.Fatalf("a failed import wrote devices: %s", r.stdout)
	}
	dir := t.TempDir()
	rejects := filepath.Join(dir, "rejects.csv")
	r = run(t, db, "import", "inventory", "testdata/assets-bad.csv", "--skip-invalid", "--rejects", rejects).must(t)
	if !strings.Contains(r.stdout, "1 created") || !strings.Contains(r.stdout, "3 rows were rejected") {
		t.Fatalf("skip-invalid: %s", r.stdout)
	}
	b, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("reject file is not CSV: %v", err)
	}
	if len(recs) != 4 || !strings.HasSuffix(recs[0][0], "Asset #") || recs[0][11] != "error" || recs[1][0] != "LFM-002" ||
		!strings.Contains(recs[3][11], "assets-bad.csv:5:8") || !strings.Contains(recs[3][11], "also on assets-bad.csv:2") {
		t.Fatalf("reject file:\n%s", b)
	}
}

// Ensure every export format re-imports into a fresh database without loss.
func TestExport_RoundTrip(t *testing.T) {
	db := newPractice(t)
	run(t, db, "import", "inventory", "testdata/assets.csv").must(t)
	run(t, db, "device", "edit", "LFM-001", "--admins", "Doe, Jane; Biomed on-call", "--notes", "line one\nline \"two\", with comma",
		"--hostnames", "pump-1.icu.local", "--vlans", "20;30", "--phi", "stores", "--phi-records", "1200", "--network-required", "yes",
		"--network-justification", "drug library updates", "--criticality", "life-sustaining").must(t)
	want := run(t, db, "export", "inventory", "--format", "csv").must(t).stdout
	for _, format := range []string{"csv", "xlsx", "json"} {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "inv."+format)
			run(t, db, "export", "inventory", "-o", file).must(t)
			db2 := newPractice(t)
			r := run(t, db2, "import", "inventory", file).must(t)
			if !strings.Contains(r.stdout, "4 created") {
				t.Fatalf("re-import: %s", r.stdout)
			}
			got := run(t, db2, "export", "inventory", "--format", "csv").must(t).stdout
			if got != want {
				t.Fatalf("round trip through %s differs:\n got: %s\nwant: %s", format, got, want)
			}
			r = run(t, db2, "import", "inventory", file).must(t)
			if !strings.Contains(r.stdout, "4 unchanged") {
				t.Fatalf("second re-import: %s", r.stdout)
			}
		})
	}
}

// Ensure configuration precedence: defaults < file < environment < flags,
// and config file errors name the file and line.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "vigil.conf")
	os.WriteFile(conf, []byte("# test\ndb = "+filepath.Join(dir, "file.db")+"\ntenant = from-file\n"), 0o600)
	r := run(t, "", "--config", conf, "config", "show").must(t)
	if !strings.Contains(r.stdout, "file.db") || !strings.Contains(r.stdout, "tenant = from-file") {
		t.Fatalf("file: %s", r.stdout)
	}
	t.Setenv("VIGIL_TENANT", "from-env")
	r = run(t, "", "--config", conf, "config", "show").must(t)
	if !strings.Contains(r.stdout, "tenant = from-env") {
		t.Fatalf("env: %s", r.stdout)
	}
	r = run(t, "", "--config", conf, "--tenant", "from-flag", "config", "show").must(t)
	if !strings.Contains(r.stdout, "tenant = from-flag") {
		t.Fatalf("flag: %s", r.stdout)
	}
	t.Setenv("VIGIL_DB", "postgres://vigil:secret@db.example/vigil")
	r = run(t, "", "config", "show").must(t)
	if strings.Contains(r.stdout, "secret") {
		t.Fatalf("password shown: %s", r.stdout)
	}
	os.WriteFile(conf, []byte("db = x\nlisten 127.0.0.1\n"), 0o600)
	r = run(t, "", "--config", conf, "config", "show")
	if r.code != ExitFailure || !strings.Contains(r.stderr, conf+":2:") {
		t.Fatalf("bad config: %d %q", r.code, r.stderr)
	}
}

// server is a running `vigil serve` started by a test.
type server struct {
	addr     string
	out, err *bytes.Buffer // what it printed up to the moment it listened
	stop     func() int    // stops it and returns its exit code
}

// startServe runs vigil with args (a serve or demo command listening on
// 127.0.0.1:0) and returns once it accepts connections. What it printed
// before listening may be read from out; it prints again only when stopped.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	srv := &server{out: &bytes.Buffer{}, err: &bytes.Buffer{}}
	go func() {
		done <- MainWithHooks(ctx, args, strings.NewReader(""), srv.out, srv.err, Hooks{Listening: func(addr string) { addrc <- addr }})
	}()
	select {
	case srv.addr = <-addrc:
	case code := <-done:
		cancel()
		t.Fatalf("vigil %v exited %d: %s", args, code, srv.err.String())
	}
	stopped := false
	srv.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { srv.stop() })
	return srv
}

// Ensure `vigil serve` serves the inventory on the chosen address and stops
// cleanly when its context ends.
func TestServe(t *testing.T) {
	db := newPractice(t)
	run(t, db, "import", "inventory", "testdata/assets.csv").must(t)
	srv := startServe(t, "--db", db, "serve", "--listen", "127.0.0.1:0")
	addr, out := srv.addr, srv.out
	// The first start printed the administrator's one-time password.
	m := regexp.MustCompile(`administrator admin@localhost with the one-time password\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no one-time password printed:\n%s", out.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + addr
	csrfOf := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
		if f == nil {
			t.Fatalf("no CSRF token on %s:\n%s", path, body)
		}
		return f[1]
	}
	post := func(path string, form url.Values) *http.Response {
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	post("/login", url.Values{"csrf": {csrfOf("/login")}, "email": {"admin@localhost"}, "password": {m[1]}, "next": {"/devices?q=alaris"}})
	// Signed in with a one-time password: the password page comes first.
	resp := post("/password", url.Values{"csrf": {csrfOf("/password")}, "current": {m[1]}, "new": {"a sound passphrase"}, "confirm": {"a sound passphrase"}})
	if resp.Request.URL.Path != "/dashboard" {
		t.Fatalf("after changing the password: %s", resp.Request.URL)
	}
	resp, err := c.Get(base + "/devices?q=alaris")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Alaris 8015") || strings.Contains(string(body), "CARESCAPE") {
		t.Fatalf("GET /devices?q=alaris: %d\n%s", resp.StatusCode, body)
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exit %d: %s", code, srv.err.String())
	}
}

// Ensure `vigil demo` builds a fresh demo database every run, never in the
// user's real database.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "vigil.db")
	run(t, real, "tenant", "add", "Real Practice").must(t)
	for i := 0; i < 2; i++ {
		r := run(t, "", "--data-dir", dir, "demo", "--no-serve").must(t)
		if !strings.Contains(r.stdout, "Cedar Valley Health") || !strings.Contains(r.stdout, filepath.Join(dir, "demo.db")) {
			t.Fatalf("demo run %d: %s", i, r.stdout)
		}
	}
	r := run(t, filepath.Join(dir, "demo.db"), "--json", "device", "list").must(t)
	var devs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &devs); err != nil || len(devs) < 80 {
		t.Fatalf("demo devices: %d, %v", len(devs), err)
	}
	r = run(t, real, "tenant", "list").must(t)
	if strings.Contains(r.stdout, "Cedar Valley") {
		t.Fatal("the demo wrote into the real database")
	}
}

// Ensure the same commands work against PostgreSQL (--db postgres://…).
func TestMain_Postgres(t *testing.T) {
	db := vigiltest.MustPostgresSchema(t)
	run(t, db, "tenant", "add", "Lakeside Family Medicine").must(t)
	run(t, db, "site", "add", "Main Clinic").must(t)
	run(t, db, "site", "add", "East Clinic").must(t)
	r := run(t, db, "import", "inventory", "testdata/assets.csv").must(t)
	if !strings.Contains(r.stdout, "4 created") {
		t.Fatalf("import: %s", r.stdout)
	}
	run(t, db, "device", "edit", "LFM-001", "--firmware", "12.3.0").must(t)
	r = run(t, db, "device", "list", "-q", "alaris").must(t)
	if !strings.Contains(r.stdout, "Alaris 8015") || !strings.Contains(r.stdout, "1 devices") {
		t.Fatalf("search: %s", r.stdout)
	}
	file := filepath.Join(t.TempDir(), "inv.xlsx")
	run(t, db, "export", "inventory", "-o", file).must(t)
	r = run(t, db, "import", "inventory", file).must(t)
	if !strings.Contains(r.stdout, "4 unchanged") {
		t.Fatalf("re-import of the export: %s", r.stdout)
	}
	r = run(t, db, "audit", "verify").must(t)
	if !strings.Contains(r.stdout, "intact") {
		t.Fatalf("verify: %s", r.stdout)
	}
}

// Ensure accounts through the CLI: provider staff and practice users, a
// one-time password shown once, roles checked, disable and passwd audited.
func TestUser(t *testing.T) {
	db := newPractice(t)
	r := run(t, db, "user", "add", "Pat@MSP.example", "--role", "provider-admin", "--name", "Pat Boss").must(t)
	if !strings.Contains(r.stdout, "One-time password") {
		t.Fatalf("add: %s", r.stdout)
	}
	if r := run(t, db, "user", "add", "x@msp.example", "--role", "janitor"); r.code != ExitUsage {
		t.Fatalf("bad role: %d %s", r.code, r.stderr)
	}
	if r := run(t, db, "user", "add", "y@msp.example", "--role", "practice-admin"); r.code != ExitFailure || !strings.Contains(r.stderr, "--tenant") {
		t.Fatalf("practice-admin without a practice: %d %s", r.code, r.stderr)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"--db", db, "--tenant", "lakeside-family-medicine", "user", "add", "lee@lakeside.example", "--role", "viewer", "--password-stdin"},
		strings.NewReader("a sound passphrase\n"), &out, &errb)
	if code != 0 || strings.Contains(out.String(), "One-time") {
		t.Fatalf("add with stdin password: %d %s %s", code, out.String(), errb.String())
	}
	r = run(t, db, "user", "list").must(t)
	if !strings.Contains(r.stdout, "pat@msp.example") || strings.Contains(r.stdout, "lee@") || !strings.Contains(r.stdout, "must change password") {
		t.Fatalf("provider list: %s", r.stdout)
	}
	r = run(t, db, "--tenant", "lakeside-family-medicine", "user", "list").must(t)
	if !strings.Contains(r.stdout, "lee@lakeside.example") || strings.Contains(r.stdout, "pat@") {
		t.Fatalf("practice list: %s", r.stdout)
	}
	if r := run(t, db, "user", "disable", "lee@lakeside.example"); r.code != ExitFailure {
		t.Fatalf("disabling a practice user from the provider scope without --tenant: %d", r.code)
	}
	run(t, db, "--tenant", "lakeside-family-medicine", "user", "disable", "lee@lakeside.example").must(t)
	run(t, db, "user", "passwd", "pat@msp.example").must(t)
	r = run(t, db, "--json", "audit", "list", "--type", "user", "--tenant", "lakeside-family-medicine").must(t)
	if !strings.Contains(r.stdout, `"disabled": true`) {
		t.Fatalf("audit of disable: %s", r.stdout)
	}
	if strings.Contains(r.stdout, "argon2") {
		t.Fatal("a password hash reached the audit trail")
	}
	run(t, db, "audit", "verify").must(t)
}

// Ensure `vigil serve --tls` makes a self-signed certificate on first use,
// serves HTTPS with it, marks cookies Secure and sends HSTS.
func TestServe_TLS(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vigil.db")
	run(t, db, "tenant", "add", "P").must(t)
	srv := startServe(t, "--db", db, "--data-dir", dir, "serve", "--tls", "--listen", "127.0.0.1:0")
	addr, out := srv.addr, srv.out
	pemBytes, err := os.ReadFile(filepath.Join(dir, "tls-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the certificate does not parse")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get("https://" + addr + "/login") // verified against the self-signed certificate
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over TLS")
	}
	secure := false
	for _, ck := range resp.Cookies() {
		secure = secure || ck.Secure
	}
	if !secure {
		t.Fatal("cookies over TLS are not Secure")
	}
	if !strings.Contains(out.String(), "https://") {
		t.Fatalf("the URL printed is not https: %s", out.String())
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exit %d: %s", code, srv.err.String())
	}
}
