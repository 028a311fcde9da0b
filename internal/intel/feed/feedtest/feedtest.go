// Package feedtest holds what the feed readers' tests share: golden files
// of JSON renderings (with importertest's -update flag), the list of
// fixtures, and the checks every read error must pass. Imported by tests
// only.
package feedtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

// Marshal renders v as indented JSON with a final newline, the form of
// every golden file.
func Marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return append(out, '\n')
}

// Golden compares the rendering of v with the file at path, or writes it
// with -update.
func Golden(tb testing.TB, path string, v any) {
	tb.Helper()
	importertest.Golden(tb, path, Marshal(tb, v))
}

// Fixtures returns the files matching the patterns, golden files left
// out, and fails when there are fewer than least.
func Fixtures(tb testing.TB, least int, patterns ...string) []string {
	tb.Helper()
	var out []string
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f, ".golden.json") {
				out = append(out, f)
			}
		}
	}
	if len(out) < least {
		tb.Fatalf("only %d fixtures match %v, want at least %d", len(out), patterns, least)
	}
	return out
}

// ReadFile returns the content of path or fails.
func ReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// CheckError fails unless err is a CodeInvalid error whose message starts
// with the file name, as every reader's errors must.
func CheckError(tb testing.TB, file string, err error) {
	tb.Helper()
	if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(err.Error(), file+": ") {
		tb.Fatalf("unlocated or wrongly coded error %q (code %s)", err, domain.ErrorCode(err))
	}
}

// ErrorView is the golden rendering of a read error: its message and its
// located problems.
func ErrorView(err error) map[string]any {
	return map[string]any{"error": err.Error(), "problems": domain.ErrorProblems(err)}
}
