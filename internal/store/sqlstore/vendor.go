package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

const vendorCols = "v.id, v.name, v.website, v.psirt_email, v.psirt_url, v.security_contact, v.contact_verified, v.notes, v.account_manager, v.support_contract, v.support_contract_end, v.advisory_feed_url, v.created_at, v.updated_at"

func scanVendor(sc interface{ Scan(...any) error }, extra ...any) (*domain.Vendor, error) {
	var v domain.Vendor
	var verified, contractEnd, created, updated string
	dest := append([]any{&v.ID, &v.Name, &v.Website, &v.PSIRTEmail, &v.PSIRTURL, &v.SecurityContact, &verified, &v.Notes,
		&v.AccountManager, &v.SupportContract, &contractEnd, &v.AdvisoryFeedURL, &created, &updated}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	v.ContactVerified, v.SupportContractEnd = parseDate(verified), parseDate(contractEnd)
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &v, nil
}

// FindVendors returns vendors ordered by name, with device counts in the
// caller's tenant.
func (s *Store) FindVendors(ctx context.Context) ([]*domain.Vendor, error) {
	tid, _ := domain.TenantFrom(ctx)
	rows, err := s.query(ctx, "SELECT "+vendorCols+", (SELECT COUNT(*) FROM devices d WHERE d.vendor_id = v.id AND d.tenant_id = ?) FROM vendors v ORDER BY v.name, v.id", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot list vendors")
	}
	defer rows.Close()
	var out []*domain.Vendor
	for rows.Next() {
		var n int
		v, err := scanVendor(rows, &n)
		if err != nil {
			return nil, domain.Internal(err, "cannot list vendors")
		}
		v.DeviceCount = n
		out = append(out, v)
	}
	return out, rows.Err()
}

// FindVendor finds a vendor by id, name or alias.
func (s *Store) FindVendor(ctx context.Context, ref string) (*domain.Vendor, error) {
	tid, _ := domain.TenantFrom(ctx)
	ref = strings.TrimSpace(ref)
	id, _ := isNumericRef(ref)
	key := domain.VendorKey(domain.CanonicalVendorName(ref))
	var n int
	v, err := scanVendor(s.queryRow(ctx, "SELECT "+vendorCols+", (SELECT COUNT(*) FROM devices d WHERE d.vendor_id = v.id AND d.tenant_id = ?) FROM vendors v "+
		"WHERE v.id = ? OR v.key = ? OR v.id IN (SELECT vendor_id FROM vendor_aliases WHERE alias_key = ?) ORDER BY v.id LIMIT 1",
		tid, id, key, domain.VendorKey(ref)), &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("vendor", ref)
	}
	if err != nil {
		return nil, wrapScan(err, "vendor")
	}
	v.DeviceCount = n
	rows, err := s.query(ctx, "SELECT alias FROM vendor_aliases WHERE vendor_id = ? ORDER BY alias", v.ID)
	if err != nil {
		return nil, domain.Internal(err, "cannot read vendor aliases")
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, domain.Internal(err, "cannot read vendor aliases")
		}
		v.Aliases = append(v.Aliases, a)
	}
	for k, c := range domain.BuiltinVendorAliases() {
		if c == v.Name && k != domain.VendorKey(c) {
			v.Aliases = append(v.Aliases, k)
		}
	}
	return v, rows.Err()
}

// CreateVendor stores a vendor under its canonical name.
func (s *Store) CreateVendor(ctx context.Context, v *domain.Vendor) error {
	v.Name = domain.CanonicalVendorName(v.Name)
	if err := v.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		id, err := tx.insertID("vendors", []string{"key", "name", "website", "psirt_email", "psirt_url", "security_contact", "contact_verified", "notes",
			"account_manager", "support_contract", "support_contract_end", "advisory_feed_url", "created_at", "updated_at"},
			domain.VendorKey(v.Name), v.Name, v.Website, v.PSIRTEmail, v.PSIRTURL, v.SecurityContact, v.ContactVerified.String(), v.Notes,
			v.AccountManager, v.SupportContract, v.SupportContractEnd.String(), v.AdvisoryFeedURL, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return conflictOr(err, "vendor %q already exists", v.Name)
		}
		v.ID, v.CreatedAt, v.UpdatedAt = id, tx.now, tx.now
		tx.audit(0, "vendor.create", "vendor", id, v.Name, nil, v)
		return nil
	})
}

// UpdateVendor changes a vendor's details (its name stays canonical).
func (s *Store) UpdateVendor(ctx context.Context, v *domain.Vendor) error {
	v.Name = domain.CanonicalVendorName(v.Name)
	if err := v.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanVendor(tx.queryRow("SELECT "+vendorCols+" FROM vendors v WHERE v.id = ?", v.ID))
		if err != nil {
			return wrapScan(err, "vendor")
		}
		if _, err := tx.exec("UPDATE vendors SET key = ?, name = ?, website = ?, psirt_email = ?, psirt_url = ?, security_contact = ?, contact_verified = ?, notes = ?, "+
			"account_manager = ?, support_contract = ?, support_contract_end = ?, advisory_feed_url = ?, updated_at = ? WHERE id = ?",
			domain.VendorKey(v.Name), v.Name, v.Website, v.PSIRTEmail, v.PSIRTURL, v.SecurityContact, v.ContactVerified.String(), v.Notes,
			v.AccountManager, v.SupportContract, v.SupportContractEnd.String(), v.AdvisoryFeedURL, fmtTime(tx.now), v.ID); err != nil {
			return conflictOr(err, "another vendor is already called %q", v.Name)
		}
		if old.Name != v.Name {
			if _, err := tx.exec("UPDATE devices SET manufacturer = ? WHERE vendor_id = ?", v.Name, v.ID); err != nil {
				return domain.Internal(err, "cannot rename the vendor on devices")
			}
		}
		v.CreatedAt, v.UpdatedAt = old.CreatedAt, tx.now
		tx.audit(0, "vendor.update", "vendor", v.ID, v.Name, old, v)
		return nil
	})
}

