// Package storetest is the storage conformance suite. Every engine's tests
// call Run with a function that opens a fresh, empty store; the same
// assertions then hold for SQLite and PostgreSQL alike.
package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Opener opens a fresh, empty store for one test.
type Opener func(tb testing.TB) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("Tenant", func(t *testing.T) { testTenants(t, open) })
	t.Run("Site", func(t *testing.T) { testSites(t, open) })
	t.Run("Device", func(t *testing.T) { testDevices(t, open) })
	t.Run("FindDevices", func(t *testing.T) { testFindDevices(t, open) })
	t.Run("Vendor", func(t *testing.T) { testVendors(t, open) })
	t.Run("Import", func(t *testing.T) { testImport(t, open) })
	t.Run("Isolation", func(t *testing.T) { testIsolation(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("User", func(t *testing.T) { testUsers(t, open) })
	t.Run("Token", func(t *testing.T) { testTokens(t, open) })
	t.Run("DeviceCursor", func(t *testing.T) { testDeviceCursor(t, open) })
	t.Run("TOTP", func(t *testing.T) { testTOTP(t, open) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open) })
	t.Run("PendingImport", func(t *testing.T) { testPendingImports(t, open) })
	t.Run("ListCache", func(t *testing.T) { testListCache(t, open) })
	t.Run("Intel", func(t *testing.T) { testIntel(t, open) })
	t.Run("Lifecycle", func(t *testing.T) { testLifecycle(t, open) })
	t.Run("Discovery", func(t *testing.T) { testDiscovery(t, open) })
}

func testPendingImports(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "A", "Main")
	b := practice(t, s, "B", "Main")
	content := []byte("Serial\nS1\n\x00\xff binary survives")
	p := &domain.PendingImport{ID: "tok1", UserID: 7, FileName: "assets.csv", Content: content, SkipInvalid: true, DefaultSite: "main",
		ExpiresAt: domain.Now(a).Add(time.Hour)}
	if err := s.SavePendingImport(a, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindPendingImport(a, "tok1")
	if err != nil || string(got.Content) != string(content) || !got.SkipInvalid || got.DayFirst || got.DefaultSite != "main" || got.UserID != 7 {
		t.Fatalf("FindPendingImport = %+v, %v", got, err)
	}
	if _, err := s.FindPendingImport(b, "tok1"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("another practice finds the upload: %v", err)
	}
	later := domain.WithNow(a, domain.Now(a).Add(2*time.Hour))
	if _, err := s.FindPendingImport(later, "tok1"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("an expired upload is found: %v", err)
	}
	if err := s.DeletePendingImport(a, "tok1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindPendingImport(a, "tok1"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("a deleted upload is found: %v", err)
	}
}

func testStats(t *testing.T, open Opener) {
	s := open(t)
	ctx := practice(t, s, "P", "Main")
	day := domain.Date{Year: 2026, Month: 11, Day: 29}
	for name, eos := range map[string]domain.Date{"Old": {Year: 2020, Month: 1, Day: 1}, "Ending": {Year: 2027, Month: 6, Day: 1}, "New": {Year: 2031, Month: 1, Day: 1}} {
		if err := s.UpsertModel(ctx, &domain.Model{Manufacturer: "Acme", Name: name, EndOfSupport: eos}); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range []map[domain.Field]string{
		{domain.FieldCategory: "infusion", domain.FieldModel: "Old", domain.FieldPatchability: "not-patchable", domain.FieldCriticality: "life-sustaining"},
		{domain.FieldCategory: "infusion", domain.FieldModel: "Ending", domain.FieldReview: "unreviewed"},
		{domain.FieldCategory: "imaging", domain.FieldModel: "New"},
		{domain.FieldCategory: "imaging", domain.FieldModel: "Unlisted"},
		{domain.FieldCategory: "imaging"},
	} {
		v[domain.FieldSerial] = fmt.Sprint("S", i)
		if v[domain.FieldModel] != "" {
			v[domain.FieldManufacturer] = "Acme"
		}
		mustCreate(t, s, ctx, v)
	}
	other := practice(t, s, "Other", "Main")
	mustCreate(t, s, other, map[domain.Field]string{domain.FieldSerial: "X", domain.FieldCategory: "infusion"})
	st, err := s.DeviceStats(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("total=%d infusion=%d imaging=%d life=%d notpatch=%d unreviewed=%d past=%d ending=%d supported=%d unknown=%d",
		st.Total, st.ByCategory["infusion"], st.ByCategory["imaging"], st.ByCriticality["life-sustaining"], st.ByPatch["not-patchable"],
		st.Unreviewed, st.PastSupport, st.SupportEndingYear, st.Supported, st.SupportUnknown)
	if want := "total=5 infusion=2 imaging=3 life=1 notpatch=1 unreviewed=1 past=1 ending=1 supported=1 unknown=2"; got != want {
		t.Fatalf("stats\n got %s\nwant %s", got, want)
	}
}

func testUsers(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "Practice A", "Main")
	b := practice(t, s, "Practice B", "Main")
	ta, _ := domain.TenantFrom(a)
	tb, _ := domain.TenantFrom(b)
	provider := ctxFor(0)
	boss := &domain.User{Email: "Boss@MSP.example", Name: "Pat  Boss", Role: domain.RoleProviderAdmin, PasswordHash: "$argon2id$x"}
	if err := s.CreateUser(provider, boss); err != nil {
		t.Fatal(err)
	}
	if boss.Email != "boss@msp.example" || boss.Name != "Pat Boss" || boss.PasswordChangedAt.IsZero() {
		t.Fatalf("created %+v", boss)
	}
	nurse := &domain.User{Email: "nurse@a.example", Role: domain.RoleViewer, TenantID: ta}
	if err := s.CreateUser(a, nurse); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrDuplicateEmail", func(t *testing.T) {
		wantCode(t, s.CreateUser(b, &domain.User{Email: "NURSE@a.example", Role: domain.RoleViewer, TenantID: tb}), domain.CodeConflict)
	})
	t.Run("ErrRoleScope", func(t *testing.T) {
		wantCode(t, s.CreateUser(a, &domain.User{Email: "x@a.example", Role: domain.RoleProviderAdmin, TenantID: ta}), domain.CodeInvalid)
		wantCode(t, s.CreateUser(provider, &domain.User{Email: "y@msp.example", Role: domain.RolePracticeAdmin}), domain.CodeInvalid)
		wantCode(t, s.CreateUser(provider, &domain.User{Email: "not an address", Role: domain.RoleViewer}), domain.CodeInvalid)
		wantCode(t, s.CreateUser(provider, &domain.User{Email: "z@msp.example", Role: "janitor"}), domain.CodeInvalid)
	})
	t.Run("ErrCrossTenant", func(t *testing.T) {
		wantCode(t, s.CreateUser(b, &domain.User{Email: "spy@b.example", Role: domain.RoleViewer, TenantID: ta}), domain.CodeForbidden)
		stolen := *nurse
		stolen.Role = domain.RolePracticeAdmin
		wantCode(t, s.UpdateUser(b, &stolen), domain.CodeNotFound)
	})
	t.Run("Scopes", func(t *testing.T) {
		ua, _ := s.FindUsers(a)
		ub, _ := s.FindUsers(b)
		up, _ := s.FindUsers(provider)
		if len(ua) != 1 || ua[0].Email != "nurse@a.example" || len(ub) != 0 || len(up) != 1 || up[0].Email != "boss@msp.example" {
			t.Fatalf("users: A %d, B %d, provider %d", len(ua), len(ub), len(up))
		}
		if n, _ := s.CountUsers(provider); n != 2 {
			t.Fatalf("CountUsers = %d", n)
		}
	})
	t.Run("UpdateAudited", func(t *testing.T) {
		got, err := s.FindUserByEmail(provider, " Nurse@A.example ")
		if err != nil {
			t.Fatal(err)
		}
		got.Role, got.PasswordHash, got.Disabled = domain.RoleTechnician, "$argon2id$new", true
		if err := s.UpdateUser(a, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.FindUserByEmail(provider, "nurse@a.example")
		if again.Role != domain.RoleTechnician || !again.Disabled || again.PasswordHash != "$argon2id$new" || again.PasswordChangedAt.IsZero() {
			t.Fatalf("after update %+v", again)
		}
		events, _ := s.FindAuditEvents(a, domain.AuditFilter{ObjectType: "user"})
		if len(events) != 2 || !strings.Contains(string(events[1].After), `"password":"changed"`) {
			t.Fatalf("user audit events: %d", len(events))
		}
		for _, e := range events {
			if strings.Contains(string(e.Before)+string(e.After), "argon2id") {
				t.Fatalf("a password hash reached the audit trail: %s / %s", e.Before, e.After)
			}
		}
	})
}

func ctxFor(tid int64) context.Context {
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "tester"})
	if tid > 0 {
		ctx = domain.WithTenant(ctx, tid)
	}
	return ctx
}

