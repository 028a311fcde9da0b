package demo

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// squash keeps only letters and digits, lowercased, with umlauts folded
// both ways people write them ("Dräger", "Draeger" → "drager").
func squash(s string) string {
	s = strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ae", "a", "Ae", "a", "AE", "a").Replace(s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Ensure every MAC prefix the demo gives a vendor is registered to that
// vendor (or a company the alias table folds into it) in the IEEE registry.
func TestVendorOUIsAreRegistered(t *testing.T) {
	f, err := os.Open(vigiltest.SharedData(t, "oui/oui.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	org := map[string]string{}
	for _, r := range rows[1:] {
		org[strings.ToLower(r[1])] = r[2]
	}
	checked := 0
	for _, v := range vendors {
		if v.oui == "" {
			continue
		}
		name, ok := org[strings.ReplaceAll(v.oui, ":", "")]
		if !ok {
			t.Errorf("%s: OUI %s is not in the IEEE registry", v.name, v.oui)
			continue
		}
		first := squash(strings.Fields(v.name)[0])
		if domain.CanonicalVendorName(name) != v.name && !strings.Contains(squash(name), first) {
			t.Errorf("%s: OUI %s is registered to %q", v.name, v.oui, name)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d vendor OUIs checked", checked)
	}
}
