// Package store is the persistence contract. Implementations scope every
// practice-owned read and write to the tenant on the context
// (domain.WithTenant) and append an audit event for every change in the same
// transaction; callers cannot opt out of either.
package store

import (
	"context"

	"github.com/vigil-med/vigil/internal/domain"
)

// Store is everything Vigil persists.
type Store interface {
	TenantStore
	SiteStore
	DeviceStore
	VendorStore
	ModelStore
	AuditStore
	UserStore
	SessionStore
	PendingImportStore
	TokenStore
	IntelStore
	LifecycleStore
	DiscoveryStore

	// Engine names the database engine ("sqlite", "postgres").
	Engine() string
	// Ping checks the database is reachable and the schema is current.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// TenantStore manages practices. Tenants are not tenant-scoped themselves;
// the caller's authority to list them is checked above the store.
type TenantStore interface {
	// FindTenants returns all tenants ordered by name.
	FindTenants(ctx context.Context) ([]*domain.Tenant, error)
	// FindTenant finds a tenant by id, slug or exact name. CodeNotFound.
	FindTenant(ctx context.Context, ref string) (*domain.Tenant, error)
	// CreateTenant stores a new tenant. CodeInvalid, CodeConflict (slug taken).
	CreateTenant(ctx context.Context, t *domain.Tenant) error
	// UpdateTenant renames a tenant. CodeInvalid, CodeNotFound, CodeConflict.
	UpdateTenant(ctx context.Context, t *domain.Tenant) error
	// DeleteTenant removes a tenant that has no devices. CodeNotFound,
	// CodeConflict (it still has devices).
	DeleteTenant(ctx context.Context, id int64) error
}

// SiteStore manages the sites of the tenant on the context.
type SiteStore interface {
	// FindSites returns the tenant's sites ordered by name. CodeForbidden
	// without a tenant.
	FindSites(ctx context.Context) ([]*domain.Site, error)
	// FindSite finds a site by id, slug or name. CodeNotFound.
	FindSite(ctx context.Context, ref string) (*domain.Site, error)
	// CreateSite stores a site for the tenant. CodeInvalid, CodeConflict.
	CreateSite(ctx context.Context, s *domain.Site) error
	// UpdateSite changes a site. CodeInvalid, CodeNotFound, CodeConflict.
	UpdateSite(ctx context.Context, s *domain.Site) error
	// DeleteSite removes a site with no devices. CodeNotFound, CodeConflict.
	DeleteSite(ctx context.Context, id int64) error
}

// DeviceStore manages the devices of the tenant on the context.
type DeviceStore interface {
	// FindDeviceByID returns one device. CodeNotFound (also for other
	// tenants' devices).
	FindDeviceByID(ctx context.Context, id int64) (*domain.Device, error)
	// FindDevice finds a device by id, asset tag, serial number or MAC.
	// CodeNotFound; CodeConflict when ref names several devices.
	FindDevice(ctx context.Context, ref string) (*domain.Device, error)
	// FindDevices returns one page of devices and the total matching the
	// filter. CodeInvalid for an unknown sort or site.
	FindDevices(ctx context.Context, f domain.DeviceFilter) ([]*domain.Device, int, error)
	// EachDevice streams matching devices to fn without holding them all in
	// memory; fn's error stops the walk and is returned.
	EachDevice(ctx context.Context, f domain.DeviceFilter, fn func(*domain.Device) error) error
	// CreateDevice stores a new device; d.Site names its site (slug or name;
	// may be empty when the tenant has exactly one site). CodeInvalid,
	// CodeConflict (serial, asset tag or MAC already used).
	CreateDevice(ctx context.Context, d *domain.Device, src domain.Source) error
	// UpdateDevice sets the given fields from text values and records src as
	// their provenance. Returns the updated device and the changes made.
	// CodeInvalid, CodeNotFound, CodeConflict.
	UpdateDevice(ctx context.Context, id int64, set map[domain.Field]string, src domain.Source) (*domain.Device, []domain.FieldChange, error)
	// UpdateDevices sets the same fields on several devices in one
	// transaction (all or none) and returns how many changed. The codes of
	// UpdateDevice.
	UpdateDevices(ctx context.Context, ids []int64, set map[domain.Field]string, src domain.Source) (int, error)
	// DeleteDevice removes a device. CodeNotFound.
	DeleteDevice(ctx context.Context, id int64) error
	// ImportDevices applies a whole file in one transaction: rows are
	// matched to devices by id, serial, asset tag or MAC; changed rows update
	// their device, new ones create one. Unless b.SkipInvalid, any row
	// problem aborts the lot with CodeInvalid listing every problem. A dry
	// run computes the same result and writes nothing.
	ImportDevices(ctx context.Context, b *domain.ImportBatch) (*domain.ImportResult, error)
	// CountDevices returns how many devices the tenant has.
	CountDevices(ctx context.Context) (int, error)
	// DeviceStats counts the tenant's devices by category, criticality,
	// patchability, review and support status on the given day.
	DeviceStats(ctx context.Context, day domain.Date) (*domain.DeviceStats, error)
}

// VendorStore manages the shared vendor list and alias table.
type VendorStore interface {
	// FindVendors returns vendors ordered by name, with their device counts
	// in the caller's tenant when one is on the context.
	FindVendors(ctx context.Context) ([]*domain.Vendor, error)
	// FindVendor finds a vendor by id, name or alias. CodeNotFound.
	FindVendor(ctx context.Context, ref string) (*domain.Vendor, error)
	// CreateVendor stores a vendor. CodeInvalid, CodeConflict.
	CreateVendor(ctx context.Context, v *domain.Vendor) error
	// UpdateVendor changes a vendor's details. CodeInvalid, CodeNotFound.
	UpdateVendor(ctx context.Context, v *domain.Vendor) error
	// AddVendorAlias makes alias resolve to the vendor. CodeConflict when the
	// alias already names another vendor.
	AddVendorAlias(ctx context.Context, vendorID int64, alias string) error
}

// ModelStore manages the shared model catalogue.
type ModelStore interface {
	// FindModels lists catalogue entries, optionally of one vendor.
	FindModels(ctx context.Context, vendorID int64) ([]*domain.Model, error)
	// FindModel finds a model by manufacturer and model name. CodeNotFound.
	FindModel(ctx context.Context, manufacturer, model string) (*domain.Model, error)
	// UpsertModel creates or updates the entry for m.Manufacturer + m.Name.
	UpsertModel(ctx context.Context, m *domain.Model) error
}

// UserStore manages accounts. With a tenant on the context it sees and
// changes only that practice's users; without one (the provider's scope:
// provider staff, the CLI on the database host) it sees the provider's own
// staff and may create users for any practice.
type UserStore interface {
	// FindUsers lists the users of the context's practice, or the
	// provider's staff when no practice is on the context, by e-mail.
	FindUsers(ctx context.Context) ([]*domain.User, error)
	// FindUserByEmail finds any user by e-mail address, for signing in.
	// CodeNotFound.
	FindUserByEmail(ctx context.Context, email string) (*domain.User, error)
	// CreateUser stores a user whose password hash the caller has set.
	// CodeInvalid, CodeConflict (address taken), CodeForbidden (another
	// practice's user).
	CreateUser(ctx context.Context, u *domain.User) error
	// UpdateUser stores a user's name, role, disabled flag, password and
	// second-factor secret and state (a new secret forgets the last
	// accepted step). CodeInvalid, CodeNotFound (also for another
	// practice's user).
	UpdateUser(ctx context.Context, u *domain.User) error
	// RecordTOTPStep records step as the last second-factor time step
	// accepted for the user, atomically and only if it is later than the
	// one recorded, so a code is good once even across replicas. Like
	// FindUserByEmail it is for signing in and not tenant-scoped.
	// CodeConflict (the step or a later one was used), CodeNotFound.
	RecordTOTPStep(ctx context.Context, userID, step int64) error
	// CountUsers counts every account, to know whether Vigil has been set
	// up.
	CountUsers(ctx context.Context) (int, error)
}

// SessionStore keeps signed-in sessions. Sessions are looked up by the hash
// of the cookie token, before any tenant is known, so they are not
// tenant-scoped; the session itself names the tenant it works in.
type SessionStore interface {
	// CreateSession stores a session.
	CreateSession(ctx context.Context, s *domain.Session) error
	// FindSession returns the unexpired session with the token hash, with
	// its user. CodeNotFound (also when expired, or the user is disabled).
	FindSession(ctx context.Context, tokenHash string) (*domain.Session, error)
	// SetSessionTenant changes the practice a session works in.
	SetSessionTenant(ctx context.Context, tokenHash string, tenantID int64) error
	// DeleteSession ends a session (sign-out).
	DeleteSession(ctx context.Context, tokenHash string) error
}

// PendingImportStore keeps uploaded files between an import's preview and
// its confirmation, scoped to the tenant on the context.
type PendingImportStore interface {
	// SavePendingImport stores an upload for the context's practice.
	SavePendingImport(ctx context.Context, p *domain.PendingImport) error
	// FindPendingImport returns an unexpired upload of the practice.
	// CodeNotFound (also when expired or another practice's).
	FindPendingImport(ctx context.Context, id string) (*domain.PendingImport, error)
	// DeletePendingImport removes an upload (and any expired ones).
	DeletePendingImport(ctx context.Context, id string) error
}

// TokenStore keeps API tokens. Like users, tokens are scoped: with a
// practice on the context only that practice's tokens are visible or
// changeable; without one (the provider's scope) the provider-wide tokens
// are listed and any token may be created or revoked. Only the token's
// hash is stored, and neither token nor hash reaches the audit trail.
type TokenStore interface {
	// CreateToken stores a token whose hash the caller has set.
	// CodeInvalid, CodeConflict (a live token of the scope has the name),
	// CodeForbidden (a token for another practice).
	CreateToken(ctx context.Context, t *domain.APIToken) error
	// FindTokenByHash returns the token with the hash, for authenticating
	// a request, before any practice is known, and notes the use in
	// last_used_at (at most once a minute; not audited). CodeNotFound
	// (also when the token is revoked or expired, or the account that
	// created it is disabled).
	FindTokenByHash(ctx context.Context, tokenHash string) (*domain.APIToken, error)
	// FindTokens lists the scope's tokens, revoked ones included, newest
	// first.
	FindTokens(ctx context.Context) ([]*domain.APIToken, error)
	// RevokeToken revokes a token for good. CodeNotFound (also for
	// another practice's token, and for one already revoked).
	RevokeToken(ctx context.Context, id int64) error
}

// AuditStore reads the audit trail. Events are written by the other stores,
// never through this interface.
type AuditStore interface {
	// FindAuditEvents returns the tenant's events (or, with no tenant on the
	// context, every event) matching f, oldest first.
	FindAuditEvents(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEvent, error)
	// EachAuditEvent streams every event in chain order, for verification.
	EachAuditEvent(ctx context.Context, fn func(*domain.AuditEvent) error) error
}

// IntelStore holds vulnerability intelligence. Advisories, CVEs, KEV, EPSS,
// VEX statements, model SBOMs and rubric answers are shared reference data
// (changes are audited with tenant 0); device SBOMs and device
// vulnerabilities belong to the practice on the context.
type IntelStore interface {
	// SaveAdvisory stores an advisory by tracking id: a newer revision
	// replaces the one held and is recorded among its revisions; the same
	// revision again changes nothing; an older one is ignored.
	SaveAdvisory(ctx context.Context, a *domain.Advisory) (domain.AdvisoryChange, error)
	// FindAdvisory returns an advisory and its revisions. CodeNotFound.
	FindAdvisory(ctx context.Context, id string) (*domain.Advisory, []domain.AdvisoryRevision, error)
	// FindAdvisories lists advisories, newest first, with the practice's
	// affected device counts when a tenant is on the context.
	FindAdvisories(ctx context.Context) ([]*domain.AdvisorySummary, error)
	// EachAdvisory streams every advisory.
	EachAdvisory(ctx context.Context, fn func(*domain.Advisory) error) error
	// SaveCVEs stores CVE records in one transaction, replacing those with
	// the same id, through the engine's bulk path. Returns how many.
	SaveCVEs(ctx context.Context, cves []*domain.CVE) (int, error)
	// FindCVE returns one CVE record. CodeNotFound.
	FindCVE(ctx context.Context, id string) (*domain.CVE, error)
	// EachCVEWithMatches streams the CVEs that have CPE configurations
	// (what matching needs), with only their id and matches filled in.
	EachCVEWithMatches(ctx context.Context, fn func(*domain.CVE) error) error
	// SaveKEV stores KEV entries, replacing those with the same CVE.
	SaveKEV(ctx context.Context, entries []domain.KEVEntry) (int, error)
	// SaveEPSS stores EPSS scores, replacing those with the same CVE.
	SaveEPSS(ctx context.Context, scores []domain.EPSSScore) (int, error)
	// FindKEV returns the KEV entries of the given CVEs, by CVE.
	FindKEV(ctx context.Context, cves []string) (map[string]*domain.KEVEntry, error)
	// FindEPSS returns the EPSS scores of the given CVEs, by CVE.
	FindEPSS(ctx context.Context, cves []string) (map[string]*domain.EPSSScore, error)
	// SaveVEX stores VEX statements; one already held is not repeated.
	// Returns how many were new.
	SaveVEX(ctx context.Context, stmts []domain.VEXStatement) (int, error)
	// EachVEX streams every VEX statement.
	EachVEX(ctx context.Context, fn func(*domain.VEXStatement) error) error
	// AttachSBOM stores an SBOM for a model (shared) or, with deviceID, for
	// one of the practice's devices. CodeInvalid, CodeNotFound.
	AttachSBOM(ctx context.Context, modelID, deviceID int64, sbom *domain.SBOM) (int64, error)
	// FindSBOMs returns the SBOMs of a model and, when deviceID is set, of
	// that device of the practice; with both zero, every model SBOM and
	// every device SBOM of the practice.
	FindSBOMs(ctx context.Context, modelID, deviceID int64) ([]*domain.SBOMRecord, error)
	// ReplaceVulnerabilities replaces the matches of the given devices of
	// the practice (all its devices when deviceIDs is nil) with rows. A
	// person's decision (mitigated, risk_accepted) on a row that is still
	// matched is kept. Audited as one event.
	ReplaceVulnerabilities(ctx context.Context, deviceIDs []int64, rows []domain.DeviceVulnerability) (*domain.MatchResult, error)
	// ReplaceAdvisoryVulnerabilities replaces the practice's rows of the
	// given advisories with rows (all from those advisories), keeping
	// people's decisions; an NVD-only row for a CVE they now cover on the
	// same device is removed. CodeInvalid for a row of another advisory.
	ReplaceAdvisoryVulnerabilities(ctx context.Context, advisoryIDs []string, rows []domain.DeviceVulnerability) (*domain.MatchResult, error)
	// EachDeviceToMatch streams what matching needs of the practice's
	// devices (id, manufacturer, model and its id, firmware), only those of
	// the given manufacturer when vendor is not empty.
	EachDeviceToMatch(ctx context.Context, vendor string, fn func(*domain.Device) error) error
	// CountVulnerable counts the practice's devices with affected or
	// possibly affected rows, and those among them on the KEV catalogue.
	CountVulnerable(ctx context.Context) (domain.VulnCounts, error)
	// FindVulnerabilities lists the practice's device vulnerabilities.
	FindVulnerabilities(ctx context.Context, f domain.VulnFilter) ([]*domain.VulnView, error)
	// DecideVulnerability records a person's decision on one row, audited.
	// CodeInvalid, CodeNotFound.
	DecideVulnerability(ctx context.Context, d domain.VulnDecision) (*domain.DeviceVulnerability, error)
	// SaveRubric stores a model's rubric answers and reasoning, audited.
	SaveRubric(ctx context.Context, r *domain.RubricRecord) error
	// FindRubric returns a model's rubric answers. CodeNotFound.
	FindRubric(ctx context.Context, modelID int64) (*domain.RubricRecord, error)
}

// LifecycleStore keeps the tenant's replacement costs, firmware releases,
// patch work items and maintenance windows (docs/lifecycle.md). Every method
// is scoped to the tenant on the context (CodeForbidden without one) and
// every change is audited.
type LifecycleStore interface {
	// SetDeviceReplacementCost overrides the model's replacement cost for
	// one device; cents < 0 removes the override. CodeNotFound, CodeInvalid.
	SetDeviceReplacementCost(ctx context.Context, deviceID, cents int64) error
	// DeviceReplacementCosts returns the tenant's overrides by device id.
	DeviceReplacementCosts(ctx context.Context) (map[int64]int64, error)

	// CreateFirmwareRelease records an update for r.Manufacturer + r.Model
	// (or r.ModelID) and opens an "available" work item for every device
	// of that model in the tenant whose firmware is not already r.Version.
	// CodeInvalid, CodeNotFound (no such model), CodeConflict (version
	// already recorded).
	CreateFirmwareRelease(ctx context.Context, r *domain.FirmwareRelease) error
	// FindFirmwareReleases lists the tenant's releases, newest first, of
	// one model when modelID > 0.
	FindFirmwareReleases(ctx context.Context, modelID int64) ([]*domain.FirmwareRelease, error)

	// FindPatchItems lists work items, oldest first. CodeInvalid.
	FindPatchItems(ctx context.Context, f domain.PatchFilter) ([]*domain.PatchItem, error)
	// FindPatchItem returns one work item. CodeNotFound.
	FindPatchItem(ctx context.Context, id int64) (*domain.PatchItem, error)
	// MovePatchItem moves a work item through the workflow
	// (domain.CheckPatchMove). Scheduling must fall inside a maintenance
	// window of the device's site (and department, when the window names
	// one) unless c.Override; an override is audited as "patch.override"
	// with its reason. The caller checks who may override. A validation
	// may carry an evidence file (c.File, checked by its Validate), stored
	// with the item; the "patch.validated" event records its name, type,
	// size and SHA-256. CodeInvalid, CodeNotFound.
	MovePatchItem(ctx context.Context, id int64, c domain.PatchChange) (*domain.PatchItem, error)
	// FindPatchEvidence returns a work item's evidence file with its
	// content. CodeNotFound (no such item in the tenant, or no file).
	FindPatchEvidence(ctx context.Context, patchID int64) (*domain.EvidenceFile, error)

	// CreateMaintenanceWindow stores a window; w.Site names the site and
	// an empty TimeZone takes the site's (else UTC). CodeInvalid,
	// CodeNotFound (site).
	CreateMaintenanceWindow(ctx context.Context, w *domain.MaintenanceWindow) error
	// FindMaintenanceWindows lists the tenant's windows by site and name.
	FindMaintenanceWindows(ctx context.Context) ([]*domain.MaintenanceWindow, error)
	// DeleteMaintenanceWindow removes a window. CodeNotFound.
	DeleteMaintenanceWindow(ctx context.Context, id int64) error
}

// DiscoveryStore keeps what passive discovery and the importers of other
// tools' results learned, scoped to the tenant on the context.
type DiscoveryStore interface {
	// ApplyDiscovery applies a batch in one transaction: hosts are matched
	// to devices (by MAC; by hostname or IP when a host has no MAC) or
	// created as unreviewed devices; suggestions fill only empty fields or
	// fields discovery set; observations, IP↔MAC history and flows are
	// upserted (flows add up). Device changes are audited. CodeInvalid
	// (unknown site, a host without identity), CodeConflict.
	ApplyDiscovery(ctx context.Context, b *domain.DiscoveryBatch) (*domain.DiscoveryResult, error)
	// FindObservations lists a device's observations. CodeNotFound.
	FindObservations(ctx context.Context, deviceID int64) ([]*domain.DeviceObservation, error)
	// FindNetworkIdentities lists a device's IP↔MAC history, most recent
	// first. CodeNotFound.
	FindNetworkIdentities(ctx context.Context, deviceID int64) ([]*domain.NetworkIdentity, error)
	// FindFlows returns one page of flows matching f, ordered by id, and
	// whether more follow.
	FindFlows(ctx context.Context, f domain.FlowFilter) ([]*domain.Flow, bool, error)
}
