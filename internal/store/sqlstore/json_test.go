package sqlstore

import (
	"encoding/json"
	"testing"
)

// Ensure the hand-built audit JSON is valid JSON that decodes to the same
// strings, whatever they contain.
func FuzzAppendJSONString(f *testing.F) {
	f.Add("plain")
	f.Add("quote \" and backslash \\")  // the two escapes JSON requires
	f.Add("line\nbreak\ttab\r\x00\x1f") // control characters
	f.Add("Dräger 東芝 \u2028")           // non-ASCII passes through
	f.Add("\xff\xfe")                   // invalid UTF-8 (decodes to U+FFFD)
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q → %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s)
		var want2 string
		json.Unmarshal(want, &want2)
		if got != want2 {
			t.Fatalf("%q decodes to %q, want %q", s, got, want2)
		}
	})
}
