package domain

import "time"

// The shapes of vulnerability intelligence: what the feed readers
// (intel/csaf, intel/nvd, intel/kev, intel/epss, intel/sbom, intel/vex)
// produce and what matching and the store consume.

// ProductStatus is a CSAF product status group.
type ProductStatus string

// CSAF 2.0 product status groups (first_/last_ variants fold into these).
const (
	StatusKnownAffected      ProductStatus = "known_affected"
	StatusFixed              ProductStatus = "fixed"
	StatusKnownNotAffected   ProductStatus = "known_not_affected"
	StatusUnderInvestigation ProductStatus = "under_investigation"
	StatusRecommended        ProductStatus = "recommended"
)

// RemediationCategory is a CSAF remediation category.
type RemediationCategory string

// CSAF 2.0 remediation categories.
const (
	RemedyVendorFix     RemediationCategory = "vendor_fix"
	RemedyMitigation    RemediationCategory = "mitigation"
	RemedyWorkaround    RemediationCategory = "workaround"
	RemedyNoneAvailable RemediationCategory = "none_available"
	RemedyNoFixPlanned  RemediationCategory = "no_fix_planned"
)

// Product is one product (and version, or version range) an advisory
// speaks about, flattened from a CSAF product tree or built from a CPE.
type Product struct {
	ID           string   `json:"id"`                      // CSAF product_id, or the CPE for NVD
	Vendor       string   `json:"vendor,omitempty"`        // as the document names it
	Name         string   `json:"name,omitempty"`          // product name, without the version
	Version      string   `json:"version,omitempty"`       // one exact version, when given
	VersionRange string   `json:"version_range,omitempty"` // "vers:generic/>=1.0|<2.3", "<=4.1", "<V2.1"…
	FullName     string   `json:"full_name,omitempty"`     // the document's full product name
	CPE          string   `json:"cpe,omitempty"`
	PURL         string   `json:"purl,omitempty"`
	Models       []string `json:"models,omitempty"`
	Serials      []string `json:"serials,omitempty"`
	SKUs         []string `json:"skus,omitempty"`
	// Relationship is set on a product a CSAF relationship builds
	// (default_component_of, installed_on…): ComponentID names the part and
	// PlatformID the product it belongs to or runs on. Vendor, Name,
	// Version and VersionRange are then the component's.
	Relationship string `json:"relationship,omitempty"`
	ComponentID  string `json:"component_id,omitempty"`
	PlatformID   string `json:"platform_id,omitempty"`
}

// Remediation is what a document says to do for some products.
type Remediation struct {
	Category   RemediationCategory `json:"category"`
	Details    string              `json:"details"`
	URL        string              `json:"url,omitempty"`
	ProductIDs []string            `json:"product_ids,omitempty"`
	Date       time.Time           `json:"date,omitzero"`
}

// Score is one CVSS (or other) score with its vector.
type Score struct {
	Version  string  `json:"version"` // "2.0", "3.0", "3.1", "4.0"
	Vector   string  `json:"vector"`
	Base     float64 `json:"base"`
	Severity string  `json:"severity,omitempty"`
	Source   string  `json:"source,omitempty"` // who scored it
	// ProductIDs are the CSAF products the score applies to (empty: all).
	ProductIDs []string `json:"product_ids,omitempty"`
}

// Note is a titled text of an advisory (summary, details, legal…).
type Note struct {
	Category string `json:"category"`
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
}

// Flag is a CSAF VEX flag or threat: a justification for some products.
type Flag struct {
	Label      string   `json:"label"` // e.g. "vulnerable_code_not_present"
	ProductIDs []string `json:"product_ids,omitempty"`
}

// AdvisoryVuln is one vulnerability inside an advisory.
type AdvisoryVuln struct {
	CVE          string                     `json:"cve,omitempty"`
	Title        string                     `json:"title,omitempty"`
	CWEs         []string                   `json:"cwes,omitempty"`
	Notes        []Note                     `json:"notes,omitempty"`
	Scores       []Score                    `json:"scores,omitempty"`
	Status       map[ProductStatus][]string `json:"product_status,omitempty"` // product ids by status
	Remediations []Remediation              `json:"remediations,omitempty"`
	Flags        []Flag                     `json:"flags,omitempty"`
	Threats      []Threat                   `json:"threats,omitempty"` // CSAF threats (impact, exploit_status, target_set)
}

// Advisory is one security advisory (CSAF document, or a vendor bulletin).
type Advisory struct {
	ID         string         `json:"id"` // tracking id, e.g. "ICSMA-23-103-01"
	Title      string         `json:"title"`
	Publisher  string         `json:"publisher"`
	Category   string         `json:"category,omitempty"` // csaf_security_advisory, csaf_vex…
	Revision   string         `json:"revision,omitempty"` // tracking version
	Released   time.Time      `json:"released,omitzero"`  // initial release
	Updated    time.Time      `json:"updated,omitzero"`   // current release
	Notes      []Note         `json:"notes,omitempty"`
	References []string       `json:"references,omitempty"`
	Products   []Product      `json:"products,omitempty"`
	Vulns      []AdvisoryVuln `json:"vulnerabilities,omitempty"`
	Source     string         `json:"source,omitempty"` // file or URL it came from
}

// CPEMatch is one NVD configuration criterion with its version bounds.
type CPEMatch struct {
	Criteria              string `json:"criteria"` // CPE 2.3 formatted string
	Vulnerable            bool   `json:"vulnerable"`
	VersionStartIncluding string `json:"version_start_including,omitempty"`
	VersionStartExcluding string `json:"version_start_excluding,omitempty"`
	VersionEndIncluding   string `json:"version_end_including,omitempty"`
	VersionEndExcluding   string `json:"version_end_excluding,omitempty"`
	// Platforms is set when the match comes from an AND configuration:
	// the vulnerable CPE is affected only together with one of these
	// (non-vulnerable) CPEs, typically firmware running on some hardware.
	Platforms []string `json:"platforms,omitempty"`
}

