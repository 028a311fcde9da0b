package inventoryjson_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/inventoryjson"
)

// Ensure each JSON file in testdata/ reads, maps and builds to exactly its
// golden rendering, or fails with exactly its golden located error.
func TestRead_Golden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range inputs {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		n++
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			tab, err := inventoryjson.Read(name, bytes.NewReader(data))
			if err != nil {
				importertest.CheckReadError(t, name, err)
				got = importertest.RenderError(err)
			} else {
				importertest.CheckBuild(t, tab)
				got = importertest.Render(tab, nil, domain.ParseOptions{})
			}
			importertest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", got)
		})
	}
	if n < 7 {
		t.Fatalf("only %d inputs in testdata/", n)
	}
}

// Ensure a syntax error anywhere, inside a value or between values, is
// located at the offending character by line, column and byte offset.
func TestRead_SyntaxErrorLocation(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"AfterElement", `[1 2]`, "s.json:1:4: byte 3: invalid character '2' after array element"},
		{"TrailingComma", "[\n {\"a\":1,}]", "s.json:2:9: byte 10: invalid character '}' looking for beginning of object key string"},
		{"BadEscape", `[{"a":"x\q"}]`, `s.json:1:10: byte 9: invalid character 'q' in string escape code`},
		{"BadLiteral", `[{"a":tru}]`, "s.json:1:10: byte 9: invalid character '}' in literal true (expecting 'e')"},
		{"BadNumber", `[{"a":-}]`, "s.json:1:8: byte 7: invalid character '}' in numeric literal"},
		{"ControlInString", "[\"ä\x01\"]", "s.json:1:4: byte 4: invalid character '\\x01' in string literal"},
		{"Truncated", "[\n{\"serial\": \"Grö", "s.json:2:16: byte 18: the file ends before the JSON does (is it cut short?)"},
		{"Empty", "", "s.json:1:1: byte 0: the file ends before the JSON does (is it cut short?)"},
		{"NotArray", `"x"`, "s.json:1:1: byte 0: a JSON inventory is an array of device objects ([{...}, ...]); this file starts with a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inventoryjson.Read("s.json", strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			importertest.CheckReadError(t, "s.json", err)
			if got := domain.ErrorMessage(err); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
