package importer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// Ensure the column names CMMS and asset-list exports use are recognised,
// however they are spelled, and that other names are not.
func TestLookupHeader(t *testing.T) {
	want := map[domain.Field][]string{
		domain.FieldAssetTag: {"Asset #", "Asset Tag", "Asset No", "Asset Number", "Asset ID", "Tag Number", "Equipment ID",
			"Control Number", "asset_tag", "ASSET  NO.", "Asset Nbr", "Asset Tag*", "\uFEFFAsset #", "  asset-tag  "},
		domain.FieldCategory:     {"Equipment Type", "Device Type", "Type", "Category", "Modality"},
		domain.FieldManufacturer: {"Mfr", "Mfg", "Make", "Manufacturer", "Vendor", "MFR."},
		domain.FieldModel:        {"Model", "Model Number", "Model No.", "Model #", "model_no"},
		domain.FieldSerial:       {"Serial", "Serial No.", "Serial Number", "S/N", "SN", "Serial #", "serial_number", "Serial Nr"},
		domain.FieldName:         {"Name", "Device Name", "Equipment Name"},
		domain.FieldOS:           {"OS", "Operating System"},
		domain.FieldOSVersion:    {"OS Version", "os_version"},
		domain.FieldFirmware:     {"Firmware", "Firmware Version", "FW Version", "Software Version", "SW Version"},
		domain.FieldMACs:         {"MAC", "MAC Address", "MAC Addr", "MAC Addresses", "macs", "Mac-Address(es)"},
		domain.FieldIPs:          {"IP", "IP Addr", "IP Address", "IPv4", "IP Adr."},
		domain.FieldHostnames:    {"Hostname", "Host Name", "DNS Name"},
		domain.FieldVLANs:        {"VLAN", "VLAN ID"},
		domain.FieldSite:         {"Site", "Facility", "Campus", "Clinic"},
		domain.FieldDepartment:   {"Dept", "Department", "Unit", "Ward", "Departments"},
		domain.FieldLocation:     {"Location", "Room"},
		domain.FieldCriticality:  {"Criticality", "Clinical Criticality"},
		domain.FieldPHI:          {"PHI", "ePHI", "PHI handling"},
		domain.FieldPHIRecords:   {"PHI Records", "Estimated PHI records"},
		domain.FieldNetworkRequired: {"Network Required", "Network clinically necessary", "Network Required (Y/N)",
			"Network Required [yes/no]"},
		domain.FieldNetworkJustification: {"Justification"},
		domain.FieldPatchability:         {"Patchability", "Patchable"},
		domain.FieldPurchaseDate:         {"Purchase Date", "Acquisition Date", "Purchase Date (MM/DD/YYYY)"},
		domain.FieldInstallDate:          {"Install Date", "Installation Date", "In Service Date", "In-Service Date"},
		domain.FieldLifecycle:            {"Status", "Equipment Status", "Lifecycle", "Lifecycle status"},
		domain.FieldNotes:                {"Notes", "Comments"},
		domain.FieldAdmins:               {"Admins", "Admin Access", "Administrative access"},
		domain.FieldID:                   {"Vigil ID", "id", "ID"},
		domain.FieldReview:               {"Review status", "review"},
	}
	for field, names := range want {
		for _, n := range names {
			t.Run(string(field)+"/"+n, func(t *testing.T) {
				got, ok := importer.LookupHeader(n)
				if !ok || got != field {
					t.Fatalf("LookupHeader(%q) = %q, %v; want %q", n, got, ok, field)
				}
			})
		}
	}
	for _, n := range []string{"", "  ", "#", "Cost Center", "Description", "IP Address 2", "Class", "Risk", "Serialized"} {
		t.Run("Unknown/"+n, func(t *testing.T) {
			if got, ok := importer.LookupHeader(n); ok {
				t.Fatalf("LookupHeader(%q) = %q; want no field", n, got)
			}
		})
	}
}

// Ensure no column name is recognised for two different fields, and every
// field has its canonical name and label first.
func TestHeaderSynonyms_Unambiguous(t *testing.T) {
	owner := map[string]domain.Field{}
	syn := importer.HeaderSynonyms()
	if len(syn) != len(domain.DeviceFields()) {
		t.Fatalf("%d fields have synonyms; want all %d", len(syn), len(domain.DeviceFields()))
	}
	for i, h := range syn {
		info := domain.DeviceFields()[i]
		if h.Field != info.Field || h.Names[0] != string(info.Field) || h.Names[1] != info.Label {
			t.Errorf("%s: names start %q; want the canonical name and label first", h.Field, h.Names[:2])
		}
		for _, n := range h.Names {
			got, ok := importer.LookupHeader(n)
			if !ok || got != h.Field {
				t.Errorf("%q is listed for %s but looks up as %q", n, h.Field, got)
			}
			k := strings.ToLower(n)
			if f, dup := owner[k]; dup && f != h.Field {
				t.Errorf("%q is listed for both %s and %s", n, f, h.Field)
			}
			owner[k] = h.Field
		}
	}
}

