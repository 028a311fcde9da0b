package domain

import "time"

// AdvisorySummary is one row of the advisory list, with what it means for
// the practice on the context.
type AdvisorySummary struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Publisher string    `json:"publisher"`
	Revision  string    `json:"revision"`
	Released  time.Time `json:"released,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
	CVEs      []string  `json:"cves,omitempty"`
	MaxScore  float64   `json:"max_score"`
	// Affected and Possibly count the practice's devices with that status.
	Affected int `json:"affected_devices"`
	Possibly int `json:"possibly_affected_devices"`
}

// AdvisoryRevision is one imported revision of an advisory.
type AdvisoryRevision struct {
	Revision   string    `json:"revision"`
	Updated    time.Time `json:"updated,omitzero"`
	ImportedAt time.Time `json:"imported_at"`
	Summary    string    `json:"summary,omitempty"` // what changed
}

// AdvisoryChange says what saving an advisory did.
type AdvisoryChange string

// Advisory changes.
const (
	AdvisoryNew       AdvisoryChange = "new"
	AdvisoryRevised   AdvisoryChange = "revised"
	AdvisoryUnchanged AdvisoryChange = "unchanged" // same revision again
	AdvisoryOlder     AdvisoryChange = "older"     // an older revision than the one held: ignored
)

// VulnFilter selects device vulnerabilities.
type VulnFilter struct {
	DeviceID   int64
	AdvisoryID string
	CVE        string
	Statuses   []VulnStatus
	KEV        bool // only CVEs on the KEV catalogue
	Limit      int  // 0: all
}

// VulnView is a device vulnerability with what lists show beside it.
type VulnView struct {
	DeviceVulnerability
	DeviceName    string     `json:"device_name"`
	AdvisoryTitle string     `json:"advisory_title,omitempty"`
	KEV           *KEVEntry  `json:"kev,omitempty"`
	EPSS          *EPSSScore `json:"epss,omitempty"`
	MaxScore      float64    `json:"max_score,omitempty"`
	// Environmental is the score under the model's medical-device rubric
	// answers, when the model has them and a CVSS v3/v4 vector is known.
	Environmental *Score `json:"environmental,omitempty"`
}

// MatchResult counts what replacing a practice's matches changed.
type MatchResult struct {
	Devices        int `json:"devices"`          // devices whose matches were replaced
	Matches        int `json:"matches"`          // rows now held
	NewlyAffected  int `json:"newly_affected"`   // devices with an affected/possibly row they did not have
	NoLongerListed int `json:"no_longer_listed"` // rows removed
}

// VulnDecision is a person's decision on one device vulnerability.
type VulnDecision struct {
	DeviceID   int64      `json:"device_id"`
	AdvisoryID string     `json:"advisory_id,omitempty"`
	CVE        string     `json:"cve,omitempty"`
	Status     VulnStatus `json:"status"` // mitigated, risk_accepted, or "" to return to the matched status
	Reason     string     `json:"reason"`
	Until      Date       `json:"until,omitzero"`
}

// Validate checks a decision: a user sets mitigated or risk_accepted with
// a reason (risk acceptance with an end date), or clears it.
func (d VulnDecision) Validate() error {
	switch d.Status {
	case VulnMitigated, VulnRiskAccepted:
	case "":
		return nil
	default:
		return Errorf(CodeInvalid, "status must be mitigated or risk_accepted, not %q", d.Status)
	}
	if d.Reason == "" {
		return Errorf(CodeInvalid, "a reason is required for %s", d.Status)
	}
	if d.Status == VulnRiskAccepted && d.Until.IsZero() {
		return Errorf(CodeInvalid, "risk_accepted needs an end date (until)")
	}
	return nil
}

// RubricRecord is one model's rubric answers with the reasoning.
type RubricRecord struct {
	ModelID   int64             `json:"model_id"`
	Answers   map[string]string `json:"answers"`
	Reasons   []RubricReason    `json:"reasons,omitempty"`
	UpdatedBy string            `json:"updated_by,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// RubricReason is why one environmental metric has its value.
type RubricReason struct {
	Metric string `json:"metric"`
	Value  string `json:"value"`
	Why    string `json:"why"`
}

// SBOMRecord is a stored SBOM and what it is attached to.
type SBOMRecord struct {
	ID        int64     `json:"id"`
	ModelID   int64     `json:"model_id,omitempty"`
	DeviceID  int64     `json:"device_id,omitempty"`
	SBOM      SBOM      `json:"sbom"`
	CreatedAt time.Time `json:"created_at"`
}

// VulnCounts counts a practice's devices flagged by matching.
type VulnCounts struct {
	Affected int `json:"affected_devices"` // devices with an affected or possibly affected row
	KEV      int `json:"kev_devices"`      // of those, devices with a CVE on the KEV catalogue
}
