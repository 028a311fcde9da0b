package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// demoWindows are the practice's maintenance windows, in each site's time
// zone.
var demoWindows = []struct {
	site, days, start, end, name string
}{
	{"main", "sun", "02:00", "05:00", "Main Campus: Sunday early morning"},
	{"northgate", "sat", "22:00", "02:00", "Northgate: Saturday night (clinic closed)"},
	{"surgery-center", "sun", "06:00", "12:00", "Surgery center: Sunday morning (no cases)"},
}

// demoReleases are firmware updates the practice has recorded, days before
// the reference date, and how far their work has gone: the first verified
// items, then validated, scheduled and overridden ones; the rest stay
// available.
var demoReleases = []struct {
	manufacturer, model, version, notes string
	daysAgo                             int
	verified, validated, scheduled      int
	override                            bool
}{
	{"BD", "Alaris PC Unit 8015", "12.1.4", "Security update: signed drug-library packages and removal of a legacy service account.", 75, 3, 0, 2, false},
	{"Philips", "IntelliVue MX450", "N.00.08", "Fixes the unauthenticated service interface reported in the vendor's security bulletin; needs N.00.06 first.", 40, 0, 2, 1, true},
	{"GE HealthCare", "CARESCAPE B650", "2.0.8", "Hardened network stack; disables legacy SNMPv1.", 12, 0, 0, 0, false},
}

// seedLifecycle adds the lifecycle demo: vendor contracts and feeds, SBOM
// and MDS2 flags, maintenance windows, firmware releases and patch work at
// several states, with realistic dates before now.
func seedLifecycle(ctx context.Context, st store.Store, now time.Time) error {
	for name, set := range map[string]func(v *domain.Vendor){
		"BD": func(v *domain.Vendor) {
			v.AccountManager, v.SupportContract = "Dana Whitfield, strategic account manager", "BD Care Services Gold, pumps and Systems Manager"
			v.SupportContractEnd = domain.DateOf(now.AddDate(1, 3, 0))
			v.AdvisoryFeedURL = "https://cybersecurity.bd.com/bulletins-and-patches"
		},
		"Philips": func(v *domain.Vendor) {
			v.AccountManager, v.SupportContract = "Marcus Lee", "RightFit service agreement, monitoring"
			v.SupportContractEnd = domain.DateOf(now.AddDate(0, 8, 0))
			v.AdvisoryFeedURL = "https://www.philips.com/a-w/security/security-advisories.html"
		},
		"GE HealthCare": func(v *domain.Vendor) {
			v.SupportContract, v.SupportContractEnd = "AssurePoint Standard, monitoring", domain.DateOf(now.AddDate(0, -2, 0))
		},
	} {
		v, err := st.FindVendor(ctx, name)
		if err != nil {
			return fmt.Errorf("demo: vendor %s: %w", name, err)
		}
		set(v)
		if err := st.UpdateVendor(ctx, v); err != nil {
			return fmt.Errorf("demo: vendor %s: %w", name, err)
		}
	}
	for _, mm := range [][2]string{{"BD", "Alaris PC Unit 8015"}, {"Philips", "IntelliVue MX450"}, {"Philips", "IntelliVue MX40"}, {"GE HealthCare", "CARESCAPE B650"}} {
		m, err := st.FindModel(ctx, mm[0], mm[1])
		if err != nil {
			return fmt.Errorf("demo: model %s: %w", mm[1], err)
		}
		m.MDS2Available, m.SBOMAvailable = true, mm[0] != "GE HealthCare"
		if err := st.UpsertModel(ctx, m); err != nil {
			return fmt.Errorf("demo: model %s: %w", mm[1], err)
		}
	}
	windows := map[string]*domain.MaintenanceWindow{}
	for _, w := range demoWindows {
		win := &domain.MaintenanceWindow{Site: w.site, Name: w.name}
		var err error
		if win.Weekdays, err = domain.ParseWeekdays(w.days); err == nil {
			if win.Start, err = domain.ParseClock(w.start); err == nil {
				win.End, err = domain.ParseClock(w.end)
			}
		}
		if err == nil {
			err = st.CreateMaintenanceWindow(ctx, win)
		}
		if err != nil {
			return fmt.Errorf("demo: window %s: %w", w.name, err)
		}
		windows[w.site] = win
	}
	for _, r := range demoReleases {
		released := now.AddDate(0, 0, -r.daysAgo)
		rel := &domain.FirmwareRelease{Manufacturer: r.manufacturer, Model: r.model, Version: r.version, ReleasedOn: domain.DateOf(released), Notes: r.notes}
		if err := st.CreateFirmwareRelease(domain.WithNow(ctx, released.Add(24*time.Hour)), rel); err != nil {
			return fmt.Errorf("demo: release %s %s: %w", r.model, r.version, err)
		}
		items, err := st.FindPatchItems(ctx, domain.PatchFilter{ReleaseID: rel.ID})
		if err != nil {
			return err
		}
		if err := progress(ctx, st, items, windows, released, now, r.verified, r.validated, r.scheduled, r.override); err != nil {
			return fmt.Errorf("demo: release %s %s: %w", r.model, r.version, err)
		}
	}
	return nil
}

