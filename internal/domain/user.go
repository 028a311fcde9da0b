package domain

import (
	"net/mail"
	"strings"
	"time"
)

// Role is what a user may do. Provider roles act across the MSP's
// practices; practice roles within one.
type Role string

// Roles.
const (
	RoleProviderAdmin Role = "provider-admin" // the MSP's administrators: every practice, users, vendors
	RolePracticeAdmin Role = "practice-admin" // a practice's administrator: its users and devices
	RoleTechnician    Role = "technician"     // edits devices
	RoleViewer        Role = "viewer"         // clinicians: read only
	RoleAuditor       Role = "auditor"        // read only, plus the audit trail and reports
)

// Permission is one thing a role may do.
type Permission string

// Permissions.
const (
	PermReadInventory     Permission = "inventory.read"
	PermEditInventory     Permission = "inventory.edit"
	PermManageDeviceAdmin Permission = "device.admins" // the list of people with administrative access to a device
	PermManageUsers       Permission = "users.manage"
	PermManageTenants     Permission = "tenants.manage"
	PermManageVendors     Permission = "vendors.manage"
	PermManageSites       Permission = "sites.manage"
	PermReadAudit         Permission = "audit.read"
	// PermOverridePatch lets an administrator skip validation or schedule
	// an update outside a maintenance window, with a reason.
	PermOverridePatch Permission = "patch.override"
)

// rolePerms is the one table of who may do what.
var rolePerms = map[Role][]Permission{
	RoleProviderAdmin: {PermReadInventory, PermEditInventory, PermManageDeviceAdmin, PermManageUsers, PermManageTenants, PermManageVendors, PermManageSites, PermReadAudit, PermOverridePatch},
	RolePracticeAdmin: {PermReadInventory, PermEditInventory, PermManageDeviceAdmin, PermManageUsers, PermManageSites, PermReadAudit, PermOverridePatch},
	RoleTechnician:    {PermReadInventory, PermEditInventory},
	RoleViewer:        {PermReadInventory},
	RoleAuditor:       {PermReadInventory, PermReadAudit},
}

// Roles lists the roles in order of authority.
func Roles() []Role {
	return []Role{RoleProviderAdmin, RolePracticeAdmin, RoleTechnician, RoleViewer, RoleAuditor}
}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := rolePerms[r]; !ok {
		names := make([]string, 0, len(rolePerms))
		for _, x := range Roles() {
			names = append(names, string(x))
		}
		return "", Errorf(CodeInvalid, "unknown role %q; use one of: %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// Can reports whether the role grants p.
func (r Role) Can(p Permission) bool {
	for _, x := range rolePerms[r] {
		if x == p {
			return true
		}
	}
	return false
}

// User is a person who signs in to Vigil.
type User struct {
	ID                 int64
	TenantID           int64 // 0: the provider (MSP) staff
	Email              string
	Name               string
	Role               Role
	Disabled           bool
	PasswordHash       string // argon2id, PHC string; never shown or audited
	PasswordChangedAt  time.Time
	MustChangePassword bool // set for one-time passwords
	CreatedAt          time.Time
	UpdatedAt          time.Time

	// TOTPSecret is the base32 second-factor secret; with TOTPEnabled
	// false it is an enrolment not yet confirmed. Never shown after
	// enrolment, never audited.
	TOTPSecret   string
	TOTPEnabled  bool
	TOTPLastStep int64 // the last time step whose code was accepted; kept by the store
}

// Validate checks the user and normalises the e-mail address.
func (u *User) Validate() error {
	addr, err := mail.ParseAddress(strings.TrimSpace(u.Email))
	if err != nil || addr.Name != "" || !strings.Contains(addr.Address, "@") {
		return Errorf(CodeInvalid, "%q is not an e-mail address", u.Email)
	}
	u.Email = strings.ToLower(addr.Address)
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	switch {
	case u.Role == RoleProviderAdmin && u.TenantID != 0:
		return Errorf(CodeInvalid, "a provider-admin belongs to the provider, not to a practice")
	case u.Role == RolePracticeAdmin && u.TenantID == 0:
		return Errorf(CodeInvalid, "a practice-admin belongs to a practice; name it with --tenant")
	}
	return nil
}

// Audited is the user as written to the audit trail: everything but the
// password hash and the second-factor secret.
func (u *User) Audited() map[string]any {
	return map[string]any{"id": u.ID, "tenant_id": u.TenantID, "email": u.Email, "name": u.Name, "role": u.Role,
		"disabled": u.Disabled, "must_change_password": u.MustChangePassword, "totp_enabled": u.TOTPEnabled}
}

// Session is a signed-in browser. Token is only ever known to the browser
// and the request that created the session; the store keeps its hash.
type Session struct {
	TokenHash string
	User      *User
	TenantID  int64 // the practice the session works in; 0 for none yet
	CSRFToken string
	IP        string
	UserAgent string
	// Pending marks a session whose user has given the password but not
	// yet the second factor: it reaches nothing but the code page.
	Pending   bool
	CreatedAt time.Time
	ExpiresAt time.Time
}
