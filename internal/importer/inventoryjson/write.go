package inventoryjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vigil-med/vigil/internal/domain"
)

// Writer streams devices as a JSON array, one indented object per device
// (see device for the form). Read, MapHeader and Build give the same
// devices back.
type Writer struct {
	w      io.Writer
	buf    bytes.Buffer
	enc    *json.Encoder
	n      int
	closed bool
}

// NewWriter returns a Writer to w. Close writes the closing bracket.
func NewWriter(w io.Writer) *Writer {
	jw := &Writer{w: w}
	jw.enc = json.NewEncoder(&jw.buf)
	jw.enc.SetEscapeHTML(false)
	jw.enc.SetIndent("  ", "  ")
	return jw
}

// Write writes one device.
func (w *Writer) Write(d *domain.Device) error {
	if w.closed {
		return fmt.Errorf("inventoryjson: write after close")
	}
	w.buf.Reset()
	if w.n == 0 {
		w.buf.WriteString("[\n  ")
	} else {
		w.buf.WriteString(",\n  ")
	}
	if err := w.enc.Encode(fromDomain(d)); err != nil {
		return fmt.Errorf("inventoryjson: encode device: %w", err)
	}
	w.buf.Truncate(w.buf.Len() - 1) // Encode's newline; the separator adds its own
	w.n++
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("inventoryjson: write: %w", err)
	}
	return nil
}

// Close ends the array. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	end := "\n]\n"
	if w.n == 0 {
		end = "[]\n"
	}
	if _, err := io.WriteString(w.w, end); err != nil {
		return fmt.Errorf("inventoryjson: write: %w", err)
	}
	return nil
}
