package domain

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Field names a device attribute. The names are the canonical column names
// of the inventory file format (docs/inventory-format.md), the keys of the
// JSON form and of provenance, and what `vigil device edit --set` takes.
type Field string

// Device fields in export order.
const (
	FieldID                   Field = "id"
	FieldAssetTag             Field = "asset_tag"
	FieldSerial               Field = "serial"
	FieldName                 Field = "name"
	FieldCategory             Field = "category"
	FieldManufacturer         Field = "manufacturer"
	FieldModel                Field = "model"
	FieldOS                   Field = "os"
	FieldOSVersion            Field = "os_version"
	FieldFirmware             Field = "firmware"
	FieldMACs                 Field = "macs"
	FieldIPs                  Field = "ips"
	FieldHostnames            Field = "hostnames"
	FieldVLANs                Field = "vlans"
	FieldSite                 Field = "site"
	FieldDepartment           Field = "department"
	FieldLocation             Field = "location"
	FieldCriticality          Field = "criticality"
	FieldPHI                  Field = "phi"
	FieldPHIRecords           Field = "phi_records"
	FieldNetworkRequired      Field = "network_required"
	FieldNetworkJustification Field = "network_justification"
	FieldPatchability         Field = "patchability"
	FieldPurchaseDate         Field = "purchase_date"
	FieldInstallDate          Field = "install_date"
	FieldLifecycle            Field = "lifecycle"
	FieldReview               Field = "review"
	FieldAdmins               Field = "admins"
	FieldNotes                Field = "notes"
)

// FieldInfo documents one device field.
type FieldInfo struct {
	Field Field
	Label string
	Help  string
	List  bool // several values, separated by ";" in text forms
}

var deviceFields = []FieldInfo{
	{FieldID, "Vigil ID", "Vigil's own number for the device; matches on re-import within the same practice", false},
	{FieldAssetTag, "Asset tag", "the practice's or CMMS asset number; unique within a practice", false},
	{FieldSerial, "Serial number", "the manufacturer's serial number; unique within a practice", false},
	{FieldName, "Name", "a name people use for the device", false},
	{FieldCategory, "Category", "one of the fixed categories (see the taxonomy)", false},
	{FieldManufacturer, "Manufacturer", "normalised through the vendor alias table", false},
	{FieldModel, "Model", "the manufacturer's model name or number", false},
	{FieldOS, "Operating system", "e.g. Windows, Linux, VxWorks, QNX", false},
	{FieldOSVersion, "OS version", "e.g. 10 IoT Enterprise LTSC 2019, 7 SP1", false},
	{FieldFirmware, "Firmware version", "the device's software or firmware version as the vendor writes it", false},
	{FieldMACs, "MAC addresses", "any notation; stored as aa:bb:cc:dd:ee:ff", true},
	{FieldIPs, "IP addresses", "IPv4 or IPv6", true},
	{FieldHostnames, "Hostnames", "DNS or NetBIOS names", true},
	{FieldVLANs, "VLANs", "802.1Q VLAN numbers 1–4094", true},
	{FieldSite, "Site", "the site (location/network) of the practice the device is at", false},
	{FieldDepartment, "Department", "e.g. Radiology, ICU", false},
	{FieldLocation, "Location", "building, floor, room", false},
	{FieldCriticality, "Clinical criticality", "life-sustaining, diagnostic, supporting or non-clinical", false},
	{FieldPHI, "PHI handling", "none, transmits, stores, or stores-transmits", false},
	{FieldPHIRecords, "Estimated PHI records", "how many patient records the device holds or sends (estimate)", false},
	{FieldNetworkRequired, "Network clinically necessary", "yes, no, or blank for unknown", false},
	{FieldNetworkJustification, "Network justification", "why the device needs the network", false},
	{FieldPatchability, "Patchability", "vendor-patchable, vendor-only, not-patchable or unknown", false},
	{FieldPurchaseDate, "Purchase date", "YYYY-MM-DD", false},
	{FieldInstallDate, "Install date", "YYYY-MM-DD", false},
	{FieldLifecycle, "Lifecycle status", "in-service, spare, under-repair, retired or disposed", false},
	{FieldReview, "Review status", "reviewed, or unreviewed for devices nobody has confirmed yet", false},
	{FieldAdmins, "Administrative access", "named people who hold administrative access to the device", true},
	{FieldNotes, "Notes", "free text", false},
}

// DeviceFields lists every device field in export order.
func DeviceFields() []FieldInfo { return deviceFields }

// LookupField returns the field with the given canonical name.
func LookupField(name string) (FieldInfo, bool) {
	for _, f := range deviceFields {
		if string(f.Field) == name {
			return f, true
		}
	}
	return FieldInfo{}, false
}

