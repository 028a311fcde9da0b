package domain

import "time"

// Threat is a CSAF threat: the impact of a vulnerability on some products
// (the CSAF VEX impact statement of known_not_affected products), whether
// it is exploited, or which products are targeted.
type Threat struct {
	Category   string    `json:"category"` // impact, exploit_status, target_set
	Details    string    `json:"details"`
	ProductIDs []string  `json:"product_ids,omitempty"`
	Date       time.Time `json:"date,omitzero"`
}