// practice creates a tenant with the named sites and returns its context.
func practice(tb testing.TB, s store.Store, name string, sites ...string) context.Context {
	tb.Helper()
	t := &domain.Tenant{Name: name}
	if err := s.CreateTenant(ctxFor(0), t); err != nil {
		tb.Fatalf("CreateTenant(%q): %v", name, err)
	}
	ctx := ctxFor(t.ID)
	for _, n := range sites {
		if err := s.CreateSite(ctx, &domain.Site{Name: n}); err != nil {
			tb.Fatalf("CreateSite(%q): %v", n, err)
		}
	}
	return ctx
}

func device(tb testing.TB, vals map[domain.Field]string) *domain.Device {
	tb.Helper()
	d := &domain.Device{}
	for f, v := range vals {
		if err := d.Set(f, v); err != nil {
			tb.Fatalf("Set(%s, %q): %v", f, v, err)
		}
	}
	return d
}

var manual = domain.Source{Kind: domain.SourceManual}

func mustCreate(tb testing.TB, s store.Store, ctx context.Context, vals map[domain.Field]string) *domain.Device {
	tb.Helper()
	d := device(tb, vals)
	if err := s.CreateDevice(ctx, d, manual); err != nil {
		tb.Fatalf("CreateDevice(%v): %v", vals, err)
	}
	return d
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := domain.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testTenants(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		ctx := ctxFor(0)
		tn := &domain.Tenant{Name: "Lakeside  Family Medicine"}
		if err := s.CreateTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
		if tn.ID == 0 || tn.Slug != "lakeside-family-medicine" || tn.Name != "Lakeside Family Medicine" {
			t.Fatalf("created %+v", tn)
		}
		for _, ref := range []string{fmt.Sprint(tn.ID), "lakeside-family-medicine", "LAKESIDE FAMILY MEDICINE"} {
			got, err := s.FindTenant(ctx, ref)
			if err != nil || got.ID != tn.ID {
				t.Fatalf("FindTenant(%q) = %v, %v", ref, got, err)
			}
		}
		tn.Name = "Lakeside Medicine"
		if err := s.UpdateTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
		all, err := s.FindTenants(ctx)
		if err != nil || len(all) != 1 || all[0].Name != "Lakeside Medicine" {
			t.Fatalf("FindTenants = %v, %v", all, err)
		}
	})
	t.Run("ErrDuplicateSlug", func(t *testing.T) {
		s := open(t)
		if err := s.CreateTenant(ctxFor(0), &domain.Tenant{Name: "North Clinic"}); err != nil {
			t.Fatal(err)
		}
		err := s.CreateTenant(ctxFor(0), &domain.Tenant{Name: "North  clinic"})
		wantCode(t, err, domain.CodeConflict)
		if !strings.Contains(err.Error(), "north-clinic") {
			t.Fatalf("message %q does not name the slug", err)
		}
	})
	t.Run("ErrNameRequired", func(t *testing.T) {
		s := open(t)
		wantCode(t, s.CreateTenant(ctxFor(0), &domain.Tenant{Name: "  "}), domain.CodeInvalid)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindTenant(ctxFor(0), "nope")
		wantCode(t, err, domain.CodeNotFound)
	})
	t.Run("ErrDeleteWithDevices", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "Busy Clinic", "Main")
		mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1"})
		tid, _ := domain.TenantFrom(ctx)
		wantCode(t, s.DeleteTenant(ctx, tid), domain.CodeConflict)
		empty := practice(t, s, "Empty Clinic", "Main")
		eid, _ := domain.TenantFrom(empty)
		if err := s.DeleteTenant(empty, eid); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindTenant(ctxFor(0), "empty-clinic")
		wantCode(t, err, domain.CodeNotFound)
	})
}

