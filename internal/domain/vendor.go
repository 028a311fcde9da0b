package domain

import (
	"bufio"
	_ "embed"
	"strings"
	"time"
)

//go:embed data/vendor_aliases.csv
var vendorAliasesCSV string

// Vendor is a manufacturer or service company. Vendors and the model
// catalogue are shared reference data, not owned by one practice.
type Vendor struct {
	ID              int64
	Name            string // canonical name
	Website         string
	PSIRTEmail      string // product security incident response contact
	PSIRTURL        string // security advisories / disclosure page
	SecurityContact string // a named person, phone…
	ContactVerified Date   // when the contacts were last confirmed
	AccountManager  string // the practice's commercial contact at the vendor
	// SupportContract names the service or support agreement; its end date
	// is when the vendor stops owing updates and repairs.
	SupportContract    string
	SupportContractEnd Date
	AdvisoryFeedURL    string // the vendor's CSAF provider metadata or advisory feed
	Notes              string
	Aliases            []string
	DeviceCount        int // devices of this vendor in the caller's practice (read only)
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Validate checks a vendor before it is stored.
func (v *Vendor) Validate() error {
	v.Name = strings.Join(strings.Fields(v.Name), " ")
	if v.Name == "" {
		return Errorf(CodeInvalid, "a vendor needs a name")
	}
	if v.PSIRTEmail != "" && !strings.Contains(v.PSIRTEmail, "@") {
		return Errorf(CodeInvalid, "PSIRT e-mail %q is not an e-mail address", v.PSIRTEmail)
	}
	return nil
}

// ContactStale reports whether the vendor's contacts have not been verified
// within a year of now (or never).
func (v *Vendor) ContactStale(now time.Time) bool {
	return v.ContactVerified.IsZero() || v.ContactVerified.Time().AddDate(1, 0, 0).Before(now)
}

// Model is a catalogue entry: manufacturer + model name.
type Model struct {
	ID                   int64
	VendorID             int64
	Manufacturer         string
	Name                 string
	Category             Category
	EndOfSale            Date
	EndOfSupport         Date
	EndOfLife            Date
	ServiceLifeYears     int
	ReplacementCostCents int64
	Currency             string // ISO 4217, default USD
	Notes                string
	SBOMAvailable        bool // the manufacturer supplies a software bill of materials
	MDS2Available        bool // the manufacturer supplies an MDS2 form
	DeviceCount          int  // devices of this model in the caller's practice (read only)
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Validate checks a model before it is stored.
func (m *Model) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" {
		return Errorf(CodeInvalid, "a model needs a name")
	}
	if m.ReplacementCostCents < 0 || m.ServiceLifeYears < 0 {
		return Errorf(CodeInvalid, "replacement cost and service life cannot be negative")
	}
	if !m.EndOfSupport.IsZero() && !m.EndOfSale.IsZero() && m.EndOfSupport.Before(m.EndOfSale) {
		return Errorf(CodeInvalid, "end of support %s is before end of sale %s", m.EndOfSupport, m.EndOfSale)
	}
	if !m.EndOfLife.IsZero() && !m.EndOfSupport.IsZero() && m.EndOfLife.Before(m.EndOfSupport) {
		return Errorf(CodeInvalid, "end of life %s is before end of support %s", m.EndOfLife, m.EndOfSupport)
	}
	if m.Currency == "" {
		m.Currency = "USD"
	}
	if m.Category == "" {
		m.Category = "other"
	}
	return nil
}

// companyForms are words that do not distinguish one manufacturer from
// another ("Philips Medical Systems Inc." vs "Philips Medical Systems").
var companyForms = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "ltd": true, "limited": true, "corp": true, "corporation": true,
	"co": true, "company": true, "gmbh": true, "ag": true, "sa": true, "bv": true, "nv": true, "plc": true, "kg": true,
	"kgaa": true, "oy": true, "ab": true, "spa": true, "srl": true, "pty": true, "se": true, "the": true, "and": true,
	"usa": false, "as": true, "lp": true, "llp": true, "kk": true,
}

var foldAccents = strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss", "é", "e", "è", "e", "ê", "e", "á", "a",
	"à", "a", "â", "a", "ó", "o", "ò", "o", "ô", "o", "í", "i", "ì", "i", "ú", "u", "ù", "u", "ñ", "n", "ç", "c", "å", "a", "ø", "o")

// VendorKey reduces a manufacturer name to the key used to match it: lower
// case, accents folded, punctuation and company forms dropped.
func VendorKey(name string) string {
	// Dots go first so "B.V." and "S.A." reduce to the company forms bv, sa.
	words := strings.Fields(normWords(foldAccents.Replace(strings.ToLower(strings.ReplaceAll(name, ".", "")))))
	out := words[:0]
	for _, w := range words {
		if !companyForms[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// vendorAliases maps VendorKey(alias) → canonical name, from the embedded
// alias table.
var vendorAliases = parseVendorAliases(vendorAliasesCSV)

func parseVendorAliases(text string) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ',')
		if i < 0 {
			continue
		}
		alias, canon := strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		m[VendorKey(alias)] = canon
		m[VendorKey(canon)] = canon
	}
	return m
}

// CanonicalVendorName returns the canonical spelling of a manufacturer name
// from the built-in alias table, or the name with its spaces tidied.
func CanonicalVendorName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return ""
	}
	if c, ok := vendorAliases[VendorKey(name)]; ok {
		return c
	}
	return name
}

// BuiltinVendorAliases returns the built-in alias table as key → canonical.
func BuiltinVendorAliases() map[string]string {
	out := make(map[string]string, len(vendorAliases))
	for k, v := range vendorAliases {
		out[k] = v
	}
	return out
}

// ModelKey reduces a model name to its matching key: lower case, with
// punctuation and spacing ignored ("IntelliVue MX-450" = "intellivue mx450"
// is not assumed; only case and runs of spaces/punctuation are folded).
func ModelKey(name string) string { return normWords(name) }
