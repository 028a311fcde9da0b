package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// deviceCols are the devices columns in the order deviceArgs produces them.
var deviceCols = []string{"id", "tenant_id", "site_id", "asset_tag", "serial", "name", "label", "category", "vendor_id", "manufacturer",
	"model_id", "model", "os", "os_version", "firmware", "macs", "ips", "hostnames", "vlans", "department", "location",
	"criticality", "phi", "phi_records", "network_required", "network_justification", "patchability", "purchase_date",
	"install_date", "lifecycle", "review", "admins", "notes", "provenance", "search_text", "version", "created_at", "updated_at"}

var deviceSelect = func() string {
	cols := make([]string, 0, len(deviceCols))
	for _, c := range deviceCols {
		if c != "search_text" {
			cols = append(cols, "d."+c)
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + ", s.slug FROM devices d JOIN sites s ON s.id = d.site_id"
}()

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func deviceArgs(d *domain.Device) []any {
	return []any{d.ID, d.TenantID, d.SiteID, d.AssetTag, d.Serial, d.Name, d.Label(), string(d.Category), nullID(d.VendorID), d.Manufacturer,
		nullID(d.ModelID), d.Model, d.OS, d.OSVersion, d.Firmware, jsonList(d.MACs), jsonList(d.IPs), jsonList(d.Hostnames), jsonList(d.VLANs),
		d.Department, d.Location, string(d.Criticality), string(d.PHI), d.PHIRecords, string(d.NetworkRequired), d.NetworkJustification,
		string(d.Patchability), d.PurchaseDate.String(), d.InstallDate.String(), string(d.Lifecycle), string(d.Review), jsonList(d.Admins),
		d.Notes, jsonList(d.Provenance), d.SearchText(), d.Version, fmtTime(d.CreatedAt), fmtTime(d.UpdatedAt)}
}

func scanDevice(sc interface{ Scan(...any) error }) (*domain.Device, error) {
	var d domain.Device
	var label, cat, macs, ips, hosts, vlans, crit, phi, netreq, patch, purchase, install, life, review, admins, prov, created, updated string
	var vendorID, modelID sql.NullInt64
	err := sc.Scan(&d.ID, &d.TenantID, &d.SiteID, &d.AssetTag, &d.Serial, &d.Name, &label, &cat, &vendorID, &d.Manufacturer,
		&modelID, &d.Model, &d.OS, &d.OSVersion, &d.Firmware, &macs, &ips, &hosts, &vlans, &d.Department, &d.Location,
		&crit, &phi, &d.PHIRecords, &netreq, &d.NetworkJustification, &patch, &purchase, &install, &life, &review, &admins,
		&d.Notes, &prov, &d.Version, &created, &updated, &d.Site)
	if err != nil {
		return nil, err
	}
	d.Category, d.Criticality, d.PHI = domain.Category(cat), domain.Criticality(crit), domain.PHI(phi)
	d.NetworkRequired, d.Patchability = domain.Tristate(netreq), domain.Patchability(patch)
	d.Lifecycle, d.Review = domain.Lifecycle(life), domain.Review(review)
	d.VendorID, d.ModelID = vendorID.Int64, modelID.Int64
	d.MACs, d.IPs, d.Hostnames = fromJSON[[]string](macs), fromJSON[[]string](ips), fromJSON[[]string](hosts)
	d.VLANs, d.Admins = fromJSON[[]int](vlans), fromJSON[[]string](admins)
	d.Provenance = fromJSON[domain.Provenance](prov)
	d.PurchaseDate, d.InstallDate = parseDate(purchase), parseDate(install)
	d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
	return &d, nil
}

// identityRows are the device_identities rows for d.
func identityRows(d *domain.Device) [][]any {
	var rows [][]any
	add := func(kind string, vals []string) {
		for _, v := range vals {
			rows = append(rows, []any{d.TenantID, d.ID, kind, v})
		}
	}
	add("mac", d.MACs)
	add("ip", d.IPs)
	add("hostname", d.Hostnames)
	return rows
}

var identityCols = []string{"tenant_id", "device_id", "kind", "value"}

// FindDeviceByID returns one of the tenant's devices.
func (s *Store) FindDeviceByID(ctx context.Context, id int64) (*domain.Device, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	d, err := scanDevice(s.queryRow(ctx, deviceSelect+" WHERE d.tenant_id = ? AND d.id = ?", tid, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "no device with id %d in this practice", id)
	}
	if err != nil {
		return nil, wrapScan(err, "device")
	}
	return d, nil
}

// FindDevice finds a device by id, asset tag, serial number or MAC. A
// prefix (id:, tag:, serial:, mac:) removes any ambiguity.
func (s *Store) FindDevice(ctx context.Context, ref string) (*domain.Device, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	ref = strings.TrimSpace(ref)
	kind, val, ok := strings.Cut(ref, ":")
	if !ok || !map[string]bool{"id": true, "tag": true, "serial": true, "mac": true}[kind] {
		kind, val = "", ref
	}
	type hit struct {
		id  int64
		why string
	}
	var hits []hit
	seen := map[int64]bool{}
	try := func(why, q string, arg any) error {
		rows, err := s.query(ctx, q, tid, arg)
		if err != nil {
			return domain.Internal(err, "cannot look up device")
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return domain.Internal(err, "cannot look up device")
			}
			if !seen[id] {
				seen[id] = true
				hits = append(hits, hit{id, why})
			}
		}
		return rows.Err()
	}
	if id, isID := isNumericRef(val); isID && (kind == "" || kind == "id") {
		if err := try("id", "SELECT id FROM devices WHERE tenant_id = ? AND id = ?", id); err != nil {
			return nil, err
		}
	}
	if kind == "" || kind == "tag" {
		if err := try("asset tag", "SELECT id FROM devices WHERE tenant_id = ? AND asset_tag = ?", val); err != nil {
			return nil, err
		}
	}
	if kind == "" || kind == "serial" {
		if err := try("serial", "SELECT id FROM devices WHERE tenant_id = ? AND serial = ?", val); err != nil {
			return nil, err
		}
	}
	if mac, err := domain.NormalizeMAC(val); err == nil && (kind == "" || kind == "mac") {
		if err := try("MAC", "SELECT device_id FROM device_identities WHERE tenant_id = ? AND kind = 'mac' AND value = ?", mac); err != nil {
			return nil, err
		}
	}
	switch len(hits) {
	case 0:
		return nil, domain.Errorf(domain.CodeNotFound, "no device %q in this practice (looked for id, asset tag, serial and MAC)", ref)
	case 1:
		return s.FindDeviceByID(ctx, hits[0].id)
	}
	var parts []string
	for _, h := range hits {
		parts = append(parts, fmt.Sprintf("%s matches device %d", h.why, h.id))
	}
	return nil, domain.Errorf(domain.CodeConflict, "%q names several devices (%s); prefix it with id:, tag:, serial: or mac:", ref, strings.Join(parts, ", "))
}

// deviceQuery is a filter turned into SQL.
type deviceQuery struct {
	filters []string // conditions other than the free-text search
	args    []any
	search  SearchSQL // zero without a search
	none    bool      // the filter names something that does not exist: nothing matches
}

// where renders the WHERE clause with the search condition cond.
func (q deviceQuery) where(cond string, condArgs ...any) (string, []any) {
	conds, args := q.filters, q.args
	if cond != "" {
		conds = append(conds[:len(conds):len(conds)], cond)
		args = append(args[:len(args):len(args)], condArgs...)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// deviceWhere builds the conditions and arguments for a filter.
func (s *Store) deviceWhere(ctx context.Context, tid int64, f domain.DeviceFilter, broad bool) (deviceQuery, error) {
	var q deviceQuery
	where := []string{"d.tenant_id = ?"}
	args := []any{tid}
	if f.Site != "" && f.SiteID == 0 {
		site, err := s.FindSite(ctx, f.Site)
		if err != nil {
			return q, domain.Errorf(domain.CodeInvalid, "unknown site %q", f.Site)
		}
		f.SiteID = site.ID
	}
	if f.SiteID != 0 {
		where, args = append(where, "d.site_id = ?"), append(args, f.SiteID)
	}
	if f.Category != "" {
		where, args = append(where, "d.category = ?"), append(args, string(f.Category))
	}
	if f.Manufacturer != "" && f.VendorID == 0 {
		v, err := s.FindVendor(ctx, f.Manufacturer)
		if domain.ErrorCode(err) == domain.CodeNotFound {
			q.none = true
			return q, nil
		}
		if err != nil {
			return q, err
		}
		f.VendorID = v.ID
	}
	if f.VendorID != 0 {
		where, args = append(where, "d.vendor_id = ?"), append(args, f.VendorID)
	}
	if f.Criticality != "" {
		where, args = append(where, "d.criticality = ?"), append(args, string(f.Criticality))
	}
	if f.Review != "" {
		where, args = append(where, "d.review = ?"), append(args, string(f.Review))
	}
	if words := strings.Fields(strings.ToLower(f.Query)); len(words) > 0 {
		q.search = s.d.Search(SearchSpec{Words: words, TenantID: tid, SiteID: f.SiteID, VendorID: f.VendorID,
			Category: string(f.Category), Broad: broad})
		if f.Criticality != "" || f.Review != "" {
			q.search.IDs = "" // the index does not know these filters
		}
	}
	q.filters, q.args = where, args
	return q, nil
}

var deviceOrder = map[string]string{
	"":             "d.label, d.id",
	"name":         "d.label, d.id",
	"-name":        "d.label DESC, d.id DESC",
	"id":           "d.id",
	"-id":          "d.id DESC",
	"updated":      "d.updated_at, d.id",
	"-updated":     "d.updated_at DESC, d.id DESC",
	"category":     "d.category, d.label, d.id",
	"manufacturer": "d.manufacturer, d.label, d.id",
	"asset_tag":    "d.asset_tag, d.id",
	"serial":       "d.serial, d.id",
}

// broadSearch is the match count above which a search is "broad": the page
// is then found by walking the listing order rather than sorting matches.
const broadSearch = 2000

// FindDevices returns one page of devices and the total count.
//
// Pages (a filter with a limit) are answered from the list cache while the
// practice has not changed since (see listCache); a later page of the same
// filter reuses its total.
func (s *Store) FindDevices(ctx context.Context, f domain.DeviceFilter) ([]*domain.Device, int, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, 0, err
	}
	order, ok := deviceOrder[f.Sort]
	if !ok {
		return nil, 0, domain.Errorf(domain.CodeInvalid, "unknown sort %q; use one of: %s", f.Sort, strings.Join(domain.DeviceSorts, ", "))
	}
	if f.Limit <= 0 {
		return s.findDevices(ctx, tid, f, order, -1)
	}
	mark, err := s.changeMark(ctx, tid)
	if err != nil {
		return nil, 0, err
	}
	totalKey, pageKey := listKeys(tid, mark, f)
	e, err := s.cache.do(ctx, pageKey, func() (*cacheEntry, error) {
		known := -1
		if e, ok := s.cache.get(totalKey); ok {
			known = e.total
		}
		devices, total, err := s.findDevices(ctx, tid, f, order, known)
		if err != nil {
			return nil, err
		}
		s.cache.put(&cacheEntry{key: totalKey, total: total})
		return &cacheEntry{devices: devices, total: total}, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return cloneDevices(e.devices), e.total, nil
}

// findDevices answers FindDevices from the database; known, when not
// negative, is the filter's total already counted.
func (s *Store) findDevices(ctx context.Context, tid int64, f domain.DeviceFilter, order string, known int) ([]*domain.Device, int, error) {
	dq, err := s.deviceWhere(ctx, tid, f, false)
	if err != nil || dq.none {
		return nil, 0, err
	}
	var total int
	var where string
	var args []any
	if sq := dq.search; sq.IDs != "" {
		// The search index answers the search: read it once for the count
		// and the id set, then page over that set.
		var ids string
		if err := s.queryRow(ctx, sq.IDs, sq.IDsArgs...).Scan(&total, &ids); err != nil {
			return nil, 0, domain.Internal(err, "cannot search devices")
		}
		in := sq.InIDs
		if total > broadSearch {
			in = sq.BroadInIDs
		}
		where, args = dq.where(in, ids)
	} else {
		where, args = dq.where(sq.Cond, sq.Args...)
		if total = known; total < 0 {
			if err := s.queryRow(ctx, "SELECT COUNT(*) FROM devices d"+where, args...).Scan(&total); err != nil {
				return nil, 0, domain.Internal(err, "cannot count devices")
			}
		}
		if f.Query != "" && total > broadSearch {
			broadQ, err := s.deviceWhere(ctx, tid, f, true)
			if err != nil {
				return nil, 0, err
			}
			where, args = broadQ.where(broadQ.search.Cond, broadQ.search.Args...)
		}
	}
	if where, args, err = afterKey(where, args, f); err != nil {
		return nil, 0, err
	}
	q := deviceSelect + where + " ORDER BY " + order
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit) + " OFFSET " + strconv.Itoa(max(f.Offset, 0))
	}
	var out []*domain.Device
	err = s.eachRow(ctx, q, args, func(d *domain.Device) error {
		out = append(out, d)
		return nil
	})
	return out, total, err
}

// EachDevice streams matching devices to fn.
func (s *Store) EachDevice(ctx context.Context, f domain.DeviceFilter, fn func(*domain.Device) error) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	order, ok := deviceOrder[f.Sort]
	if !ok {
		return domain.Errorf(domain.CodeInvalid, "unknown sort %q; use one of: %s", f.Sort, strings.Join(domain.DeviceSorts, ", "))
	}
	dq, err := s.deviceWhere(ctx, tid, f, true)
	if err != nil || dq.none {
		return err
	}
	where, args := dq.where(dq.search.Cond, dq.search.Args...)
	if where, args, err = afterKey(where, args, f); err != nil {
		return err
	}
	q := deviceSelect + where + " ORDER BY " + order
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit) + " OFFSET " + strconv.Itoa(max(f.Offset, 0))
	}
	return s.eachRow(ctx, q, args, fn)
}