func testSites(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main Campus", "East Clinic")
		sites, err := s.FindSites(ctx)
		if err != nil || len(sites) != 2 || sites[0].Slug != "east-clinic" || sites[1].Slug != "main-campus" {
			t.Fatalf("FindSites = %v, %v", sites, err)
		}
		got, err := s.FindSite(ctx, "Main Campus")
		if err != nil || got.Slug != "main-campus" {
			t.Fatalf("FindSite = %v, %v", got, err)
		}
		got.TimeZone = "America/Chicago"
		if err := s.UpdateSite(ctx, got); err != nil {
			t.Fatal(err)
		}
		got.TimeZone = "Mars/Olympus"
		wantCode(t, s.UpdateSite(ctx, got), domain.CodeInvalid)
	})
	t.Run("ErrNoTenant", func(t *testing.T) {
		s := open(t)
		_, err := s.FindSites(ctxFor(0))
		wantCode(t, err, domain.CodeForbidden)
		wantCode(t, s.CreateSite(ctxFor(0), &domain.Site{Name: "X"}), domain.CodeForbidden)
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		wantCode(t, s.CreateSite(ctx, &domain.Site{Name: "MAIN"}), domain.CodeConflict)
	})
	t.Run("ErrDeleteWithDevices", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main", "Spare")
		mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1", domain.FieldSite: "main"})
		main, _ := s.FindSite(ctx, "main")
		wantCode(t, s.DeleteSite(ctx, main.ID), domain.CodeConflict)
		spare, _ := s.FindSite(ctx, "spare")
		if err := s.DeleteSite(ctx, spare.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func testDevices(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		d := mustCreate(t, s, ctx, map[domain.Field]string{
			domain.FieldAssetTag: "A-100", domain.FieldSerial: "SN100", domain.FieldName: "CT 1",
			domain.FieldCategory: "CT Scanner", domain.FieldManufacturer: "GE Medical Systems", domain.FieldModel: "Revolution EVO",
			domain.FieldMACs: "00-09-FB-AA-BB-CC, 00:09:fb:aa:bb:cd", domain.FieldIPs: "10.1.2.3", domain.FieldHostnames: "CT1.clinic.local",
			domain.FieldVLANs: "20", domain.FieldCriticality: "diagnostic", domain.FieldPHI: "stores-transmits", domain.FieldPHIRecords: "12,000",
			domain.FieldPatchability: "vendor only", domain.FieldPurchaseDate: "2019-03-14", domain.FieldAdmins: "Jane Doe; GE field service",
		})
		got, err := s.FindDeviceByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Manufacturer != "GE HealthCare" || got.Category != "imaging" || got.Site != "main" || got.VendorID == 0 || got.ModelID == 0 {
			t.Fatalf("normalisation: %+v", got)
		}
		if diff := d.Diff(got); len(diff) != 0 {
			t.Fatalf("stored device differs from created: %v", diff)
		}
		if g, w := got.Get(domain.FieldMACs), "00:09:fb:aa:bb:cc; 00:09:fb:aa:bb:cd"; g != w {
			t.Fatalf("macs = %q, want %q", g, w)
		}
		src, ok := got.Provenance.Of(domain.FieldSerial)
		if !ok || src.Kind != domain.SourceManual || src.Actor != "cli:tester" || src.At.IsZero() {
			t.Fatalf("provenance of serial = %+v, %v", src, ok)
		}
		if got.Version != 1 || got.Review != domain.Reviewed || got.Lifecycle != "in-service" {
			t.Fatalf("defaults: version %d review %q lifecycle %q", got.Version, got.Review, got.Lifecycle)
		}
		for _, ref := range []string{fmt.Sprint(d.ID), "A-100", "SN100", "00:09:FB:AA:BB:CD", "serial:SN100", "tag:A-100", "mac:0009.fbaa.bbcc"} {
			f, err := s.FindDevice(ctx, ref)
			if err != nil || f.ID != d.ID {
				t.Fatalf("FindDevice(%q) = %v, %v", ref, f, err)
			}
		}
	})
	t.Run("ErrAmbiguousRef", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		a := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldName: "a"})
		mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldAssetTag: fmt.Sprint(a.ID)})
		_, err := s.FindDevice(ctx, fmt.Sprint(a.ID))
		wantCode(t, err, domain.CodeConflict)
		got, err := s.FindDevice(ctx, fmt.Sprintf("id:%d", a.ID))
		if err != nil || got.Name != "a" {
			t.Fatalf("id: prefix = %v, %v", got, err)
		}
	})
	t.Run("ErrNoIdentity", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		wantCode(t, s.CreateDevice(ctx, device(t, map[domain.Field]string{domain.FieldModel: "X"}), manual), domain.CodeInvalid)
	})
	t.Run("ErrDuplicateKeys", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		a := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1", domain.FieldAssetTag: "T1", domain.FieldMACs: "00:11:22:33:44:55"})
		for name, vals := range map[string]map[domain.Field]string{
			"serial": {domain.FieldSerial: "S1"},
			"tag":    {domain.FieldAssetTag: "T1"},
			"mac":    {domain.FieldMACs: "00-11-22-33-44-55"},
		} {
			err := s.CreateDevice(ctx, device(t, vals), manual)
			wantCode(t, err, domain.CodeConflict)
			if !strings.Contains(err.Error(), fmt.Sprintf("device %d", a.ID)) {
				t.Fatalf("%s: message %q does not name device %d", name, err, a.ID)
			}
		}
	})
	t.Run("ErrNoSite", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "North", "South")
		err := s.CreateDevice(ctx, device(t, map[domain.Field]string{domain.FieldSerial: "1"}), manual)
		wantCode(t, err, domain.CodeInvalid)
		err = s.CreateDevice(ctx, device(t, map[domain.Field]string{domain.FieldSerial: "1", domain.FieldSite: "West"}), manual)
		wantCode(t, err, domain.CodeInvalid)
		if !strings.Contains(err.Error(), "north, south") {
			t.Fatalf("message %q does not list the known sites", err)
		}
	})
	t.Run("Update", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		d := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1", domain.FieldFirmware: "A.01", domain.FieldIPs: "10.0.0.1"})
		got, changes, err := s.UpdateDevice(ctx, d.ID, map[domain.Field]string{domain.FieldFirmware: "A.02", domain.FieldIPs: "10.0.0.2; 10.0.0.1", domain.FieldSerial: "S1"},
			domain.Source{Kind: domain.SourceManual})
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.FieldChange{{Field: domain.FieldFirmware, Old: "A.01", New: "A.02"}, {Field: domain.FieldIPs, Old: "10.0.0.1", New: "10.0.0.1; 10.0.0.2"}}
		if fmt.Sprint(changes) != fmt.Sprint(want) {
			t.Fatalf("changes = %v, want %v", changes, want)
		}
		if got.Version != 2 {
			t.Fatalf("version = %d", got.Version)
		}
		f, err := s.FindDevice(ctx, "10.0.0.2")
		if err == nil {
			t.Fatalf("FindDevice by IP should not match (IPs are not keys), got %v", f.ID)
		}
		_, changes, err = s.UpdateDevice(ctx, d.ID, map[domain.Field]string{domain.FieldFirmware: "A.02"}, manual)
		if err != nil || len(changes) != 0 {
			t.Fatalf("no-op update = %v, %v", changes, err)
		}
		events, err := s.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "device", ObjectID: d.ID})
		if err != nil || len(events) != 2 {
			t.Fatalf("audit events = %d, %v; want create + one update (no event for a no-op)", len(events), err)
		}
		if !strings.Contains(string(events[1].Before), `"firmware":"A.01"`) || !strings.Contains(string(events[1].After), `"firmware":"A.02"`) {
			t.Fatalf("audit before/after = %s / %s", events[1].Before, events[1].After)
		}
	})
	t.Run("UpdateMany", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		other := practice(t, s, "Q", "Main")
		a := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "A"})
		b := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "B", domain.FieldDepartment: "ICU"})
		q := mustCreate(t, s, other, map[domain.Field]string{domain.FieldSerial: "Q"})
		n, err := s.UpdateDevices(ctx, []int64{a.ID, b.ID}, map[domain.Field]string{domain.FieldDepartment: "ICU"}, manual)
		if err != nil || n != 1 {
			t.Fatalf("UpdateDevices = %d, %v; want 1 changed (b already had it)", n, err)
		}
		_, err = s.UpdateDevices(ctx, []int64{a.ID, q.ID}, map[domain.Field]string{domain.FieldDepartment: "Radiology"}, manual)
		wantCode(t, err, domain.CodeNotFound)
		got, _ := s.FindDeviceByID(ctx, a.ID)
		if got.Department != "ICU" {
			t.Fatalf("a failed bulk update changed device a: %q", got.Department)
		}
	})
	t.Run("ErrUpdateInvalid", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		d := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1"})
		_, _, err := s.UpdateDevice(ctx, d.ID, map[domain.Field]string{domain.FieldMACs: "zz", domain.FieldPurchaseDate: "2023-02-30", domain.FieldCategory: "spaceship"}, manual)
		wantCode(t, err, domain.CodeInvalid)
		if ps := domain.ErrorProblems(err); len(ps) != 3 {
			t.Fatalf("problems = %v, want 3 (one per bad field)", ps)
		}
		got, _ := s.FindDeviceByID(ctx, d.ID)
		if got.Version != 1 {
			t.Fatalf("a refused update changed the device")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		d := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1", domain.FieldMACs: "00:11:22:33:44:55"})
		if err := s.DeleteDevice(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindDeviceByID(ctx, d.ID)
		wantCode(t, err, domain.CodeNotFound)
		wantCode(t, s.DeleteDevice(ctx, d.ID), domain.CodeNotFound)
		// The MAC is free again.
		mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldMACs: "00:11:22:33:44:55"})
	})
}

