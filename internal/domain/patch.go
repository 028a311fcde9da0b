package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FirmwareRelease is an update a manufacturer has made available for one
// model: entered by hand, or (later) created from an advisory's
// remediation, in which case Source is "advisory" and AdvisoryRef names it.
// Releases belong to the practice that records them.
type FirmwareRelease struct {
	ID           int64
	TenantID     int64
	ModelID      int64
	VendorID     int64  // read only
	Manufacturer string // with Model, names the catalogue entry
	Model        string
	Version      string
	ReleasedOn   Date
	Notes        string // the vendor's release notes, in brief
	Source       string // "manual" or "advisory"
	AdvisoryRef  string // the advisory that announced it, when Source is "advisory"
	Devices      int    // work items opened for it (read only)
	CreatedAt    time.Time
}

// Validate checks a release before it is stored.
func (r *FirmwareRelease) Validate() error {
	r.Version = strings.TrimSpace(r.Version)
	if r.Version == "" {
		return Errorf(CodeInvalid, "a release needs a version")
	}
	if r.ReleasedOn.IsZero() {
		return Errorf(CodeInvalid, "a release needs its release date")
	}
	switch r.Source {
	case "":
		r.Source = "manual"
	case "manual", "advisory":
	default:
		return Errorf(CodeInvalid, "release source %q is not manual or advisory", r.Source)
	}
	return nil
}

// PatchState is where a device's update stands.
type PatchState string

// Patch states, in workflow order.
const (
	PatchAvailable PatchState = "available" // released, nothing done yet
	PatchValidated PatchState = "validated" // tested in a non-clinical setting
	PatchScheduled PatchState = "scheduled" // booked into a maintenance window
	PatchApplied   PatchState = "applied"   // installed on the device
	PatchVerified  PatchState = "verified"  // the device was checked afterwards
)

// PatchStates lists the states in workflow order.
func PatchStates() []PatchState {
	return []PatchState{PatchAvailable, PatchValidated, PatchScheduled, PatchApplied, PatchVerified}
}

// ParsePatchState checks a state name.
func ParsePatchState(s string) (PatchState, error) {
	for _, x := range PatchStates() {
		if string(x) == strings.ToLower(strings.TrimSpace(s)) {
			return x, nil
		}
	}
	return "", Errorf(CodeInvalid, "unknown patch state %q (use available, validated, scheduled, applied or verified)", s)
}

// PatchItem is the work of bringing one device to one release.
type PatchItem struct {
	ID        int64
	TenantID  int64
	ReleaseID int64
	DeviceID  int64
	State     PatchState

	// Read only, joined for display.
	Device       string
	Site         string
	Department   string
	Manufacturer string
	Model        string
	Firmware     string // the device's firmware now
	Version      string // the release's version
	ReleasedOn   Date

	ValidatedBy    string
	ValidatedAt    time.Time
	Evidence       string // what was tested and how; a note or a file name
	ScheduledFor   time.Time
	WindowID       int64 // the maintenance window it was booked into; 0 when overridden
	AppliedAt      time.Time
	AppliedBy      string
	VerifiedAt     time.Time
	VerifiedBy     string
	OverrideReason string // why validation or the window was skipped
	// EvidenceFile describes the file attached at validation (without its
	// content); nil when none was.
	EvidenceFile *EvidenceFile
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MaxEvidenceSize is the largest evidence file a work item takes: enough
// for a test report with screenshots, small enough to keep in the database.
const MaxEvidenceSize = 10 << 20

// EvidenceFile is a file attached to a work item when it is validated: the
// report of the test in a non-clinical setting. It is stored with the item,
// in the practice, and only ever downloaded, never shown inline.
type EvidenceFile struct {
	PatchID     int64
	Name        string // the file's base name as uploaded
	ContentType string // as uploaded (or guessed from the name), a valid media type
	Size        int64
	SHA256      string // hex; computed by Validate, recorded in the audit trail
	Content     []byte // only when uploading or downloading
	CreatedAt   time.Time
	CreatedBy   string
}

// Validate checks an uploaded file and fills in its size and digest: a
// base name without control characters, a content type that parses (else
// application/octet-stream), and a size from 1 byte to MaxEvidenceSize.
func (f *EvidenceFile) Validate() error {
	name := f.Name
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:] // browsers of old sent the whole path
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" || name == "." || name == ".." {
		return Errorf(CodeInvalid, "the evidence file needs a name")
	}
	f.Name = name
	if len(f.Content) == 0 {
		return Errorf(CodeInvalid, "the evidence file %q is empty", name)
	}
	if len(f.Content) > MaxEvidenceSize {
		return EvidenceTooLarge(name, int64(len(f.Content)))
	}
	ct := "application/octet-stream"
	if mt, params, err := mime.ParseMediaType(f.ContentType); err == nil {
		if s := mime.FormatMediaType(mt, params); s != "" {
			ct = s
		}
	}
	f.ContentType = ct
	f.Size = int64(len(f.Content))
	sum := sha256.Sum256(f.Content)
	f.SHA256 = hex.EncodeToString(sum[:])
	return nil
}