// FieldNames lists the canonical field names.
func FieldNames() []string {
	out := make([]string, len(deviceFields))
	for i, f := range deviceFields {
		out[i] = string(f.Field)
	}
	return out
}

// Device is one networked medical device of a practice.
type Device struct {
	ID       int64
	TenantID int64
	SiteID   int64
	Site     string // the site's slug; resolved to SiteID by the store

	AssetTag string
	Serial   string
	Name     string
	Category Category

	VendorID     int64
	Manufacturer string
	ModelID      int64
	Model        string

	OS        string
	OSVersion string
	Firmware  string

	MACs      []string
	IPs       []string
	Hostnames []string
	VLANs     []int

	Department string
	Location   string

	Criticality          Criticality
	PHI                  PHI
	PHIRecords           int64
	NetworkRequired      Tristate
	NetworkJustification string
	Patchability         Patchability
	PurchaseDate         Date
	InstallDate          Date
	Lifecycle            Lifecycle
	Review               Review
	Admins               []string
	Notes                string

	Provenance Provenance
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64 // incremented on every change
}

// Label is a short human name: the name, else manufacturer + model + tag.
func (d *Device) Label() string {
	if d.Name != "" {
		return d.Name
	}
	parts := []string{}
	for _, s := range []string{d.Manufacturer, d.Model} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	switch {
	case d.AssetTag != "":
		parts = append(parts, "#"+d.AssetTag)
	case d.Serial != "":
		parts = append(parts, "SN "+d.Serial)
	case len(d.MACs) > 0:
		parts = append(parts, d.MACs[0])
	}
	if len(parts) == 0 {
		return fmt.Sprintf("device %d", d.ID)
	}
	return strings.Join(parts, " ")
}

// ParseOptions tune how text values are read.
type ParseOptions struct {
	DateOrder DateOrder
}

// Get returns the canonical text form of field f.
func (d *Device) Get(f Field) string {
	switch f {
	case FieldID:
		if d.ID == 0 {
			return ""
		}
		return strconv.FormatInt(d.ID, 10)
	case FieldAssetTag:
		return d.AssetTag
	case FieldSerial:
		return d.Serial
	case FieldName:
		return d.Name
	case FieldCategory:
		return string(d.Category)
	case FieldManufacturer:
		return d.Manufacturer
	case FieldModel:
		return d.Model
	case FieldOS:
		return d.OS
	case FieldOSVersion:
		return d.OSVersion
	case FieldFirmware:
		return d.Firmware
	case FieldMACs:
		return JoinList(d.MACs)
	case FieldIPs:
		return JoinList(d.IPs)
	case FieldHostnames:
		return JoinList(d.Hostnames)
	case FieldVLANs:
		s := make([]string, len(d.VLANs))
		for i, v := range d.VLANs {
			s[i] = strconv.Itoa(v)
		}
		return JoinList(s)
	case FieldSite:
		return d.Site
	case FieldDepartment:
		return d.Department
	case FieldLocation:
		return d.Location
	case FieldCriticality:
		return string(d.Criticality)
	case FieldPHI:
		return string(d.PHI)
	case FieldPHIRecords:
		if d.PHIRecords == 0 {
			return ""
		}
		return strconv.FormatInt(d.PHIRecords, 10)
	case FieldNetworkRequired:
		return string(d.NetworkRequired)
	case FieldNetworkJustification:
		return d.NetworkJustification
	case FieldPatchability:
		return string(d.Patchability)
	case FieldPurchaseDate:
		return d.PurchaseDate.String()
	case FieldInstallDate:
		return d.InstallDate.String()
	case FieldLifecycle:
		return string(d.Lifecycle)
	case FieldReview:
		return string(d.Review)
	case FieldAdmins:
		return JoinList(d.Admins)
	case FieldNotes:
		return d.Notes
	}
	return ""
}

// Values returns every field's text form keyed by field.
func (d *Device) Values() map[Field]string {
	m := make(map[Field]string, len(deviceFields))
	for _, f := range deviceFields {
		m[f.Field] = d.Get(f.Field)
	}
	return m
}

const maxText = 1000

// Set parses v as field f's text form and assigns it. Errors are
// CodeInvalid with a message naming the bad value.
func (d *Device) Set(f Field, v string) error { return d.SetWith(f, v, ParseOptions{}) }