func testFindDevices(t *testing.T, open Opener) {
	s := open(t)
	ctx := practice(t, s, "P", "North", "South")
	mk := func(i int, cat, mfr, site string) {
		mustCreate(t, s, ctx, map[domain.Field]string{
			domain.FieldSerial: fmt.Sprintf("SN%03d", i), domain.FieldName: fmt.Sprintf("%s %03d", cat, i),
			domain.FieldCategory: cat, domain.FieldManufacturer: mfr, domain.FieldModel: "M" + fmt.Sprint(i%3),
			domain.FieldSite: site, domain.FieldMACs: fmt.Sprintf("00:11:22:33:44:%02x", i), domain.FieldIPs: fmt.Sprintf("10.0.%d.%d", i/10, i),
			domain.FieldHostnames: fmt.Sprintf("host-%03d", i),
		})
	}
	for i := 0; i < 30; i++ {
		switch i % 3 {
		case 0:
			mk(i, "infusion", "B. Braun Melsungen AG", "north")
		case 1:
			mk(i, "imaging", "GE Healthcare", "south")
		case 2:
			mk(i, "imaging", "Philips Medical Systems", "north")
		}
	}
	cases := []struct {
		name  string
		f     domain.DeviceFilter
		total int
		first string
	}{
		{"All", domain.DeviceFilter{Limit: 5}, 30, "imaging 001"},
		{"Category", domain.DeviceFilter{Category: "infusion", Limit: 100}, 10, "infusion 000"},
		{"ManufacturerAlias", domain.DeviceFilter{Manufacturer: "GE Medical Systems", Limit: 100}, 10, "imaging 001"},
		{"ManufacturerUnknown", domain.DeviceFilter{Manufacturer: "Acme"}, 0, ""},
		{"Site", domain.DeviceFilter{Site: "north", Limit: 100}, 20, "imaging 002"},
		{"SiteAndCategory", domain.DeviceFilter{Site: "north", Category: "imaging", Limit: 100}, 10, "imaging 002"},
		{"TextSerial", domain.DeviceFilter{Query: "sn02"}, 10, "imaging 020"},
		{"TextShort", domain.DeviceFilter{Query: "1d"}, 1, "imaging 029"},
		{"TextWithFilter", domain.DeviceFilter{Query: "host", Site: "south", Category: "imaging", Limit: 3}, 10, "imaging 001"},
		{"TextNotMidWord", domain.DeviceFilter{Query: "ost"}, 0, ""},
		{"TextMAC", domain.DeviceFilter{Query: "44:1d"}, 1, "imaging 029"},
		{"TextIP", domain.DeviceFilter{Query: "10.0.2.25"}, 1, "imaging 025"},
		{"TextTwoWords", domain.DeviceFilter{Query: "INFUSION host-01"}, 3, "infusion 012"},
		{"TextNone", domain.DeviceFilter{Query: "zzz"}, 0, ""},
		{"TextLikeChars", domain.DeviceFilter{Query: "%"}, 0, ""},
		{"SortDesc", domain.DeviceFilter{Sort: "-name", Limit: 1}, 30, "infusion 027"},
		{"Page", domain.DeviceFilter{Limit: 2, Offset: 28}, 30, "infusion 024"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, total, err := s.FindDevices(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			if len(got) > 0 {
				first = got[0].Name
			}
			if total != c.total || first != c.first {
				t.Fatalf("total %d first %q, want %d %q", total, first, c.total, c.first)
			}
			if c.f.Limit > 0 && len(got) > c.f.Limit {
				t.Fatalf("page has %d rows, limit %d", len(got), c.f.Limit)
			}
		})
	}
	t.Run("ErrSort", func(t *testing.T) {
		_, _, err := s.FindDevices(ctx, domain.DeviceFilter{Sort: "bogus"})
		wantCode(t, err, domain.CodeInvalid)
	})
	t.Run("Each", func(t *testing.T) {
		var names []string
		err := s.EachDevice(ctx, domain.DeviceFilter{Category: "imaging"}, func(d *domain.Device) error {
			names = append(names, d.Name)
			return nil
		})
		if err != nil || len(names) != 20 || !sort.StringsAreSorted(names) {
			t.Fatalf("EachDevice = %d names (sorted %v), %v", len(names), sort.StringsAreSorted(names), err)
		}
	})
}

