package inventorycsv_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/inventorycsv"
)

// Ensure each file in testdata/ reads, maps and builds to exactly its
// golden rendering: table shape, mapping, warnings, records and every
// problem with its location. A file whose name contains "dayfirst" is read
// with day-first dates; NAME.map holds --map overrides, one per line.
func TestRead_Golden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range inputs {
		ext := filepath.Ext(path)
		if ext != ".csv" && ext != ".txt" {
			continue
		}
		n++
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			opt := domain.ParseOptions{}
			if strings.Contains(name, "dayfirst") {
				opt.DateOrder = domain.DayFirst
			}
			var got []byte
			tab, err := inventorycsv.Read(name, bytes.NewReader(data))
			if err != nil {
				importertest.CheckReadError(t, name, err)
				got = importertest.RenderError(err)
			} else {
				got = importertest.Render(tab, readOverrides(t, strings.TrimSuffix(path, ext)+".map"), opt)
			}
			importertest.Golden(t, strings.TrimSuffix(path, ext)+".golden.json", got)
		})
	}
	if n < 10 {
		t.Fatalf("only %d inputs in testdata/", n)
	}
}

func readOverrides(tb testing.TB, path string) map[string]string {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}
