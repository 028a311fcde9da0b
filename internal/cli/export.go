package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/inventory"
	"github.com/vigil-med/vigil/internal/importer/inventorycsv"
	"github.com/vigil-med/vigil/internal/importer/inventoryjson"
	"github.com/vigil-med/vigil/internal/importer/xlsx"
)

// importOptions are the flags of `vigil import inventory`.
type importOptions struct {
	dryRun, skipInvalid, dayFirst bool
	maps                          []string
	site, sheet, rejects          string
}

func (a *app) importCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import data from files: inventories (CSV, XLSX, JSON)"}
	var o importOptions
	inv := &cobra.Command{
		Use:   "inventory FILE",
		Short: "Import an asset list or CMMS export (CSV, XLSX or JSON) into the practice's inventory",
		Long: `Import an inventory spreadsheet. Columns are recognised by their headers —
the canonical names (see docs/inventory-format.md) and the names asset lists
and CMMS exports use ("Asset #", "Mfr", "Serial No.", "IP Addr", "MAC"…); use
--map to name others. Rows are matched to existing devices by Vigil ID,
serial number, asset tag or MAC, so importing the same file again changes
nothing; an empty cell leaves the device's value alone.

The import is all or nothing: if any row is invalid, every problem is listed
as file:line:column and nothing is written. --skip-invalid imports the valid
rows and writes the rejected ones, with their reasons, to a reject file.`,
		Example: `  vigil import inventory assets.xlsx --dry-run
  vigil import inventory cmms-export.csv --map "Equip Desc=name" --map "Cost Center=-"
  vigil import inventory assets.csv --skip-invalid --site main-clinic`,
		Args: exactArgs(1, "the FILE to import"),
		RunE: func(cmd *cobra.Command, args []string) error { return a.importInventory(cmd, args[0], o) },
	}
	fl := inv.Flags()
	fl.BoolVar(&o.dryRun, "dry-run", false, "show what would change and write nothing")
	fl.BoolVar(&o.skipInvalid, "skip-invalid", false, "import the valid rows and write the others to a reject file")
	fl.StringArrayVar(&o.maps, "map", nil, `map a column to a field: "Column=field", or "Column=-" to ignore it (repeatable)`)
	fl.StringVar(&o.site, "site", "", "site for rows that name none (default: the practice's only site)")
	fl.StringVar(&o.sheet, "sheet", "", "XLSX: the worksheet to read (default: the first)")
	fl.StringVar(&o.rejects, "rejects", "", "where --skip-invalid writes rejected rows (default: FILE.rejects.csv beside the input)")
	fl.BoolVar(&o.dayFirst, "day-first", false, "read numeric dates as day/month/year (default month/day/year)")
	cmd.AddCommand(inv)
	return cmd
}

// parseMaps turns --map values into column → field overrides.
func parseMaps(maps []string) (map[string]string, error) {
	out := map[string]string{}
	for _, m := range maps {
		col, field, ok := strings.Cut(m, "=")
		col, field = strings.TrimSpace(col), strings.TrimSpace(field)
		if !ok || col == "" || field == "" {
			return nil, usagef(`--map %q: use "Column=field" or "Column=-"`, m)
		}
		if _, known := domain.LookupField(field); !known && field != "-" {
			return nil, usagef("--map %q: unknown field %q; fields are: %s", m, field, strings.Join(domain.FieldNames(), ", "))
		}
		out[col] = field
	}
	return out, nil
}

func (a *app) importInventory(cmd *cobra.Command, path string, o importOptions) error {
	overrides, err := parseMaps(o.maps)
	if err != nil {
		return err
	}
	ctx, st, t, err := a.tenantCtx(cmd.Context())
	if err != nil {
		return err
	}
	opt := inventory.Options{Sheet: o.sheet, Overrides: overrides}
	if o.dayFirst {
		opt.Parse.DateOrder = domain.DayFirst
	}
	f, err := os.Open(path)
	if err != nil {
		return domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", path, unwrapPathErr(err))
	}
	prep, err := inventory.Prepare(filepath.Base(path), f, opt)
	f.Close()
	if prep != nil {
		for _, w := range prep.Warnings {
			fmt.Fprintf(a.err, "warning: %s\n", w)
		}
	}
	if err != nil {
		return err
	}
	table, records, problems := prep.Table, prep.Records, prep.Problems
	if len(problems) > 0 && !o.skipInvalid {
		return &domain.Error{Code: domain.CodeInvalid, Problems: problems,
			Message: fmt.Sprintf("%s: %d of %d rows have problems; nothing was imported (fix them, or use --skip-invalid)", table.File, rowsIn(problems), len(table.Rows))}
	}
	bad := map[int]bool{}
	for _, p := range problems {
		bad[p.Row] = true
	}
	valid := records[:0]
	for _, r := range records {
		if !bad[r.Row] {
			valid = append(valid, r)
		}
	}
	res, err := st.ImportDevices(ctx, &domain.ImportBatch{File: table.File, Records: valid, DefaultSite: o.site, DryRun: o.dryRun, SkipInvalid: o.skipInvalid})
	if err != nil {
		return err
	}
	res.Rejected = append(problems, res.Rejected...)
	sort.SliceStable(res.Rejected, func(i, j int) bool { return res.Rejected[i].Row < res.Rejected[j].Row })
	rejectPath := ""
	if len(res.Rejected) > 0 && !o.dryRun {
		rejectPath = o.rejects
		if rejectPath == "" {
			rejectPath = strings.TrimSuffix(path, filepath.Ext(path)) + ".rejects.csv"
		}
		var buf bytes.Buffer
		if err := importer.WriteRejects(&buf, table, res.Rejected); err != nil {
			return domain.Internal(err, "cannot write the reject file")
		}
		if err := os.WriteFile(rejectPath, buf.Bytes(), 0o600); err != nil {
			return domain.Errorf(domain.CodeInvalid, "the import succeeded but the reject file %s cannot be written: %v", rejectPath, unwrapPathErr(err))
		}
	}
	if a.json {
		return a.printJSON(res)
	}
	a.printImport(res, t, rejectPath)
	return nil
}

