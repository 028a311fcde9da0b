// Package lifecycle computes when a practice's devices fall out of vendor
// support, what replacing them will cost year by year, and how quickly
// vendors' updates reach the devices (docs/lifecycle.md). It works on domain
// types and reaches data only through the store interfaces.
package lifecycle

import (
	"cmp"
	"encoding/json"
	"math/big"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Basis says why a device is due for replacement on its date.
type Basis string

// Bases.
const (
	BasisEndOfSupport Basis = "end-of-support" // the manufacturer's end-of-support date
	BasisServiceLife  Basis = "service-life"   // install (else purchase) date + the model's service life
	BasisUnknown      Basis = "unknown"        // neither is known
)

// Due is one device's replacement: when and at what cost.
type Due struct {
	DeviceID     int64  `json:"device_id"`
	Device       string `json:"device"`
	Site         string `json:"site"`
	Department   string `json:"department"`
	Category     string `json:"category"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	Serial       string `json:"serial"`
	Firmware     string `json:"firmware"`

	EndOfSupport domain.Date `json:"-"`
	DueOn        domain.Date `json:"-"`
	Basis        Basis       `json:"basis"`
	CostCents    int64       `json:"cost_cents"`
	Currency     string      `json:"currency"`
	CostSource   string      `json:"cost_source"` // "device", "model" or "" when unknown
}

// AddYears adds whole years to a calendar date. A 29 February lands on 28
// February in a year without one (the end of the same month, never the
// next month as time.AddDate would give).
func AddYears(d domain.Date, years int) domain.Date {
	y := d.Year + years
	day := d.Day
	if last := time.Date(y, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day(); day > last {
		day = last
	}
	return domain.Date{Year: y, Month: d.Month, Day: day}
}

// DueDate returns when a device is due for replacement: the model's end of
// support, or its install date (else purchase date) plus the model's
// service life, whichever comes first.
func DueDate(d *domain.Device, m *domain.Model) (domain.Date, Basis) {
	var eos, life domain.Date
	if m != nil {
		eos = m.EndOfSupport
		start := d.InstallDate
		if start.IsZero() {
			start = d.PurchaseDate
		}
		if !start.IsZero() && m.ServiceLifeYears > 0 {
			life = AddYears(start, m.ServiceLifeYears)
		}
	}
	switch {
	case eos.IsZero() && life.IsZero():
		return domain.Date{}, BasisUnknown
	case life.IsZero() || (!eos.IsZero() && !life.Before(eos)):
		return eos, BasisEndOfSupport
	default:
		return life, BasisServiceLife
	}
}

// Items works out every device's replacement. models is indexed by id;
// overrides holds per-device replacement costs. Retired and disposed
// devices are left out.
func Items(devices []*domain.Device, models map[int64]*domain.Model, overrides map[int64]int64) []Due {
	out := make([]Due, 0, len(devices))
	for _, d := range devices {
		if d.Lifecycle == domain.Lifecycle("retired") || d.Lifecycle == domain.Lifecycle("disposed") {
			continue
		}
		m := models[d.ModelID]
		due := Due{DeviceID: d.ID, Device: d.Label(), Site: d.Site, Department: d.Department, Category: string(d.Category),
			Manufacturer: d.Manufacturer, Model: d.Model, Serial: d.Serial, Firmware: d.Firmware, Currency: "USD"}
		due.DueOn, due.Basis = DueDate(d, m)
		if m != nil {
			due.EndOfSupport = m.EndOfSupport
			if m.Currency != "" {
				due.Currency = m.Currency
			}
			if m.ReplacementCostCents > 0 {
				due.CostCents, due.CostSource = m.ReplacementCostCents, "model"
			}
		}
		if c, ok := overrides[d.ID]; ok {
			due.CostCents, due.CostSource = c, "device"
		}
		out = append(out, due)
	}
	slices.SortStableFunc(out, func(a, b Due) int {
		if c := cmp.Compare(a.DueOn.String(), b.DueOn.String()); c != 0 {
			return c
		}
		return cmp.Compare(a.DeviceID, b.DeviceID)
	})
	return out
}

// MonthsAhead returns the date months after today, clamped to the end of a
// shorter month (31 August + 6 months = 28 or 29 February).
func MonthsAhead(today domain.Date, months int) domain.Date {
	t := time.Date(today.Year, today.Month+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return domain.Date{Year: t.Year(), Month: t.Month(), Day: min(today.Day, last)}
}

// Horizon groups devices by when their manufacturer support ends.
type Horizon struct {
	Past     []Due `json:"past"`      // already out of support
	Within6  []Due `json:"within_6"`  // within 6 months of today
	Within12 []Due `json:"within_12"` // 6–12 months
	Within24 []Due `json:"within_24"` // 12–24 months
}

// EndOfSupport sorts the devices with a known end of support into the
// horizons that end 6, 12 and 24 months after today (each a half-open
// range: a date exactly 6 months ahead is in the 6–12 group).
func EndOfSupport(items []Due, today domain.Date) Horizon {
	var h Horizon
	m6, m12, m24 := MonthsAhead(today, 6), MonthsAhead(today, 12), MonthsAhead(today, 24)
	for _, it := range items {
		e := it.EndOfSupport
		switch {
		case e.IsZero():
		case e.Before(today):
			h.Past = append(h.Past, it)
		case e.Before(m6):
			h.Within6 = append(h.Within6, it)
		case e.Before(m12):
			h.Within12 = append(h.Within12, it)
		case e.Before(m24):
			h.Within24 = append(h.Within24, it)
		}
	}
	return h
}

// Within returns the devices whose end of support is before today + months
// (including those already past it).
func Within(items []Due, today domain.Date, months int) []Due {
	limit := MonthsAhead(today, months)
	var out []Due
	for _, it := range items {
		if !it.EndOfSupport.IsZero() && it.EndOfSupport.Before(limit) {
			out = append(out, it)
		}
	}
	return out
}

// Alert is a warning ahead of (or after) a device's end of support.
type Alert struct {
	Due
	DaysLeft int    `json:"days_left"` // negative once support has ended
	Message  string `json:"message"`
}

// Alerts warns about every device whose end of support is within leadDays
// of today or already past, soonest first.
func Alerts(items []Due, today domain.Date, leadDays int) []Alert {
	var out []Alert
	for _, it := range items {
		if it.EndOfSupport.IsZero() {
			continue
		}
		days := int(it.EndOfSupport.Time().Sub(today.Time()).Hours() / 24)
		if days > leadDays {
			continue
		}
		a := Alert{Due: it, DaysLeft: days}
		switch {
		case days < 0:
			a.Message = it.Device + ": manufacturer support ended on " + it.EndOfSupport.String()
		case days == 0:
			a.Message = it.Device + ": manufacturer support ends today"
		default:
			a.Message = it.Device + ": manufacturer support ends on " + it.EndOfSupport.String()
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Alert) int { return cmp.Compare(a.DaysLeft, b.DaysLeft) })
	return out
}

// Escalate applies a yearly price rise of bp basis points (1/100 of a
// percent) over years years, compounded, and rounds the result once to
// whole cents, halves away from zero. Exact integer arithmetic: no
// floating-point drift however many years.
func Escalate(cents int64, bp, years int) int64 {
	if bp == 0 || years <= 0 {
		return cents
	}
	num := new(big.Int).Mul(big.NewInt(cents), new(big.Int).Exp(big.NewInt(int64(10000+bp)), big.NewInt(int64(years)), nil))
	den := new(big.Int).Exp(big.NewInt(10000), big.NewInt(int64(years)), nil)
	return RoundDiv(num, den).Int64()
}

// RoundDiv divides and rounds half away from zero.
func RoundDiv(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r2 := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if r2.Cmp(new(big.Int).Abs(den)) >= 0 {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// FormatCents renders cents as "12,345.67".
func FormatCents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	whole, frac := c/100, c%100
	s := itoa(whole)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	out := string(b) + "." + string([]byte{byte('0' + frac/10), byte('0' + frac%10)})
	if neg {
		return "-" + out
	}
	return out
}

func itoa(n int64) string { return big.NewInt(n).String() }

// MarshalJSON writes the dates as YYYY-MM-DD ("" when unknown).
func (d Due) MarshalJSON() ([]byte, error) {
	type plain Due
	return json.Marshal(struct {
		plain
		EndOfSupport string `json:"end_of_support"`
		DueOn        string `json:"due_on"`
	}{plain(d), d.EndOfSupport.String(), d.DueOn.String()})
}

// MarshalJSON keeps the alert's own fields beside the device's.
func (a Alert) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Due      Due    `json:"device"`
		DaysLeft int    `json:"days_left"`
		Message  string `json:"message"`
	}{a.Due, a.DaysLeft, a.Message})
}
