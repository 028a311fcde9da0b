package xlsx

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

// SheetName is the name of the sheet the Writer writes.
const SheetName = "Devices"

// textFormat is the built-in number format "@" (Text), so that what a
// user types into an exported sheet stays text ("00123" keeps its zeros).
const textFormat = 49

// Writer writes devices as a workbook with one sheet: a bold, frozen header
// of canonical field names, then one row per device with every value a
// text cell (Device.Get). Rows stream through excelize's StreamWriter,
// which spools the sheet to a temporary file past 16 MiB, so memory stays
// bounded however many devices are written; Close assembles the zip
// (compressed) in memory and writes it out. Read, MapHeader and Build give
// the same devices back.
type Writer struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	fields []string
	vals   []any
	row    int
	closed bool
}

// NewWriter returns a Writer that writes the workbook to w on Close.
func NewWriter(w io.Writer) (*Writer, error) {
	f := excelize.NewFile()
	fail := func(err error) (*Writer, error) {
		_ = f.Close()
		return nil, fmt.Errorf("xlsx: new writer: %w", err)
	}
	if err := f.SetSheetName(f.GetSheetName(0), SheetName); err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return fail(err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: textFormat})
	if err != nil {
		return fail(err)
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: textFormat, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	names := domain.FieldNames()
	n := len(names)
	if err := sw.SetColWidth(1, n, 18); err != nil {
		return fail(err)
	}
	if err := sw.SetColStyle(1, n, text); err != nil {
		return fail(err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	header := make([]any, n)
	for i, name := range names {
		header[i] = excelize.Cell{StyleID: bold, Value: name}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fail(err)
	}
	return &Writer{out: w, f: f, sw: sw, fields: names, vals: make([]any, n), row: 1}, nil
}

// Write adds one device as the next row.
func (w *Writer) Write(d *domain.Device) error {
	if w.closed {
		return fmt.Errorf("xlsx: write after close")
	}
	for i, f := range w.fields {
		if v := d.Get(domain.Field(f)); v != "" {
			w.vals[i] = v
		} else {
			w.vals[i] = nil
		}
	}
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return fmt.Errorf("xlsx: write row %d: %w", w.row, err)
	}
	if err := w.sw.SetRow(cell, w.vals); err != nil {
		return fmt.Errorf("xlsx: write row %d: %w", w.row, err)
	}
	return nil
}

// Close finishes the workbook, writes it to the underlying writer and
// removes excelize's temporary files.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	defer w.f.Close()
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: finish sheet: %w", err)
	}
	if err := w.f.Write(w.out); err != nil {
		return fmt.Errorf("xlsx: write workbook: %w", err)
	}
	return w.f.Close()
}
