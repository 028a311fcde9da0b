package domain

import (
	"testing"
	"time"
)

// TestCheckPatchMove tries every pair of states, with and without an
// override, against the table of what the workflow allows.
func TestCheckPatchMove(t *testing.T) {
	type move struct{ from, to PatchState }
	allowed := map[move]bool{
		{PatchAvailable, PatchValidated}: true,
		{PatchValidated, PatchScheduled}: true,
		{PatchScheduled, PatchScheduled}: true, // reschedule
		{PatchScheduled, PatchApplied}:   true,
		{PatchApplied, PatchVerified}:    true,
	}
	overrideOnly := map[move]bool{{PatchAvailable, PatchScheduled}: true}
	n := 0
	for _, from := range PatchStates() {
		for _, to := range PatchStates() {
			for _, override := range []bool{false, true} {
				m := move{from, to}
				want := allowed[m] || (override && overrideOnly[m])
				err := CheckPatchMove(from, to, override)
				if (err == nil) != want {
					t.Errorf("%s → %s (override %v): err = %v, want allowed %v", from, to, override, err, want)
				}
				if err != nil {
					if e, ok := err.(*Error); !ok || e.Code != CodeInvalid {
						t.Errorf("%s → %s: error %v is not CodeInvalid", from, to, err)
					}
				}
				n++
			}
		}
	}
	if n != 50 {
		t.Fatalf("checked %d moves, want 50", n)
	}
	err := CheckPatchMove(PatchAvailable, PatchScheduled, false)
	if err == nil || err.Error() != "the update has not been validated in a non-clinical setting; an administrator may schedule it with an override and a reason" {
		t.Errorf("skip without override: %v", err)
	}
}

func TestPatchChangeValidate(t *testing.T) {
	for _, c := range []struct {
		c    PatchChange
		want string
	}{
		{PatchChange{To: PatchValidated}, "validation needs evidence: what was tested, where, and the result, or the test report as a file"},
		{PatchChange{To: PatchValidated, File: &EvidenceFile{Name: "report.pdf", Content: []byte("%PDF-1.7")}}, ""},
		{PatchChange{To: PatchApplied, File: &EvidenceFile{Name: "report.pdf", Content: []byte("x")}},
			"an evidence file is attached when the update is validated, not when it is applied"},
		{PatchChange{To: PatchValidated, Evidence: "bench", File: &EvidenceFile{Name: "empty.txt"}}, `the evidence file "empty.txt" is empty`},
		{PatchChange{To: PatchValidated, Evidence: "bench test on spare unit"}, ""},
		{PatchChange{To: PatchScheduled}, "scheduling needs a date and time"},
		{PatchChange{To: PatchScheduled, At: time.Unix(1, 0), Override: true}, "an override needs a reason"},
		{PatchChange{To: "done"}, `unknown patch state "done" (use available, validated, scheduled, applied or verified)`},
	} {
		err := c.c.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%+v: got %q, want %q", c.c, got, c.want)
		}
	}
}

