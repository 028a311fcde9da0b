package storetest

import (
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
)

// testListCache checks that device pages and dashboard counts, which the
// store may answer from memory, always reflect the latest change: to a
// device, to a shared vendor, and a new device.
func testListCache(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "A", "Main")
	b := practice(t, s, "B", "Main")
	d := mustCreate(t, s, a, map[domain.Field]string{domain.FieldSerial: "C1", domain.FieldName: "Old name", domain.FieldManufacturer: "Acme Medical"})
	mustCreate(t, s, b, map[domain.Field]string{domain.FieldSerial: "C9"})
	page := func(f domain.DeviceFilter) ([]*domain.Device, int) {
		t.Helper()
		f.Limit = 10
		ds, total, err := s.FindDevices(a, f)
		if err != nil {
			t.Fatal(err)
		}
		return ds, total
	}
	for range 2 { // the second answer may come from memory
		if ds, total := page(domain.DeviceFilter{}); total != 1 || ds[0].Name != "Old name" {
			t.Fatalf("page = %d devices, first %+v", total, ds[0])
		}
	}
	ds, _ := page(domain.DeviceFilter{})
	ds[0].Name = "changed by the caller" // a caller's copy, not the store's
	if ds, _ := page(domain.DeviceFilter{}); ds[0].Name != "Old name" {
		t.Fatalf("a caller's change to a returned device leaked into the store's answers: %q", ds[0].Name)
	}
	if _, _, err := s.UpdateDevice(a, d.ID, map[domain.Field]string{domain.FieldName: "New name"}, manual); err != nil {
		t.Fatal(err)
	}
	if ds, _ := page(domain.DeviceFilter{}); ds[0].Name != "New name" {
		t.Fatalf("after the update the page still shows %q", ds[0].Name)
	}
	if _, total := page(domain.DeviceFilter{Query: "new"}); total != 1 {
		t.Fatalf("search for the new name finds %d", total)
	}
	st, err := s.DeviceStats(a, domain.DateOf(domain.Now(a)))
	if err != nil || st.Total != 1 {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	mustCreate(t, s, a, map[domain.Field]string{domain.FieldSerial: "C2"})
	if _, total := page(domain.DeviceFilter{}); total != 2 {
		t.Fatalf("after a create the total is %d, want 2", total)
	}
	if st, err := s.DeviceStats(a, domain.DateOf(domain.Now(a))); err != nil || st.Total != 2 {
		t.Fatalf("stats after a create = %+v, %v", st, err)
	}
	// A shared vendor renamed by the provider shows in the practice's list.
	v, err := s.FindVendor(a, "Acme Medical")
	if err != nil {
		t.Fatal(err)
	}
	page(domain.DeviceFilter{Manufacturer: "Acme Medical"})
	v.Name = "Acme Health"
	if err := s.UpdateVendor(ctxFor(0), v); err != nil {
		t.Fatal(err)
	}
	if ds, total := page(domain.DeviceFilter{Manufacturer: "Acme Health"}); total != 1 || ds[0].Manufacturer != "Acme Health" {
		t.Fatalf("after the vendor rename: %d devices, %+v", total, ds)
	}
}