// SetWith is Set with parse options (date order).
func (d *Device) SetWith(f Field, v string, opt ParseOptions) error {
	// Line endings are stored as LF: browsers send CRLF, CSV readers turn
	// it into LF, and a note must survive the round trip unchanged.
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	if !utf8.ValidString(v) {
		return Errorf(CodeInvalid, "value is not valid text")
	}
	limit := maxText
	if f == FieldNotes {
		limit = 20000
	}
	if len(v) > limit {
		return Errorf(CodeInvalid, "value is %d characters long; the limit is %d", len(v), limit)
	}
	var err error
	switch f {
	case FieldID:
		if v == "" {
			d.ID = 0
			return nil
		}
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || id <= 0 {
			return Errorf(CodeInvalid, "Vigil ID %q is not a positive whole number", v)
		}
		d.ID = id
	case FieldAssetTag:
		d.AssetTag = v
	case FieldSerial:
		d.Serial = v
	case FieldName:
		d.Name = v
	case FieldCategory:
		d.Category, err = ParseCategory(v)
	case FieldManufacturer:
		d.Manufacturer = CanonicalVendorName(v)
	case FieldModel:
		d.Model = v
	case FieldOS:
		d.OS = v
	case FieldOSVersion:
		d.OSVersion = v
	case FieldFirmware:
		d.Firmware = v
	case FieldMACs:
		d.MACs, err = parseList(v, listSeps, NormalizeMAC)
	case FieldIPs:
		d.IPs, err = parseList(v, listSeps, NormalizeIP)
	case FieldHostnames:
		d.Hostnames, err = parseList(v, listSeps, NormalizeHostname)
	case FieldVLANs:
		var s []string
		s, err = parseList(v, listSeps, normalizeVLAN)
		d.VLANs = d.VLANs[:0]
		for _, x := range s {
			n, _ := strconv.Atoi(x)
			d.VLANs = append(d.VLANs, n)
		}
		slices.Sort(d.VLANs)
	case FieldSite:
		d.Site = v
	case FieldDepartment:
		d.Department = v
	case FieldLocation:
		d.Location = v
	case FieldCriticality:
		d.Criticality, err = ParseCriticality(v)
	case FieldPHI:
		d.PHI, err = ParsePHI(v)
	case FieldPHIRecords:
		d.PHIRecords, err = parseCount(v)
	case FieldNetworkRequired:
		d.NetworkRequired, err = ParseTristate(v)
	case FieldNetworkJustification:
		d.NetworkJustification = v
	case FieldPatchability:
		d.Patchability, err = ParsePatchability(v)
	case FieldPurchaseDate:
		d.PurchaseDate, err = ParseDate(v, opt.DateOrder)
	case FieldInstallDate:
		d.InstallDate, err = ParseDate(v, opt.DateOrder)
	case FieldLifecycle:
		d.Lifecycle, err = ParseLifecycle(v)
	case FieldReview:
		d.Review, err = ParseReview(v)
	case FieldAdmins:
		d.Admins, err = parseList(v, ";\n", func(s string) (string, error) { return s, nil })
	case FieldNotes:
		d.Notes = v
	default:
		return Errorf(CodeInvalid, "unknown field %q; fields are: %s", f, strings.Join(FieldNames(), ", "))
	}
	return err
}

// Validate checks the rules that involve several fields, and fills defaults.
func (d *Device) Validate() error {
	if d.AssetTag == "" && d.Serial == "" && d.Name == "" && len(d.MACs) == 0 {
		return Errorf(CodeInvalid, "a device needs at least a name, an asset tag, a serial number or a MAC address")
	}
	if d.PurchaseDate.IsZero() == false && d.InstallDate.IsZero() == false && d.InstallDate.Before(d.PurchaseDate) {
		return Errorf(CodeInvalid, "install date %s is before purchase date %s", d.InstallDate, d.PurchaseDate)
	}
	if d.Model != "" && d.Manufacturer == "" {
		return Errorf(CodeInvalid, "model %q needs a manufacturer", d.Model)
	}
	if d.Category == "" {
		d.Category = "other"
	}
	if d.Patchability == "" {
		d.Patchability = "unknown"
	}
	if d.Lifecycle == "" {
		d.Lifecycle = "in-service"
	}
	if d.Review == "" {
		d.Review = Reviewed
	}
	return nil
}

