package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// refNow is the reference date of the tests' demo.
var refNow = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

var refOptions = demo.Options{Now: refNow, Seed: 1}

func ctxAdmin() context.Context {
	return domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "tester"})
}

// seeded is a demo in a store, read back whole.
type seeded struct {
	st      store.Store
	ctx     context.Context // scoped to the demo practice
	tenant  *domain.Tenant
	sites   []*domain.Site
	devices []*domain.Device
	models  map[int64]*domain.Model
	vendors []*domain.Vendor
}

func mustSeed(tb testing.TB, st store.Store, opt demo.Options) *seeded {
	tb.Helper()
	tn, err := demo.Seed(ctxAdmin(), st, opt)
	if err != nil {
		tb.Fatalf("Seed: %v (problems %v)", err, domain.ErrorProblems(err))
	}
	s := &seeded{st: st, tenant: tn, ctx: domain.WithTenant(ctxAdmin(), tn.ID), models: map[int64]*domain.Model{}}
	if s.sites, err = st.FindSites(s.ctx); err != nil {
		tb.Fatal(err)
	}
	if err := st.EachDevice(s.ctx, domain.DeviceFilter{Sort: "id"}, func(d *domain.Device) error {
		s.devices = append(s.devices, d)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	models, err := st.FindModels(s.ctx, 0)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range models {
		s.models[m.ID] = m
	}
	if s.vendors, err = st.FindVendors(s.ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// Ensure the demo seeds into an empty SQLite store and has the shape the
// issue asks for.
func TestSeed_SQLite(t *testing.T) {
	checkDemo(t, mustSeed(t, vigiltest.MustOpenSQLite(t), refOptions))
}

// Ensure the same holds on PostgreSQL.
func TestSeed_Postgres(t *testing.T) {
	checkDemo(t, mustSeed(t, vigiltest.MustOpenPostgres(t), refOptions))
}

func checkDemo(t *testing.T, s *seeded) {
	t.Run("Practice", func(t *testing.T) {
		if s.tenant.ID == 0 || s.tenant.Name == "" || !strings.Contains(s.tenant.Notes, "Demo") {
			t.Fatalf("tenant = %+v", s.tenant)
		}
		all, err := s.st.FindTenants(ctxAdmin())
		if err != nil || len(all) != 1 {
			t.Fatalf("FindTenants = %d, %v; want the one demo practice", len(all), err)
		}
	})

	t.Run("Sites", func(t *testing.T) {
		if len(s.sites) < 3 {
			t.Fatalf("sites = %d, want at least 3", len(s.sites))
		}
		for _, site := range s.sites {
			if _, err := time.LoadLocation(site.TimeZone); err != nil || site.TimeZone == "" || site.Address == "" {
				t.Errorf("site %s: time zone %q address %q", site.Slug, site.TimeZone, site.Address)
			}
		}
	})

	t.Run("Devices", func(t *testing.T) {
		if len(s.devices) < 80 {
			t.Fatalf("devices = %d, want at least 80", len(s.devices))
		}
		if n, err := s.st.CountDevices(s.ctx); err != nil || n != len(s.devices) {
			t.Fatalf("CountDevices = %d, %v; listed %d", n, err, len(s.devices))
		}
	})

	t.Run("EveryCategory", func(t *testing.T) {
		count := map[domain.Category]int{}
		for _, d := range s.devices {
			count[d.Category]++
		}
		for _, c := range domain.Categories() {
			if count[c] == 0 {
				t.Errorf("no %s device", c)
			}
		}
		t.Logf("devices per category: %v", count)
	})

	t.Run("ValidAndUnique", func(t *testing.T) {
		keys := map[string]int64{}
		claim := func(d *domain.Device, kind, v string) {
			if v == "" {
				return
			}
			if other, dup := keys[kind+":"+v]; dup {
				t.Errorf("%s %q is used by devices %d and %d", kind, v, other, d.ID)
			}
			keys[kind+":"+v] = d.ID
		}
		for _, d := range s.devices {
			c := d.Clone()
			if err := c.Validate(); err != nil {
				t.Errorf("device %d (%s) is invalid: %v", d.ID, d.Label(), err)
			}
			if diff := d.Diff(c); len(diff) != 0 {
				t.Errorf("device %d lacks defaults Validate fills: %v", d.ID, diff)
			}
			// The text form must read back to the same device.
			r := &domain.Device{}
			for f, v := range d.Values() {
				if err := r.Set(f, v); err != nil {
					t.Errorf("device %d: %s %q does not parse: %v", d.ID, f, v, err)
				}
			}
			if diff := d.Diff(r); len(diff) != 0 {
				t.Errorf("device %d does not round-trip through text: %v", d.ID, diff)
			}
			claim(d, "asset tag", d.AssetTag)
			claim(d, "serial", d.Serial)
			for _, m := range d.MACs {
				claim(d, "MAC", m)
			}
			for _, ip := range d.IPs {
				claim(d, "IP", ip)
			}
			for _, h := range d.Hostnames {
				claim(d, "hostname", h)
			}
		}
	})

	t.Run("Provenance", func(t *testing.T) {
		for _, d := range s.devices {
			src, ok := d.Provenance.Of(domain.FieldMACs)
			if !ok || src.Kind != domain.SourceImport || src.Name != demo.ImportFile || src.Actor != demo.Actor.String() {
				t.Fatalf("device %d: provenance of macs = %+v, %v; want import of %s by %s", d.ID, src, ok, demo.ImportFile, demo.Actor)
			}
		}
		events, err := s.st.FindAuditEvents(s.ctx, domain.AuditFilter{Action: "device.create"})
		if err != nil || len(events) != len(s.devices) {
			t.Fatalf("device.create events = %d, %v; want %d", len(events), err, len(s.devices))
		}
		if events[0].Actor != demo.Actor {
			t.Fatalf("audit actor = %+v, want %+v", events[0].Actor, demo.Actor)
		}
		if r, err := audit.Verify(s.ctx, s.st); err != nil || !r.OK {
			t.Fatalf("audit.Verify = %+v, %v", r, err)
		}
	})

	t.Run("ReviewedRecords", func(t *testing.T) {
		tag := regexp.MustCompile(`^CVH-\d{5}$`)
		var unreviewed, withAdmins int
		life := map[domain.Lifecycle]int{}
		for _, d := range s.devices {
			life[d.Lifecycle]++
			if d.Review == domain.Unreviewed {
				unreviewed++
				if len(d.MACs) == 0 || d.AssetTag != "" {
					t.Errorf("unreviewed device %d should be known by its addresses only: %v", d.ID, d.Values())
				}
				continue
			}
			if len(d.Admins) > 0 {
				withAdmins++
			}
			if !tag.MatchString(d.AssetTag) || d.Serial == "" || d.Name == "" || d.Department == "" || d.Location == "" ||
				d.Criticality == "" || d.PHI == "" || d.Patchability == "unknown" || d.PurchaseDate.IsZero() || d.InstallDate.IsZero() {
				t.Errorf("reviewed device %d is incomplete: %v", d.ID, d.Values())
			}
			if d.InstallDate.Before(d.PurchaseDate) || refNow.Before(d.InstallDate.Time()) || d.PurchaseDate.Year < 2008 {
				t.Errorf("device %d: purchased %s, installed %s", d.ID, d.PurchaseDate, d.InstallDate)
			}
			if d.NetworkRequired != domain.Unknown && d.NetworkJustification == "" {
				t.Errorf("device %d: network required %q without a justification", d.ID, d.NetworkRequired)
			}
			if (d.PHI == "stores" || d.PHI == "stores-transmits") && d.PHIRecords == 0 && d.Lifecycle == "in-service" {
				t.Errorf("device %d stores PHI but has no record estimate", d.ID)
			}
		}
		if unreviewed < 3 {
			t.Errorf("unreviewed devices = %d, want a handful", unreviewed)
		}
		if withAdmins < 10 {
			t.Errorf("devices with named admins = %d, want at least 10", withAdmins)
		}
		for _, l := range []domain.Lifecycle{"in-service", "spare", "under-repair", "retired"} {
			if life[l] == 0 {
				t.Errorf("no %s device", l)
			}
		}
		if life["in-service"] < len(s.devices)*8/10 {
			t.Errorf("lifecycle = %v; most devices should be in service", life)
		}
	})

	t.Run("Criticality", func(t *testing.T) {
		// Failure of these can directly harm a patient; of those, never.
		never := map[domain.Category]bool{"workstation": true, "building": true, "other": true, "dental": true, "ophthalmic": true, "laboratory": true, "imaging": true}
		var lifeSustaining int
		for _, d := range s.devices {
			if d.Criticality == "life-sustaining" {
				lifeSustaining++
				if never[d.Category] {
					t.Errorf("device %d: a %s device marked life-sustaining", d.ID, d.Category)
				}
			}
			if (d.Category == "infusion" && d.Model != "Alaris Systems Manager" || d.Category == "respiratory" && d.Model != "Vyntus SPIRO") &&
				d.Review == domain.Reviewed && d.Criticality != "life-sustaining" {
				t.Errorf("device %d: %s %s is %q", d.ID, d.Category, d.Model, d.Criticality)
			}
		}
		if lifeSustaining < 20 {
			t.Errorf("life-sustaining devices = %d", lifeSustaining)
		}
	})

	t.Run("Patchability", func(t *testing.T) {
		count := map[domain.Patchability]int{}
		for _, d := range s.devices {
			count[d.Patchability]++
		}
		if count["not-patchable"] < 2 || count["vendor-only"] < 10 || count["vendor-patchable"] < 2 {
			t.Fatalf("patchability = %v", count)
		}
	})

	t.Run("EndOfSupport", func(t *testing.T) {
		var past int
		soon := map[int]int{} // months bucket → devices in service
		for _, d := range s.devices {
			if d.Model == "" {
				continue
			}
			m, ok := s.models[d.ModelID]
			if !ok {
				t.Fatalf("device %d: model id %d is not in the catalogue", d.ID, d.ModelID)
			}
			if m.EndOfSupport.IsZero() {
				continue
			}
			switch eos := m.EndOfSupport.Time(); {
			case eos.Before(refNow):
				past++
			case d.Lifecycle == "in-service" && !eos.After(refNow.AddDate(0, 6, 0)):
				soon[6]++
			case d.Lifecycle == "in-service" && !eos.After(refNow.AddDate(1, 0, 0)):
				soon[12]++
			case d.Lifecycle == "in-service" && !eos.After(refNow.AddDate(2, 0, 0)):
				soon[24]++
			}
		}
		if past < 2 || soon[6] == 0 || soon[12] == 0 || soon[24] == 0 {
			t.Fatalf("past end of support %d; ending within 6/12/24 months: %v", past, soon)
		}
		t.Logf("past end of support %d; ending within 6/12/24 months: %v", past, soon)
	})

	t.Run("Catalogue", func(t *testing.T) {
		used := map[int64]bool{}
		for _, d := range s.devices {
			used[d.ModelID] = true
		}
		for _, m := range s.models {
			if !used[m.ID] {
				t.Errorf("model %s %s has no device", m.Manufacturer, m.Name)
			}
			if m.ReplacementCostCents <= 0 || m.ServiceLifeYears <= 0 || m.Currency != "USD" || m.DeviceCount == 0 {
				t.Errorf("model %s %s: cost %d, life %d, currency %q, devices %d", m.Manufacturer, m.Name, m.ReplacementCostCents, m.ServiceLifeYears, m.Currency, m.DeviceCount)
			}
			if !strings.Contains(m.Notes, "illustrative") {
				t.Errorf("model %s %s: notes %q do not say the figures are illustrative", m.Manufacturer, m.Name, m.Notes)
			}
		}
	})

	t.Run("Vendors", func(t *testing.T) {
		var stale, recent int
		for _, v := range s.vendors {
			if v.DeviceCount == 0 {
				t.Errorf("vendor %s has no device", v.Name)
			}
			if !strings.Contains(v.Notes, "Demo data") || !strings.Contains(strings.ToLower(v.Notes), "verify") {
				t.Errorf("vendor %s: notes %q do not ask to verify the contacts", v.Name, v.Notes)
			}
			for _, u := range []string{v.Website, v.PSIRTURL} {
				if u != "" && !strings.HasPrefix(u, "https://") {
					t.Errorf("vendor %s: %q is not an https address", v.Name, u)
				}
			}
			if v.PSIRTEmail == "" && v.PSIRTURL == "" {
				if !v.ContactVerified.IsZero() {
					t.Errorf("vendor %s: no contacts but verified on %s", v.Name, v.ContactVerified)
				}
				continue
			}
			if v.ContactStale(refNow) {
				stale++
			} else {
				recent++
			}
		}
		if stale == 0 || recent < 3 {
			t.Fatalf("vendors with contacts: %d stale, %d recent; want both", stale, recent)
		}
	})

	t.Run("Networks", func(t *testing.T) {
		siteNet := map[string]string{} // site → 10.x
		netSite := map[string]string{}
		for _, d := range s.devices {
			if len(d.IPs) > 0 && len(d.VLANs) != 1 && d.Review == domain.Reviewed {
				t.Errorf("device %d: addresses %v but VLANs %v", d.ID, d.IPs, d.VLANs)
			}
			for _, ip := range d.IPs {
				a := netip.MustParseAddr(ip)
				if !netip.MustParsePrefix("10.0.0.0/8").Contains(a) {
					t.Errorf("device %d: %s is not private", d.ID, ip)
				}
				b := a.As4()
				net := fmt.Sprintf("10.%d", b[1])
				if old, ok := siteNet[d.Site]; ok && old != net {
					t.Errorf("site %s uses %s and %s", d.Site, old, net)
				}
				if old, ok := netSite[net]; ok && old != d.Site {
					t.Errorf("%s is used by sites %s and %s", net, old, d.Site)
				}
				siteNet[d.Site], netSite[net] = net, d.Site
				if len(d.VLANs) == 1 && int(b[2])+100 != d.VLANs[0] {
					t.Errorf("device %d: %s is not in VLAN %d's subnet", d.ID, ip, d.VLANs[0])
				}
			}
		}
		if len(siteNet) != len(s.sites) {
			t.Fatalf("networks per site = %v", siteNet)
		}
	})
}

// Ensure two seeds with the same options produce the same devices, and a
// different seed different ones.
func TestSeed_Deterministic(t *testing.T) {
	export := func(s *seeded) []map[domain.Field]string {
		var out []map[domain.Field]string
		for _, d := range s.devices {
			v := d.Values()
			delete(v, domain.FieldID)
			out = append(out, v)
		}
		return out
	}
	a := export(mustSeed(t, vigiltest.MustOpenSQLite(t), refOptions))
	b := export(mustSeed(t, vigiltest.MustOpenSQLite(t), refOptions))
	if len(a) != len(b) {
		t.Fatalf("device counts differ: %d and %d", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("device %d differs:\n%v\n%v", i, a[i], b[i])
		}
	}

	other := refOptions
	other.Seed = 2
	c := export(mustSeed(t, vigiltest.MustOpenSQLite(t), other))
	if len(c) != len(a) || reflect.DeepEqual(a, c) {
		t.Fatalf("seed 2 gives the same devices as seed 1")
	}
	for i := range a {
		if a[i][domain.FieldName] != c[i][domain.FieldName] || a[i][domain.FieldModel] != c[i][domain.FieldModel] {
			t.Fatalf("device %d: the seed changed the practice's layout: %q %q vs %q %q", i,
				a[i][domain.FieldName], a[i][domain.FieldModel], c[i][domain.FieldName], c[i][domain.FieldModel])
		}
	}
}

// Ensure the zero Options (today's date, seed 0) make a valid demo.
func TestSeed_ZeroOptions(t *testing.T) {
	s := mustSeed(t, vigiltest.MustOpenSQLite(t), demo.Options{})
	if len(s.devices) < 80 {
		t.Fatalf("devices = %d", len(s.devices))
	}
}

// Ensure Seed refuses a store that already holds data and adds nothing to it.
func TestSeed_ErrNotEmpty(t *testing.T) {
	t.Run("SeededTwice", func(t *testing.T) {
		st := vigiltest.MustOpenSQLite(t)
		s := mustSeed(t, st, refOptions)
		_, err := demo.Seed(ctxAdmin(), st, refOptions)
		if got := domain.ErrorCode(err); got != domain.CodeConflict {
			t.Fatalf("second Seed: code %q (%v), want %q", got, err, domain.CodeConflict)
		}
		if !strings.Contains(err.Error(), "empty database") {
			t.Fatalf("message %q does not say the demo needs an empty database", err)
		}
		if n, _ := st.CountDevices(s.ctx); n != len(s.devices) {
			t.Fatalf("devices = %d after the refused seed, want %d", n, len(s.devices))
		}
		if all, _ := st.FindTenants(ctxAdmin()); len(all) != 1 {
			t.Fatalf("practices = %d after the refused seed", len(all))
		}
	})
	t.Run("OtherPractice", func(t *testing.T) {
		st := vigiltest.MustOpenSQLite(t)
		if err := st.CreateTenant(ctxAdmin(), &domain.Tenant{Name: "Real Clinic"}); err != nil {
			t.Fatal(err)
		}
		_, err := demo.Seed(ctxAdmin(), st, refOptions)
		if got := domain.ErrorCode(err); got != domain.CodeConflict {
			t.Fatalf("code %q (%v), want %q", got, err, domain.CodeConflict)
		}
		if v, _ := st.FindVendors(ctxAdmin()); len(v) != 0 {
			t.Fatalf("the refused seed created %d vendors", len(v))
		}
	})
	t.Run("VendorOnly", func(t *testing.T) {
		st := vigiltest.MustOpenSQLite(t)
		if err := st.CreateVendor(ctxAdmin(), &domain.Vendor{Name: "Acme Medical"}); err != nil {
			t.Fatal(err)
		}
		_, err := demo.Seed(ctxAdmin(), st, refOptions)
		if got := domain.ErrorCode(err); got != domain.CodeConflict {
			t.Fatalf("code %q (%v), want %q", got, err, domain.CodeConflict)
		}
	})
}

// advisoryMatches are demo devices at versions that CISA ICSMA advisories
// list as known affected: the advisory file under csaf/icsma, the product
// and version branch names as the advisory spells them, and the device.
var advisoryMatches = []struct {
	file, product, version        string
	manufacturer, model, firmware string // firmware "" matches any version (the advisory covers all)
}{
	{"2020/icsma-20-023-01.json", "B650", "2.X", "GE HealthCare", "CARESCAPE B650", "2."},
	{"2020/icsma-20-023-01.json", "CARESCAPE Central Station (CSCS)", "2.X", "GE HealthCare", "CARESCAPE Central Station", "2."},
	{"2020/icsma-20-254-01.json", "IntelliVue patient monitor MX400-MX850", "<=N", "Philips", "IntelliVue MX450", ""},
	{"2020/icsma-20-254-01.json", "Patient Information Center iX (PICiX)", "C.03", "Philips", "Patient Information Center iX", "C.03"},
	{"2021/icsma-21-322-02.json", "Efficia CM Series", "A.01 <= C.0x | 4.0", "Philips", "Efficia CM12", ""},
	{"2017/icsma-17-255-01.json", "IntelliVue MX40 Patient Worn Monitor (WLAN only)", "< B.06.18", "Philips", "IntelliVue MX40", "B.06.0"},
	{"2020/icsma-20-233-01.json", "SureSigns", "<= S4 A.07.107", "Philips", "SureSigns VS4", "A.07.107"},
	{"2019/icsma-19-022-01.json", "Infinity Delta", "vers:all/*", "Dräger", "Infinity Delta", ""},
	{"2019/icsma-19-022-01.json", "Kappa", "vers:all/*", "Dräger", "Infinity Kappa", ""},
	{"2021/icsma-21-294-01.json", "SpaceStation with SpaceCom 2", "<= 012U000061", "B. Braun", "SpaceStation with SpaceCom 2", "012U000061"},
	{"2020/icsma-20-296-02.json", "SpaceCom", "<= U61 |<= L81", "B. Braun", "SpaceStation with SpaceCom 2", "012U000061"},
	{"2021/icsma-21-294-01.json", "Battery pack SP with WiFi", "<= 028U000061", "B. Braun", "Infusomat Space", "028U000061"},
	{"2020/icsma-20-177-01.json", "Ultrasound EPIQ/Affiniti", "<= VM5.0", "Philips", "EPIQ 7", "VM5.0"},
	{"2020/icsma-20-177-01.json", "Ultrasound EPIQ/Affiniti", "<= VM5.0", "Philips", "Affiniti 50", "VM4.0"},
	{"2020/icsma-20-049-02.json", "Vivid products, not including EchoPAC", "vers:all/*", "GE HealthCare", "Vivid E95", ""},
	{"2020/icsma-20-049-02.json", "LOGIQ, not including LOGIQ 100 Pro", "vers:all/*", "GE HealthCare", "LOGIQ E10", ""},
	{"2020/icsma-20-343-01.json", "Revolution EVO", "vers:all/*", "GE HealthCare", "Revolution EVO", ""},
	{"2020/icsma-20-343-01.json", "Optima XR220amx", "vers:all/*", "GE HealthCare", "Optima XR220amx", ""},
	{"2019/icsma-19-113-01.json", "FCR Capsula X", "CR-IR 357", "Fujifilm", "FCR Capsula X", "CR-IR 357"},
	{"2018/icsma-18-037-02.json", "Centricity PACS RA1000", "vers:all/*", "GE HealthCare", "Centricity PACS RA1000", ""},
	{"2018/icsma-18-228-01.json", "PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "<May 2018", "Philips", "PageWriter TC50", ""},
	{"2018/icsma-18-228-01.json", "PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "<May 2018", "Philips", "PageWriter TC30", ""},
	{"2019/icsma-19-192-01.json", "Holter 2010 Plus", "vers:all/*", "Philips", "Holter 2010 Plus", ""},
	{"2019/icsma-19-190-01.json", "GE Aisys", "CS2  Avance | Amingo | Avance CS2", "GE HealthCare", "Aisys CS2", ""},
	{"2021/icsma-21-047-01.json", "T1 Ventilator", "<= 2.2.3", "Hamilton Medical", "HAMILTON-T1", "2.2.3"},
	{"2019/icsma-19-311-01.json", "Valleylab FT10 Energy Platform (VLFT10GEN)", "<= 2.0.3", "Medtronic", "Valleylab FT10", "2.0.3"},
	{"2019/icsma-19-311-02.json", "Valleylab FT10 Energy Platform (VLFT10GEN) software", "<= 4.0.0", "Medtronic", "Valleylab FT10", "4.0.0"},
	{"2021/icsma-21-187-01.json", "Vue PACS", "<= 12.2.x.x", "Philips", "Vue PACS", "12.2.1.5"},
	{"2024/icsma-24-200-01.json", "Vue PACS", "<12.2.8.410", "Philips", "Vue PACS", "12.2.1.5"},
	{"2018/icsma-18-226-01.json", "IntelliSpace Cardiovascular", "<= 3.1", "Philips", "IntelliSpace Cardiovascular", "3.1"},
	{"2021/icsma-21-215-01.json", "Nexus Control Panel", "< 7.2.5.7", "Swisslog", "Translogic Nexus Control Panel", "7.2.4.3"},
	{"2018/icsma-18-144-01.json", "TotalAlert Scroll Medical Air Systems", "<= 4107600010.23", "BeaconMedaes", "TotalAlert Scroll Medical Air Systems", "4107600010.23"},
	{"2019/icsma-19-029-01.json", "S3 MedSurg Bed (enabled with iBed Wireless)", "3002 S3 | 3005 S3", "Stryker", "S3 MedSurg Bed", "3005 S3"},
	{"2021/icsma-21-322-01.json", "IntelliBridge EC 40 Hub", "<= C.00.04", "Philips", "IntelliBridge EC40", "C.00.04"},
	{"2020/icsma-20-196-01.json", "Capsule Technologies SmartLinx Neuron 2", "<= 9.0.3", "Capsule Technologies", "SmartLinx Neuron 2", "9.0.3"},
}

// csafProducts returns "product\x00version" for every known-affected leaf of
// a CSAF advisory's product tree (vendor → product name → product version).
func csafProducts(tb testing.TB, file string) map[string]bool {
	tb.Helper()
	raw, err := os.ReadFile(vigiltest.SharedData(tb, "csaf/icsma/"+file))
	if err != nil {
		tb.Fatal(err)
	}
	type branch struct {
		Category string   `json:"category"`
		Name     string   `json:"name"`
		Branches []branch `json:"branches"`
		Product  *struct {
			ID string `json:"product_id"`
		} `json:"product"`
	}
	var doc struct {
		ProductTree struct {
			Branches []branch `json:"branches"`
		} `json:"product_tree"`
		Vulnerabilities []struct {
			ProductStatus struct {
				KnownAffected []string `json:"known_affected"`
			} `json:"product_status"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	affected := map[string]bool{}
	for _, v := range doc.Vulnerabilities {
		for _, id := range v.ProductStatus.KnownAffected {
			affected[id] = true
		}
	}
	out := map[string]bool{}
	var walk func(bs []branch, product string)
	walk = func(bs []branch, product string) {
		for _, b := range bs {
			switch {
			case b.Product != nil && affected[b.Product.ID]:
				out[product+"\x00"+b.Name] = true
			case b.Category == "product_name":
				walk(b.Branches, b.Name)
			default:
				walk(b.Branches, product)
			}
		}
	}
	walk(doc.ProductTree.Branches, "")
	return out
}

// Ensure the devices the demo claims match real advisories do: the
// advisory lists the product and version as known affected, and the demo
// has a device of that model at that firmware.
func TestSeed_AdvisoryMatches(t *testing.T) {
	s := mustSeed(t, vigiltest.MustOpenSQLite(t), refOptions)
	advisories := map[string]bool{}
	for _, m := range advisoryMatches {
		advisories[m.file] = true
		products := csafProducts(t, m.file)
		if !products[m.product+"\x00"+m.version] {
			var have []string
			for k := range products {
				have = append(have, strings.ReplaceAll(k, "\x00", " @ "))
			}
			slices.Sort(have)
			t.Errorf("%s does not list %q version %q as known affected; it lists %q", m.file, m.product, m.version, have)
		}
		found := false
		for _, d := range s.devices {
			if d.Manufacturer == m.manufacturer && d.Model == m.model && strings.HasPrefix(d.Firmware, m.firmware) {
				found = true
			}
		}
		if !found {
			t.Errorf("no demo device %s %s with firmware %q… for %s", m.manufacturer, m.model, m.firmware, m.file)
		}
	}
	if len(advisories) < 20 {
		t.Fatalf("devices match %d advisories", len(advisories))
	}
	t.Logf("demo devices match %d ICSMA advisories", len(advisories))
}

// Ensure seeding stays fast enough for a first command.
func BenchmarkSeed(b *testing.B) {
	for i := range b.N {
		st := vigiltest.MustOpenSQLitePath(b, b.TempDir()+"/demo-"+strconv.Itoa(i)+".db")
		if _, err := demo.Seed(ctxAdmin(), st, refOptions); err != nil {
			b.Fatal(err)
		}
	}
}
