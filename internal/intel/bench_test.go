package intel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

var (
	corpusOnce  sync.Once
	corpusFiles []string
	corpusCount int
)

// corpus builds the benchmark corpus once per run (see BuildCorpus).
func corpus(b *testing.B) []string {
	corpusOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-nvd-corpus-")
		if err != nil {
			b.Fatal(err)
		}
		corpusFiles, corpusCount = BuildCorpus(b, vigiltest.SharedData(b, "nvd/feeds-json-1.1"), dir)
	})
	return corpusFiles
}

// importFiles is what `vigil feeds import` does with files: read each
// whole, store it, then re-match every practice.
func importFiles(b *testing.B, ctx context.Context, st store.Store, files []string) *ImportSummary {
	sum := &ImportSummary{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		doc, err := ReadDocument(name, f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := Apply(ctx, st, doc, sum); err != nil {
			b.Fatal(err)
		}
	}
	if err := Finish(ctx, st, sum); err != nil {
		b.Fatal(err)
	}
	m, err := Load(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := RematchAll(ctx, st.(interface {
		MatchStore
		store.TenantStore
	}), m, nil); err != nil {
		b.Fatal(err)
	}
	return sum
}

func benchImport(b *testing.B, open func(testing.TB) store.Store) {
	files := corpus(b)
	b.ResetTimer() // building the corpus is not the import
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := open(b)
		ctx := vigiltest.Context(0)
		b.StartTimer()
		sum := importFiles(b, ctx, st, files)
		if sum.CVEs < CorpusCVEs {
			b.Fatalf("imported %d CVEs", sum.CVEs)
		}
	}
	b.ReportMetric(float64(corpusCount), "cves")
}

// BenchmarkImportNVD300k_SQLite imports the ~300,000-CVE corpus into a
// fresh SQLite database (read, store, load the matcher). Target: under 2
// minutes.
func BenchmarkImportNVD300k_SQLite(b *testing.B) {
	benchImport(b, func(tb testing.TB) store.Store { return vigiltest.MustOpenSQLite(tb) })
}

// BenchmarkImportNVD300k_Postgres is the same into PostgreSQL (COPY).
func BenchmarkImportNVD300k_Postgres(b *testing.B) {
	benchImport(b, func(tb testing.TB) store.Store { return vigiltest.MustOpenPostgres(tb) })
}

// benchDevices builds n devices: each shared CSAF probe (affected and not)
// and, for the rest, devices named like NVD CPE products of the corpus
// with versions, so both indexes are exercised.
func benchDevices(b *testing.B, advs []*domain.Advisory, cves []*domain.CVE, n int) []*domain.Device {
	r := rand.New(rand.NewPCG(1, 2))
	var out []*domain.Device
	for _, p := range probes(advs) {
		out = append(out, p.dev)
	}
	var cpes []cpe
	for _, c := range cves {
		for _, m := range c.Matches {
			if p, ok := parseCPE(m.Criteria); ok {
				cpes = append(cpes, p)
			}
		}
		if len(cpes) > 50_000 {
			break
		}
	}
	for len(out) < n {
		p := cpes[r.IntN(len(cpes))]
		out = append(out, &domain.Device{ID: int64(len(out) + 1), TenantID: 1, Manufacturer: p.vendor, Model: p.product,
			Firmware: fmt.Sprintf("%d.%d.%d", r.IntN(10), r.IntN(20), r.IntN(50))})
	}
	return out[:n]
}

// loadCorpus reads the corpus into memory.
func loadCorpus(b *testing.B) []*domain.CVE {
	var all []*domain.CVE
	for _, name := range corpus(b) {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		doc, err := ReadDocument(name, f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, doc.CVEs...)
	}
	return all
}

// BenchmarkMatch10k matches 10,000 devices against the shared advisories
// and the ~300,000-CVE corpus, on one goroutine. Targets: under 10 s per
// op on one core, under 1 GB resident (reported as heap-MB, the live heap
// after loading and matching, and rss-MB, the resident set once the
// garbage of reading the corpus files is returned to the system).
func BenchmarkMatch10k(b *testing.B) {
	advs := sharedAdvisories(b)
	cves := loadCorpus(b)
	m := NewMatcher()
	for _, a := range advs {
		m.AddAdvisory(a)
	}
	for _, c := range cves {
		m.AddCVE(c)
	}
	devices := benchDevices(b, advs, cves, 10_000)
	cves = nil
	runtime.GC()
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		rows = 0
		for _, d := range devices {
			rows += len(m.Match(Subject{Device: d}))
		}
	}
	b.StopTimer()
	// What the loaded matcher keeps, after the garbage of matching.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
	// Resident memory once the garbage of reading the corpus (which the
	// store streams in production) is returned to the system.
	debug.FreeOSMemory()
	b.ReportMetric(float64(residentKB(b))/1024, "rss-MB")
	runtime.KeepAlive(m)
	runtime.KeepAlive(devices)
}

// residentKB reads the process's resident set size from /proc.
func residentKB(b *testing.B) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// BenchmarkRematchOneAdvisory imports one new advisory into a store whose
// practice has 10,000 devices, and re-matches: store the advisory, add it
// to the matcher, re-match the devices it names. Target: under 200 ms.
func BenchmarkRematchOneAdvisory(b *testing.B) {
	advs := sharedAdvisories(b)
	st := vigiltest.MustOpenSQLite(b)
	admin := vigiltest.Context(0)
	tn := &domain.Tenant{Name: "Bench"}
	if err := st.CreateTenant(admin, tn); err != nil {
		b.Fatal(err)
	}
	ctx := vigiltest.Context(tn.ID)
	if err := st.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
		b.Fatal(err)
	}
	devices := benchDevices(b, advs, nil, 1134)
	batch := &domain.ImportBatch{File: "bench.csv", DefaultSite: "main"}
	for i := 0; i < 10_000; i++ {
		src := devices[i%len(devices)]
		d := domain.Device{Manufacturer: src.Manufacturer, Model: src.Model, Firmware: src.Firmware, Serial: fmt.Sprintf("B-%05d", i)}
		batch.Records = append(batch.Records, domain.ImportRecord{Row: i + 2, Location: fmt.Sprintf("bench.csv:%d", i+2), Device: d,
			Fields: []domain.Field{domain.FieldManufacturer, domain.FieldModel, domain.FieldFirmware, domain.FieldSerial}})
	}
	if _, err := st.ImportDevices(ctx, batch); err != nil {
		b.Fatal(err)
	}
	m := NewMatcher()
	for _, a := range advs {
		if _, err := st.SaveAdvisory(admin, a); err != nil {
			b.Fatal(err)
		}
		m.AddAdvisory(a)
	}
	if _, err := Rematch(ctx, st, m); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := &domain.Advisory{ID: fmt.Sprintf("ICSMA-99-%03d-01", i), Title: "bench", Revision: "1",
			Products: []domain.Product{{ID: "P1", Vendor: "Philips", Name: "Vue PACS", VersionRange: "<= 12.2.x.x"}},
			Vulns:    []domain.AdvisoryVuln{{CVE: fmt.Sprintf("CVE-2099-%04d", i), Status: map[domain.ProductStatus][]string{domain.StatusKnownAffected: {"P1"}}}}}
		if _, err := st.SaveAdvisory(admin, a); err != nil {
			b.Fatal(err)
		}
		m.AddAdvisory(a)
		res, err := RematchAdvisories(ctx, st, m, []string{a.ID})
		if err != nil {
			b.Fatal(err)
		}
		if res.Devices == 0 {
			b.Fatal("the advisory matched no device")
		}
	}
}