// EvidenceTooLarge is the error for an evidence file over MaxEvidenceSize.
func EvidenceTooLarge(name string, size int64) error {
	return Errorf(CodeInvalid, "the evidence file %q is %s (%d bytes); the limit is 10 MiB (%d bytes)", name, FormatBytes(size), size, int64(MaxEvidenceSize))
}

// FormatBytes renders a size as "812 bytes", "14.2 KiB" or "10.0 MiB".
func FormatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}

// PatchChange asks to move a work item to another state.
type PatchChange struct {
	To PatchState
	// Evidence of the non-clinical test: for validation, a note, a file,
	// or both.
	Evidence string
	File     *EvidenceFile
	// When, for scheduling.
	At time.Time
	// Override skips validation or the maintenance-window check; it needs
	// a reason and the override permission, and is audited as such.
	Override bool
	Reason   string
}

// patchEdges are the moves the workflow allows without an override.
var patchEdges = map[PatchState][]PatchState{
	PatchAvailable: {PatchValidated},
	PatchValidated: {PatchScheduled},
	PatchScheduled: {PatchScheduled, PatchApplied}, // rescheduling is allowed
	PatchApplied:   {PatchVerified},
}

// CheckPatchMove says whether a work item may move from one state to
// another. The one move that needs an override is scheduling an update
// that was never validated (available → scheduled); an override never
// allows any other skip or a move backwards.
func CheckPatchMove(from, to PatchState, override bool) error {
	for _, x := range patchEdges[from] {
		if x == to {
			return nil
		}
	}
	if from == PatchAvailable && to == PatchScheduled {
		if override {
			return nil
		}
		return Errorf(CodeInvalid, "the update has not been validated in a non-clinical setting; an administrator may schedule it with an override and a reason")
	}
	if from == PatchVerified {
		return Errorf(CodeInvalid, "the work item is verified and closed; it cannot move to %s", to)
	}
	return Errorf(CodeInvalid, "a work item cannot move from %s to %s", from, to)
}

// Validate checks a change request on its own.
func (c *PatchChange) Validate() error {
	if _, err := ParsePatchState(string(c.To)); err != nil {
		return err
	}
	c.Reason = strings.TrimSpace(c.Reason)
	c.Evidence = strings.TrimSpace(c.Evidence)
	if c.Override && c.Reason == "" {
		return Errorf(CodeInvalid, "an override needs a reason")
	}
	if c.File != nil {
		if c.To != PatchValidated {
			return Errorf(CodeInvalid, "an evidence file is attached when the update is validated, not when it is %s", c.To)
		}
		if err := c.File.Validate(); err != nil {
			return err
		}
		if c.Evidence == "" {
			c.Evidence = "report attached: " + c.File.Name
		}
	}
	if c.To == PatchValidated && c.Evidence == "" {
		return Errorf(CodeInvalid, "validation needs evidence: what was tested, where, and the result, or the test report as a file")
	}
	if c.To == PatchScheduled && c.At.IsZero() {
		return Errorf(CodeInvalid, "scheduling needs a date and time")
	}
	return nil
}

// PatchFilter selects work items.
type PatchFilter struct {
	State     PatchState
	DeviceID  int64
	ReleaseID int64
	Open      bool // not yet verified
}

