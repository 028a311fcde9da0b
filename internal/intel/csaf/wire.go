package csaf

// Wire structs mirroring the parts of a CSAF 2.0 document that Vigil reads.
// Section numbers refer to the OASIS CSAF Version 2.0 specification
// (csaf-v2.0-os). Members not listed here are ignored (acknowledgments,
// distribution, aggregate_severity, lang, tracking.generator, hashes,
// sbom_urls, x_generic_uris, involvements, ids, vulnerability references).

// document is a whole CSAF document (3.1, 3.2).
type document struct {
	Document        meta            `json:"document"`        // 3.2.1
	ProductTree     *productTree    `json:"product_tree"`    // 3.2.2
	Vulnerabilities []vulnerability `json:"vulnerabilities"` // 3.2.3
}

// meta is the document-level metadata (3.2.1).
type meta struct {
	Category    string      `json:"category"`     // 3.2.1.3, e.g. csaf_security_advisory, csaf_vex
	CSAFVersion string      `json:"csaf_version"` // 3.2.1.4, "2.0"
	Notes       []note      `json:"notes"`        // 3.2.1.7
	Publisher   publisher   `json:"publisher"`    // 3.2.1.8
	References  []reference `json:"references"`   // 3.2.1.9
	Title       string      `json:"title"`        // 3.2.1.11
	Tracking    tracking    `json:"tracking"`     // 3.2.1.12
}

// publisher is who issued the document (3.2.1.8).
type publisher struct {
	Category  string `json:"category"`  // 3.2.1.8.1: coordinator, vendor, discoverer, other, translator, user
	Name      string `json:"name"`      // 3.2.1.8.4
	Namespace string `json:"namespace"` // 3.2.1.8.5
}

// tracking identifies the document and its revision (3.2.1.12).
type tracking struct {
	CurrentReleaseDate string     `json:"current_release_date"` // 3.2.1.12.2
	ID                 string     `json:"id"`                   // 3.2.1.12.4
	InitialReleaseDate string     `json:"initial_release_date"` // 3.2.1.12.5
	RevisionHistory    []revision `json:"revision_history"`     // 3.2.1.12.6
	Status             string     `json:"status"`               // 3.2.1.12.7: draft, final, interim
	Version            string     `json:"version"`              // 3.2.1.12.8
}

// revision is one entry of the revision history (3.2.1.12.6).
type revision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

// note is a titled text (3.1.6).
type note struct {
	Category string `json:"category"` // description, details, faq, general, legal_disclaimer, other, summary
	Text     string `json:"text"`
	Title    string `json:"title"`
}

// reference is a link to more information (3.1.8).
type reference struct {
	Category string `json:"category"` // external, self
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// productTree holds every product the document speaks about (3.2.2).
type productTree struct {
	Branches         []branch          `json:"branches"`           // 3.2.2.1
	FullProductNames []fullProductName `json:"full_product_names"` // 3.2.2.2
	ProductGroups    []productGroup    `json:"product_groups"`     // 3.2.2.3
	Relationships    []relationship    `json:"relationships"`      // 3.2.2.4
}

// branch is one node of the product tree (3.1.2): either further branches
// or a product leaf.
type branch struct {
	Branches []branch         `json:"branches"` // 3.1.2.1
	Category string           `json:"category"` // 3.1.2.2
	Name     string           `json:"name"`     // 3.1.2.3
	Product  *fullProductName `json:"product"`  // 3.1.2.4
}

// fullProductName names one product and gives it an id (3.1.3).
type fullProductName struct {
	Name      string         `json:"name"`                          // 3.1.3.1
	ProductID string         `json:"product_id"`                    // 3.1.3.2
	Helper    *productHelper `json:"product_identification_helper"` // 3.1.3.3
}

// productHelper identifies a product outside the document (3.1.3.3).
type productHelper struct {
	CPE           string   `json:"cpe"`            // 3.1.3.3.1
	ModelNumbers  []string `json:"model_numbers"`  // 3.1.3.3.3
	PURL          string   `json:"purl"`           // 3.1.3.3.4
	SerialNumbers []string `json:"serial_numbers"` // 3.1.3.3.6
	SKUs          []string `json:"skus"`           // 3.1.3.3.7
}

// productGroup gathers product ids under one group id (3.2.2.3).
type productGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
	Summary    string   `json:"summary"`
}

// relationship combines two products into a third (3.2.2.4).
type relationship struct {
	Category                  string          `json:"category"` // default_component_of, external_component_of, installed_on, installed_with, optional_component_of
	FullProductName           fullProductName `json:"full_product_name"`
	ProductReference          string          `json:"product_reference"`
	RelatesToProductReference string          `json:"relates_to_product_reference"`
}

// vulnerability is one entry of the vulnerabilities array (3.2.3).
type vulnerability struct {
	CVE           string         `json:"cve"`            // 3.2.3.2
	CWE           *cwe           `json:"cwe"`            // 3.2.3.3
	Flags         []flag         `json:"flags"`          // 3.2.3.5
	Notes         []note         `json:"notes"`          // 3.2.3.8
	ProductStatus *productStatus `json:"product_status"` // 3.2.3.9
	Remediations  []remediation  `json:"remediations"`   // 3.2.3.12
	Scores        []score        `json:"scores"`         // 3.2.3.13
	Threats       []threat       `json:"threats"`        // 3.2.3.14
	Title         string         `json:"title"`          // 3.2.3.15
}

// cwe is the weakness (3.2.3.3).
type cwe struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// flag is a machine-readable justification (3.2.3.5).
type flag struct {
	Date       string   `json:"date"`
	GroupIDs   []string `json:"group_ids"`
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids"`
}

// productStatus lists product ids by status (3.2.3.9).
type productStatus struct {
	FirstAffected      []string `json:"first_affected"`      // 3.2.3.9.1
	FirstFixed         []string `json:"first_fixed"`         // 3.2.3.9.2
	Fixed              []string `json:"fixed"`               // 3.2.3.9.3
	KnownAffected      []string `json:"known_affected"`      // 3.2.3.9.4
	KnownNotAffected   []string `json:"known_not_affected"`  // 3.2.3.9.5
	LastAffected       []string `json:"last_affected"`       // 3.2.3.9.6
	Recommended        []string `json:"recommended"`         // 3.2.3.9.7
	UnderInvestigation []string `json:"under_investigation"` // 3.2.3.9.8
}

// remediation says what to do for some products (3.2.3.12).
type remediation struct {
	Category   string   `json:"category"` // 3.2.3.12.1
	Date       string   `json:"date"`     // 3.2.3.12.2
	Details    string   `json:"details"`  // 3.2.3.12.3
	GroupIDs   []string `json:"group_ids"`
	ProductIDs []string `json:"product_ids"`
	URL        string   `json:"url"` // 3.2.3.12.8
}

// score is a CVSS score for some products (3.2.3.13).
type score struct {
	CVSSv2   *cvss    `json:"cvss_v2"`
	CVSSv3   *cvss    `json:"cvss_v3"`
	Products []string `json:"products"`
}

// cvss is the part of a CVSS JSON object Vigil keeps.
type cvss struct {
	Version      string   `json:"version"`
	VectorString string   `json:"vectorString"`
	BaseScore    *float64 `json:"baseScore"`
	BaseSeverity string   `json:"baseSeverity"`
}

// threat is a kind of threat to some products (3.2.3.14).
type threat struct {
	Category   string   `json:"category"` // exploit_status, impact, target_set
	Date       string   `json:"date"`
	Details    string   `json:"details"`
	GroupIDs   []string `json:"group_ids"`
	ProductIDs []string `json:"product_ids"`
}
