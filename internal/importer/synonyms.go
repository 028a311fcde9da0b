package importer

import (
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// HeaderNames lists the column headers recognised for one device field.
type HeaderNames struct {
	Field domain.Field
	Names []string
}

// headerSynonyms is the table of column names that CMMS and asset-list
// exports use, besides each field's canonical name and label (which are
// always recognised). Matching ignores case, spaces and punctuation, reads
// "#", "No", "Nr", "Num" and "Nbr" as "Number" and "Addr" as "Address", and
// ignores a trailing parenthesised note ("Purchase Date (MM/DD/YYYY)").
// docs/inventory-format.md lists this table; TestInventoryFormatDoc keeps
// the two in step. A name must not appear under two fields
// (TestHeaderSynonyms_Unambiguous).
var headerSynonyms = []HeaderNames{
	{domain.FieldID, []string{"Vigil ID", "Vigil Device ID", "Device ID (Vigil)"}},
	{domain.FieldAssetTag, []string{"Asset Tag", "Asset #", "Asset No", "Asset Number", "Asset ID", "Asset",
		"Tag", "Tag Number", "Equipment ID", "Equipment Number", "Equipment Tag", "Control Number", "Control ID",
		"Inventory Number", "Property Tag", "Biomed Tag", "CMMS ID"}},
	{domain.FieldSerial, []string{"Serial", "Serial No", "Serial Number", "Serial Num", "S/N", "SN",
		"Manufacturer Serial Number", "Mfr Serial"}},
	{domain.FieldName, []string{"Name", "Device Name", "Equipment Name", "Asset Name", "Friendly Name"}},
	{domain.FieldCategory, []string{"Category", "Type", "Device Type", "Equipment Type", "Asset Type",
		"Device Category", "Equipment Category", "Modality"}},
	{domain.FieldManufacturer, []string{"Manufacturer", "Manufacturer Name", "Mfr", "Mfr Name", "Mfg", "Make",
		"Vendor", "Brand", "OEM"}},
	{domain.FieldModel, []string{"Model", "Model Number", "Model Name", "Model No.", "Model #"}},
	{domain.FieldOS, []string{"OS", "Operating System", "OS Name"}},
	{domain.FieldOSVersion, []string{"OS Version", "Operating System Version", "OS Ver", "OS Build"}},
	{domain.FieldFirmware, []string{"Firmware", "Firmware Version", "FW", "FW Version", "FW Ver", "Firmware Rev",
		"Software", "Software Version", "SW Version", "SW Ver", "Software Rev", "Version"}},
	{domain.FieldMACs, []string{"MAC", "MACs", "MAC Address", "MAC Addresses", "MAC Addr", "Ethernet Address",
		"Physical Address", "Hardware Address", "HW Address"}},
	{domain.FieldIPs, []string{"IP", "IPs", "IP Addr", "IP Address", "IP Addresses", "IPv4", "IPv4 Address",
		"IPv6", "IPv6 Address"}},
	{domain.FieldHostnames, []string{"Hostname", "Hostnames", "Host Name", "Host", "DNS Name", "FQDN",
		"NetBIOS Name", "Computer Name"}},
	{domain.FieldVLANs, []string{"VLAN", "VLANs", "VLAN ID", "VLAN Number"}},
	{domain.FieldSite, []string{"Site", "Site Name", "Facility", "Facility Name", "Campus", "Clinic", "Practice",
		"Hospital"}},
	{domain.FieldDepartment, []string{"Department", "Dept", "Department Name", "Unit", "Ward", "Owning Department"}},
	{domain.FieldLocation, []string{"Location", "Room", "Room Number", "Physical Location", "Area"}},
	{domain.FieldCriticality, []string{"Criticality", "Clinical Criticality", "Criticality Level", "Clinical Impact"}},
	{domain.FieldPHI, []string{"PHI", "ePHI", "PHI Handling", "Stores PHI", "Contains PHI", "Handles PHI"}},
	{domain.FieldPHIRecords, []string{"PHI Records", "ePHI Records", "Number of PHI Records", "PHI Record Count",
		"Patient Records"}},
	{domain.FieldNetworkRequired, []string{"Network Required", "Network Necessary", "Network Needed",
		"Needs Network", "Connectivity Required"}},
	{domain.FieldNetworkJustification, []string{"Justification", "Network Justification", "Network Reason",
		"Connectivity Justification"}},
	{domain.FieldPatchability, []string{"Patchability", "Patchable", "Can Be Patched"}},
	{domain.FieldPurchaseDate, []string{"Purchase Date", "Purchased", "Date Purchased", "Acquisition Date",
		"Acquired", "Date Acquired", "PO Date"}},
	{domain.FieldInstallDate, []string{"Install Date", "Installed", "Date Installed", "Installation Date",
		"In Service Date", "Service Start Date"}},
	{domain.FieldLifecycle, []string{"Lifecycle", "Lifecycle Status", "Status", "Equipment Status",
		"Device Status", "Asset Status"}},
	{domain.FieldReview, []string{"Review", "Reviewed"}},
	{domain.FieldAdmins, []string{"Admins", "Admin Access", "Administrators", "Admin Users"}},
	{domain.FieldNotes, []string{"Notes", "Note", "Comments", "Comment", "Remarks"}},
}

// HeaderSynonyms lists, for every device field in export order, the column
// headers recognised for it: the canonical name, the label, then the
// synonyms as the table spells them.
func HeaderSynonyms() []HeaderNames {
	extra := map[domain.Field][]string{}
	for _, s := range headerSynonyms {
		extra[s.Field] = append(extra[s.Field], s.Names...)
	}
	var out []HeaderNames
	for _, f := range domain.DeviceFields() {
		names := []string{string(f.Field), f.Label}
		seen := map[string]bool{strings.ToLower(names[0]): true, strings.ToLower(names[1]): true}
		for _, n := range extra[f.Field] {
			if k := strings.ToLower(n); !seen[k] {
				seen[k] = true
				names = append(names, n)
			}
		}
		out = append(out, HeaderNames{Field: f.Field, Names: names})
	}
	return out
}