func rowsIn(ps []domain.Problem) int { return inventory.RowsWithProblems(ps) }

func (a *app) printImport(res *domain.ImportResult, t *domain.Tenant, rejectPath string) {
	w := a.out
	if res.DryRun {
		for _, r := range res.Rows {
			switch r.Action {
			case domain.ImportCreate:
				fmt.Fprintf(w, "%s: create %s\n", r.Location, r.Label)
			case domain.ImportUpdate:
				fmt.Fprintf(w, "%s: update device %d (%s)\n", r.Location, r.DeviceID, r.Label)
				for _, c := range r.Changes {
					fmt.Fprintf(w, "    %s: %q → %q\n", c.Field, c.Old, c.New)
				}
			}
		}
		fmt.Fprintf(w, "Dry run of %s into %s: would create %d, update %d and leave %d unchanged; nothing was written.\n",
			res.File, t.Name, res.Created, res.Updated, res.Unchanged)
	} else {
		fmt.Fprintf(w, "Imported %s into %s: %d created, %d updated, %d unchanged.\n", res.File, t.Name, res.Created, res.Updated, res.Unchanged)
	}
	if len(res.Rejected) > 0 {
		for _, p := range res.Rejected {
			fmt.Fprintln(a.err, p.String())
		}
		if rejectPath != "" {
			fmt.Fprintf(w, "%d rows were rejected and written with their reasons to %s.\n", rowsIn(res.Rejected), rejectPath)
		} else {
			fmt.Fprintf(w, "%d rows would be rejected.\n", rowsIn(res.Rejected))
		}
	}
}

func (a *app) exportCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "export", Short: "Export data to files"}
	var format, out string
	var f domain.DeviceFilter
	var cat string
	inv := &cobra.Command{
		Use:   "inventory",
		Short: "Export the practice's inventory as CSV, XLSX or JSON (re-importable without loss)",
		Example: `  vigil export inventory --format xlsx -o inventory.xlsx
  vigil export inventory --format json --category infusion > pumps.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format == "" {
				format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
				if format == "" {
					format = "csv"
				}
			}
			if format != "csv" && format != "xlsx" && format != "json" {
				return usagef("--format %q: use csv, xlsx or json", format)
			}
			var err error
			if f.Category, err = domain.ParseCategory(cat); err != nil {
				return usagef("--category: %s", domain.ErrorMessage(err))
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			var w io.Writer = a.out
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.Create(out); err != nil {
					return domain.Errorf(domain.CodeInvalid, "cannot write %s: %v", out, unwrapPathErr(err))
				}
				defer file.Close()
				w = file
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			ew, err := newExportWriter(format, bw)
			if err != nil {
				return err
			}
			f.Sort = "id"
			n := 0
			err = st.EachDevice(ctx, f, func(d *domain.Device) error {
				n++
				return ew.Write(d)
			})
			if err != nil {
				return err
			}
			if err := ew.Close(); err != nil {
				return domain.Internal(err, "cannot finish the export")
			}
			if err := bw.Flush(); err != nil {
				return domain.Errorf(domain.CodeInvalid, "cannot write the export: %v", err)
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return domain.Errorf(domain.CodeInvalid, "cannot write %s: %v", out, err)
				}
				fmt.Fprintf(a.err, "Exported %d devices to %s.\n", n, out)
			}
			return nil
		},
	}
	fl := inv.Flags()
	fl.StringVar(&format, "format", "", "csv, xlsx or json (default: from the -o file's extension, else csv)")
	fl.StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	fl.StringVar(&cat, "category", "", "only this category")
	fl.StringVar(&f.Site, "site", "", "only this site")
	fl.StringVar(&f.Manufacturer, "manufacturer", "", "only this manufacturer")
	cmd.AddCommand(inv)
	return cmd
}

// deviceWriter is what every export format provides.
type deviceWriter interface {
	Write(*domain.Device) error
	Close() error
}

func newExportWriter(format string, w io.Writer) (deviceWriter, error) {
	switch format {
	case "xlsx":
		return xlsx.NewWriter(w)
	case "json":
		return newDeviceJSONWriter(w), nil
	}
	return csvWriter{inventorycsv.NewWriter(w)}, nil
}

// csvWriter gives the CSV writer the Close every export format has.
type csvWriter struct{ *inventorycsv.Writer }

func (c csvWriter) Close() error { return c.Flush() }

func newDeviceJSONWriter(w io.Writer) deviceWriter { return inventoryjson.NewWriter(w) }
