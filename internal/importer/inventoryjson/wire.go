package inventoryjson

import "github.com/vigil-med/vigil/internal/domain"

// device is the JSON form of one device: an object whose keys are the
// canonical field names (docs/inventory-format.md, "JSON form"), in export
// order. Lists are arrays; the Vigil ID, the PHI record count and VLANs are
// numbers; everything else is the field's canonical text. Empty fields are
// left out. TestWire_MatchesFields keeps the keys in step with
// domain.DeviceFields.
type device struct {
	ID                   int64    `json:"id,omitempty"`
	AssetTag             string   `json:"asset_tag,omitempty"`
	Serial               string   `json:"serial,omitempty"`
	Name                 string   `json:"name,omitempty"`
	Category             string   `json:"category,omitempty"`
	Manufacturer         string   `json:"manufacturer,omitempty"`
	Model                string   `json:"model,omitempty"`
	OS                   string   `json:"os,omitempty"`
	OSVersion            string   `json:"os_version,omitempty"`
	Firmware             string   `json:"firmware,omitempty"`
	MACs                 []string `json:"macs,omitempty"`
	IPs                  []string `json:"ips,omitempty"`
	Hostnames            []string `json:"hostnames,omitempty"`
	VLANs                []int    `json:"vlans,omitempty"`
	Site                 string   `json:"site,omitempty"`
	Department           string   `json:"department,omitempty"`
	Location             string   `json:"location,omitempty"`
	Criticality          string   `json:"criticality,omitempty"`
	PHI                  string   `json:"phi,omitempty"`
	PHIRecords           int64    `json:"phi_records,omitempty"`
	NetworkRequired      string   `json:"network_required,omitempty"`
	NetworkJustification string   `json:"network_justification,omitempty"`
	Patchability         string   `json:"patchability,omitempty"`
	PurchaseDate         string   `json:"purchase_date,omitempty"` // YYYY-MM-DD
	InstallDate          string   `json:"install_date,omitempty"`  // YYYY-MM-DD
	Lifecycle            string   `json:"lifecycle,omitempty"`
	Review               string   `json:"review,omitempty"`
	Admins               []string `json:"admins,omitempty"`
	Notes                string   `json:"notes,omitempty"`
}

// fromDomain adapts a device to its JSON form.
func fromDomain(d *domain.Device) device {
	g := func(f domain.Field) string { return d.Get(f) }
	return device{
		ID:                   d.ID,
		AssetTag:             g(domain.FieldAssetTag),
		Serial:               g(domain.FieldSerial),
		Name:                 g(domain.FieldName),
		Category:             g(domain.FieldCategory),
		Manufacturer:         g(domain.FieldManufacturer),
		Model:                g(domain.FieldModel),
		OS:                   g(domain.FieldOS),
		OSVersion:            g(domain.FieldOSVersion),
		Firmware:             g(domain.FieldFirmware),
		MACs:                 d.MACs,
		IPs:                  d.IPs,
		Hostnames:            d.Hostnames,
		VLANs:                d.VLANs,
		Site:                 g(domain.FieldSite),
		Department:           g(domain.FieldDepartment),
		Location:             g(domain.FieldLocation),
		Criticality:          g(domain.FieldCriticality),
		PHI:                  g(domain.FieldPHI),
		PHIRecords:           d.PHIRecords,
		NetworkRequired:      g(domain.FieldNetworkRequired),
		NetworkJustification: g(domain.FieldNetworkJustification),
		Patchability:         g(domain.FieldPatchability),
		PurchaseDate:         g(domain.FieldPurchaseDate),
		InstallDate:          g(domain.FieldInstallDate),
		Lifecycle:            g(domain.FieldLifecycle),
		Review:               g(domain.FieldReview),
		Admins:               d.Admins,
		Notes:                g(domain.FieldNotes),
	}
}
