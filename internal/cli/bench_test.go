package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlite"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// benchRows is the inventory size the performance targets name.
const benchRows = 100_000

var (
	benchCSVOnce sync.Once
	benchCSVPath string
)

// benchCSV writes (once per run) a 100,000-row inventory in the shape of a
// CMMS export: CMMS-style headers, three sites, real makes and models.
func benchCSV(tb testing.TB) string {
	benchCSVOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		benchCSVPath = filepath.Join(dir, "inventory-100k.csv")
		f, err := os.Create(benchCSVPath)
		if err != nil {
			tb.Fatal(err)
		}
		writeInventory(f, benchRows, 1)
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
	})
	return benchCSVPath
}

var benchModels = []struct{ mfr, model, cat, os string }{
	{"GE Healthcare", "CARESCAPE B650", "Patient Monitor", "Linux"},
	{"Philips Medical Systems", "IntelliVue MX450", "Patient Monitor", "VxWorks"},
	{"BD", "Alaris 8015 PC Unit", "Infusion Pump", ""},
	{"Baxter", "Sigma Spectrum", "Infusion Pump", ""},
	{"Siemens Healthcare", "SOMATOM go.Up", "CT Scanner", "Windows 10 IoT"},
	{"Dräger", "Perseus A500", "Anesthesia Machine", ""},
	{"Abbott", "i-STAT 1", "Blood Gas Analyzer", ""},
	{"Sysmex", "XN-1000", "Hematology Analyzer", "Windows 10"},
	{"GE Medical Systems", "MAC 5500 HD", "ECG Cart", "Windows XP Embedded"},
	{"Dentsply Sirona", "Orthophos SL", "Panoramic X-ray", "Windows 10"},
	{"Carl Zeiss Meditec", "CIRRUS HD-OCT 5000", "OCT", "Windows 7"},
	{"Olympus", "EVIS EXERA III CV-190", "Endoscopy", ""},
	{"Fresenius Medical Care", "5008S", "Dialysis", ""},
	{"Dell", "OptiPlex 7090 PACS workstation", "PACS", "Windows 10"},
	{"Omnicell", "XT Automated Dispensing Cabinet", "Medication Cabinet", "Windows 10 IoT"},
}

// writeInventory writes n rows; version varies the firmware so a second
// file updates every row.
func writeInventory(w *os.File, n, version int) {
	r := rand.New(rand.NewPCG(42, 7))
	cw := csv.NewWriter(w)
	cw.Write([]string{"Asset #", "Equipment Type", "Mfr", "Model Number", "Serial No.", "Device Name", "Operating System",
		"Firmware Version", "MAC", "IP Addr", "Hostname", "Site", "Dept", "Location", "Criticality", "PHI", "Patchable",
		"Purchase Date", "Status"})
	sites := []string{"north", "south", "east"}
	depts := []string{"Radiology", "ICU", "Emergency", "Laboratory", "Cardiology", "Surgery", "Outpatient"}
	for i := 0; i < n; i++ {
		m := benchModels[r.IntN(len(benchModels))]
		cw.Write([]string{
			fmt.Sprintf("LFM-%06d", i), m.cat, m.mfr, m.model, fmt.Sprintf("SN%08X", i*7919), fmt.Sprintf("%s %d", m.model, i),
			m.os, fmt.Sprintf("%d.%d.%d", version, r.IntN(10), r.IntN(100)),
			fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", byte(i>>24), byte(i>>16), byte(i>>8), byte(i)),
			fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), fmt.Sprintf("dev-%06d", i), sites[i%3], depts[r.IntN(len(depts))],
			fmt.Sprintf("Room %d", 100+r.IntN(400)), []string{"life-sustaining", "diagnostic", "supporting"}[r.IntN(3)],
			[]string{"none", "stores", "transmits", "yes"}[r.IntN(4)], []string{"yes", "no", "vendor only"}[r.IntN(3)],
			fmt.Sprintf("%d/%d/%d", 1+r.IntN(12), 1+r.IntN(28), 2008+r.IntN(17)), "Active",
		})
	}
	cw.Flush()
}

// benchPractice prepares a database with one practice and three sites.
func benchPractice(tb testing.TB, db string) {
	for _, args := range [][]string{{"tenant", "add", "Bench Practice"}, {"site", "add", "North"}, {"site", "add", "South"}, {"site", "add", "East"}} {
		mustRun(tb, append([]string{"--db", db}, args...)...)
	}
}