// benchReport is the test report a biomedical engineer attaches when
// validating an update: plain text, as a CMMS export would be.
func benchReport(it *domain.PatchItem, tested time.Time) *domain.EvidenceFile {
	text := fmt.Sprintf("NON-CLINICAL VALIDATION REPORT\n"+
		"Update:      %s %s firmware %s (released %s)\n"+
		"Test unit:   biomedical engineering bench unit, same model, not in clinical use\n"+
		"Target:      %s, %s%s\n"+
		"Tested:      %s\n\n"+
		"1. Installed the update from the vendor's signed package; version confirmed on the device.   PASS\n"+
		"2. Power cycle, self test and alarm tones (high, medium, low priority).                     PASS\n"+
		"3. Network: DHCP lease, association with the central station, time sync.                    PASS\n"+
		"4. Four-hour run with simulated clinical load; no unexpected alarms or reboots.             PASS\n"+
		"5. Settings and drug library / profiles unchanged after the update.                         PASS\n\n"+
		"Result: approved for installation in the next maintenance window.\n",
		it.Manufacturer, it.Model, it.Version, it.ReleasedOn, it.Device, it.Site, deptOf(it.Department), tested.UTC().Format("2006-01-02 15:04 UTC"))
	return &domain.EvidenceFile{Name: fmt.Sprintf("bench-test-%s-%s.txt", domain.Slugify(it.Device), domain.Slugify(it.Version)),
		ContentType: "text/plain; charset=utf-8", Content: []byte(text)}
}

func deptOf(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// progress moves the first work items of a release along the workflow at
// plausible past times: verified ones were tested a week after the
// release and installed in the next window; scheduled ones are booked into
// the next window after now.
func progress(ctx context.Context, st store.Store, items []*domain.PatchItem, windows map[string]*domain.MaintenanceWindow,
	released, now time.Time, verified, validated, scheduled int, override bool) error {
	at := func(t time.Time) context.Context { return domain.WithNow(ctx, t) }
	evidence := "Tested on the biomedical engineering bench unit (not in clinical use): update installed, alarms, network reporting and " +
		"central-station connection checked for 4 hours; report filed in the CMMS."
	move := func(t time.Time, it *domain.PatchItem, c domain.PatchChange) error {
		_, err := st.MovePatchItem(at(t), it.ID, c)
		return err
	}
	i := 0
	for ; i < len(items) && i < verified; i++ {
		it := items[i]
		w := windows[it.Site]
		if w == nil {
			continue
		}
		tested := released.AddDate(0, 0, 7+i)
		slot, _ := w.Next(tested.AddDate(0, 0, 14))
		for _, step := range []struct {
			t time.Time
			c domain.PatchChange
		}{
			{tested, domain.PatchChange{To: domain.PatchValidated, Evidence: evidence, File: benchReport(it, tested)}},
			{tested.Add(time.Hour), domain.PatchChange{To: domain.PatchScheduled, At: slot}},
			{slot.Add(45 * time.Minute), domain.PatchChange{To: domain.PatchApplied}},
			{slot.Add(26 * time.Hour), domain.PatchChange{To: domain.PatchVerified}},
		} {
			if err := move(step.t, it, step.c); err != nil {
				return err
			}
		}
	}
	for n := 0; i < len(items) && n < validated+scheduled; i, n = i+1, n+1 {
		it := items[i]
		if err := move(now.AddDate(0, 0, -3), it, domain.PatchChange{To: domain.PatchValidated, Evidence: evidence}); err != nil {
			return err
		}
		if n < scheduled && windows[it.Site] != nil {
			slot, _ := windows[it.Site].Next(now)
			if err := move(now.AddDate(0, 0, -2), it, domain.PatchChange{To: domain.PatchScheduled, At: slot}); err != nil {
				return err
			}
		}
	}
	if override && i < len(items) {
		return move(now.AddDate(0, 0, -1), items[i], domain.PatchChange{To: domain.PatchScheduled, At: now.AddDate(0, 0, 2).Truncate(time.Hour),
			Override: true, Reason: "Vendor bulletin rates the flaw critical and the ICU has no spare monitor for a bench test; the vendor's field engineer installs and checks it on site."})
	}
	return nil
}