// Ensure an uploaded evidence file is checked and described: its base name
// without a path or control characters, a media type that parses (else
// octet-stream), its size and SHA-256, and a clear refusal above 10 MiB.
func TestEvidenceFileValidate(t *testing.T) {
	f := &EvidenceFile{Name: `C:\Users\tech\bench "report".txt`, ContentType: "text/plain; charset=UTF-8", Content: []byte("abc")}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc") from FIPS 180-2, appendix B.1.
	if f.Name != "bench report.txt" || f.ContentType != "text/plain; charset=UTF-8" || f.Size != 3 ||
		f.SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("file = %+v", f)
	}
	f = &EvidenceFile{Name: "/tmp/run\x01 log.txt", ContentType: "not a type;;", Content: []byte("x")}
	if err := f.Validate(); err != nil || f.Name != "run log.txt" || f.ContentType != "application/octet-stream" {
		t.Fatalf("file = %+v, %v", f, err)
	}
	for _, c := range []struct {
		f    EvidenceFile
		want string
	}{
		{EvidenceFile{Name: "big.bin", Content: make([]byte, MaxEvidenceSize+1)}, `the evidence file "big.bin" is 10.0 MiB (10485761 bytes); the limit is 10 MiB (10485760 bytes)`},
		{EvidenceFile{Name: "dir/", Content: []byte("x")}, "the evidence file needs a name"},
		{EvidenceFile{Name: "..", Content: []byte("x")}, "the evidence file needs a name"},
	} {
		if err := c.f.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("%q: err = %v, want %q", c.f.Name, err, c.want)
		}
	}
	if err := (&EvidenceFile{Name: "max.bin", Content: make([]byte, MaxEvidenceSize)}).Validate(); err != nil {
		t.Errorf("exactly 10 MiB: %v", err)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	x, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestWindowDST checks "Sundays 02:00–05:00" and a window across midnight
// on the nights clocks change, in UTC instants worked out by hand.
func TestWindowDST(t *testing.T) {
	sunday := []time.Weekday{time.Sunday}
	ny := &MaintenanceWindow{Weekdays: sunday, Start: 120, End: 300, TimeZone: "America/New_York"}
	berlin := &MaintenanceWindow{Weekdays: sunday, Start: 120, End: 300, TimeZone: "Europe/Berlin"}
	nyEarly := &MaintenanceWindow{Weekdays: sunday, Start: 60, End: 180, TimeZone: "America/New_York"} // 01:00–03:00
	satNight := &MaintenanceWindow{Weekdays: []time.Weekday{time.Saturday}, Start: 22 * 60, End: 4 * 60, TimeZone: "America/New_York"}
	for _, c := range []struct {
		name string
		w    *MaintenanceWindow
		at   string
		want bool
	}{
		// New York, spring forward 2026-03-08: 02:00 EST becomes 03:00 EDT.
		{"ny spring 01:59 EST", ny, "2026-03-08T06:59:00Z", false},
		{"ny spring 03:00 EDT", ny, "2026-03-08T07:00:00Z", true}, // 02:00–02:59 do not exist
		{"ny spring 04:59 EDT", ny, "2026-03-08T08:59:00Z", true},
		{"ny spring 05:00 EDT", ny, "2026-03-08T09:00:00Z", false},
		// New York, fall back 2026-11-01: 02:00 EDT becomes 01:00 EST.
		{"ny fall 01:30 EDT", nyEarly, "2026-11-01T05:30:00Z", true},
		{"ny fall 01:30 EST (again)", nyEarly, "2026-11-01T06:30:00Z", true},
		{"ny fall 02:59 EST", nyEarly, "2026-11-01T07:59:00Z", true},
		{"ny fall 03:00 EST", nyEarly, "2026-11-01T08:00:00Z", false},
		{"ny fall 00:59 EDT", nyEarly, "2026-11-01T04:59:00Z", false},
		{"ny fall 02:00 EST", ny, "2026-11-01T07:00:00Z", true},
		{"ny fall 04:59 EST", ny, "2026-11-01T09:59:00Z", true},
		{"ny fall 05:00 EST", ny, "2026-11-01T10:00:00Z", false},
		// An ordinary Sunday in winter and summer.
		{"ny winter 02:00 EST", ny, "2026-01-11T07:00:00Z", true},
		{"ny summer 02:00 EDT", ny, "2026-07-12T06:00:00Z", true},
		{"ny summer Monday 02:00 EDT", ny, "2026-07-13T06:00:00Z", false},
		// Berlin, spring forward 2026-03-29: 02:00 CET becomes 03:00 CEST.
		{"berlin spring 01:59 CET", berlin, "2026-03-29T00:59:00Z", false},
		{"berlin spring 03:00 CEST", berlin, "2026-03-29T01:00:00Z", true},
		{"berlin spring 04:59 CEST", berlin, "2026-03-29T02:59:00Z", true},
		{"berlin spring 05:00 CEST", berlin, "2026-03-29T03:00:00Z", false},
		// Berlin, fall back 2026-10-25: 03:00 CEST becomes 02:00 CET.
		{"berlin fall 02:00 CEST", berlin, "2026-10-25T00:00:00Z", true},
		{"berlin fall 02:30 CET (again)", berlin, "2026-10-25T01:30:00Z", true},
		{"berlin fall 04:59 CET", berlin, "2026-10-25T03:59:00Z", true},
		{"berlin fall 05:00 CET", berlin, "2026-10-25T04:00:00Z", false},
		{"berlin fall 01:59 CEST", berlin, "2026-10-24T23:59:00Z", false},
		// Saturday 22:00 – Sunday 04:00 across the spring-forward night.
		{"sat night 21:59 EST", satNight, "2026-03-08T02:59:00Z", false},
		{"sat night 22:00 EST", satNight, "2026-03-08T03:00:00Z", true},
		{"sun morning 03:59 EDT", satNight, "2026-03-08T07:59:00Z", true},
		{"sun morning 04:00 EDT", satNight, "2026-03-08T08:00:00Z", false},
		{"sun night 22:00 EDT", satNight, "2026-03-09T02:00:00Z", false},
	} {
		if got := c.w.Contains(mustTime(t, c.at)); got != c.want {
			t.Errorf("%s (%s): Contains = %v, want %v", c.name, c.at, got, c.want)
		}
	}
}

func TestWindowNext(t *testing.T) {
	ny := &MaintenanceWindow{Weekdays: []time.Weekday{time.Sunday}, Start: 120, End: 300, TimeZone: "America/New_York"}
	for _, c := range []struct{ from, want string }{
		{"2026-03-04T12:00:00Z", "2026-03-08T07:00:00Z"}, // the spring-forward Sunday opens at 03:00 EDT
		{"2026-10-28T12:00:00Z", "2026-11-01T07:00:00Z"}, // the fall-back Sunday opens at 02:00 EST
		{"2026-07-12T07:00:00Z", "2026-07-12T07:00:00Z"}, // already inside
		{"2026-07-12T09:00:00Z", "2026-07-19T06:00:00Z"}, // missed this week's
	} {
		got, ok := ny.Next(mustTime(t, c.from))
		if !ok || !got.Equal(mustTime(t, c.want)) {
			t.Errorf("Next(%s) = %s %v, want %s", c.from, got.UTC().Format(time.RFC3339), ok, c.want)
		}
	}
}

func TestParseWeekdaysAndClock(t *testing.T) {
	d, err := ParseWeekdays("Sundays")
	if err != nil || len(d) != 1 || d[0] != time.Sunday {
		t.Errorf("Sundays = %v %v", d, err)
	}
	d, err = ParseWeekdays("fri-mon")
	if err != nil || len(d) != 4 || d[0] != time.Friday || d[3] != time.Monday {
		t.Errorf("fri-mon = %v %v", d, err)
	}
	if _, err := ParseWeekdays("someday"); err == nil || err.Error() != `"someday" is not a day of the week` {
		t.Errorf("someday: %v", err)
	}
	if m, err := ParseClock("02:30"); err != nil || m != 150 {
		t.Errorf("02:30 = %d %v", m, err)
	}
	for _, bad := range []string{"2", "25:00", "24:30", "ab:cd", "12:60"} {
		if _, err := ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
	w := &MaintenanceWindow{Weekdays: []time.Weekday{time.Sunday}, Start: 120, End: 300, TimeZone: "Mars/Olympus"}
	if err := w.Validate(); err == nil {
		t.Error("unknown zone accepted")
	}
	w.TimeZone = "Europe/Berlin"
	if err := w.Validate(); err != nil || w.Name != "Sun 02:00–05:00 Europe/Berlin" {
		t.Errorf("Validate: %v, name %q", err, w.Name)
	}
}

func TestParseCents(t *testing.T) {
	for in, want := range map[string]int64{"18500": 1850000, "18,500.00": 1850000, "$1,234.5": 123450, "0.285": 29, "0.284": 28,
		"0.2849": 28, ".5": 50, "12.": 1200, "0.015": 2, "999.995": 100000} {
		got, err := ParseCents(in)
		if err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-5", "abc", "1.2.3", "12e3", ".", "99999999999999999"} {
		if _, err := ParseCents(bad); err == nil {
			t.Errorf("ParseCents(%q) accepted", bad)
		}
	}
}