func mustRun(tb testing.TB, args ...string) string {
	tb.Helper()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
		tb.Fatalf("vigil %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// BenchmarkImportCSV100k_SQLite imports a 100,000-row CMMS-style CSV into a
// fresh SQLite database through the CLI (read, map, validate, match, write).
// Target: under 10 s.
func BenchmarkImportCSV100k_SQLite(b *testing.B) {
	path := benchCSV(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "bench.db")
		benchPractice(b, db)
		b.StartTimer()
		mustRun(b, "--db", db, "import", "inventory", path)
	}
	b.ReportMetric(float64(benchRows), "rows")
}

// BenchmarkImportCSV100k_Postgres is the same import into PostgreSQL.
// Target: under 20 s.
func BenchmarkImportCSV100k_Postgres(b *testing.B) {
	path := benchCSV(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := vigiltest.MustPostgresSchema(b)
		benchPractice(b, url)
		b.StartTimer()
		mustRun(b, "--db", url, "import", "inventory", path)
	}
	b.ReportMetric(float64(benchRows), "rows")
}

var (
	bench100kOnce sync.Once
	bench100kDB   string
	benchBinOnce  sync.Once
	benchBin      string
)

// benchBinary builds the real vigil binary once per run.
func benchBinary(b *testing.B) string {
	benchBinOnce.Do(func() {
		benchBin = filepath.Join(filepath.Dir(benchCSV(b)), "vigil")
		build := exec.Command("go", "build", "-o", benchBin, "github.com/vigil-med/vigil/cmd/vigil")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, out)
		}
	})
	return benchBin
}

// bench100k returns a SQLite database holding the 100,000-row inventory.
// It is built by the vigil binary in child processes, so this process stays
// small: a child's peak memory as the kernel reports it includes what it
// inherited from its parent before exec.
func bench100k(b *testing.B) string {
	bench100kOnce.Do(func() {
		bin := benchBinary(b)
		bench100kDB = filepath.Join(filepath.Dir(benchCSV(b)), "bench100k.db")
		os.Remove(bench100kDB)
		for _, args := range [][]string{{"tenant", "add", "Bench Practice"}, {"site", "add", "North"}, {"site", "add", "South"},
			{"site", "add", "East"}, {"import", "inventory", benchCSV(b)}} {
			cmd := exec.Command(bin, append([]string{"--db", bench100kDB}, args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("vigil %v: %v\n%s", args, err, out)
			}
		}
	})
	return bench100kDB
}

// BenchmarkFindDevices_SQLite100k runs the console's list queries (first
// page of 50 plus the total) at 100,000 devices — the plain list, filters by
// category, manufacturer and site, free-text searches from rare (a serial) to
// broad (two characters, a word on every device), and combinations — and
// reports latency percentiles over all of them. Target: p95 under 20 ms.
// One-character searches are timed separately (1char-max-ms).
func BenchmarkFindDevices_SQLite100k(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, bench100k(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	tn, err := st.FindTenant(ctx, "bench-practice")
	if err != nil {
		b.Fatal(err)
	}
	ctx = domain.WithTenant(ctx, tn.ID)
	filters := []domain.DeviceFilter{
		{},
		{Category: "infusion"},
		{Manufacturer: "GE Medical Systems"},
		{Site: "south"},
		{Site: "north", Category: "imaging"},
		{Query: "intellivue"},
		{Query: "sn0001"},
		{Query: "10.1.2"},
		{Query: "dev-09999"},
		{Query: "icu"},
		{Query: "55"},
		{Sort: "-updated"},
		{Category: "laboratory", Offset: 2000},
		{Site: "east", Query: "alaris"},
		{Manufacturer: "Philips", Query: "room"},
	}
	var lat []time.Duration
	worst := make([]time.Duration, len(filters))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, f := range filters {
			f.Limit = 50
			start := time.Now()
			if _, _, err := st.FindDevices(ctx, f); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			lat = append(lat, d)
			worst[j] = max(worst[j], d)
		}
	}
	// A one-character search matches a large part of any fleet (every word
	// starting with that character); it is measured, and reported, apart.
	var single []time.Duration
	for i := 0; i < b.N; i++ {
		for _, q := range []string{"5", "c"} {
			start := time.Now()
			if _, _, err := st.FindDevices(ctx, domain.DeviceFilter{Query: q, Limit: 50}); err != nil {
				b.Fatal(err)
			}
			single = append(single, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(single)
	b.ReportMetric(float64(single[len(single)-1].Microseconds())/1000, "1char-max-ms")
	for j, f := range filters {
		b.Logf("worst %6.2f ms  category=%q site=%q manufacturer=%q q=%q sort=%q offset=%d", float64(worst[j].Microseconds())/1000,
			f.Category, f.Site, f.Manufacturer, f.Query, f.Sort, f.Offset)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1.0), "max-ms")
}

// BenchmarkDeviceListRSS runs the real binary's `vigil device list` (and
// --json) over 100,000 devices and reports its peak resident memory.
// Target: under 100 MB.
func BenchmarkDeviceListRSS(b *testing.B) {
	db := bench100k(b)
	bin := benchBinary(b)
	for _, format := range []string{"text", "json"} {
		b.Run(format, func(b *testing.B) {
			var maxRSS int64
			for i := 0; i < b.N; i++ {
				args := []string{"--db", db, "device", "list"}
				if format == "json" {
					args = append(args, "--json")
				}
				cmd := exec.Command(bin, args...)
				var lines countWriter
				cmd.Stdout = &lines
				peak, err := runPeakRSS(cmd)
				if err != nil {
					b.Fatal(err)
				}
				if lines.n < benchRows {
					b.Fatalf("listed %d lines, want at least %d", lines.n, benchRows)
				}
				maxRSS = max(maxRSS, peak)
			}
			b.ReportMetric(float64(maxRSS)/1024, "maxrss-MB")
		})
	}
}

// runPeakRSS runs cmd and returns its peak resident memory in kilobytes,
// read from /proc/PID/status (VmHWM) while it runs. The rusage the kernel
// reports at exit would include the memory of this (large) test process,
// which the child shares until it execs.
func runPeakRSS(cmd *exec.Cmd) (int64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peak int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(status); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
					peak = max(peak, kb)
				}
			}
		}
		select {
		case err := <-done:
			return peak, err
		case <-tick.C:
		}
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// BenchmarkPeer_SQLite3Import loads the same CSV with the sqlite3 shell's
// .import into a plain table (no validation, no indexes): the floor any
// importer into SQLite stands on, measured in the same run for comparison.
func BenchmarkPeer_SQLite3Import(b *testing.B) {
	path := benchCSV(b)
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 shell not installed (apt-get install sqlite3)")
	}
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "peer.db")
		cmd := exec.Command(bin, db, ".mode csv", ".import "+path+" inventory")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sqlite3: %v\n%s", err, out)
		}
	}
}

