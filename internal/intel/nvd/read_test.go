package nvd_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/intel/nvd"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

func readAll(tb testing.TB, name string, r io.Reader) ([]domain.CVE, error) {
	tb.Helper()
	var out []domain.CVE
	n, err := nvd.Read(name, r, func(c domain.CVE) error {
		out = append(out, c)
		return nil
	})
	if n != len(out) {
		tb.Fatalf("Read returned %d, passed %d", n, len(out))
	}
	return out, err
}

func readFile(tb testing.TB, path string) []domain.CVE {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cves, err := readAll(tb, filepath.Base(path), f)
	if err != nil {
		tb.Fatalf("%v\n%v", err, domain.ErrorProblems(err))
	}
	return cves
}

var marshal = feedtest.Marshal

// Ensure each shared single record and API page reads to exactly its
// golden CVEs, and that the format is detected by content.
func TestRead_SharedRecords(t *testing.T) {
	cases := map[string]nvd.Format{}
	for dir, f := range map[string]nvd.Format{"nvd/api-2.0": nvd.FormatAPI20, "nvd/api-2.0-records": nvd.FormatRecord20, "nvd/cve-json5-vulnrichment": nvd.FormatCVE5} {
		files, err := filepath.Glob(filepath.Join(vigiltest.SharedData(t, dir), "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in %s: %v", dir, err)
		}
		for _, p := range files {
			cases[p] = f
		}
	}
	for path, format := range cases {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := nvd.Sniff(data[:min(len(data), 16<<10)]); got != format {
				t.Fatalf("Sniff = %q, want %q", got, format)
			}
			cves := readFile(t, path)
			if len(cves) == 0 {
				t.Fatal("no CVE read")
			}
			for _, c := range cves {
				if c.ID == "" || c.Description == "" || c.Published.IsZero() {
					t.Errorf("%s: incomplete record: %+v", c.ID, c)
				}
			}
			feedtest.Golden(t, filepath.Join("testdata", "shared", strings.TrimSuffix(name, ".json")+".golden.json"), cves)
		})
	}
}

// digest is the golden summary of a year feed: counts, and the first
// records in full.
type digest struct {
	CVEs, WithMatches, Matches, WithPlatforms, Scores int
	First                                             []domain.CVE
}

// Ensure every shared NVD 1.1 year feed streams completely (as many CVEs
// as the feed has CVE_data_meta members, one per item) and to its golden
// digest.
func TestRead_SharedFeeds(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vigiltest.SharedData(t, "nvd/feeds-json-1.1"), "*.json.gz"))
	if err != nil || len(files) < 3 {
		t.Fatalf("year feeds: %v, %d", err, len(files))
	}
	if raceEnabled {
		// Under the race detector one feed (the 2002 one) is enough to
		// exercise the streaming code; all seven take a quarter of an hour
		// on a busy machine. Without -race every feed is read.
		files = files[:1]
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			cves := readFile(t, path)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if items := bytes.Count(raw, []byte(`"CVE_data_meta"`)); len(cves) != items {
				t.Fatalf("read %d CVEs, the feed holds %d", len(cves), items)
			}
			d := digest{CVEs: len(cves), First: cves[:3]}
			for _, c := range cves {
				d.Scores += len(c.Scores)
				d.Matches += len(c.Matches)
				if len(c.Matches) > 0 {
					d.WithMatches++
				}
				for _, m := range c.Matches {
					if !m.Vulnerable || !strings.HasPrefix(m.Criteria, "cpe:2.3:") {
						t.Fatalf("%s: bad match %+v", c.ID, m)
					}
					if len(m.Platforms) > 0 {
						d.WithPlatforms++
						break
					}
				}
			}
			feedtest.Golden(t, filepath.Join("testdata", "shared", strings.TrimSuffix(name, ".json.gz")+".digest.golden.json"), d)
		})
	}
}

// Ensure an AND configuration keeps its vulnerable firmware match with
// the hardware as platform, and drops non-vulnerable and negated matches.
func TestRead_AndConfiguration(t *testing.T) {
	cves := readFile(t, "testdata/api-and-config.json")
	if len(cves) != 1 {
		t.Fatalf("%d CVEs", len(cves))
	}
	got := marshal(t, cves[0].Matches)
	want := marshal(t, []domain.CPEMatch{
		{Criteria: "cpe:2.3:o:example:pump_firmware:*:*:*:*:*:*:*:*", Vulnerable: true, VersionEndExcluding: "2.3",
			Platforms: []string{"cpe:2.3:h:example:pump_a:-:*:*:*:*:*:*:*", "cpe:2.3:h:example:pump_b:-:*:*:*:*:*:*:*"}},
		{Criteria: "cpe:2.3:a:example:gateway:1.0:*:*:*:*:*:*:*", Vulnerable: true},
	})
	if !bytes.Equal(got, want) {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

// Ensure each bad input in testdata/ fails with exactly its golden
// located error, and that good fixtures read to their golden CVEs.
func TestRead_Golden(t *testing.T) {
	for _, path := range feedtest.Fixtures(t, 6, "testdata/*.json") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			cves, err := readAll(t, name, bytes.NewReader(feedtest.ReadFile(t, path)))
			var got any = cves
			if err != nil {
				feedtest.CheckError(t, name, err)
				got = map[string]any{"error": err.Error(), "read_before_error": len(cves)}
			}
			feedtest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", got)
		})
	}
}

// Ensure Read streams: records are passed to the callback while the rest
// of the feed is still unread, so a feed cut short mid-way has delivered
// its first records before the error.
func TestRead_Streams(t *testing.T) {
	path := vigiltest.SharedData(t, "nvd/feeds-json-1.1/nvdcve-1.1-2002.json.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	cut := io.LimitReader(zr, 1<<20) // the first MB of ~20 MB
	cves, err := readAll(t, "cut.json", cut)
	if err == nil || !strings.Contains(err.Error(), "cut.json: $.CVE_Items[") {
		t.Fatalf("error %v, want one located in CVE_Items", err)
	}
	if len(cves) < 100 {
		t.Fatalf("only %d records before the cut", len(cves))
	}
	stop := errors.New("stop")
	n, err := nvd.Read("x", bytes.NewReader(feedtest.ReadFile(t, "testdata/api-and-config.json")), func(domain.CVE) error { return stop })
	if err != stop || n != 1 {
		t.Fatalf("callback error not returned unchanged: %v, %d", err, n)
	}
}

// BenchmarkNVD parses the shared NVD 1.1 year feeds (gzipped, as
// published) and reports CVEs per second, and the largest heap in use
// while reading (sampled every 1,000 records), which stays far below the
// size of one uncompressed feed because Read streams.
func BenchmarkNVD(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(vigiltest.SharedData(b, "nvd/feeds-json-1.1"), "*.json.gz"))
	if err != nil || len(files) == 0 {
		b.Fatal(err)
	}
	var data [][]byte
	for _, p := range files {
		data = append(data, feedtest.ReadFile(b, p))
	}
	b.ReportAllocs()
	total := 0
	var peak uint64
	var ms runtime.MemStats
	for b.Loop() {
		for i, d := range data {
			n, err := nvd.Read(files[i], bytes.NewReader(d), func(domain.CVE) error {
				if total++; total%1000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				return nil
			})
			if err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "CVEs/s")
	b.ReportMetric(float64(total)/float64(b.N), "CVEs/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