// MaintenanceWindow is a recurring time when a site (or one department of
// it) may take devices out of service for updates, in the site's local
// time: "Sundays 02:00–05:00 America/New_York". The window is defined by
// wall-clock times, so it follows daylight-saving changes: on the night
// clocks go forward it is an hour shorter, on the night they go back an
// hour longer.
type MaintenanceWindow struct {
	ID         int64
	TenantID   int64
	SiteID     int64
	Site       string // slug; resolved to SiteID by the store
	Department string // empty: the whole site
	Name       string
	Weekdays   []time.Weekday
	Start      int // minutes after local midnight
	End        int // minutes after local midnight; End <= Start runs past midnight
	TimeZone   string
	CreatedAt  time.Time
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseWeekdays reads "sun", "mon,wed", "Sundays", "daily" or "mon-fri".
func ParseWeekdays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "daily" || s == "every day" {
		return []time.Weekday{0, 1, 2, 3, 4, 5, 6}, nil
	}
	day := func(w string) (time.Weekday, error) {
		w = strings.TrimSpace(w)
		if len(w) >= 3 {
			if d, ok := weekdayNames[w[:3]]; ok {
				return d, nil
			}
		}
		return 0, Errorf(CodeInvalid, "%q is not a day of the week", w)
	}
	var out []time.Weekday
	seen := map[time.Weekday]bool{}
	for _, part := range strings.Split(s, ",") {
		if a, b, ok := strings.Cut(part, "-"); ok {
			from, err := day(a)
			if err != nil {
				return nil, err
			}
			to, err := day(b)
			if err != nil {
				return nil, err
			}
			for d := from; ; d = (d + 1) % 7 {
				if !seen[d] {
					seen[d] = true
					out = append(out, d)
				}
				if d == to {
					break
				}
			}
			continue
		}
		d, err := day(part)
		if err != nil {
			return nil, err
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(CodeInvalid, "a maintenance window needs at least one day")
	}
	return out, nil
}

// ParseClock reads "02:00" as minutes after midnight; "24:00" is allowed as
// an end.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, Errorf(CodeInvalid, "time %q is not HH:MM", s)
	}
	return hh*60 + mm, nil
}

// Clock renders minutes after midnight as HH:MM.
func Clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// Validate checks a window before it is stored.
func (w *MaintenanceWindow) Validate() error {
	w.Name = strings.TrimSpace(w.Name)
	w.Department = strings.TrimSpace(w.Department)
	if len(w.Weekdays) == 0 {
		return Errorf(CodeInvalid, "a maintenance window needs at least one day")
	}
	if w.Start < 0 || w.Start >= 24*60 || w.End < 0 || w.End > 24*60 {
		return Errorf(CodeInvalid, "window times must be between 00:00 and 24:00")
	}
	if w.Start == w.End {
		return Errorf(CodeInvalid, "a maintenance window cannot start and end at the same time")
	}
	if w.TimeZone == "" {
		w.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(w.TimeZone); err != nil {
		return Errorf(CodeInvalid, "unknown time zone %q (use an IANA name such as America/New_York)", w.TimeZone)
	}
	if w.Name == "" {
		w.Name = w.Describe()
	}
	return nil
}

// Describe renders the window as "Sun 02:00–05:00 America/New_York".
func (w *MaintenanceWindow) Describe() string {
	days := make([]string, len(w.Weekdays))
	for i, d := range w.Weekdays {
		days[i] = d.String()[:3]
	}
	return fmt.Sprintf("%s %s–%s %s", strings.Join(days, ","), Clock(w.Start), Clock(w.End), w.TimeZone)
}

func (w *MaintenanceWindow) hasDay(d time.Weekday) bool {
	for _, x := range w.Weekdays {
		if x == d {
			return true
		}
	}
	return false
}

// Contains reports whether the instant t falls inside the window, judged
// by the wall clock of the window's time zone at t.
func (w *MaintenanceWindow) Contains(t time.Time) bool {
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		return false
	}
	l := t.In(loc)
	m := l.Hour()*60 + l.Minute()
	if w.Start < w.End {
		return w.hasDay(l.Weekday()) && m >= w.Start && m < w.End
	}
	// Past midnight: the evening part on a window day, or the morning part
	// on the day after one.
	return (w.hasDay(l.Weekday()) && m >= w.Start) || (w.hasDay((l.Weekday()+6)%7) && m < w.End)
}

// Next returns the first instant at or after t inside the window, searching
// two weeks ahead, and false when there is none.
func (w *MaintenanceWindow) Next(t time.Time) (time.Time, bool) {
	if w.Contains(t) {
		return t, true
	}
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		return time.Time{}, false
	}
	l := t.In(loc)
	for i := 0; i <= 14; i++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+i, 0, 0, 0, 0, loc)
		if !w.hasDay(day.Weekday()) {
			continue
		}
		// The wall-clock start; in a spring-forward gap, the first minute
		// after it that exists.
		for m := w.Start; m < w.Start+120; m++ {
			c := time.Date(day.Year(), day.Month(), day.Day(), 0, m, 0, 0, loc)
			if !c.Before(t) && w.Contains(c) {
				return c, true
			}
		}
	}
	return time.Time{}, false
}
