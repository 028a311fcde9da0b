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
