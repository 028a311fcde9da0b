package lifecycle

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

// budgetTable is the budget as rows of cells: a header, one row per group,
// a total row. Amounts are decimal strings ("1234.56") so spreadsheets and
// scripts read them exactly.
func budgetTable(b *Budget) [][]string {
	head := []string{string(b.By)}
	for _, y := range b.Years {
		head = append(head, strconv.Itoa(y))
	}
	head = append(head, "total", "currency")
	out := [][]string{head}
	row := func(key string, cents []int64, total int64) {
		r := []string{key}
		for _, c := range cents {
			r = append(r, Decimal(c))
		}
		out = append(out, append(r, Decimal(total), b.Currency))
	}
	for _, r := range b.Rows {
		row(r.Key, r.Cents, r.Total)
	}
	row("total", b.YearTotals, b.Total)
	return out
}

// Decimal renders cents as a plain decimal ("-1234.05").
func Decimal(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// WriteBudgetCSV writes the budget as CSV.
func WriteBudgetCSV(w io.Writer, b *Budget) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(budgetTable(b)); err != nil {
		return domain.Internal(err, "cannot write the budget")
	}
	return nil
}

// WriteBudgetXLSX writes the budget as a spreadsheet: a "Budget" sheet with
// amounts as numbers in a currency format, and a "Devices" sheet listing
// each replacement (including the ones without dates).
func WriteBudgetXLSX(w io.Writer, b *Budget, items []Due) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Budget"
	f.SetSheetName("Sheet1", sheet)
	style, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return domain.Internal(err, "cannot write the budget")
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for i, row := range budgetTable(b) {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if i > 0 && j > 0 && j < len(row)-1 {
				n, _ := strconv.ParseFloat(v, 64)
				f.SetCellFloat(sheet, cell, n, 2, 64)
				f.SetCellStyle(sheet, cell, cell, style)
				continue
			}
			f.SetCellStr(sheet, cell, v)
			if i == 0 {
				f.SetCellStyle(sheet, cell, cell, bold)
			}
		}
	}
	f.SetColWidth(sheet, "A", "A", 28)
	const dev = "Devices"
	f.NewSheet(dev)
	head := []string{"device", "site", "department", "category", "manufacturer", "model", "serial", "due", "basis", "cost", "currency", "cost from"}
	f.SetSheetRow(dev, "A1", &head)
	for i, it := range items {
		row := []any{it.Device, it.Site, it.Department, it.Category, it.Manufacturer, it.Model, it.Serial, it.DueOn.String(), string(it.Basis),
			float64(it.CostCents) / 100, it.Currency, it.CostSource}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow(dev, cell, &row)
	}
	if _, err := f.WriteTo(w); err != nil {
		return domain.Internal(err, "cannot write the spreadsheet")
	}
	return nil
}

// NotificationRow is one affected device in a vendor notification.
type NotificationRow struct {
	Model    string `json:"model"`
	Serial   string `json:"serial"`
	Firmware string `json:"firmware"`
	Site     string `json:"site"`
}

// Notification is what to send a vendor about an advisory or a problem.
type Notification struct {
	Vendor  string            `json:"vendor"`
	To      string            `json:"to"`
	Subject string            `json:"subject"`
	Problem string            `json:"problem"`
	Rows    []NotificationRow `json:"devices"`
}

// NewNotification lists the vendor's devices (of one model when model is
// not empty) for a message about problem.
func NewNotification(v *domain.Vendor, devices []*domain.Device, model, problem string) *Notification {
	n := &Notification{Vendor: v.Name, To: v.PSIRTEmail, Problem: strings.TrimSpace(problem)}
	if n.To == "" {
		n.To = v.SecurityContact
	}
	for _, d := range devices {
		if d.VendorID != v.ID || (model != "" && !strings.EqualFold(d.Model, model)) {
			continue
		}
		n.Rows = append(n.Rows, NotificationRow{Model: d.Model, Serial: d.Serial, Firmware: d.Firmware, Site: d.Site})
	}
	sort.SliceStable(n.Rows, func(i, j int) bool {
		a, b := n.Rows[i], n.Rows[j]
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		return a.Serial < b.Serial
	})
	what := "your devices"
	if model != "" {
		what = model
	}
	n.Subject = fmt.Sprintf("Security question about %s (%d devices)", what, len(n.Rows))
	return n
}

// WriteCSV writes the affected devices as CSV.
func (n *Notification) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"model", "serial", "firmware", "site"})
	for _, r := range n.Rows {
		cw.Write([]string{r.Model, r.Serial, r.Firmware, r.Site})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return domain.Internal(err, "cannot write the device list")
	}
	return nil
}

// Text renders a ready-to-send message.
func (n *Notification) Text(practice string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "To: %s\nSubject: %s\n\nDear %s product security team,\n\n", orNone(n.To), n.Subject, n.Vendor)
	if n.Problem != "" {
		fmt.Fprintf(&b, "We are writing about the following issue:\n\n  %s\n\n", strings.ReplaceAll(n.Problem, "\n", "\n  "))
	}
	fmt.Fprintf(&b, "%s operates the following %d device(s) of yours that may be affected:\n\n", practice, len(n.Rows))
	for _, r := range n.Rows {
		fmt.Fprintf(&b, "  - %s, serial %s, firmware %s, site %s\n", r.Model, orNone(r.Serial), orNone(r.Firmware), r.Site)
	}
	b.WriteString("\nPlease tell us whether these devices are affected, which firmware or configuration fixes it, " +
		"whether it has been validated for clinical use, and any interim mitigations you recommend.\n\nKind regards,\n")
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

// Notify prepares a notification about the tenant's devices of vendor v.
func (s *Service) Notify(ctx context.Context, v *domain.Vendor, model, problem string) (*Notification, error) {
	var devs []*domain.Device
	if err := s.Store.EachDevice(ctx, domain.DeviceFilter{VendorID: v.ID}, func(d *domain.Device) error {
		devs = append(devs, d)
		return nil
	}); err != nil {
		return nil, err
	}
	return NewNotification(v, devs, model, problem), nil
}
