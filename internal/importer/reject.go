package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// WriteRejects writes the rows of t that have problems as a CSV file the
// user can fix and import again: the original header plus an "error"
// column, then one line per rejected row with its original cells and all
// of its problems. Problems that belong to no row (header problems) are not
// written. The file starts with a UTF-8 byte order mark so spreadsheet
// programs read accented names correctly, and cells that a spreadsheet
// would run as formulas are escaped as the CSV export escapes them.
func WriteRejects(w io.Writer, t *Table, problems []domain.Problem) error {
	byRow := map[int][]string{}
	for _, p := range problems {
		if p.Row <= 0 {
			continue
		}
		msg := p.Message
		if p.Location != "" {
			msg = p.Location + ": " + msg
		}
		byRow[p.Row] = append(byRow[p.Row], msg)
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("importer: write rejects: %w", err)
	}
	cw := csv.NewWriter(w)
	header := append(slices.Clone(t.Header), "error")
	if err := cw.Write(escapeAll(header)); err != nil {
		return fmt.Errorf("importer: write rejects: %w", err)
	}
	done := map[int]bool{}
	line := make([]string, len(t.Header)+1)
	for _, r := range t.Rows {
		msgs, ok := byRow[r.Line]
		if !ok || done[r.Line] {
			continue
		}
		done[r.Line] = true
		for col := range t.Header {
			line[col] = EscapeCell(r.Cell(col))
		}
		line[len(t.Header)] = EscapeCell(strings.Join(msgs, "\n"))
		if err := cw.Write(line); err != nil {
			return fmt.Errorf("importer: write rejects: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("importer: write rejects: %w", err)
	}
	return nil
}

func escapeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = EscapeCell(c)
	}
	return out
}

// EscapeCell protects a value written to a CSV file from being run as a
// formula by a spreadsheet program ("CSV injection"): a value that starts
// with =, +, -, @, a tab or a carriage return gets an apostrophe in front,
// as does one that already starts with an apostrophe followed by one of
// those or by another apostrophe. UnescapeCell undoes it exactly, so an
// export re-imports unchanged; a hand-written value such as "'Til" is left
// alone by both.
func EscapeCell(s string) string {
	if needsEscape(s) || (len(s) > 1 && s[0] == '\'' && (needsEscape(s[1:]) || s[1] == '\'')) {
		return "'" + s
	}
	return s
}

// UnescapeCell reverses EscapeCell.
func UnescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && (needsEscape(s[1:]) || s[1] == '\'') {
		return s[1:]
	}
	return s
}

func needsEscape(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// FormatProblems renders problems one per line, "location: field: message".
func FormatProblems(problems []domain.Problem) string {
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Invalid returns nil when there are no problems, else a domain.Error with
// code CodeInvalid that carries them all; its message counts them and quotes
// the first.
func Invalid(file string, problems []domain.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s: %s", file, problems[0])
	if strings.HasPrefix(problems[0].Location, file) {
		msg = problems[0].String()
	}
	if n := len(problems); n > 1 {
		msg += fmt.Sprintf(" (and %d more problem%s)", n-1, Plural(n-1))
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: msg, Problems: problems}
}
