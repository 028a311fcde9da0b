package importer_test

import (
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// Ensure Detect names the format from the content, using the extension
// only to refuse a .json file that is not JSON, and explains refusals.
func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		file string
		head string
		want string // format, or the error message
	}{
		{"CSV", "inv.csv", "Serial,Name\nA,B\n", "csv"},
		{"CSVNoExtension", "inventory", "Serial;Name\n", "csv"},
		{"RenamedCSVAsXLSX", "inv.xlsx", "Serial,Name\n", "csv"},
		{"Windows1252", "inv.csv", "Name\nDr\xe4ger\n", "csv"},
		{"UTF16LEWithBOM", "inv.txt", "\xff\xfeS\x00e\x00r\x00\t\x00", "csv"},
		{"XLSXNamedCSV", "inv.csv", "PK\x03\x04\x14\x00\x06\x00", "xlsx"},
		{"JSONArray", "inv.csv", "[{\"serial\":\"A\"}]", "json"},
		{"JSONAfterSpaceAndBOM", "inv", "\xef\xbb\xbf \r\n\t[", "json"},
		{"JSONObject", "inv.json", "{\"devices\":[]}", "json"},
		{"ErrEmpty", "inv.csv", "", "inv.csv: the file is empty"},
		{"ErrLegacyXLS", "inv.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "inv.xls: this is a legacy Excel (.xls) or password-protected workbook; save it as .xlsx or CSV and import that"},
		{"ErrBinary", "inv.bin", "\x00\x01\x02\x03binary", "inv.bin: the file is not CSV, XLSX or JSON; inventory files are CSV, XLSX or JSON"},
		{"ErrBinaryXLSX", "inv.xlsx", "\x1f\x8b\x08\x00\x00\x00", "inv.xlsx: the file is not an XLSX workbook (it is not a zip archive); inventory files are CSV, XLSX or JSON"},
		{"ErrJSONExtensionText", "inv.json", "serial\nA\n", `inv.json: the file does not start with "[" so it is not a JSON inventory (an array of device objects)`},
		{"ErrUTF16JSON", "inv.json", "\xff\xfe[\x00{\x00", "inv.json: JSON must be UTF-8; this file is UTF-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importer.Detect(tt.file, []byte(tt.head))
			if err != nil {
				if domain.ErrorCode(err) != domain.CodeInvalid {
					t.Fatalf("code = %q", domain.ErrorCode(err))
				}
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