func testVendors(t *testing.T, open Opener) {
	s := open(t)
	ctx := practice(t, s, "P", "Main")
	for i, m := range []string{"GE Healthcare", "GE HealthCare", "GE Medical Systems", "ge healthcare, inc."} {
		mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: fmt.Sprint("G", i), domain.FieldManufacturer: m, domain.FieldModel: "Vivid E95"})
	}
	mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "X1", domain.FieldManufacturer: "Acme Medical Devices, Inc.", domain.FieldModel: "A1"})
	vendors, err := s.FindVendors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vendors {
		names = append(names, fmt.Sprintf("%s=%d", v.Name, v.DeviceCount))
	}
	if got, want := strings.Join(names, ","), "Acme Medical Devices, Inc.=1,GE HealthCare=4"; got != want {
		t.Fatalf("vendors = %s, want %s", got, want)
	}
	ge, err := s.FindVendor(ctx, "General Electric Healthcare")
	if err != nil || ge.Name != "GE HealthCare" {
		t.Fatalf("FindVendor by alias = %v, %v", ge, err)
	}
	models, err := s.FindModels(ctx, ge.ID)
	if err != nil || len(models) != 1 || models[0].DeviceCount != 4 || models[0].Name != "Vivid E95" {
		t.Fatalf("models = %v, %v", models, err)
	}
	acme, _ := s.FindVendor(ctx, "acme medical devices")
	if err := s.AddVendorAlias(ctx, acme.ID, "ACME MD"); err != nil {
		t.Fatal(err)
	}
	d := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "X2", domain.FieldManufacturer: "Acme MD"})
	if d.VendorID != acme.ID || d.Manufacturer != acme.Name {
		t.Fatalf("user alias not applied: %+v", d)
	}
	wantCode(t, s.AddVendorAlias(ctx, acme.ID, "GE Healthcare"), domain.CodeConflict)
	acme.PSIRTEmail, acme.ContactVerified = "psirt@acme.example", domain.Date{Year: 2026, Month: 1, Day: 5}
	if err := s.UpdateVendor(ctx, acme); err != nil {
		t.Fatal(err)
	}
	m := &domain.Model{Manufacturer: "GE Medical Systems", Name: "vivid e95", Category: "imaging", EndOfSupport: domain.Date{Year: 2028, Month: 12, Day: 31}, ReplacementCostCents: 9500000}
	if err := s.UpsertModel(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindModel(ctx, "GE HealthCare", "Vivid E95")
	if err != nil || got.ID != models[0].ID || got.EndOfSupport.String() != "2028-12-31" || got.ReplacementCostCents != 9500000 {
		t.Fatalf("FindModel after upsert = %+v, %v", got, err)
	}
	wantCode(t, s.CreateVendor(ctx, &domain.Vendor{Name: "GE Medical Systems"}), domain.CodeConflict)
}