func (s *Store) eachRow(ctx context.Context, q string, args []any, fn func(*domain.Device) error) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return domain.Internal(err, "cannot list devices")
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return domain.Internal(err, "cannot read device")
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Internal(err, "cannot list devices")
	}
	return nil
}

// CountDevices returns how many devices the tenant has.
func (s *Store) CountDevices(ctx context.Context) (int, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM devices WHERE tenant_id = ?", tid).Scan(&n); err != nil {
		return 0, domain.Internal(err, "cannot count devices")
	}
	return n, nil
}

// checkKeys returns a conflict naming every other device of the tenant that
// already holds d's serial, asset tag or one of its MACs.
func (tx *Tx) checkKeys(d *domain.Device) error {
	owners, err := tx.keyOwners(d)
	if err != nil {
		return err
	}
	return keyConflict(owners)
}

// keyOwners returns which other devices of the tenant already hold d's
// serial, asset tag or MACs, as device id → the key it holds.
func (tx *Tx) keyOwners(d *domain.Device) (map[int64]string, error) {
	owners := map[int64]string{}
	check := func(what, q string, arg any) error {
		rows, err := tx.query(q, d.TenantID, arg)
		if err != nil {
			return domain.Internal(err, "cannot check device keys")
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return domain.Internal(err, "cannot check device keys")
			}
			if id != d.ID {
				if _, dup := owners[id]; !dup {
					owners[id] = what
				}
			}
		}
		return rows.Err()
	}
	if d.Serial != "" {
		if err := check(fmt.Sprintf("serial number %q", d.Serial), "SELECT id FROM devices WHERE tenant_id = ? AND serial = ?", d.Serial); err != nil {
			return nil, err
		}
	}
	if d.AssetTag != "" {
		if err := check(fmt.Sprintf("asset tag %q", d.AssetTag), "SELECT id FROM devices WHERE tenant_id = ? AND asset_tag = ?", d.AssetTag); err != nil {
			return nil, err
		}
	}
	for _, m := range d.MACs {
		if err := check("MAC "+m, "SELECT device_id FROM device_identities WHERE tenant_id = ? AND kind = 'mac' AND value = ?", m); err != nil {
			return nil, err
		}
	}
	return owners, nil
}

