package epss_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/epss"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

func readAll(tb testing.TB, name string, data []byte) ([]domain.EPSSScore, error) {
	tb.Helper()
	var out []domain.EPSSScore
	n, err := epss.Read(name, bytes.NewReader(data), func(s domain.EPSSScore) error {
		out = append(out, s)
		return nil
	})
	if n != len(out) {
		tb.Fatalf("Read returned %d, passed %d", n, len(out))
	}
	return out, err
}

// Ensure every shared (semicolon, header-less) EPSS file reads one score
// per non-empty line, and that the digest (counts, first and last rows per
// file) equals the golden one.
func TestRead_Shared(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vigiltest.SharedData(t, "epss"), "*.csv"))
	if err != nil || len(files) < 20 {
		t.Fatalf("EPSS files: %v, %d", err, len(files))
	}
	type summary struct {
		Rows        int
		First, Last domain.EPSSScore
	}
	digest := map[string]summary{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !epss.Detect(data[:min(len(data), 512)]) {
			t.Errorf("%s not detected", path)
		}
		name := filepath.Base(path)
		scores, err := readAll(t, name, data)
		if err != nil {
			t.Fatalf("%v", err)
		}
		lines := 0
		for _, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		if len(scores) != lines || lines == 0 {
			t.Fatalf("%s: %d scores from %d lines", name, len(scores), lines)
		}
		digest[name] = summary{len(scores), scores[0], scores[len(scores)-1]}
	}
	feedtest.Golden(t, "testdata/shared.digest.golden.json", digest)
}

// Ensure each fixture reads to exactly its golden scores or located
// error, and reads the same when gzipped.
func TestRead_Golden(t *testing.T) {
	for _, path := range feedtest.Fixtures(t, 6, "testdata/*.csv") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data := feedtest.ReadFile(t, path)
			scores, err := readAll(t, name, data)
			var got any = scores
			if err != nil {
				feedtest.CheckError(t, name, err)
				if !strings.HasPrefix(err.Error(), name+": line ") {
					t.Fatalf("error not located by line: %v", err)
				}
				got = map[string]any{"error": err.Error(), "read_before_error": len(scores)}
			}
			want := feedtest.Marshal(t, got)
			feedtest.Golden(t, strings.TrimSuffix(path, ".csv")+".golden.json", got)

			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(data)
			zw.Close()
			zscores, zerr := readAll(t, name, gz.Bytes())
			var zgot any = zscores
			if zerr != nil {
				zgot = map[string]any{"error": zerr.Error(), "read_before_error": len(zscores)}
			}
			if !bytes.Equal(feedtest.Marshal(t, zgot), want) {
				t.Errorf("gzipped input reads differently:\n%s", feedtest.Marshal(t, zgot))
			}
		})
	}
}

// FuzzReadEPSS feeds arbitrary bytes through Read: nothing may panic; an
// error is located by line; every score is a CVE with values in [0, 1].
func FuzzReadEPSS(f *testing.F) {
	for _, p := range feedtest.Fixtures(f, 6, "testdata/*.csv") { // both forms, CRLF, every kind of bad row
		f.Add(feedtest.ReadFile(f, p))
	}
	real, err := os.ReadFile(vigiltest.SharedData(f, "epss/CVE_2023_EPSS.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real[:200]) // the first rows of a real file, the last one cut
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := epss.Read("f.csv", bytes.NewReader(data), func(s domain.EPSSScore) error {
			if !strings.HasPrefix(s.CVE, "CVE-") || s.Probability < 0 || s.Probability > 1 || s.Percentile < 0 || s.Percentile > 1 {
				t.Fatalf("bad score %+v", s)
			}
			return nil
		})
		if err != nil {
			feedtest.CheckError(t, "f.csv", err)
		}
	})
}
