// Package importertest holds helpers the importer packages' tests share:
// golden files with an -update flag, a rendering of a read-and-build run
// for those files, invariants for fuzz tests, and a generator of varied
// devices for round-trip tests. Imported by tests only; it defines the
// -update flag, so a test binary that imports it must not define its own.
package importertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// Update rewrites golden files instead of comparing with them.
var Update = flag.Bool("update", false, "rewrite golden files in testdata/ with the current output")

// Golden compares got with the file at path, or writes it with -update.
func Golden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden file %s: %v (run the test with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("output differs from %s (run with -update to accept):\n%s", path, diff(string(want), string(got)))
	}
}

// diff shows where want and got first part, with a few lines of each.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	excerpt := func(lines []string) string {
		end := min(i+6, len(lines))
		if i >= end {
			return "  (end of file)"
		}
		return "  " + strings.Join(lines[i:end], "\n  ")
	}
	return fmt.Sprintf("first difference at line %d\nwant:\n%s\ngot:\n%s", i+1, excerpt(w), excerpt(g))
}

// Result is what a golden file records of reading a file: the table's
// shape, the mapping, warnings, the records with their fields' text, and
// every problem.
type Result struct {
	Format     string           `json:"format"`
	Encoding   string           `json:"encoding,omitempty"`
	HeaderLine int              `json:"header_line,omitempty"`
	Header     []string         `json:"header"`
	Mapping    []string         `json:"mapping"`
	Warnings   []string         `json:"warnings,omitempty"`
	Records    []Record         `json:"records"`
	Problems   []domain.Problem `json:"problems"`
}

// Record is one import record as a golden file shows it.
type Record struct {
	Row      int    `json:"row"`
	Location string `json:"location"`
	Fields   Fields `json:"fields"`
}

// Fields are field/value pairs kept in field order.
type Fields [][2]string

// MarshalJSON renders the pairs as one JSON object in their order.
func (f Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Run maps and builds t and returns what a golden file records.
func Run(t *importer.Table, overrides map[string]string, opt domain.ParseOptions) Result {
	m, problems, warnings := importer.MapHeader(t, overrides)
	res := Result{Format: t.Format, Encoding: t.Encoding, HeaderLine: t.HeaderLine, Header: t.Header,
		Warnings: warnings, Records: []Record{}, Problems: problems}
	for col, f := range m.Fields {
		if f != "" {
			res.Mapping = append(res.Mapping, fmt.Sprintf("%d %q → %s", col+1, t.Header[col], f))
		}
	}
	// Header problems are fatal: a caller does not build rows with a
	// mapping that is wrong.
	if len(problems) == 0 {
		recs, bproblems := importer.Build(t, m, opt)
		res.Problems = bproblems
		for _, r := range recs {
			rec := Record{Row: r.Row, Location: r.Location, Fields: Fields{}}
			for _, f := range r.Fields {
				rec.Fields = append(rec.Fields, [2]string{string(f), r.Device.Get(f)})
			}
			res.Records = append(res.Records, rec)
		}
	}
	if res.Problems == nil {
		res.Problems = []domain.Problem{}
	}
	return res
}

// Render is Run as indented JSON.
func Render(t *importer.Table, overrides map[string]string, opt domain.ParseOptions) []byte {
	return MarshalResult(Run(t, overrides, opt))
}

// MarshalResult renders v as indented JSON without HTML escaping, ending
// in a newline.
func MarshalResult(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// ErrorResult is what a golden file records of a file that cannot be read.
type ErrorResult struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Problems []domain.Problem `json:"problems"`
}

// RenderError renders a read error for a golden file.
func RenderError(err error) []byte {
	return MarshalResult(ErrorResult{Code: domain.ErrorCode(err), Message: domain.ErrorMessage(err), Problems: domain.ErrorProblems(err)})
}

// CheckReadError fails unless err is a CodeInvalid domain.Error whose
// message starts with the file name and whose problems all carry a
// location in that file: what every reader promises for bad input.
func CheckReadError(tb testing.TB, file string, err error) {
	tb.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		tb.Fatalf("error is not a domain.Error: %T %v", err, err)
	}
	if de.Code != domain.CodeInvalid {
		tb.Fatalf("error code = %q, want %q (%v)", de.Code, domain.CodeInvalid, err)
	}
	if !strings.HasPrefix(de.Message, file) {
		tb.Fatalf("error message %q does not start with the file name %q", de.Message, file)
	}
	if len(de.Problems) == 0 {
		tb.Fatalf("error %q carries no located problem", de.Message)
	}
	for _, p := range de.Problems {
		if !strings.HasPrefix(p.Location, file) || p.Message == "" {
			tb.Fatalf("problem without a location in %s: %+v", file, p)
		}
	}
}

