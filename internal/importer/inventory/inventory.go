// Package inventory reads an inventory file of any supported format into
// validated import records: it detects the format, dispatches to the
// format's reader, maps the header and builds the records. The CLI and the
// console's import page both use it, so a file means the same everywhere.
package inventory

import (
	"bufio"
	"fmt"
	"io"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/inventorycsv"
	"github.com/vigil-med/vigil/internal/importer/inventoryjson"
	"github.com/vigil-med/vigil/internal/importer/xlsx"
)

// Options say how to read a file.
type Options struct {
	Sheet     string            // XLSX: the worksheet (default the first)
	Overrides map[string]string // column header → canonical field, or "-" to ignore
	Parse     domain.ParseOptions
}

// Prepared is a file read into records.
type Prepared struct {
	Table    *importer.Table
	Records  []domain.ImportRecord // the valid rows
	Problems []domain.Problem      // every row problem, located
	Warnings []string              // notes that reject nothing
}

// Read detects the format of the file called name and parses it.
func Read(name string, r io.Reader, sheet string) (*importer.Table, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(512)
	format, err := importer.Detect(name, head)
	if err != nil {
		return nil, err
	}
	switch format {
	case importer.FormatXLSX:
		return xlsx.ReadSheet(name, br, sheet)
	case importer.FormatJSON:
		return inventoryjson.Read(name, br)
	}
	return inventorycsv.Read(name, br)
}

// Prepare reads the file and builds its records. A header that cannot be
// read as an inventory is an error (CodeInvalid, with its problems); row
// problems are returned for the caller to report or skip.
func Prepare(name string, r io.Reader, opt Options) (*Prepared, error) {
	t, err := Read(name, r, opt.Sheet)
	if err != nil {
		return nil, err
	}
	mapping, problems, warnings := importer.MapHeader(t, opt.Overrides)
	p := &Prepared{Table: t, Warnings: append(append([]string(nil), t.Warnings...), warnings...)}
	if len(problems) > 0 {
		return p, &domain.Error{Code: domain.CodeInvalid, Problems: problems,
			Message: fmt.Sprintf("%s: the header cannot be read as an inventory; nothing was imported", t.File)}
	}
	p.Records, p.Problems = importer.Build(t, mapping, opt.Parse)
	return p, nil
}

// RowsWithProblems counts the distinct rows the problems name.
func RowsWithProblems(ps []domain.Problem) int {
	rows := map[int]bool{}
	for _, p := range ps {
		rows[p.Row] = true
	}
	return len(rows)
}