// Ensure FindHeader skips title lines above the real header, and falls
// back to the first non-blank row.
func TestFindHeader(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want int
	}{
		{"FirstRow", [][]string{{"Serial", "Name"}, {"A", "B"}}, 0},
		{"AfterTitleAndBlank", [][]string{{"Equipment report"}, {"", ""}, {"Asset #", "Mfr", "S/N"}, {"1", "GE", "X"}}, 2},
		{"NothingKnownFirstNonBlank", [][]string{{}, {" "}, {"Foo", "Bar"}, {"1", "2"}}, 2},
		{"OneKnownNameIsNotEnough", [][]string{{"Title"}, {"Serial", "Colour"}}, 0},
		{"AllBlank", [][]string{{}, {"", " "}}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := importer.FindHeader(tt.rows); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// table builds a CSV-like Table for tests: header on line 1, rows after.
func table(header []string, rows ...[]string) *importer.Table {
	t := &importer.Table{File: "t.csv", Format: importer.FormatCSV, Header: header, HeaderLine: 1,
		Locate: importer.GridLocator("t.csv", "")}
	for i, r := range rows {
		t.Append(i+2, r)
	}
	return t
}

// Ensure MapHeader maps columns, applies overrides, and reports every
// header problem at its place, with warnings for columns it ignores.
func TestMapHeader(t *testing.T) {
	type result struct {
		Fields   []domain.Field
		Problems []domain.Problem
		Warnings []string
	}
	tests := []struct {
		name      string
		tab       *importer.Table
		overrides map[string]string
		want      result
	}{
		{"OK", table([]string{"Asset #", " Serial No. ", "Cost Center", ""}, []string{"1", "S", "44", ""}),
			nil, result{
				Fields:   []domain.Field{domain.FieldAssetTag, domain.FieldSerial, "", ""},
				Warnings: []string{`t.csv:1:3: column "Cost Center" is not a device field; it is ignored (import it with --map "Cost Center=<field>")`},
			}},
		{"EmptyHeaderWithData", table([]string{"Serial", ""}, []string{"S", "lost?"}),
			nil, result{
				Fields:   []domain.Field{domain.FieldSerial, ""},
				Warnings: []string{"t.csv:1:2: column 2 has no header; its values are ignored"},
			}},
		{"Overrides", table([]string{"Biomed #", "Cost Center", "Serial", "Type"}),
			map[string]string{"biomed  #": "asset_tag", "Cost Center": "-", "TYPE": " Notes "}, result{
				Fields: []domain.Field{domain.FieldAssetTag, "", domain.FieldSerial, domain.FieldNotes},
			}},
		{"OverrideIgnoresRecognisedColumn", table([]string{"Serial", "Name"}),
			map[string]string{"Name": "-"}, result{
				Fields: []domain.Field{domain.FieldSerial, ""},
			}},
		{"ErrOverrideUnknownColumn", table([]string{"Serial"}),
			map[string]string{"Colour": "notes"}, result{
				Fields:   []domain.Field{domain.FieldSerial},
				Problems: []domain.Problem{{Location: "t.csv:1", Message: `--map "Colour=notes": the header has no column "Colour"; its columns are "Serial"`}},
			}},
		{"ErrOverrideUnknownField", table([]string{"Serial", "Colour"}),
			map[string]string{"Colour": "paint"}, result{
				Fields: []domain.Field{domain.FieldSerial, ""},
				Problems: []domain.Problem{{Location: "t.csv:1:2", Message: `--map "Colour=paint": "paint" is not a device field; fields are: ` +
					strings.Join(domain.FieldNames(), ", ")}},
				Warnings: []string{`t.csv:1:2: column "Colour" is not a device field; it is ignored (import it with --map "Colour=<field>")`},
			}},
		{"ErrTwoColumnsOneField", table([]string{"Notes", "Serial", "Comments"}),
			nil, result{
				Fields: []domain.Field{domain.FieldNotes, domain.FieldSerial, domain.FieldNotes},
				Problems: []domain.Problem{{Location: "t.csv:1:3", Field: "notes",
					Message: `columns "Notes" (column 1) and "Comments" (column 3) both carry notes; drop one with --map "Comments=-"`}},
			}},
		{"ErrOverrideMakesDuplicate", table([]string{"Serial", "Tag"}),
			map[string]string{"Tag": "serial"}, result{
				Fields: []domain.Field{domain.FieldSerial, domain.FieldSerial},
				Problems: []domain.Problem{{Location: "t.csv:1:2", Field: "serial",
					Message: `columns "Serial" (column 1) and "Tag" (column 2) both carry serial; drop one with --map "Tag=-"`}},
			}},
		{"ErrNoKeyColumn", table([]string{"Name", "Model"}),
			nil, result{
				Fields:   []domain.Field{domain.FieldName, domain.FieldModel},
				Problems: []domain.Problem{{Location: "t.csv:1", Message: "no column identifies the devices: the file needs a Vigil ID, serial number, asset tag or MAC address column"}},
			}},
		{"ErrNothingRecognised", table([]string{"Foo", "Bar"}),
			nil, result{
				Fields:   []domain.Field{"", ""},
				Problems: []domain.Problem{{Location: "t.csv:1", Message: `no column is a device field; the header is "Foo", "Bar" (see docs/inventory-format.md for the recognised names, or use --map)`}},
				Warnings: []string{
					`t.csv:1:1: column "Foo" is not a device field; it is ignored (import it with --map "Foo=<field>")`,
					`t.csv:1:2: column "Bar" is not a device field; it is ignored (import it with --map "Bar=<field>")`,
				},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, problems, warnings := importer.MapHeader(tt.tab, tt.overrides)
			got := result{m.Fields, problems, warnings}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}
