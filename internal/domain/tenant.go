package domain

import (
	"strings"
	"time"
)

// Tenant is one practice: a client of the MSP running Vigil.
type Tenant struct {
	ID        int64
	Slug      string // short unique name used on the command line
	Name      string
	Notes     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the tenant and derives a slug from the name if missing.
func (t *Tenant) Validate() error {
	t.Name = strings.Join(strings.Fields(t.Name), " ")
	if t.Name == "" {
		return Errorf(CodeInvalid, "a practice needs a name")
	}
	if t.Slug == "" {
		t.Slug = Slugify(t.Name)
	}
	return validSlug("practice", t.Slug)
}

// Site is a location or network of a practice.
type Site struct {
	ID        int64
	TenantID  int64
	Slug      string
	Name      string
	Address   string
	TimeZone  string // IANA name, e.g. America/Chicago
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the site and derives a slug from the name if missing.
func (s *Site) Validate() error {
	s.Name = strings.Join(strings.Fields(s.Name), " ")
	if s.Name == "" {
		return Errorf(CodeInvalid, "a site needs a name")
	}
	if s.Slug == "" {
		s.Slug = Slugify(s.Name)
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			return Errorf(CodeInvalid, "unknown time zone %q (use an IANA name such as America/New_York)", s.TimeZone)
		}
	}
	return validSlug("site", s.Slug)
}

// Slugify turns a name into a lowercase dash-separated slug.
func Slugify(name string) string {
	return strings.ReplaceAll(normWords(foldAccents.Replace(strings.ToLower(name))), " ", "-")
}

func validSlug(what, s string) error {
	if s == "" || len(s) > 64 {
		return Errorf(CodeInvalid, "%s short name %q must be 1–64 characters", what, s)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(CodeInvalid, "%s short name %q may hold only a–z, 0–9 and dashes", what, s)
		}
	}
	if strings.Trim(s, "0123456789") == "" {
		return Errorf(CodeInvalid, "%s short name %q cannot be only digits (numbers are ids)", what, s)
	}
	return nil
}
