package importertest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// GoldenFiles reads every fixture matching pattern (at least min of them),
// checks detect recognises it, parses it with parse and compares the
// indented JSON of the result with the .golden.json beside the fixture
// (rewritten under -update). what names the format in a failure.
func GoldenFiles[T any](t *testing.T, pattern string, min int, what string, detect func([]byte) bool, parse func(name string, r io.Reader) (T, error)) {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	if len(files) < min {
		t.Fatalf("missing fixtures: %d files match %s, want at least %d", len(files), pattern, min)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !detect(b) {
				t.Fatalf("not detected as %s", what)
			}
			got, err := parse(filepath.Base(f), bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.MarshalIndent(got, "", "  ")
			Golden(t, strings.TrimSuffix(f, filepath.Ext(f))+".golden.json", append(out, '\n'))
		})
	}
}