func keyConflict(owners map[int64]string) error {
	if len(owners) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(owners))
	for id := range owners {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("%s is already used by device %d", owners[id], id))
	}
	return domain.Errorf(domain.CodeConflict, "%s", strings.Join(parts, "; "))
}

// prepare resolves a device's site, vendor and model inside tx.
func (tx *Tx) prepare(d *domain.Device, sites *siteIndex, vc vendorCache, mc modelCache) error {
	site, err := sites.resolve(d.Site)
	if err != nil {
		return err
	}
	d.SiteID, d.Site = site.ID, site.Slug
	d.VendorID, d.Manufacturer, err = tx.resolveVendor(vc, d.Manufacturer)
	if err != nil {
		return err
	}
	d.ModelID, err = tx.resolveModel(mc, d.VendorID, d.Model, d.Category)
	return err
}

// CreateDevice stores a new device for the tenant.
func (s *Store) CreateDevice(ctx context.Context, d *domain.Device, src domain.Source) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	given := presentFields(d)
	if err := d.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		sites, err := tx.loadSites(tid)
		if err != nil {
			return err
		}
		d.TenantID, d.ID = tid, 0
		if err := tx.prepare(d, sites, vendorCache{}, modelCache{}); err != nil {
			return err
		}
		if err := tx.checkKeys(d); err != nil {
			return err
		}
		src.At, src.Actor = tx.now, tx.actor.String()
		d.Provenance = nil
		recordCreated(d, given, src)
		d.CreatedAt, d.UpdatedAt, d.Version = tx.now, tx.now, 1
		id, err := tx.s.d.ReserveIDs(ctx, tx.Tx, "devices", 1)
		if err != nil {
			return domain.Internal(err, "cannot allocate a device id")
		}
		d.ID = id
		if err := tx.insertRows("devices", deviceCols, [][]any{deviceArgs(d)}); err != nil {
			return conflictOr(err, "the device clashes with an existing one")
		}
		if err := tx.insertRows("device_identities", identityCols, identityRows(d)); err != nil {
			return conflictOr(err, "a MAC address of the device is already used")
		}
		tx.audit(tid, "device.create", "device", d.ID, d.Label(), nil, nonEmptyValues(d))
		return nil
	})
}