func rec(row int, vals map[domain.Field]string) domain.ImportRecord {
	r := domain.ImportRecord{Row: row, Location: fmt.Sprintf("assets.csv:%d", row)}
	for _, f := range domain.DeviceFields() {
		if v, ok := vals[f.Field]; ok {
			if err := r.Device.Set(f.Field, v); err != nil {
				panic(err)
			}
			r.Fields = append(r.Fields, f.Field)
		}
	}
	return r
}

func testImport(t *testing.T, open Opener) {
	batch := func(recs ...domain.ImportRecord) *domain.ImportBatch {
		return &domain.ImportBatch{File: "assets.csv", Records: recs}
	}
	rows := []domain.ImportRecord{
		rec(2, map[domain.Field]string{domain.FieldAssetTag: "A1", domain.FieldSerial: "S1", domain.FieldManufacturer: "Philips", domain.FieldModel: "IntelliVue MX450", domain.FieldCategory: "monitor", domain.FieldMACs: "00:09:fb:00:00:01"}),
		rec(3, map[domain.Field]string{domain.FieldAssetTag: "A2", domain.FieldSerial: "S2", domain.FieldManufacturer: "BD", domain.FieldModel: "Alaris 8015", domain.FieldCategory: "infusion pump"}),
	}
	t.Run("CreateThenUnchanged", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		res, err := s.ImportDevices(ctx, batch(rows...))
		if err != nil || res.Created != 2 || res.Updated != 0 {
			t.Fatalf("first import = %+v, %v", res, err)
		}
		if res.Rows[0].DeviceID == 0 || res.Rows[1].DeviceID == 0 || res.Rows[0].DeviceID == res.Rows[1].DeviceID {
			t.Fatalf("device ids not reported: %+v", res.Rows)
		}
		d, _ := s.FindDevice(ctx, "A1")
		src, _ := d.Provenance.Of(domain.FieldModel)
		if src.Kind != domain.SourceImport || src.Name != "assets.csv" || src.Ref != "row 2" {
			t.Fatalf("provenance = %+v", src)
		}
		res, err = s.ImportDevices(ctx, batch(rows...))
		if err != nil || res.Created != 0 || res.Updated != 0 || res.Unchanged != 2 {
			t.Fatalf("re-import = %+v, %v", res, err)
		}
		if n, _ := s.CountDevices(ctx); n != 2 {
			t.Fatalf("devices = %d after re-import, want 2", n)
		}
	})
	t.Run("UpdateChanged", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		if _, err := s.ImportDevices(ctx, batch(rows...)); err != nil {
			t.Fatal(err)
		}
		// Matched by MAC alone; only the firmware changes.
		changed := rec(7, map[domain.Field]string{domain.FieldMACs: "00-09-FB-00-00-01", domain.FieldFirmware: "M.00.03"})
		res, err := s.ImportDevices(ctx, &domain.ImportBatch{File: "update.xlsx", Records: []domain.ImportRecord{changed}})
		if err != nil || res.Updated != 1 || len(res.Rows[0].Changes) != 1 || res.Rows[0].Changes[0].Field != domain.FieldFirmware {
			t.Fatalf("update import = %+v, %v", res, err)
		}
		d, _ := s.FindDevice(ctx, "A1")
		fw, _ := d.Provenance.Of(domain.FieldFirmware)
		model, _ := d.Provenance.Of(domain.FieldModel)
		if d.Firmware != "M.00.03" || fw.Name != "update.xlsx" || fw.Ref != "row 7" || model.Name != "assets.csv" || d.Serial != "S1" {
			t.Fatalf("after update: firmware %q provenance %+v / %+v serial %q", d.Firmware, fw, model, d.Serial)
		}
	})
	t.Run("ErrAllOrNothing", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		if _, err := s.ImportDevices(ctx, batch(rows[0])); err != nil {
			t.Fatal(err)
		}
		bad := []domain.ImportRecord{
			rec(2, map[domain.Field]string{domain.FieldSerial: "S9"}),
			// names device A1 by tag and another by nothing: fine; but S1 + A2 below clash
			rec(3, map[domain.Field]string{domain.FieldSerial: "S1", domain.FieldAssetTag: "A3", domain.FieldSite: "nowhere"}),
			rec(4, map[domain.Field]string{domain.FieldAssetTag: "A1", domain.FieldSerial: "S1"}),
		}
		res, err := s.ImportDevices(ctx, batch(bad...))
		wantCode(t, err, domain.CodeInvalid)
		ps := domain.ErrorProblems(err)
		if len(ps) != 2 || ps[0].Row != 3 || ps[1].Row != 4 || !strings.Contains(ps[0].Message, "nowhere") || !strings.Contains(ps[1].Message, "row 3") {
			t.Fatalf("problems = %+v", ps)
		}
		if res == nil || len(res.Rejected) != 2 {
			t.Fatalf("result should list the rejected rows: %+v", res)
		}
		if n, _ := s.CountDevices(ctx); n != 1 {
			t.Fatalf("a failed import wrote %d devices", n-1)
		}
		b := batch(bad...)
		b.SkipInvalid = true
		res, err = s.ImportDevices(ctx, b)
		if err != nil || res.Created != 1 || len(res.Rejected) != 2 {
			t.Fatalf("skip-invalid = %+v, %v", res, err)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		b := batch(rows...)
		b.DryRun = true
		res, err := s.ImportDevices(ctx, b)
		if err != nil || res.Created != 2 || !res.DryRun {
			t.Fatalf("dry run = %+v, %v", res, err)
		}
		if n, _ := s.CountDevices(ctx); n != 0 {
			t.Fatalf("dry run wrote %d devices", n)
		}
		if v, _ := s.FindVendors(ctx); len(v) != 0 {
			t.Fatalf("dry run created vendors %v", v)
		}
	})
	t.Run("Bulk", func(t *testing.T) {
		// Enough rows for the engines' bulk paths (COPY on PostgreSQL) and
		// for the import to apply records on several goroutines.
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		var recs []domain.ImportRecord
		for i := 0; i < 2100; i++ {
			recs = append(recs, rec(i+2, map[domain.Field]string{domain.FieldSerial: fmt.Sprintf("B%04d", i), domain.FieldManufacturer: "Mindray",
				domain.FieldMACs: fmt.Sprintf("02:00:00:00:%02x:%02x", i>>8, i&255), domain.FieldNotes: "quote \" tab\t and é"}))
		}
		res, err := s.ImportDevices(ctx, batch(recs...))
		if err != nil || res.Created != 2100 {
			t.Fatalf("bulk import = %+v, %v", res, err)
		}
		d, err := s.FindDevice(ctx, "02:00:00:00:01:c1")
		if err != nil || d.Serial != "B0449" || d.Notes != "quote \" tab\t and é" || d.ID != res.Rows[449].DeviceID {
			t.Fatalf("device by MAC = %+v, %v", d, err)
		}
		if r, err := audit.Verify(ctx, s); err != nil || !r.OK {
			t.Fatalf("audit after bulk import: %+v, %v", r, err)
		}
		events, _ := s.FindAuditEvents(ctx, domain.AuditFilter{Action: "device.create"})
		if len(events) != 2100 {
			t.Fatalf("audit events = %d, want 2100", len(events))
		}
	})
	t.Run("ErrRowNamesTwoDevices", func(t *testing.T) {
		s := open(t)
		ctx := practice(t, s, "P", "Main")
		if _, err := s.ImportDevices(ctx, batch(rows...)); err != nil {
			t.Fatal(err)
		}
		_, err := s.ImportDevices(ctx, batch(rec(5, map[domain.Field]string{domain.FieldAssetTag: "A1", domain.FieldSerial: "S2"})))
		wantCode(t, err, domain.CodeInvalid)
		if ps := domain.ErrorProblems(err); len(ps) != 1 || !strings.Contains(ps[0].Message, "several existing devices") {
			t.Fatalf("problems = %+v", ps)
		}
	})
}

