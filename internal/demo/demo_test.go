package demo_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

var now = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func seed(t *testing.T, st store.Store) (*domain.Tenant, []*domain.Device) {
	t.Helper()
	ctx := domain.WithActor(domain.WithNow(vigiltest.Context(0), now), domain.Actor{Kind: domain.ActorSystem, Name: "demo"})
	tn, err := demo.Seed(ctx, st, demo.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var devs []*domain.Device
	if err := st.EachDevice(domain.WithTenant(ctx, tn.ID), domain.DeviceFilter{Sort: "id"}, func(d *domain.Device) error {
		devs = append(devs, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return tn, devs
}

// Ensure the demo is a believable practice: three sites, 80+ devices in
// every category, unpatchable and end-of-support devices, a vendor with
// stale contacts, and nothing invalid.
func TestSeed(t *testing.T) {
	st := vigiltest.MustOpenSQLite(t)
	tn, devs := seed(t, st)
	ctx := domain.WithTenant(vigiltest.Context(0), tn.ID)
	sites, _ := st.FindSites(ctx)
	if len(sites) < 3 {
		t.Fatalf("sites = %d", len(sites))
	}
	if len(devs) < 80 {
		t.Fatalf("devices = %d, want at least 80", len(devs))
	}
	cats := map[domain.Category]int{}
	notPatchable, unreviewed := 0, 0
	perSite := map[string]int{}
	for _, d := range devs {
		cats[d.Category]++
		perSite[d.Site]++
		if d.Patchability == "not-patchable" {
			notPatchable++
		}
		if d.Review == domain.Unreviewed {
			unreviewed++
		}
		c := d.Clone()
		if err := c.Validate(); err != nil {
			t.Errorf("device %d invalid: %v", d.ID, err)
		}
		if d.AssetTag == "" || d.Serial == "" || len(d.MACs) == 0 || len(d.IPs) == 0 || d.Manufacturer == "" || d.Model == "" {
			t.Errorf("device %d lacks identity: %+v", d.ID, d)
		}
	}
	for _, c := range domain.Categories() {
		if cats[c] == 0 {
			t.Errorf("no %s device", c)
		}
	}
	for _, s := range sites {
		if perSite[s.Slug] == 0 {
			t.Errorf("site %s has no devices", s.Slug)
		}
	}
	if notPatchable < 2 || unreviewed < 2 {
		t.Errorf("not patchable %d, unreviewed %d; want at least 2 each", notPatchable, unreviewed)
	}
	models, _ := st.FindModels(ctx, 0)
	pastEOS := 0
	for _, m := range models {
		if !m.EndOfSupport.IsZero() && m.EndOfSupport.Time().Before(now) {
			pastEOS += m.DeviceCount
		}
	}
	if pastEOS < 2 {
		t.Errorf("devices past end of support = %d", pastEOS)
	}
	vendors, _ := st.FindVendors(ctx)
	stale := 0
	for _, v := range vendors {
		if v.ContactVerified.IsZero() == false && v.ContactStale(now) {
			stale++
		}
	}
	if stale == 0 {
		t.Error("no vendor with stale (over a year old) contacts")
	}
	t.Logf("%d devices, %d models, %d vendors, categories %v, sites %v", len(devs), len(models), len(vendors), cats, perSite)
}

// Ensure the demo is the same every time for the same options.
func TestSeed_Deterministic(t *testing.T) {
	_, a := seed(t, vigiltest.MustOpenSQLite(t))
	_, b := seed(t, vigiltest.MustOpenSQLite(t))
	if len(a) != len(b) {
		t.Fatalf("%d vs %d devices", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i].Values(), b[i].Values()) {
			t.Fatalf("device %d differs:\n%v\n%v", i, a[i].Values(), b[i].Values())
		}
	}
}

// Ensure the demo refuses a database that already holds a practice.
func TestSeed_ErrNotEmpty(t *testing.T) {
	st := vigiltest.MustOpenSQLite(t)
	if err := st.CreateTenant(vigiltest.Context(0), &domain.Tenant{Name: "Real Practice"}); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Seed(vigiltest.Context(0), st, demo.Options{Now: now})
	if domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatalf("Seed on a used database = %v", err)
	}
}

// Ensure the demo loads into PostgreSQL too.
func TestSeed_Postgres(t *testing.T) {
	_, devs := seed(t, vigiltest.MustOpenPostgres(t))
	if len(devs) < 80 {
		t.Fatalf("devices = %d", len(devs))
	}
}