// recordCreated records the provenance of a new device: the given fields
// come from src, the rest that hold a value are defaults.
func recordCreated(d *domain.Device, given []domain.Field, src domain.Source) {
	var defaults []domain.Field
	for _, f := range presentFields(d) {
		if !slices.Contains(given, f) {
			defaults = append(defaults, f)
		}
	}
	d.Provenance.Record(defaults, domain.Source{Kind: domain.SourceSystem, Name: "default", At: src.At})
	d.Provenance.Record(given, src)
}

// presentFields lists the fields of d that hold a value.
func presentFields(d *domain.Device) []domain.Field {
	var out []domain.Field
	for _, f := range domain.DeviceFields() {
		if f.Field != domain.FieldID && d.Get(f.Field) != "" {
			out = append(out, f.Field)
		}
	}
	return out
}

// nonEmptyValues renders the fields of d that hold a value as a JSON object
// for the audit trail.
func nonEmptyValues(d *domain.Device) json.RawMessage {
	var b []byte
	b = append(b, '{')
	for _, f := range presentFields(d) {
		b = appendPair(b, string(f), d.Get(f))
	}
	return closeObject(b)
}

// changeMaps renders a change list as before and after JSON objects, in
// field order. Built by hand: it runs once per device on a bulk import.
func changeMaps(ch []domain.FieldChange) (before, after json.RawMessage) {
	bb, ab := []byte{'{'}, []byte{'{'}
	for _, c := range ch {
		bb = appendPair(bb, string(c.Field), c.Old)
		ab = appendPair(ab, string(c.Field), c.New)
	}
	return closeObject(bb), closeObject(ab)
}