// CheckBuild maps and builds t and fails when an invariant breaks: every
// problem has a location in the file and a message, every row a problem
// names exists, no record comes from a row with a problem, records keep
// row order, and every listed field of a record has a value set.
func CheckBuild(tb testing.TB, t *importer.Table) {
	tb.Helper()
	m, hp, _ := importer.MapHeader(t, nil)
	recs, problems := importer.Build(t, m, domain.ParseOptions{})
	// A reader may report a problem for a row it could not make into a
	// table row (a JSON element that is not an object).
	rows := map[int]bool{}
	for _, r := range t.Rows {
		rows[r.Line] = true
	}
	for _, p := range t.Problems {
		rows[p.Row] = true
	}
	bad := map[int]bool{}
	for _, p := range append(hp, problems...) {
		if !strings.HasPrefix(p.Location, t.File) || p.Message == "" {
			tb.Fatalf("problem without location or message: %+v", p)
		}
		if p.Row != 0 && !rows[p.Row] {
			tb.Fatalf("problem names row %d, which the table does not have: %+v", p.Row, p)
		}
		bad[p.Row] = true
	}
	last := -1 << 31
	for _, r := range recs {
		if bad[r.Row] {
			tb.Fatalf("row %d has a problem but was built into a record", r.Row)
		}
		if r.Row <= last {
			tb.Fatalf("records out of order: row %d after %d", r.Row, last)
		}
		last = r.Row
		if !strings.HasPrefix(r.Location, t.File) {
			tb.Fatalf("record location %q is not in %s", r.Location, t.File)
		}
		if len(r.Fields) == 0 {
			tb.Fatalf("record for row %d lists no fields", r.Row)
		}
	}
}

// Devices returns n varied devices for round-trip tests, each built through
// Device.SetWith so every value is already in canonical form: awkward text
// (delimiters, quotes, newlines, accents, emoji, leading "=" or "'"),
// lists of several values, dates, enumerations, and many empty fields.
func Devices(seed uint64, n int) []*domain.Device {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]*domain.Device, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, device(rng, i))
	}
	return out
}

var (
	awkward = []string{
		"plain", "with, comma", `with "quotes"`, "semi; colon", "tab\there", "pipe | bar", "line\nbreak",
		"Dräger Medical", "Ünïcödé – “curly” ‘quotes’ €", "日本語の機器", "emoji 🩺", "=SUM(A1:A3)", "+1 555 0100",
		"-dash first", "@handle", "'quoted start", "''two", "'=formula text", "  padded  ", "trailing space ",
		"#hash", "back\\slash", "x", "0012345", "1E5", "NULL",
	}
	vendors    = []string{"GE Healthcare", "Philips", "Dräger", "Baxter", "B. Braun", "Siemens Healthineers", "Acme Imaging Ltd", "Ünited Med"}
	categories = []string{"imaging", "infusion", "patient-monitoring", "laboratory", "Infusion Pump", "EKG", "other", "workstation"}
	enums      = map[domain.Field][]string{
		domain.FieldCriticality:     {"life-sustaining", "diagnostic", "supporting", "non-clinical"},
		domain.FieldPHI:             {"none", "transmits", "stores", "stores-transmits"},
		domain.FieldNetworkRequired: {"yes", "no"},
		domain.FieldPatchability:    {"vendor-patchable", "vendor-only", "not-patchable", "unknown"},
		domain.FieldLifecycle:       {"in-service", "spare", "under-repair", "retired", "disposed"},
		domain.FieldReview:          {"reviewed", "unreviewed"},
	}
)

