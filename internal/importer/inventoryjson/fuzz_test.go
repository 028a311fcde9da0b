package inventoryjson_test

import (
	"bytes"
	"testing"

	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/inventoryjson"
)

// FuzzReadJSON feeds arbitrary bytes through Read, MapHeader and Build.
// Nothing may panic; a read error must be located by line, column and byte
// offset; every problem must carry a JSON path or a location.
func FuzzReadJSON(f *testing.F) {
	seeds := []string{
		`[{"serial":"S1","macs":["00:11:22:33:44:55"],"vlans":[1,2]}]`, // the plain case
		"\xef\xbb\xbf[]",                           // BOM, empty array
		`[{"serial":"S1","colour":"x"}]`,           // unknown key
		`[{"serial":"S1","serial":"S2"}]`,          // repeated key
		`[1, "x", null, true, [], {}]`,             // elements that are not objects
		`[{"name":{"a":[{"b":[]}]}}]`,              // nested values where one is expected
		`[{"macs":[[1],{"x":1},null,2]}]`,          // bad list items
		`[{"serial":"S1"},]`,                       // trailing comma
		`[{"serial":"S`,                            // cut short
		`{"devices":[]}`,                           // an object, not an array
		`[{"serial":"S1"}] trailing`,               // text after the array
		`[{"id":-1,"phi_records":1e400,"id":1.5}]`, // numbers the fields refuse
		"[{\"notes\":\"a\\u0000b\\ud800\"}]",       // NUL and a lone surrogate in a string
		`[{"weird key/with.dots":1,"Serial":"x"}]`, // keys that need bracket paths; wrong case
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := inventoryjson.Read("f.json", bytes.NewReader(data))
		if err != nil {
			importertest.CheckReadError(t, "f.json", err)
			return
		}
		importertest.CheckBuild(t, tab)
	})
}