func appendPair(b []byte, k, v string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = appendJSONString(b, k)
	b = append(b, ':')
	return appendJSONString(b, v)
}

// appendJSONString appends s as a JSON string (RFC 8259 §7): quotes,
// backslashes and control characters escaped, the rest as UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func closeObject(b []byte) json.RawMessage { return append(b, '}') }

// UpdateDevice sets fields from text values on one of the tenant's devices.
func (s *Store) UpdateDevice(ctx context.Context, id int64, set map[domain.Field]string, src domain.Source) (*domain.Device, []domain.FieldChange, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out *domain.Device
	var changes []domain.FieldChange
	err = s.write(ctx, func(tx *Tx) error {
		out, changes, err = tx.updateFields(tid, id, set, src)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, changes, nil
}

// UpdateDevices sets the same fields on several of the tenant's devices in
// one transaction: all change or none. It returns how many changed.
func (s *Store) UpdateDevices(ctx context.Context, ids []int64, set map[domain.Field]string, src domain.Source) (int, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.write(ctx, func(tx *Tx) error {
		for _, id := range ids {
			_, changes, err := tx.updateFields(tid, id, set, src)
			if err != nil {
				return err
			}
			if len(changes) > 0 {
				n++
			}
		}
		return nil
	})
	return n, err
}

// updateFields sets fields from text values on one device inside tx.
func (tx *Tx) updateFields(tid, id int64, set map[domain.Field]string, src domain.Source) (*domain.Device, []domain.FieldChange, error) {
	old, err := scanDevice(tx.queryRow(deviceSelect+" WHERE d.tenant_id = ? AND d.id = ?"+tx.s.d.ForUpdate(), tid, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, domain.Errorf(domain.CodeNotFound, "no device with id %d in this practice", id)
	}
	if err != nil {
		return nil, nil, wrapScan(err, "device")
	}
	d := old.Clone()
	var problems []domain.Problem
	for f, v := range set {
		if f == domain.FieldID {
			problems = append(problems, domain.Problem{Field: string(f), Message: "the Vigil ID cannot be changed"})
			continue
		}
		if err := d.Set(f, v); err != nil {
			problems = append(problems, domain.Problem{Field: string(f), Message: domain.ErrorMessage(err)})
		}
	}
	if len(problems) > 0 {
		sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
		return nil, nil, &domain.Error{Code: domain.CodeInvalid, Message: problemsMessage(problems), Problems: problems}
	}
	if err := d.Validate(); err != nil {
		return nil, nil, err
	}
	sites, err := tx.loadSites(tid)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.prepare(d, sites, vendorCache{}, modelCache{}); err != nil {
		return nil, nil, err
	}
	changes := old.Diff(d)
	if len(changes) == 0 {
		return old, nil, nil
	}
	if err := tx.checkKeys(d); err != nil {
		return nil, nil, err
	}
	src.At, src.Actor = tx.now, tx.actor.String()
	changed := make([]domain.Field, len(changes))
	for i, c := range changes {
		changed[i] = c.Field
	}
	d.Provenance.Record(changed, src)
	d.UpdatedAt, d.Version = tx.now, old.Version+1
	if err := tx.updateDevice(d, identitiesChanged(old, d)); err != nil {
		return nil, nil, err
	}
	before, after := changeMaps(changes)
	tx.audit(tid, "device.update", "device", d.ID, d.Label(), before, after)
	return d, changes, nil
}

func problemsMessage(ps []domain.Problem) string {
	if len(ps) == 1 {
		return ps[0].String()
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%d problems: %s", len(ps), strings.Join(parts, "; "))
}

func identitiesChanged(a, b *domain.Device) bool {
	return a.Get(domain.FieldMACs) != b.Get(domain.FieldMACs) || a.Get(domain.FieldIPs) != b.Get(domain.FieldIPs) ||
		a.Get(domain.FieldHostnames) != b.Get(domain.FieldHostnames)
}

// updateDevice rewrites a device row (and its identities when they changed).
func (tx *Tx) updateDevice(d *domain.Device, identities bool) error {
	args := deviceArgs(d)
	sets := make([]string, 0, len(deviceCols))
	vals := make([]any, 0, len(deviceCols)+2)
	for i, c := range deviceCols {
		if c == "id" || c == "tenant_id" || c == "created_at" {
			continue
		}
		sets = append(sets, c+" = ?")
		vals = append(vals, args[i])
	}
	vals = append(vals, d.TenantID, d.ID)
	if _, err := tx.exec("UPDATE devices SET "+strings.Join(sets, ", ")+" WHERE tenant_id = ? AND id = ?", vals...); err != nil {
		return conflictOr(err, "the device clashes with an existing one")
	}
	if !identities {
		return nil
	}
	if _, err := tx.exec("DELETE FROM device_identities WHERE tenant_id = ? AND device_id = ?", d.TenantID, d.ID); err != nil {
		return domain.Internal(err, "cannot update device identities")
	}
	if err := tx.insertRows("device_identities", identityCols, identityRows(d)); err != nil {
		return conflictOr(err, "a MAC address of the device is already used")
	}
	return nil
}

// DeleteDevice removes one of the tenant's devices.
func (s *Store) DeleteDevice(ctx context.Context, id int64) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanDevice(tx.queryRow(deviceSelect+" WHERE d.tenant_id = ? AND d.id = ?", tid, id))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "no device with id %d in this practice", id)
		}
		if err != nil {
			return wrapScan(err, "device")
		}
		if _, err := tx.exec("DELETE FROM device_identities WHERE tenant_id = ? AND device_id = ?", tid, id); err != nil {
			return domain.Internal(err, "cannot delete device identities")
		}
		if _, err := tx.exec("DELETE FROM devices WHERE tenant_id = ? AND id = ?", tid, id); err != nil {
			return domain.Internal(err, "cannot delete device")
		}
		tx.audit(tid, "device.delete", "device", id, old.Label(), nonEmptyValues(old), nil)
		return nil
	})
}