// BenchmarkPeer_PsqlCopy loads the same CSV with psql's \copy into a plain
// table: the PostgreSQL floor, for comparison with the Postgres import.
func BenchmarkPeer_PsqlCopy(b *testing.B) {
	path := benchCSV(b)
	bin, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql not installed")
	}
	for i := 0; i < b.N; i++ {
		url := vigiltest.MustPostgresSchema(b)
		cols := make([]string, 19)
		for c := range cols {
			cols[c] = fmt.Sprintf("c%d text", c)
		}
		base, schema, _ := strings.Cut(url, "search_path=")
		cmd := exec.Command(bin, strings.TrimRight(base, "?&"), "-v", "ON_ERROR_STOP=1", "-q",
			"-c", "CREATE TABLE inventory ("+strings.Join(cols, ", ")+")",
			"-c", `\copy inventory FROM '`+path+`' WITH (FORMAT csv, HEADER true)`)
		cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+schema) // libpq takes no search_path URL parameter
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("psql: %v\n%s", err, out)
		}
	}
}

// loadServer starts the real binary serving the 100,000-device database in
// a child process, with a provider administrator whose password is known.
func loadServer(b *testing.B) string {
	bin, db := benchBinary(b), bench100k(b)
	add := exec.Command(bin, "--db", db, "user", "add", "load@msp.example", "--role", "provider-admin", "--password-stdin")
	add.Stdin = strings.NewReader("load test passphrase\n")
	if out, err := add.CombinedOutput(); err != nil && !strings.Contains(string(out), "already exists") {
		b.Fatalf("user add: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := exec.Command(bin, "--db", db, "serve", "--listen", addr)
	srv.Stdout, srv.Stderr = io.Discard, io.Discard
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			b.Fatalf("the server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for a child process to listen, not timing a test
	}
	return "http://" + addr
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInClient returns an HTTP client signed in to base.
func signInClient(b *testing.B, base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	resp, err := c.Get(base + "/login")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		b.Fatal("no CSRF token on the sign-in page")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {"load@msp.example"}, "password": {"load test passphrase"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/dashboard" {
		b.Fatalf("sign-in ended at %s", resp.Request.URL)
	}
	return c
}

// BenchmarkConsoleLoad200 has 200 signed-in clients browse the device list
// of the 100,000-device practice for 30 seconds: each asks for a page (see
// consolePath: the list and its first pages, filters, searches for common
// words and for one device's serial, address or host name, other sort
// orders), reads it, and thinks for 0.5 to 1.5 seconds before the next, as
// people at a console do. Clients start within the first 1.5 seconds, not
// all in the same millisecond. The server is the real binary in another
// process. Target: p99 under 100 ms, no errors.
func BenchmarkConsoleLoad200(b *testing.B) {
	base := loadServer(b)
	const clients = 200
	cs := make([]*http.Client, clients)
	for i := range cs {
		cs[i] = signInClient(b, base)
	}
	for n := 0; n < b.N; n++ {
		var mu sync.Mutex
		var lat []time.Duration
		errs := 0
		deadline := time.Now().Add(30 * time.Second)
		var wg sync.WaitGroup
		for i, c := range cs {
			wg.Add(1)
			go func(i int, c *http.Client) {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(i), 1))
				time.Sleep(time.Duration(r.IntN(1500)) * time.Millisecond) // arrive within the first think time
				for time.Now().Before(deadline) {
					path := consolePath(r)
					start := time.Now()
					resp, err := c.Get(base + path)
					ok := err == nil && resp.StatusCode == 200
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					d := time.Since(start)
					mu.Lock()
					lat = append(lat, d)
					if !ok {
						errs++
					}
					mu.Unlock()
					time.Sleep(500*time.Millisecond + time.Duration(r.IntN(1000))*time.Millisecond) // think time
				}
			}(i, c)
		}
		wg.Wait()
		slices.Sort(lat)
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(len(lat))/30, "req/s")
		b.ReportMetric(float64(errs), "errors")
	}
}