func testIsolation(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "Practice A", "Main")
	b := practice(t, s, "Practice B", "Main")
	da := mustCreate(t, s, a, map[domain.Field]string{domain.FieldSerial: "SAME", domain.FieldMACs: "00:11:22:33:44:55", domain.FieldName: "A's pump"})
	// The same keys are free in another practice.
	db := mustCreate(t, s, b, map[domain.Field]string{domain.FieldSerial: "SAME", domain.FieldMACs: "00:11:22:33:44:55", domain.FieldName: "B's pump"})
	if _, err := s.FindDeviceByID(b, da.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("B reads A's device: %v", err)
	}
	if d, err := s.FindDevice(b, "SAME"); err != nil || d.ID != db.ID {
		t.Fatalf("B finds %v, %v", d, err)
	}
	if _, _, err := s.UpdateDevice(b, da.ID, map[domain.Field]string{domain.FieldName: "hijacked"}, manual); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("B updates A's device: %v", err)
	}
	if err := s.DeleteDevice(b, da.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("B deletes A's device: %v", err)
	}
	list, total, _ := s.FindDevices(b, domain.DeviceFilter{})
	if total != 1 || list[0].ID != db.ID {
		t.Fatalf("B lists %d devices", total)
	}
	// An import into B that carries A's device id creates a new device.
	r := rec(2, map[domain.Field]string{domain.FieldID: fmt.Sprint(da.ID), domain.FieldName: "imported"})
	res, err := s.ImportDevices(b, &domain.ImportBatch{File: "x.csv", Records: []domain.ImportRecord{r}})
	if err != nil || res.Created != 1 {
		t.Fatalf("import with a foreign id = %+v, %v", res, err)
	}
	got, _ := s.FindDeviceByID(a, da.ID)
	if got.Name != "A's pump" {
		t.Fatalf("A's device changed to %q", got.Name)
	}
	sitesB, _ := s.FindSites(b)
	if err := s.DeleteSite(a, sitesB[0].ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("A deletes B's site: %v", err)
	}
	evA, _ := s.FindAuditEvents(a, domain.AuditFilter{})
	for _, e := range evA {
		ta, _ := domain.TenantFrom(a)
		if e.TenantID != ta && e.TenantID != 0 {
			t.Fatalf("A sees B's audit event %+v", e)
		}
	}
	if _, _, err := s.FindDevices(ctxFor(0), domain.DeviceFilter{}); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("listing without a tenant: %v", err)
	}
}

