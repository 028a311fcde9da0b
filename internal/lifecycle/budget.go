package lifecycle

import (
	"cmp"
	"slices"

	"github.com/vigil-med/vigil/internal/domain"
)

// Dimension is how a budget's rows are grouped.
type Dimension string

// Budget dimensions.
const (
	ByYear       Dimension = "year"
	BySite       Dimension = "site"
	ByDepartment Dimension = "department"
	ByCategory   Dimension = "category"
)

// ParseDimension checks a dimension name.
func ParseDimension(s string) (Dimension, error) {
	switch Dimension(s) {
	case ByYear, BySite, ByDepartment, ByCategory:
		return Dimension(s), nil
	case "":
		return ByYear, nil
	}
	return "", domain.Errorf(domain.CodeInvalid, "cannot group by %q (use year, site, department or category)", s)
}

// BudgetOptions shape a replacement budget.
type BudgetOptions struct {
	FromYear int       // the first budget year; replacements already overdue fall in it
	Years    int       // how many years
	By       Dimension // row grouping; ByYear gives one "all devices" row
	// EscalationBP is a yearly price rise in basis points (300 = 3 %),
	// applied from FromYear, compounded, rounded to cents per device.
	EscalationBP int
}

// BudgetRow is one group's spending per year.
type BudgetRow struct {
	Key     string  `json:"key"`
	Cents   []int64 `json:"cents"`   // one per year
	Devices []int   `json:"devices"` // how many replacements per year
	Total   int64   `json:"total_cents"`
}

// Budget is a multi-year replacement budget in one currency.
type Budget struct {
	Currency    string      `json:"currency"`
	By          Dimension   `json:"by"`
	Years       []int       `json:"years"`
	Rows        []BudgetRow `json:"rows"`
	YearTotals  []int64     `json:"year_totals_cents"`
	YearDevices []int       `json:"year_devices"`
	Total       int64       `json:"total_cents"`
	// Later are replacements due after the last budget year.
	Later []Due `json:"later"`
	// Unknown lists devices without dates to plan from, apart.
	Unknown []Due `json:"unknown"`
	// NoCost lists devices in the budget years whose cost is unknown.
	NoCost []Due `json:"no_cost"`
	// OtherCurrency lists devices priced in another currency, not summed.
	OtherCurrency []Due `json:"other_currency"`
}

// MakeBudget sums replacement costs by year and group. The currency is the
// one most devices are priced in.
func MakeBudget(items []Due, o BudgetOptions) *Budget {
	if o.Years <= 0 {
		o.Years = 5
	}
	if o.By == "" {
		o.By = ByYear
	}
	b := &Budget{By: o.By, Currency: mainCurrency(items), YearTotals: make([]int64, o.Years), YearDevices: make([]int, o.Years),
		Rows: []BudgetRow{}, Later: []Due{}, Unknown: []Due{}, NoCost: []Due{}, OtherCurrency: []Due{}}
	for i := range o.Years {
		b.Years = append(b.Years, o.FromYear+i)
	}
	rows := map[string]*BudgetRow{}
	for _, it := range items {
		if it.Basis == BasisUnknown {
			b.Unknown = append(b.Unknown, it)
			continue
		}
		y := max(it.DueOn.Year-o.FromYear, 0)
		if y >= o.Years {
			b.Later = append(b.Later, it)
			continue
		}
		if it.CostSource == "" {
			b.NoCost = append(b.NoCost, it)
		}
		if it.Currency != b.Currency {
			b.OtherCurrency = append(b.OtherCurrency, it)
			continue
		}
		key := groupKey(it, o.By)
		r := rows[key]
		if r == nil {
			r = &BudgetRow{Key: key, Cents: make([]int64, o.Years), Devices: make([]int, o.Years)}
			rows[key] = r
		}
		c := Escalate(it.CostCents, o.EscalationBP, y)
		r.Cents[y] += c
		r.Devices[y]++
		r.Total += c
		b.YearTotals[y] += c
		b.YearDevices[y]++
		b.Total += c
	}
	for _, r := range rows {
		b.Rows = append(b.Rows, *r)
	}
	slices.SortFunc(b.Rows, func(a, c BudgetRow) int { return cmp.Compare(a.Key, c.Key) })
	return b
}

func groupKey(it Due, by Dimension) string {
	var k string
	switch by {
	case BySite:
		k = it.Site
	case ByDepartment:
		k = it.Department
	case ByCategory:
		k = it.Category
	default:
		return "all devices"
	}
	if k == "" {
		return "(none)"
	}
	return k
}

func mainCurrency(items []Due) string {
	n := map[string]int{}
	best, bestN := "USD", 0
	for _, it := range items {
		n[it.Currency]++
		if n[it.Currency] > bestN || (n[it.Currency] == bestN && it.Currency < best) {
			best, bestN = it.Currency, n[it.Currency]
		}
	}
	return best
}
