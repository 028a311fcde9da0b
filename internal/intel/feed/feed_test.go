package feed_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// Ensure PathAt names the innermost value around an offset, array
// indices included.
func TestPathAt(t *testing.T) {
	data := []byte(`{"a":[1,{"b":[true,{"c":17}]}],"d":{"e f":"x"}}`)
	tests := []struct {
		off  int64
		want string
	}{
		{0, "$"}, {6, "$.a[0]"}, {8, "$.a[1]"}, {14, "$.a[1].b[0]"}, {25, "$.a[1].b[1].c"}, {44, `$.d["e f"]`},
	}
	for _, tt := range tests {
		if got := feed.PathAt(data, tt.off); got != tt.want {
			t.Errorf("PathAt(%d) = %s, want %s", tt.off, got, tt.want)
		}
	}
}

// Ensure encoding/json's errors become located CodeInvalid errors: type
// errors by full JSON path, syntax errors by line and column.
func TestJSONError(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"items":[{"id":"a"},{"id":7}]}`, `f.json: $.items[1].id: expected a string, found a JSON number (line 1, column 29 (byte 28))`},
		{"{\n  \"items\": [1,,2]}", `f.json: line 2, column 15 (byte 16): invalid character ',' looking for beginning of value`},
		{`{"items":[`, `f.json: line 1, column 11 (byte 10): the file ends before the JSON does (is it cut short?)`},
	}
	for _, tt := range tests {
		var v struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		err := feed.JSONError("f.json", []byte(tt.in), json.Unmarshal([]byte(tt.in), &v))
		if err == nil || err.Error() != tt.want || domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("got  %v\nwant %s", err, tt.want)
		}
	}
}

// Ensure Decompress gunzips by magic bytes and passes other input
// through unchanged.
func TestDecompress(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("hello"))
	zw.Close()
	for _, in := range [][]byte{gz.Bytes(), []byte("hello")} {
		r, err := feed.Decompress(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(r); string(got) != "hello" {
			t.Errorf("got %q", got)
		}
	}
	if _, err := feed.Decompress(bytes.NewReader([]byte{0x1f, 0x8b, 0})); err == nil {
		t.Error("a broken gzip header is accepted")
	}
}

// FuzzPathAt: PathAt never panics and always returns a path from the
// root, whatever the bytes and the offset.
func FuzzPathAt(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":[true,{"c":17}]}],"d":{"e f":"x"}}`), int64(25)) // nested arrays and objects
	f.Add([]byte(`[[[`), int64(2))                                              // unclosed arrays
	f.Add([]byte(`{"a":`), int64(-3))                                           // negative offset
	f.Fuzz(func(t *testing.T, data []byte, off int64) {
		if p := feed.PathAt(data, off); len(p) == 0 || p[0] != '$' {
			t.Fatalf("PathAt = %q", p)
		}
	})
}