// CVE is one vulnerability record (NVD JSON 1.1 / API 2.0, CVE JSON 5).
type CVE struct {
	ID          string     `json:"id"`
	Published   time.Time  `json:"published,omitzero"`
	Modified    time.Time  `json:"modified,omitzero"`
	Description string     `json:"description,omitempty"`
	Scores      []Score    `json:"scores,omitempty"`
	CWEs        []string   `json:"cwes,omitempty"`
	Matches     []CPEMatch `json:"matches,omitempty"` // vulnerable configurations, flattened
	References  []string   `json:"references,omitempty"`
	Source      string     `json:"source,omitempty"`
	// Affected lists the vendor/product/version statements of a CVE JSON 5
	// record (CNA and ADP containers, status affected), for records whose
	// products have no CPE; VersionRange is a vers:generic range.
	Affected []Product `json:"affected,omitempty"`
}

// KEVEntry is one CISA Known Exploited Vulnerabilities catalogue entry.
type KEVEntry struct {
	CVE            string   `json:"cve"`
	Vendor         string   `json:"vendor"`
	Product        string   `json:"product"`
	Name           string   `json:"name,omitempty"`
	DateAdded      Date     `json:"date_added"`
	DueDate        Date     `json:"due_date"`
	RequiredAction string   `json:"required_action,omitempty"`
	Ransomware     string   `json:"ransomware,omitempty"` // "Known", "Unknown"
	Notes          string   `json:"notes,omitempty"`
	Description    string   `json:"description,omitempty"` // the catalogue's short description
	CWEs           []string `json:"cwes,omitempty"`
}

// EPSSScore is FIRST's exploit prediction for one CVE.
type EPSSScore struct {
	CVE         string  `json:"cve"`
	Probability float64 `json:"epss"`
	Percentile  float64 `json:"percentile"`
	Date        Date    `json:"date,omitzero"`
}

// Component is one software component of an SBOM.
type Component struct {
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	Supplier string `json:"supplier,omitempty"`
	PURL     string `json:"purl,omitempty"`
	CPE      string `json:"cpe,omitempty"`
	Ref      string `json:"ref,omitempty"` // bom-ref / SPDXID
}

// SBOM is a software bill of materials for a model or a device.
type SBOM struct {
	Format      string      `json:"format"` // cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag
	SpecVersion string      `json:"spec_version"`
	Subject     Component   `json:"subject"` // the product the SBOM describes
	Components  []Component `json:"components"`
	Source      string      `json:"source,omitempty"`
}

// VEXStatus is a VEX status (OpenVEX / CycloneDX / CSAF VEX folded in).
type VEXStatus string

// VEX statuses.
const (
	VEXNotAffected        VEXStatus = "not_affected"
	VEXAffected           VEXStatus = "affected"
	VEXFixed              VEXStatus = "fixed"
	VEXUnderInvestigation VEXStatus = "under_investigation"
)

// VEXStatement is a manufacturer's statement about one vulnerability in
// some products.
type VEXStatement struct {
	Vuln          string    `json:"vulnerability"`    // CVE id
	Products      []Product `json:"products"`         // identified by PURL, CPE, or name+version
	Status        VEXStatus `json:"status"`           //
	Justification string    `json:"justification"`    // e.g. "vulnerable_code_not_in_execute_path"
	Impact        string    `json:"impact,omitempty"` // free text
	Action        string    `json:"action,omitempty"` // for affected
	Author        string    `json:"author,omitempty"` //
	Issued        time.Time `json:"issued,omitzero"`  //
	Source        string    `json:"source,omitempty"` // file it came from
}

// VulnStatus is the state of one vulnerability on one device.
type VulnStatus string

// Device vulnerability statuses.
const (
	VulnAffected         VulnStatus = "affected"
	VulnPossiblyAffected VulnStatus = "possibly_affected" // matched by model only, no version to compare
	VulnNotAffected      VulnStatus = "not_affected"      // with a justification
	VulnFixed            VulnStatus = "fixed"             // the device runs a fixed version
	VulnMitigated        VulnStatus = "mitigated"         // set by a user, with a reason
	VulnRiskAccepted     VulnStatus = "risk_accepted"     // set by a user, until a date
)

// DeviceVulnerability says how one advisory/CVE concerns one device, and why.
type DeviceVulnerability struct {
	TenantID      int64      `json:"tenant_id"`
	DeviceID      int64      `json:"device_id"`
	AdvisoryID    string     `json:"advisory_id,omitempty"`
	CVE           string     `json:"cve,omitempty"`
	Status        VulnStatus `json:"status"`
	Reason        string     `json:"reason"`                  // why Vigil matched: "model X, firmware 2.1 < 2.3"
	FixedIn       string     `json:"fixed_in,omitempty"`      // the version that fixes it
	Justification string     `json:"justification,omitempty"` // VEX or user justification
	DecidedBy     string     `json:"decided_by,omitempty"`    // who set mitigated / risk_accepted
	Until         Date       `json:"until,omitzero"`          // risk accepted until
	UpdatedAt     time.Time  `json:"updated_at"`
	// Products are the advisory's product ids (or CPEs) the device matched.
	Products []string `json:"products,omitempty"`
	// Remediations are what the advisory says to do for those products.
	Remediations []Remediation `json:"remediations,omitempty"`
	// Matched is the status matching decided, kept when a user sets
	// mitigated or risk_accepted so the original finding stays visible.
	Matched VulnStatus `json:"matched,omitempty"`
}
