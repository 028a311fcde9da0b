package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func testLifecycle(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "Practice A", "Main")
	b := practice(t, s, "Practice B", "Main")
	if err := s.UpdateSite(a, mustSite(t, s, a, "main", "America/New_York")); err != nil {
		t.Fatal(err)
	}
	m := &domain.Model{Manufacturer: "Acme Medical", Name: "Pump 9", ReplacementCostCents: 450000, SBOMAvailable: true}
	if err := s.UpsertModel(a, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindModel(a, "Acme Medical", "Pump 9"); got == nil || !got.SBOMAvailable || got.MDS2Available {
		t.Fatalf("model flags = %+v", got)
	}
	var devs []*domain.Device
	for i, fw := range []string{"1.0", "1.1", "2.0"} {
		devs = append(devs, mustCreate(t, s, a, map[domain.Field]string{domain.FieldSerial: fmt.Sprint("P", i), domain.FieldCategory: "infusion",
			domain.FieldManufacturer: "Acme Medical", domain.FieldModel: "Pump 9", domain.FieldFirmware: fw, domain.FieldDepartment: "ICU"}))
	}
	mustCreate(t, s, b, map[domain.Field]string{domain.FieldSerial: "B1", domain.FieldCategory: "infusion",
		domain.FieldManufacturer: "Acme Medical", domain.FieldModel: "Pump 9", domain.FieldFirmware: "1.0"})

	t.Run("ReplacementCost", func(t *testing.T) {
		if err := s.SetDeviceReplacementCost(a, devs[0].ID, 399999); err != nil {
			t.Fatal(err)
		}
		got, err := s.DeviceReplacementCosts(a)
		if err != nil || len(got) != 1 || got[devs[0].ID] != 399999 {
			t.Fatalf("costs = %v, %v", got, err)
		}
		wantCode(t, s.SetDeviceReplacementCost(b, devs[0].ID, 1), domain.CodeNotFound)
		if got, _ := s.DeviceReplacementCosts(b); len(got) != 0 {
			t.Fatalf("practice B sees A's costs: %v", got)
		}
		if _, err := s.DeviceReplacementCosts(ctxFor(0)); domain.ErrorCode(err) != domain.CodeForbidden {
			t.Fatalf("no tenant: %v", err)
		}
		lastAudit(t, s, a, "device.replacement_cost")

		// Clearing the override returns the device to its model's cost;
		// clearing again, or setting the same cost, changes nothing.
		before, _ := s.FindAuditEvents(a, domain.AuditFilter{Action: "device.replacement_cost"})
		if err := s.SetDeviceReplacementCost(a, devs[0].ID, 399999); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SetDeviceReplacementCost(b, devs[0].ID, -1), domain.CodeNotFound)
		if err := s.SetDeviceReplacementCost(a, devs[0].ID, -1); err != nil {
			t.Fatal(err)
		}
		if got, err := s.DeviceReplacementCosts(a); err != nil || len(got) != 0 {
			t.Fatalf("costs after clearing = %v, %v", got, err)
		}
		if err := s.SetDeviceReplacementCost(a, devs[0].ID, -1); err != nil {
			t.Fatal(err)
		}
		evs, _ := s.FindAuditEvents(a, domain.AuditFilter{Action: "device.replacement_cost"})
		if len(evs) != len(before)+1 || evs[len(evs)-1].After != nil && string(evs[len(evs)-1].After) != "null" ||
			!strings.Contains(string(evs[len(evs)-1].Before), "399999") {
			t.Fatalf("audit after clearing: %d events (before %d), last %s → %s", len(evs), len(before), evs[len(evs)-1].Before, evs[len(evs)-1].After)
		}
		// The override is set again for the budget tests below.
		if err := s.SetDeviceReplacementCost(a, devs[0].ID, 399999); err != nil {
			t.Fatal(err)
		}
	})

	r := &domain.FirmwareRelease{Manufacturer: "Acme Medical", Model: "Pump 9", Version: "2.0", ReleasedOn: domain.Date{Year: 2026, Month: 2, Day: 1}, Notes: "fixes CVE"}
	t.Run("Release", func(t *testing.T) {
		if err := s.CreateFirmwareRelease(a, r); err != nil {
			t.Fatal(err)
		}
		if r.Devices != 2 || r.Source != "manual" {
			t.Fatalf("release = %+v, want 2 work items (the device on 2.0 is current)", r)
		}
		dup := *r
		dup.ID = 0
		wantCode(t, s.CreateFirmwareRelease(a, &dup), domain.CodeConflict)
		list, err := s.FindFirmwareReleases(a, 0)
		if err != nil || len(list) != 1 || list[0].Devices != 2 || list[0].Manufacturer != "Acme Medical" {
			t.Fatalf("releases = %+v, %v", list, err)
		}
		if list, _ := s.FindFirmwareReleases(b, 0); len(list) != 0 {
			t.Fatalf("practice B sees A's releases")
		}
		lastAudit(t, s, a, "release.create")
	})

	w := &domain.MaintenanceWindow{Site: "main", Weekdays: []time.Weekday{time.Sunday}, Start: 120, End: 300}
	t.Run("Window", func(t *testing.T) {
		if err := s.CreateMaintenanceWindow(a, w); err != nil {
			t.Fatal(err)
		}
		if w.TimeZone != "America/New_York" || w.Name != "Sun 02:00–05:00 America/New_York" {
			t.Fatalf("window = %+v, want the site's zone", w)
		}
		icuOnly := &domain.MaintenanceWindow{Site: "main", Department: "Radiology", Weekdays: []time.Weekday{time.Wednesday}, Start: 0, End: 240}
		if err := s.CreateMaintenanceWindow(a, icuOnly); err != nil {
			t.Fatal(err)
		}
		list, err := s.FindMaintenanceWindows(a)
		if err != nil || len(list) != 2 {
			t.Fatalf("windows = %+v, %v", list, err)
		}
		if list, _ := s.FindMaintenanceWindows(b); len(list) != 0 {
			t.Fatal("practice B sees A's windows")
		}
		wantCode(t, s.DeleteMaintenanceWindow(b, icuOnly.ID), domain.CodeNotFound)
		wantCode(t, s.CreateMaintenanceWindow(a, &domain.MaintenanceWindow{Site: "nowhere", Weekdays: []time.Weekday{1}, Start: 1, End: 2}), domain.CodeInvalid)
	})

	t.Run("Workflow", func(t *testing.T) {
		items, err := s.FindPatchItems(a, domain.PatchFilter{ReleaseID: r.ID})
		if err != nil || len(items) != 2 || items[0].State != domain.PatchAvailable || items[0].Version != "2.0" || items[0].Site != "main" {
			t.Fatalf("items = %+v, %v", items, err)
		}
		if got, _ := s.FindPatchItems(b, domain.PatchFilter{}); len(got) != 0 {
			t.Fatal("practice B sees A's work items")
		}
		_, err = s.FindPatchItem(b, items[0].ID)
		wantCode(t, err, domain.CodeNotFound)
		_, err = s.MovePatchItem(b, items[0].ID, domain.PatchChange{To: domain.PatchValidated, Evidence: "x"})
		wantCode(t, err, domain.CodeNotFound)

		id := items[0].ID
		// Skipping validation is refused without an override.
		inside := time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)  // Sunday 03:30 EDT, the spring-forward night
		outside := time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC) // Sunday 01:30 EST
		_, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchScheduled, At: inside})
		wantCode(t, err, domain.CodeInvalid)
		_, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchApplied})
		wantCode(t, err, domain.CodeInvalid)
		p, err := s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchValidated, Evidence: "bench test on the spare pump, 4 h run"})
		if err != nil || p.State != domain.PatchValidated || p.ValidatedBy != "cli:tester" || p.ValidatedAt.IsZero() {
			t.Fatalf("validate = %+v, %v", p, err)
		}
		_, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchScheduled, At: outside})
		wantCode(t, err, domain.CodeInvalid)
		if !strings.Contains(err.Error(), "outside every maintenance window of site main") {
			t.Fatalf("message = %v", err)
		}
		p, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchScheduled, At: inside})
		if err != nil || p.WindowID != w.ID || !p.ScheduledFor.Equal(inside) {
			t.Fatalf("schedule = %+v, %v", p, err)
		}
		if _, err := s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchApplied}); err != nil {
			t.Fatal(err)
		}
		d, _ := s.FindDeviceByID(a, items[0].DeviceID)
		if src, _ := d.Provenance.Of(domain.FieldFirmware); d.Firmware != "2.0" || src.Ref != fmt.Sprint("work item ", id) {
			t.Fatalf("after apply the device's firmware is %q (%+v), want 2.0 from the work item", d.Firmware, src)
		}
		p, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchVerified})
		if err != nil || p.State != domain.PatchVerified || p.AppliedBy != "cli:tester" || p.VerifiedAt.IsZero() {
			t.Fatalf("verify = %+v, %v", p, err)
		}
		_, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchApplied})
		wantCode(t, err, domain.CodeInvalid)

		// The other device: an administrator schedules it unvalidated and
		// outside the window; one override event records both.
		other := items[1].ID
		p, err = s.MovePatchItem(a, other, domain.PatchChange{To: domain.PatchScheduled, At: outside, Override: true, Reason: "vendor says urgent, no spare unit"})
		if err != nil || p.State != domain.PatchScheduled || p.WindowID != 0 || p.OverrideReason != "vendor says urgent, no spare unit" {
			t.Fatalf("override = %+v, %v", p, err)
		}
		evs, err := s.FindAuditEvents(a, domain.AuditFilter{ObjectType: "patch", ObjectID: other})
		if err != nil || len(evs) != 2 || evs[0].Action != "patch.override" || evs[1].Action != "patch.scheduled" ||
			!strings.Contains(string(evs[0].After), "vendor says urgent") {
			t.Fatalf("audit = %v, %v", actions(evs), err)
		}
		evs, _ = s.FindAuditEvents(a, domain.AuditFilter{ObjectType: "patch", ObjectID: id})
		if got := strings.Join(actions(evs), " "); got != "patch.validated patch.scheduled patch.applied patch.verified" {
			t.Fatalf("audit = %s", got)
		}
		open, _ := s.FindPatchItems(a, domain.PatchFilter{Open: true})
		if len(open) != 1 || open[0].ID != other {
			t.Fatalf("open = %+v", open)
		}
		_, err = s.FindPatchItems(a, domain.PatchFilter{State: "done"})
		wantCode(t, err, domain.CodeInvalid)
	})

	t.Run("Evidence", func(t *testing.T) {
		r2 := &domain.FirmwareRelease{ModelID: r.ModelID, Version: "2.1", ReleasedOn: domain.Date{Year: 2026, Month: 4, Day: 1}}
		if err := s.CreateFirmwareRelease(a, r2); err != nil {
			t.Fatal(err)
		}
		items, err := s.FindPatchItems(a, domain.PatchFilter{ReleaseID: r2.ID})
		if err != nil || len(items) != 3 || items[0].EvidenceFile != nil {
			t.Fatalf("items = %+v, %v", items, err)
		}
		id := items[0].ID
		// Every byte value, so an engine that mangles binary shows it.
		content := []byte("%PDF-1.4 bench report SECRET-A\n")
		for i := range 256 {
			content = append(content, byte(i))
		}
		sum := sha256.Sum256(content)
		digest := hex.EncodeToString(sum[:])

		big := &domain.EvidenceFile{Name: "huge.bin", Content: make([]byte, domain.MaxEvidenceSize+1)}
		_, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchValidated, File: big})
		wantCode(t, err, domain.CodeInvalid)
		if !strings.Contains(err.Error(), "(10485761 bytes); the limit is 10 MiB") {
			t.Fatalf("too big: %v", err)
		}
		_, err = s.MovePatchItem(b, id, domain.PatchChange{To: domain.PatchValidated, File: &domain.EvidenceFile{Name: "x.txt", Content: []byte("x")}})
		wantCode(t, err, domain.CodeNotFound)

		p, err := s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchValidated,
			File: &domain.EvidenceFile{Name: "bench report.pdf", ContentType: "application/pdf", Content: content}})
		if err != nil || p.Evidence != "report attached: bench report.pdf" || p.EvidenceFile == nil || p.EvidenceFile.SHA256 != digest {
			t.Fatalf("validate with a file = %+v, %v", p, err)
		}
		got, err := s.FindPatchItem(a, id)
		if err != nil || got.EvidenceFile == nil || !reflect.DeepEqual(*got.EvidenceFile, domain.EvidenceFile{PatchID: id, Name: "bench report.pdf", ContentType: "application/pdf",
			Size: int64(len(content)), SHA256: digest, CreatedAt: got.EvidenceFile.CreatedAt, CreatedBy: "cli:tester"}) || got.EvidenceFile.CreatedAt.IsZero() {
			t.Fatalf("item's file = %+v, %v", got.EvidenceFile, err)
		}
		if list, _ := s.FindPatchItems(a, domain.PatchFilter{ReleaseID: r2.ID}); list[0].EvidenceFile == nil || list[1].EvidenceFile != nil {
			t.Fatalf("listed files: %+v %+v", list[0].EvidenceFile, list[1].EvidenceFile)
		}
		f, err := s.FindPatchEvidence(a, id)
		if err != nil || !bytes.Equal(f.Content, content) || f.Name != "bench report.pdf" || f.Size != int64(len(content)) || f.SHA256 != digest {
			t.Fatalf("download = %+v, %v", f, err)
		}
		_, err = s.FindPatchEvidence(b, id)
		wantCode(t, err, domain.CodeNotFound)
		_, err = s.FindPatchEvidence(a, items[1].ID)
		wantCode(t, err, domain.CodeNotFound)
		_, err = s.FindPatchEvidence(ctxFor(0), id)
		wantCode(t, err, domain.CodeForbidden)
		evs, _ := s.FindAuditEvents(a, domain.AuditFilter{ObjectType: "patch", ObjectID: id})
		if len(evs) != 1 || evs[0].Action != "patch.validated" || !strings.Contains(string(evs[0].After), digest) ||
			!strings.Contains(string(evs[0].After), `"bench report.pdf"`) {
			t.Fatalf("audit = %v %s", actions(evs), evs[0].After)
		}
		// A file belongs to validation only.
		_, err = s.MovePatchItem(a, id, domain.PatchChange{To: domain.PatchScheduled, At: time.Date(2026, 4, 5, 7, 0, 0, 0, time.UTC),
			File: &domain.EvidenceFile{Name: "late.txt", Content: []byte("x")}})
		wantCode(t, err, domain.CodeInvalid)
	})

	t.Run("Vendor", func(t *testing.T) {
		v, err := s.FindVendor(a, "Acme Medical")
		if err != nil {
			t.Fatal(err)
		}
		v.AccountManager, v.SupportContract, v.AdvisoryFeedURL = "Sam Rep", "Gold 2025-0042", "https://acme.example/.well-known/csaf/provider-metadata.json"
		v.SupportContractEnd = domain.Date{Year: 2027, Month: 12, Day: 31}
		if err := s.UpdateVendor(a, v); err != nil {
			t.Fatal(err)
		}
		got, _ := s.FindVendor(a, "Acme Medical")
		if got.AccountManager != "Sam Rep" || got.SupportContract != "Gold 2025-0042" || got.SupportContractEnd.String() != "2027-12-31" || got.AdvisoryFeedURL != v.AdvisoryFeedURL {
			t.Fatalf("vendor = %+v", got)
		}
	})

	t.Run("DeleteWindow", func(t *testing.T) {
		if err := s.DeleteMaintenanceWindow(a, w.ID); err != nil {
			t.Fatal(err)
		}
		lastAudit(t, s, a, "window.delete")
	})
}

func mustSite(t *testing.T, s store.Store, ctx context.Context, ref, tz string) *domain.Site {
	t.Helper()
	x, err := s.FindSite(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	x.TimeZone = tz
	return x
}

func lastAudit(t *testing.T, s store.Store, ctx context.Context, action string) {
	t.Helper()
	evs, err := s.FindAuditEvents(ctx, domain.AuditFilter{Action: action})
	if err != nil || len(evs) == 0 {
		t.Fatalf("no %s audit event (%v)", action, err)
	}
}

func actions(evs []*domain.AuditEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Action
	}
	return out
}
