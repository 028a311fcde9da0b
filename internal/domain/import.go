package domain

import "time"

// ImportRecord is one validated row of an inventory file, ready for the
// store: the device values it carries and which fields it carries (absent
// columns and empty cells leave existing values alone).
type ImportRecord struct {
	Row      int    // 1-based data row number as people count it (header is row 1 in spreadsheets)
	Location string // file:line, or file:$[i] for JSON
	Device   Device
	Fields   []Field
}

// ImportBatch is a whole file's worth of records, applied in one transaction.
type ImportBatch struct {
	File        string // the file's base name, recorded in provenance
	Records     []ImportRecord
	DefaultSite string // site slug or name for rows without one
	DryRun      bool   // plan only; nothing is written
	SkipInvalid bool   // import valid rows and reject the others
}

// ImportAction says what an import did to one row's device.
type ImportAction string

// Import actions.
const (
	ImportCreate    ImportAction = "create"
	ImportUpdate    ImportAction = "update"
	ImportUnchanged ImportAction = "unchanged"
)

// ImportChange is the outcome for one row.
type ImportChange struct {
	Row      int           `json:"row"`
	Location string        `json:"location"`
	Action   ImportAction  `json:"action"`
	DeviceID int64         `json:"device_id,omitempty"`
	Label    string        `json:"label"`
	Changes  []FieldChange `json:"changes,omitempty"`
}

// ImportResult summarises an import (or a dry run of one).
type ImportResult struct {
	File      string         `json:"file"`
	DryRun    bool           `json:"dry_run"`
	Created   int            `json:"created"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Rejected  []Problem      `json:"rejected,omitempty"`
	Rows      []ImportChange `json:"rows,omitempty"`
}

// PendingImport is an uploaded inventory file waiting for its uploader to
// confirm the import after seeing the dry run.
type PendingImport struct {
	ID          string // random; names it in the confirmation form
	TenantID    int64
	UserID      int64
	FileName    string
	Content     []byte
	SkipInvalid bool
	DayFirst    bool
	DefaultSite string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}
