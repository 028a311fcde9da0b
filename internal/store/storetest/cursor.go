package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
)

// walk pages through f's matches with keyset cursors of size per and
// returns the ids in the order seen; each page's total must be want.
func walk(tb testing.TB, list func(domain.DeviceFilter) ([]*domain.Device, int, error), f domain.DeviceFilter, per, want int, between func(page int)) []int64 {
	tb.Helper()
	var ids []int64
	f.Limit, f.After = per, nil
	for page := 0; ; page++ {
		got, total, err := list(f)
		if err != nil {
			tb.Fatalf("page %d: %v", page, err)
		}
		if want >= 0 && total != want {
			tb.Fatalf("page %d: total %d, want %d", page, total, want)
		}
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		if len(got) < per {
			return ids
		}
		k := domain.KeyOf(got[len(got)-1], f.Sort)
		f.After = &k
		if between != nil {
			between(page)
		}
		if page > 1000 {
			tb.Fatal("paging does not end")
		}
	}
}

func testDeviceCursor(t *testing.T, open Opener) {
	s := open(t)
	ctx := practice(t, s, "P", "North", "South")
	// Devices from one import share their update time; repeated names,
	// empty asset tags and serials make ties that only the id breaks.
	var recs []domain.ImportRecord
	for i := 0; i < 30; i++ {
		vals := map[domain.Field]string{domain.FieldSerial: fmt.Sprintf("IMP-%02d", i), domain.FieldName: fmt.Sprintf("Pump %d", i%4),
			domain.FieldCategory: []string{"infusion", "imaging", "laboratory"}[i%3], domain.FieldSite: []string{"north", "south"}[i%2],
			domain.FieldManufacturer: []string{"Baxter", "GE Healthcare"}[i%2], domain.FieldHostnames: fmt.Sprintf("host-%02d", i)}
		if i%5 == 0 {
			vals[domain.FieldAssetTag] = fmt.Sprintf("T%02d", 30-i)
		}
		recs = append(recs, rec(i+2, vals))
	}
	if _, err := s.ImportDevices(ctx, &domain.ImportBatch{File: "x.csv", Records: recs}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 15; i++ {
		vals := map[domain.Field]string{domain.FieldMACs: fmt.Sprintf("00:11:22:33:55:%02x", i), domain.FieldSite: "north", domain.FieldCategory: "imaging"}
		if i%2 == 0 {
			vals[domain.FieldName] = "Monitor"
		}
		mustCreate(t, s, ctx, vals)
	}
	list := func(f domain.DeviceFilter) ([]*domain.Device, int, error) { return s.FindDevices(ctx, f) }
	filters := map[string]domain.DeviceFilter{
		"All": {}, "Category": {Category: "imaging"}, "Search": {Query: "host"}, "SearchAndSite": {Query: "pump", Site: "north"},
	}
	for _, sort := range domain.DeviceSorts {
		for fname, f := range filters {
			t.Run(sort+"/"+fname, func(t *testing.T) {
				f.Sort = sort
				all, total, err := s.FindDevices(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]int64, len(all))
				for i, d := range all {
					want[i] = d.ID
				}
				if got := walk(t, list, f, 7, total, nil); !slices.Equal(got, want) {
					t.Fatalf("paged ids %v\nwant       %v", got, want)
				}
			})
		}
	}
	t.Run("ChangesBetweenPages", func(t *testing.T) {
		// A device removed from a later page and one added before the
		// cursor shift offsets, not keys: nothing is repeated or skipped.
		all, _, _ := s.FindDevices(ctx, domain.DeviceFilter{})
		victim := all[len(all)-3].ID
		seen := walk(t, list, domain.DeviceFilter{}, 10, -1, func(page int) {
			if page == 0 {
				if err := s.DeleteDevice(ctx, victim); err != nil {
					t.Fatal(err)
				}
				mustCreate(t, s, ctx, map[domain.Field]string{domain.FieldName: "AAA first", domain.FieldSerial: "NEW-1", domain.FieldSite: "north"})
			}
		})
		var want []int64
		for _, d := range all {
			if d.ID != victim {
				want = append(want, d.ID)
			}
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("seen %v\nwant %v", seen, want)
		}
	})
	t.Run("Each", func(t *testing.T) {
		all, _, _ := s.FindDevices(ctx, domain.DeviceFilter{Sort: "-updated"})
		k := domain.KeyOf(all[9], "-updated")
		var got []int64
		err := s.EachDevice(ctx, domain.DeviceFilter{Sort: "-updated", After: &k}, func(d *domain.Device) error {
			got = append(got, d.ID)
			return nil
		})
		if err != nil || len(got) != len(all)-10 || got[0] != all[10].ID {
			t.Fatalf("EachDevice after the 10th: %d devices, %v", len(got), err)
		}
	})
	t.Run("ErrWrongSort", func(t *testing.T) {
		all, _, _ := s.FindDevices(ctx, domain.DeviceFilter{})
		k := domain.KeyOf(all[0], "name")
		_, _, err := s.FindDevices(ctx, domain.DeviceFilter{Sort: "serial", After: &k})
		wantCode(t, err, domain.CodeInvalid)
		k.Values = nil
		_, _, err = s.FindDevices(ctx, domain.DeviceFilter{After: &k})
		wantCode(t, err, domain.CodeInvalid)
	})
}