// FieldChange is one attribute's old and new text form.
type FieldChange struct {
	Field Field  `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Diff lists the fields whose text form differs between d and o, in field
// order. Bookkeeping (id, provenance, timestamps) is not compared.
func (d *Device) Diff(o *Device) []FieldChange {
	var out []FieldChange
	for _, f := range deviceFields {
		if f.Field == FieldID {
			continue
		}
		a, b := d.Get(f.Field), o.Get(f.Field)
		if a != b {
			out = append(out, FieldChange{Field: f.Field, Old: a, New: b})
		}
	}
	return out
}

// Clone returns a deep copy of d.
func (d *Device) Clone() *Device {
	c := *d
	c.MACs = slices.Clone(d.MACs)
	c.IPs = slices.Clone(d.IPs)
	c.Hostnames = slices.Clone(d.Hostnames)
	c.VLANs = slices.Clone(d.VLANs)
	c.Admins = slices.Clone(d.Admins)
	c.Provenance = d.Provenance.Clone()
	return &c
}

// SearchText is what free-text search looks through, lowercased.
func (d *Device) SearchText() string {
	parts := []string{d.AssetTag, d.Serial, d.Name, string(d.Category), d.Manufacturer, d.Model, d.OS, d.OSVersion,
		d.Firmware, d.Department, d.Location}
	parts = append(parts, d.MACs...)
	parts = append(parts, d.IPs...)
	parts = append(parts, d.Hostnames...)
	return strings.ToLower(strings.Join(parts, " "))
}

// ListSeparator joins list values in text forms.
const ListSeparator = "; "

const listSeps = ";,\n\t "

// JoinList joins list values with ListSeparator.
func JoinList(v []string) string { return strings.Join(v, ListSeparator) }

func parseList(v, seps string, norm func(string) (string, error)) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		n, err := norm(p)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if seps == listSeps {
		slices.Sort(out)
	}
	return out, nil
}

func parseCount(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.NewReplacer(",", "", "_", "", " ", "").Replace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, Errorf(CodeInvalid, "%q is not a whole number of records", v)
	}
	return n, nil
}

// NormalizeMAC accepts aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff
// and aabbccddeeff and returns the lowercase colon form.
func NormalizeMAC(s string) (string, error) {
	hex := make([]byte, 0, 12)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			hex = append(hex, c)
		case c >= 'A' && c <= 'F':
			hex = append(hex, c+'a'-'A')
		case c == ':' || c == '-' || c == '.':
		default:
			return "", Errorf(CodeInvalid, "invalid MAC address %q", s)
		}
	}
	if len(hex) != 12 {
		return "", Errorf(CodeInvalid, "invalid MAC address %q (need 12 hex digits)", s)
	}
	out := make([]byte, 0, 17)
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hex[i], hex[i+1])
	}
	return string(out), nil
}

// NormalizeIP accepts an IPv4 or IPv6 address and returns its canonical form.
func NormalizeIP(s string) (string, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return "", Errorf(CodeInvalid, "invalid IP address %q", s)
	}
	return a.Unmap().String(), nil
}

// NormalizeHostname lowercases a DNS or NetBIOS name and checks its syntax.
func NormalizeHostname(s string) (string, error) {
	h := strings.TrimSuffix(strings.ToLower(s), ".")
	if h == "" || len(h) > 253 {
		return "", Errorf(CodeInvalid, "invalid hostname %q", s)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return "", Errorf(CodeInvalid, "invalid hostname %q", s)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", Errorf(CodeInvalid, "invalid hostname %q (character %q)", s, r)
			}
		}
	}
	return h, nil
}

func normalizeVLAN(s string) (string, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "vlan"))
	if err != nil || n < 1 || n > 4094 {
		return "", Errorf(CodeInvalid, "invalid VLAN %q (use a number 1–4094)", s)
	}
	return strconv.Itoa(n), nil
}

// DeviceFilter selects devices. Zero values do not filter.
type DeviceFilter struct {
	SiteID       int64
	Site         string // slug, resolved by the store
	Category     Category
	Manufacturer string // vendor name or alias
	VendorID     int64
	Criticality  Criticality
	Review       Review
	Query        string // free text: tag, serial, name, model, MAC, IP, hostname…
	Sort         string // name (default), -name, updated, -updated, id, category, manufacturer
	Offset       int
	Limit        int // 0 means no limit (streaming); pages use a limit
	// After, when set, lists only the devices after this position in the
	// sort order (keyset paging); the total still counts every match.
	After *DeviceKey
}

// DeviceSorts lists the accepted sort keys.
var DeviceSorts = []string{"name", "-name", "id", "-id", "updated", "-updated", "category", "manufacturer", "asset_tag", "serial"}

// DeviceStats counts a practice's devices the ways the dashboard shows them.
type DeviceStats struct {
	Total         int
	ByCategory    map[Category]int
	ByCriticality map[Criticality]int
	ByPatch       map[Patchability]int
	Unreviewed    int
	// Support status from the model catalogue, relative to the day asked:
	// past end of support, reaching it within a year, supported, unknown.
	PastSupport, SupportEndingYear, Supported, SupportUnknown int
}

// Clone returns a deep copy.
func (s *DeviceStats) Clone() *DeviceStats {
	c := *s
	c.ByCategory, c.ByCriticality, c.ByPatch = maps.Clone(s.ByCategory), maps.Clone(s.ByCriticality), maps.Clone(s.ByPatch)
	return &c
}
