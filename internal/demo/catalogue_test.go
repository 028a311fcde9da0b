package demo

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// registry reads the IEEE MA-L, MA-M and MA-S registries as assignment →
// organisation name, with runs of spaces folded.
func registry(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, name := range []string{"oui/oui.csv", "oui/mam.csv", "oui/oui36.csv"} {
		f, err := os.Open(vigiltest.SharedData(tb, name))
		if err != nil {
			tb.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		for _, r := range rows[1:] {
			out[strings.ToUpper(r[1])] = strings.Join(strings.Fields(r[2]), " ")
		}
	}
	return out
}

// Ensure every assignment the demo draws MACs from belongs to the
// organisation the table names, according to the IEEE registry.
func TestOUIsAreRegistered(t *testing.T) {
	reg := registry(t)
	for name, o := range ouis {
		if got := reg[o.prefix]; got != o.owner {
			t.Errorf("%s: %s is registered to %q, the table says %q", name, o.prefix, got, o.owner)
		}
	}
}

// Ensure every generated MAC is either in its model's registered
// assignment or locally administered, and never multicast.
func TestDeviceMACs(t *testing.T) {
	batch, err := buildDevices(7)
	if err != nil {
		t.Fatal(err)
	}
	spec := map[string]modelSpec{}
	for _, m := range models {
		spec[m.model] = m
	}
	var local, registered int
	for _, r := range batch.Records {
		d := r.Device
		for _, mac := range d.MACs {
			hex := strings.ToUpper(strings.ReplaceAll(mac, ":", ""))
			first := hex[:2]
			var b byte
			for _, c := range first {
				b = b<<4 | byte(strings.IndexRune("0123456789ABCDEF", c))
			}
			if b&1 != 0 {
				t.Errorf("row %d: %s is a multicast address", r.Row, mac)
			}
			want := spec[d.Model].oui
			if want == "" {
				local++
				if b&2 == 0 {
					t.Errorf("row %d (%s %s): %s is not locally administered", r.Row, d.Manufacturer, d.Model, mac)
				}
				continue
			}
			registered++
			if !strings.HasPrefix(hex, ouis[want].prefix) {
				t.Errorf("row %d (%s %s): %s is outside %s", r.Row, d.Manufacturer, d.Model, mac, ouis[want].prefix)
			}
		}
	}
	if registered < local*3 {
		t.Errorf("%d registered and %d locally administered addresses; most makers have an assignment", registered, local)
	}
}

// Ensure every vendor in the table is used by a model, under its canonical
// name, and that every placement names a real model and site.
func TestTables(t *testing.T) {
	used := map[string]bool{}
	for _, m := range models {
		used[domain.VendorKey(domain.CanonicalVendorName(m.manufacturer))] = true
	}
	for _, v := range vendors {
		if domain.CanonicalVendorName(v.name) != v.name {
			t.Errorf("vendor %q is not canonical (%q)", v.name, domain.CanonicalVendorName(v.name))
		}
		if !used[domain.VendorKey(v.name)] {
			t.Errorf("vendor %q makes no model", v.name)
		}
	}
	placed := map[string]bool{}
	for _, p := range placements {
		placed[p.model] = true
	}
	for _, m := range models {
		if !placed[m.key] {
			t.Errorf("model %q is never placed", m.key)
		}
	}
	if _, err := buildDevices(0); err != nil {
		t.Fatal(err)
	}
}