func device(rng *rand.Rand, i int) *domain.Device {
	d := &domain.Device{}
	set := func(f domain.Field, v string) {
		if err := d.Set(f, v); err != nil {
			panic(fmt.Sprintf("generator made a bad %s %q: %v", f, v, err))
		}
	}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	maybe := func(p float64) bool { return rng.Float64() < p }
	text := func() string {
		n := 1 + rng.IntN(3)
		parts := make([]string, n)
		for j := range parts {
			parts[j] = pick(awkward)
		}
		return strings.Join(parts, " ")
	}

	if maybe(0.5) {
		set(domain.FieldID, fmt.Sprint(1+rng.Int64N(1<<40)))
	}
	// Every device has a key; the serial is unique so a file has no duplicates.
	set(domain.FieldSerial, fmt.Sprintf("SN-%06d-%s", i, pick(awkward)))
	if maybe(0.7) {
		set(domain.FieldAssetTag, fmt.Sprintf("A%05d %s", i, pick(awkward)))
	}
	if maybe(0.8) {
		set(domain.FieldName, text())
	}
	if maybe(0.8) {
		set(domain.FieldCategory, pick(categories))
	}
	if maybe(0.8) {
		set(domain.FieldManufacturer, pick(vendors))
		set(domain.FieldModel, text())
	}
	for _, f := range []domain.Field{domain.FieldOS, domain.FieldOSVersion, domain.FieldFirmware, domain.FieldSite,
		domain.FieldDepartment, domain.FieldLocation, domain.FieldNetworkJustification} {
		if maybe(0.5) {
			set(f, text())
		}
	}
	if maybe(0.7) {
		var macs []string
		for j := 0; j < 1+rng.IntN(3); j++ {
			macs = append(macs, fmt.Sprintf("%02x-%02X-%02x-%02x-%02x-%02x", i>>8&0xff, i&0xff, rng.IntN(256), rng.IntN(256), rng.IntN(256), j))
		}
		set(domain.FieldMACs, strings.Join(macs, ", "))
	}
	if maybe(0.7) {
		ips := []string{fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))}
		if maybe(0.3) {
			ips = append(ips, fmt.Sprintf("fd00::%x:%x", rng.IntN(65536), i))
		}
		set(domain.FieldIPs, strings.Join(ips, "; "))
	}
	if maybe(0.5) {
		set(domain.FieldHostnames, fmt.Sprintf("dev-%d.example.org; DEV%d", i, i))
	}
	if maybe(0.5) {
		set(domain.FieldVLANs, fmt.Sprintf("%d; vlan%d", 1+rng.IntN(4094), 1+rng.IntN(4094)))
	}
	for f, vals := range enums {
		if maybe(0.6) {
			set(f, pick(vals))
		}
	}
	if maybe(0.5) {
		set(domain.FieldPHIRecords, fmt.Sprint(rng.Int64N(5_000_000)))
	}
	if maybe(0.6) {
		y := 1995 + rng.IntN(30)
		set(domain.FieldPurchaseDate, fmt.Sprintf("%04d-%02d-%02d", y, 1+rng.IntN(12), 1+rng.IntN(28)))
		if maybe(0.7) {
			set(domain.FieldInstallDate, fmt.Sprintf("%04d-%02d-%02d", y+1, 1+rng.IntN(12), 1+rng.IntN(28)))
		}
	}
	if maybe(0.4) {
		set(domain.FieldAdmins, "Smith, Jane; O'Brien, Pat; Müller, Jörg")
	}
	if maybe(0.6) {
		set(domain.FieldNotes, text()+"\n"+text()+"\n\n"+text())
	}
	return d
}

// Equal reports the fields whose text differs between a and b, as
// "field: want → got" lines; empty when they are the same.
func Equal(want, got *domain.Device) []string {
	var out []string
	for _, f := range domain.DeviceFields() {
		if w, g := want.Get(f.Field), got.Get(f.Field); w != g {
			out = append(out, fmt.Sprintf("%s: %q → %q", f.Field, w, g))
		}
	}
	return out
}