// AddVendorAlias makes alias resolve to the vendor.
func (s *Store) AddVendorAlias(ctx context.Context, vendorID int64, alias string) error {
	key := domain.VendorKey(alias)
	if key == "" {
		return domain.Errorf(domain.CodeInvalid, "an alias needs letters or digits")
	}
	return s.write(ctx, func(tx *Tx) error {
		var name string
		if err := tx.queryRow("SELECT name FROM vendors WHERE id = ?", vendorID).Scan(&name); err != nil {
			return wrapScan(err, "vendor")
		}
		var other int64
		err := tx.queryRow("SELECT id FROM vendors WHERE key = ? UNION ALL SELECT vendor_id FROM vendor_aliases WHERE alias_key = ?", key, key).Scan(&other)
		if err == nil && other != vendorID {
			return domain.Errorf(domain.CodeConflict, "%q already names another vendor (id %d)", alias, other)
		}
		if err == nil {
			return nil
		}
		if _, err := tx.exec("INSERT INTO vendor_aliases (alias_key, alias, vendor_id) VALUES (?, ?, ?)", key, strings.TrimSpace(alias), vendorID); err != nil {
			return conflictOr(err, "alias %q exists", alias)
		}
		tx.audit(0, "vendor.alias", "vendor", vendorID, name, nil, map[string]string{"alias": alias})
		return nil
	})
}

// vendorCache resolves manufacturer names to vendors within one
// transaction, creating vendors that do not exist yet.
type vendorCache map[string]struct {
	id   int64
	name string
}

func (tx *Tx) resolveVendor(cache vendorCache, name string) (int64, string, error) {
	name = domain.CanonicalVendorName(name)
	if name == "" {
		return 0, "", nil
	}
	key := domain.VendorKey(name)
	if v, ok := cache[key]; ok {
		return v.id, v.name, nil
	}
	var id int64
	var canon string
	err := tx.queryRow("SELECT id, name FROM vendors WHERE key = ? UNION ALL SELECT v.id, v.name FROM vendor_aliases a JOIN vendors v ON v.id = a.vendor_id WHERE a.alias_key = ?", key, key).Scan(&id, &canon)
	if errors.Is(err, sql.ErrNoRows) {
		// Another transaction may be creating the same vendor: insert
		// unless it exists by then, and read back whichever row won.
		var created bool
		created, err = tx.insertIfAbsent("vendors", "key", []string{"key", "name", "created_at", "updated_at"}, key, name, fmtTime(tx.now), fmtTime(tx.now))
		if err == nil {
			err = tx.queryRow("SELECT id, name FROM vendors WHERE key = ?", key).Scan(&id, &canon)
		}
		if err == nil && created {
			tx.audit(0, "vendor.create", "vendor", id, name, nil, map[string]string{"name": name})
		}
	}
	if err != nil {
		return 0, "", domain.Internal(err, "cannot resolve vendor %q", name)
	}
	cache[key] = struct {
		id   int64
		name string
	}{id, canon}
	return id, canon, nil
}

// modelCache resolves (vendor, model) to catalogue ids within a transaction,
// creating catalogue entries for models seen for the first time.
type modelCache map[string]int64

func (tx *Tx) resolveModel(cache modelCache, vendorID int64, name string, cat domain.Category) (int64, error) {
	if vendorID == 0 || strings.TrimSpace(name) == "" {
		return 0, nil
	}
	key := domain.ModelKey(name)
	ck := strconv.FormatInt(vendorID, 10) + "\x00" + key
	if id, ok := cache[ck]; ok {
		return id, nil
	}
	var id int64
	err := tx.queryRow("SELECT id FROM models WHERE vendor_id = ? AND key = ?", vendorID, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if cat == "" {
			cat = "other"
		}
		var created bool
		created, err = tx.insertIfAbsent("models", "vendor_id, key", []string{"vendor_id", "key", "name", "category", "created_at", "updated_at"},
			vendorID, key, strings.TrimSpace(name), string(cat), fmtTime(tx.now), fmtTime(tx.now))
		if err == nil {
			err = tx.queryRow("SELECT id FROM models WHERE vendor_id = ? AND key = ?", vendorID, key).Scan(&id)
		}
		if err == nil && created {
			tx.audit(0, "model.create", "model", id, name, nil, map[string]any{"vendor_id": vendorID, "name": name, "category": cat})
		}
	}
	if err != nil {
		return 0, domain.Internal(err, "cannot resolve model %q", name)
	}
	cache[ck] = id
	return id, nil
}