func testAudit(t *testing.T, open Opener) {
	s := open(t)
	ctx := practice(t, s, "P", "Main")
	d := mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldSerial: "S1"})
	if _, _, err := s.UpdateDevice(ctx, d.ID, map[domain.Field]string{domain.FieldName: "renamed"}, manual); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDevice(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	events, err := s.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "device"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if e.Actor.String() != "cli:tester" || e.ObjectID != d.ID {
			t.Fatalf("event %+v", e)
		}
	}
	if got := strings.Join(actions, ","); got != "device.create,device.update,device.delete" {
		t.Fatalf("actions = %s", got)
	}
	r, err := audit.Verify(ctx, s)
	if err != nil || !r.OK || r.Events < 5 {
		t.Fatalf("Verify = %+v, %v", r, err)
	}
}

func testConcurrency(t *testing.T, open Opener) {
	s := open(t)
	ctx := practice(t, s, "P", "Main")
	const workers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				d := &domain.Device{}
				_ = d.Set(domain.FieldSerial, fmt.Sprintf("W%d-%d", w, i))
				_ = d.Set(domain.FieldManufacturer, "Mindray")
				_ = d.Set(domain.FieldModel, "BeneVision N12")
				if err := s.CreateDevice(ctx, d, manual); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent create: %v", err)
	}
	if n, _ := s.CountDevices(ctx); n != workers*each {
		t.Fatalf("devices = %d, want %d", n, workers*each)
	}
	// Concurrent updates of different fields of one device: none is lost.
	target, _ := s.FindDevice(ctx, "W0-0")
	fields := []domain.Field{domain.FieldName, domain.FieldNotes, domain.FieldLocation, domain.FieldDepartment, domain.FieldFirmware, domain.FieldOS}
	var wg2 sync.WaitGroup
	errs2 := make(chan error, len(fields))
	for _, f := range fields {
		wg2.Add(1)
		go func(f domain.Field) {
			defer wg2.Done()
			if _, _, err := s.UpdateDevice(ctx, target.ID, map[domain.Field]string{f: "set-" + string(f)}, manual); err != nil {
				errs2 <- err
			}
		}(f)
	}
	wg2.Wait()
	close(errs2)
	for err := range errs2 {
		t.Fatalf("concurrent update: %v", err)
	}
	got, _ := s.FindDeviceByID(ctx, target.ID)
	for _, f := range fields {
		if got.Get(f) != "set-"+string(f) {
			t.Fatalf("lost update: %s = %q", f, got.Get(f))
		}
	}
	if got.Version != int64(1+len(fields)) {
		t.Fatalf("version = %d, want %d", got.Version, 1+len(fields))
	}
	vendors, _ := s.FindVendors(ctx)
	if len(vendors) != 1 {
		t.Fatalf("concurrent creates made %d vendors", len(vendors))
	}
	r, err := audit.Verify(ctx, s)
	if err != nil || !r.OK {
		t.Fatalf("audit chain after concurrent writes: %+v, %v", r, err)
	}
}
