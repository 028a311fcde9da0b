package inventorycsv

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// Writer writes devices as a comma-separated inventory file: a header of
// canonical field names (domain.FieldNames), then one line per device with
// each field's canonical text (Device.Get). Read, MapHeader and Build give
// the same devices back. Values a spreadsheet would run as formulas are
// escaped (importer.EscapeCell) and unescaped again by Read.
type Writer struct {
	// BOM, set before the first Write, starts the file with a UTF-8 byte
	// order mark so that Excel opens accented text correctly.
	BOM bool

	w      io.Writer
	cw     *csv.Writer
	fields []string
	rec    []string
	header bool
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer {
	names := domain.FieldNames()
	return &Writer{w: w, cw: csv.NewWriter(w), fields: names, rec: make([]string, len(names))}
}

func (w *Writer) writeHeader() error {
	if w.header {
		return nil
	}
	w.header = true
	if w.BOM {
		if _, err := io.WriteString(w.w, "\uFEFF"); err != nil {
			return fmt.Errorf("inventorycsv: write: %w", err)
		}
	}
	if err := w.cw.Write(w.fields); err != nil {
		return fmt.Errorf("inventorycsv: write: %w", err)
	}
	return nil
}

// Write writes one device, after the header if it is the first.
func (w *Writer) Write(d *domain.Device) error {
	if err := w.writeHeader(); err != nil {
		return err
	}
	for i, f := range w.fields {
		w.rec[i] = importer.EscapeCell(d.Get(domain.Field(f)))
	}
	if err := w.cw.Write(w.rec); err != nil {
		return fmt.Errorf("inventorycsv: write: %w", err)
	}
	return nil
}

// Flush writes any buffered data (and the header, for an empty export) to
// the underlying writer and reports any error so far.
func (w *Writer) Flush() error {
	if err := w.writeHeader(); err != nil {
		return err
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("inventorycsv: write: %w", err)
	}
	return nil
}
