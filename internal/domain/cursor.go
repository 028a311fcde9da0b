package domain

import (
	"strings"
	"time"
)

// DeviceKey is a position in a device listing: the sort order and the
// values of its columns for one device, with the device id breaking ties.
// A listing given DeviceFilter.After starts just after that position, so
// paging with the key of each page's last device neither repeats nor skips
// a device, even when devices are added or removed between pages.
type DeviceKey struct {
	Sort   string   `json:"s"`
	Values []string `json:"v,omitempty"`
	ID     int64    `json:"i"`
}

// KeyOf returns d's position in the listing order sort (one of
// DeviceSorts; "" is "name").
func KeyOf(d *Device, sort string) DeviceKey {
	k := DeviceKey{Sort: sortName(sort), ID: d.ID}
	switch strings.TrimPrefix(k.Sort, "-") {
	case "name":
		k.Values = []string{d.Label()}
	case "updated":
		k.Values = []string{d.UpdatedAt.UTC().Format(time.RFC3339Nano)}
	case "category":
		k.Values = []string{string(d.Category), d.Label()}
	case "manufacturer":
		k.Values = []string{d.Manufacturer, d.Label()}
	case "asset_tag":
		k.Values = []string{d.AssetTag}
	case "serial":
		k.Values = []string{d.Serial}
	}
	return k
}

// Check reports whether the key fits the listing order sort: a key taken in
// one order means nothing in another.
func (k DeviceKey) Check(sort string) error {
	probe := KeyOf(&Device{}, sort)
	if k.Sort != probe.Sort || len(k.Values) != len(probe.Values) || k.ID <= 0 {
		return Errorf(CodeInvalid, "the cursor does not belong to the sort order %q; start again without it", probe.Sort)
	}
	if strings.TrimPrefix(k.Sort, "-") == "updated" {
		if _, err := time.Parse(time.RFC3339Nano, k.Values[0]); err != nil {
			return Errorf(CodeInvalid, "the cursor is damaged; start again without it")
		}
	}
	return nil
}

func sortName(s string) string {
	if s == "" {
		return "name"
	}
	return s
}
