package intel

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// CorpusCVEs is the size of the benchmark corpus.
const CorpusCVEs = 300_000

var cveIDRe = regexp.MustCompile(`CVE-(\d{4})-(\d{4,})`)

// BuildCorpus writes a ~300,000-CVE corpus into dir: the NVD JSON 1.1 year
// feeds of ../shared/data/nvd/feeds-json-1.1 (68,798 real records) written
// again and again, each copy with its CVE ids rewritten (copy k adds k ×
// 10,000,000 to the number, so CVE-2018-1234 becomes CVE-2018-10001234),
// file by file until the corpus holds at least CorpusCVEs records. It
// returns the files and how many records they hold.
func BuildCorpus(tb testing.TB, feeds, dir string) ([]string, int) {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(feeds, "nvdcve-1.1-*.json.gz"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no NVD feeds in %s: %v", feeds, err)
	}
	var files []string
	total := 0
	for k := 0; total < CorpusCVEs; k++ {
		for _, name := range names {
			if total >= CorpusCVEs {
				break
			}
			raw := readGz(tb, name)
			out := raw
			if k > 0 {
				out = cveIDRe.ReplaceAllFunc(raw, func(id []byte) []byte {
					p := cveIDRe.FindSubmatch(id)
					n, _ := strconv.Atoi(string(p[2]))
					return fmt.Appendf(nil, "CVE-%s-%d", p[1], k*10_000_000+n)
				})
			}
			doc, err := ReadDocument(name, bytes.NewReader(out))
			if err != nil {
				tb.Fatal(err)
			}
			n := len(doc.CVEs)
			path := filepath.Join(dir, fmt.Sprintf("copy%d-%s", k, filepath.Base(name)))
			writeGz(tb, path, out)
			files = append(files, path)
			total += n
		}
	}
	return files, total
}

func readGz(tb testing.TB, name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeGz(tb testing.TB, path string, data []byte) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}