// consolePath picks what a console user asks for next: mostly the list
// and its first pages; filters by category, site or manufacturer; searches
// for a common word (a model, a department, an operating system) or for one
// device (a serial, an address, a host name, an asset tag — different every
// time); and the other sort orders of the column headers.
func consolePath(r *rand.Rand) string {
	v := url.Values{}
	switch n := r.IntN(100); {
	case n < 30:
	case n < 45:
		v.Set("category", []string{"imaging", "patient-monitoring", "infusion", "laboratory", "cardiology", "respiratory", "dental", "ophthalmic", "workstation"}[r.IntN(9)])
		if r.IntN(2) == 0 {
			v.Set("site", []string{"north", "south", "east"}[r.IntN(3)])
		}
	case n < 52:
		v.Set("site", []string{"north", "south", "east"}[r.IntN(3)])
	case n < 60:
		v.Set("manufacturer", benchModels[r.IntN(len(benchModels))].mfr)
	case n < 75:
		words := []string{"carescape", "intellivue", "alaris", "sigma", "somatom", "perseus", "i-stat", "sysmex", "orthophos", "cirrus",
			"evis", "optiplex", "omnicell", "radiology", "icu", "emergency", "laboratory", "cardiology", "surgery", "outpatient",
			"windows", "linux", "vxworks", "pump", "monitor", "room 2", "ge", "philips", "baxter", "dialysis"}
		v.Set("q", words[r.IntN(len(words))])
	case n < 88:
		i := r.IntN(benchRows)
		v.Set("q", []string{fmt.Sprintf("SN%08X", i*7919), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
			fmt.Sprintf("dev-%06d", i), fmt.Sprintf("LFM-%06d", i), fmt.Sprintf("10.%d.%d", i>>16&255, i>>8&255)}[r.IntN(5)])
	default:
		v.Set("sort", []string{"-name", "category", "manufacturer", "updated", "-updated"}[r.IntN(5)])
	}
	if p := r.IntN(10); p >= 6 {
		v.Set("page", strconv.Itoa(p-4)) // pages 2 to 5, four times in ten
	}
	return "/devices?" + v.Encode()
}

// BenchmarkDashboard100k renders the dashboard of the 100,000-device
// practice, as served by the real binary, each time just after a device
// changed (through the CLI, another process), so the counts are computed
// afresh rather than taken from the server's memory. Target: under 150 ms.
func BenchmarkDashboard100k(b *testing.B) {
	base := loadServer(b)
	c := signInClient(b, base)
	bin, db := benchBinary(b), bench100k(b)
	var lat []time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		edit := exec.Command(bin, "--db", db, "device", "edit", "LFM-000001", "--location", fmt.Sprintf("Room %d", n))
		if out, err := edit.CombinedOutput(); err != nil {
			b.Fatalf("device edit: %v\n%s", err, out)
		}
		b.StartTimer()
		start := time.Now()
		resp, err := c.Get(base + "/dashboard")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("dashboard: %v %v", err, resp)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
