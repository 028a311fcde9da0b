package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// SetDeviceReplacementCost overrides the model's replacement cost for one
// device of the tenant; cents < 0 removes the override. Setting the cost
// the device already has (or clearing one it does not have) changes
// nothing and writes no audit event.
func (s *Store) SetDeviceReplacementCost(ctx context.Context, deviceID, cents int64) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		var label string
		if err := tx.queryRow("SELECT label FROM devices WHERE tenant_id = ? AND id = ?", tid, deviceID).Scan(&label); err != nil {
			return wrapScan(err, "device")
		}
		var old int64 = -1
		if err := tx.queryRow("SELECT replacement_cost_cents FROM device_costs WHERE tenant_id = ? AND device_id = ?", tid, deviceID).Scan(&old); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return domain.Internal(err, "cannot read the replacement cost")
		}
		if cents < 0 {
			cents = -1
		}
		if old == cents {
			return nil // nothing changes, so nothing is audited
		}
		if _, err := tx.exec("DELETE FROM device_costs WHERE tenant_id = ? AND device_id = ?", tid, deviceID); err != nil {
			return domain.Internal(err, "cannot change the replacement cost")
		}
		if cents >= 0 {
			if _, err := tx.exec("INSERT INTO device_costs (tenant_id, device_id, replacement_cost_cents) VALUES (?, ?, ?)", tid, deviceID, cents); err != nil {
				return domain.Internal(err, "cannot change the replacement cost")
			}
		}
		costOrNil := func(c int64) any {
			if c < 0 {
				return nil
			}
			return map[string]int64{"replacement_cost_cents": c}
		}
		tx.audit(tid, "device.replacement_cost", "device", deviceID, label, costOrNil(old), costOrNil(cents))
		return nil
	})
}

// DeviceReplacementCosts returns the tenant's per-device overrides.
func (s *Store) DeviceReplacementCosts(ctx context.Context) (map[int64]int64, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT device_id, replacement_cost_cents FROM device_costs WHERE tenant_id = ?", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot read replacement costs")
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, c int64
		if err := rows.Scan(&id, &c); err != nil {
			return nil, domain.Internal(err, "cannot read replacement costs")
		}
		out[id] = c
	}
	return out, rows.Err()
}

const releaseCols = "r.id, r.tenant_id, r.model_id, m.vendor_id, v.name, m.name, r.version, r.released_on, r.notes, r.source, r.advisory_ref, r.created_at, " +
	"(SELECT COUNT(*) FROM patch_items p WHERE p.release_id = r.id)"
const releaseFrom = " FROM firmware_releases r JOIN models m ON m.id = r.model_id JOIN vendors v ON v.id = m.vendor_id"

func scanRelease(sc interface{ Scan(...any) error }) (*domain.FirmwareRelease, error) {
	var r domain.FirmwareRelease
	var on, created string
	if err := sc.Scan(&r.ID, &r.TenantID, &r.ModelID, &r.VendorID, &r.Manufacturer, &r.Model, &r.Version, &on, &r.Notes, &r.Source,
		&r.AdvisoryRef, &created, &r.Devices); err != nil {
		return nil, err
	}
	r.ReleasedOn, r.CreatedAt = parseDate(on), parseTime(created)
	return &r, nil
}

// CreateFirmwareRelease records a release and opens a work item for every
// device of the model in the tenant not already on that version.
func (s *Store) CreateFirmwareRelease(ctx context.Context, r *domain.FirmwareRelease) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.ModelID == 0 {
		m, err := s.FindModel(ctx, r.Manufacturer, r.Model)
		if err != nil {
			return err
		}
		r.ModelID = m.ID
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.queryRow("SELECT m.vendor_id, v.name, m.name FROM models m JOIN vendors v ON v.id = m.vendor_id WHERE m.id = ?", r.ModelID).
			Scan(&r.VendorID, &r.Manufacturer, &r.Model); err != nil {
			return wrapScan(err, "model")
		}
		id, err := tx.insertID("firmware_releases", []string{"tenant_id", "model_id", "version", "released_on", "notes", "source", "advisory_ref", "created_at"},
			tid, r.ModelID, r.Version, r.ReleasedOn.String(), r.Notes, r.Source, r.AdvisoryRef, fmtTime(tx.now))
		if err != nil {
			return conflictOr(err, "version %s of %s %s is already recorded", r.Version, r.Manufacturer, r.Model)
		}
		r.ID, r.TenantID, r.CreatedAt = id, tid, tx.now
		rows, err := tx.query("SELECT id FROM devices WHERE tenant_id = ? AND model_id = ? AND firmware <> ? AND lifecycle NOT IN ('retired', 'disposed') ORDER BY id",
			tid, r.ModelID, r.Version)
		if err != nil {
			return domain.Internal(err, "cannot find the model's devices")
		}
		var ids []int64
		for rows.Next() {
			var d int64
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return domain.Internal(err, "cannot find the model's devices")
			}
			ids = append(ids, d)
		}
		rows.Close()
		items := make([][]any, len(ids))
		for i, d := range ids {
			items[i] = []any{tid, id, d, string(domain.PatchAvailable), fmtTime(tx.now), fmtTime(tx.now)}
		}
		if err := tx.insertRows("patch_items", []string{"tenant_id", "release_id", "device_id", "state", "created_at", "updated_at"}, items); err != nil {
			return domain.Internal(err, "cannot open work items")
		}
		r.Devices = len(ids)
		tx.audit(tid, "release.create", "release", id, r.Manufacturer+" "+r.Model+" "+r.Version, nil, r)
		return nil
	})
}

// FindFirmwareReleases lists the tenant's releases, newest first.
func (s *Store) FindFirmwareReleases(ctx context.Context, modelID int64) ([]*domain.FirmwareRelease, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+releaseCols+releaseFrom+" WHERE r.tenant_id = ? AND (? = 0 OR r.model_id = ?) ORDER BY r.released_on DESC, r.id DESC",
		tid, modelID, modelID)
	if err != nil {
		return nil, domain.Internal(err, "cannot list releases")
	}
	defer rows.Close()
	var out []*domain.FirmwareRelease
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list releases")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const patchCols = "p.id, p.tenant_id, p.release_id, p.device_id, p.state, d.label, s.slug, d.department, v.name, m.name, d.firmware, r.version, r.released_on, " +
	"p.validated_by, p.validated_at, p.evidence, p.scheduled_for, p.window_id, p.applied_at, p.applied_by, p.verified_at, p.verified_by, p.override_reason, p.created_at, p.updated_at, " +
	"COALESCE(e.name, ''), COALESCE(e.content_type, ''), COALESCE(e.size_bytes, 0), COALESCE(e.sha256, ''), COALESCE(e.created_at, ''), COALESCE(e.created_by, '')"

// patchFrom joins what a work item shows; its evidence file, when it has
// one, without the content.
const patchFrom = " FROM patch_items p JOIN devices d ON d.id = p.device_id JOIN sites s ON s.id = d.site_id " +
	"JOIN firmware_releases r ON r.id = p.release_id JOIN models m ON m.id = r.model_id JOIN vendors v ON v.id = m.vendor_id " +
	"LEFT JOIN patch_evidence e ON e.patch_id = p.id AND e.tenant_id = p.tenant_id"

func scanPatch(sc interface{ Scan(...any) error }) (*domain.PatchItem, error) {
	var p domain.PatchItem
	var state, on, vat, sched, aat, verat, created, updated, fileAt string
	var f domain.EvidenceFile
	if err := sc.Scan(&p.ID, &p.TenantID, &p.ReleaseID, &p.DeviceID, &state, &p.Device, &p.Site, &p.Department, &p.Manufacturer, &p.Model,
		&p.Firmware, &p.Version, &on, &p.ValidatedBy, &vat, &p.Evidence, &sched, &p.WindowID, &aat, &p.AppliedBy, &verat, &p.VerifiedBy,
		&p.OverrideReason, &created, &updated, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &fileAt, &f.CreatedBy); err != nil {
		return nil, err
	}
	if f.SHA256 != "" {
		f.PatchID, f.CreatedAt = p.ID, parseTime(fileAt)
		p.EvidenceFile = &f
	}
	p.State, p.ReleasedOn = domain.PatchState(state), parseDate(on)
	p.ValidatedAt, p.ScheduledFor, p.AppliedAt, p.VerifiedAt = parseTime(vat), parseTime(sched), parseTime(aat), parseTime(verat)
	p.CreatedAt, p.UpdatedAt = parseTime(created), parseTime(updated)
	return &p, nil
}

// FindPatchItems lists the tenant's work items, oldest first.
func (s *Store) FindPatchItems(ctx context.Context, f domain.PatchFilter) ([]*domain.PatchItem, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	where, args := []string{"p.tenant_id = ?"}, []any{tid}
	if f.State != "" {
		if _, err := domain.ParsePatchState(string(f.State)); err != nil {
			return nil, err
		}
		where, args = append(where, "p.state = ?"), append(args, string(f.State))
	}
	if f.Open {
		where, args = append(where, "p.state <> ?"), append(args, string(domain.PatchVerified))
	}
	if f.DeviceID > 0 {
		where, args = append(where, "p.device_id = ?"), append(args, f.DeviceID)
	}
	if f.ReleaseID > 0 {
		where, args = append(where, "p.release_id = ?"), append(args, f.ReleaseID)
	}
	rows, err := s.query(ctx, "SELECT "+patchCols+patchFrom+" WHERE "+strings.Join(where, " AND ")+" ORDER BY p.id", args...)
	if err != nil {
		return nil, domain.Internal(err, "cannot list work items")
	}
	defer rows.Close()
	var out []*domain.PatchItem
	for rows.Next() {
		p, err := scanPatch(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list work items")
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FindPatchItem returns one of the tenant's work items.
func (s *Store) FindPatchItem(ctx context.Context, id int64) (*domain.PatchItem, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	p, err := scanPatch(s.queryRow(ctx, "SELECT "+patchCols+patchFrom+" WHERE p.tenant_id = ? AND p.id = ?", tid, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("work item", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return nil, wrapScan(err, "work item")
	}
	return p, nil
}

// FindPatchEvidence returns the evidence file of one of the tenant's work
// items, with its content.
func (s *Store) FindPatchEvidence(ctx context.Context, patchID int64) (*domain.EvidenceFile, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	var f domain.EvidenceFile
	var at string
	err = s.queryRow(ctx, "SELECT e.patch_id, e.name, e.content_type, e.size_bytes, e.sha256, e.content, e.created_at, e.created_by "+
		"FROM patch_evidence e JOIN patch_items p ON p.id = e.patch_id AND p.tenant_id = e.tenant_id WHERE e.tenant_id = ? AND e.patch_id = ?", tid, patchID).
		Scan(&f.PatchID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Content, &at, &f.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "work item %d has no evidence file", patchID)
	}
	if err != nil {
		return nil, domain.Internal(err, "cannot read the evidence file")
	}
	f.CreatedAt = parseTime(at)
	return &f, nil
}

// MovePatchItem moves a work item through the workflow.
func (s *Store) MovePatchItem(ctx context.Context, id int64, c domain.PatchChange) (*domain.PatchItem, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *domain.PatchItem
	err = s.write(ctx, func(tx *Tx) error {
		p, err := scanPatch(tx.queryRow("SELECT "+patchCols+patchFrom+" WHERE p.tenant_id = ? AND p.id = ?"+s.d.ForUpdate(), tid, id))
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("work item", strconv.FormatInt(id, 10))
			}
			return wrapScan(err, "work item")
		}
		before := *p
		skipValidation := p.State == domain.PatchAvailable && c.To == domain.PatchScheduled
		if err := domain.CheckPatchMove(p.State, c.To, c.Override); err != nil {
			return err
		}
		who := tx.actor.String()
		outsideWindow := false
		switch c.To {
		case domain.PatchValidated:
			p.ValidatedBy, p.ValidatedAt, p.Evidence = who, tx.now, c.Evidence
			if f := c.File; f != nil {
				if _, err := tx.exec("INSERT INTO patch_evidence (patch_id, tenant_id, name, content_type, size_bytes, sha256, content, created_at, created_by) "+
					"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", id, tid, f.Name, f.ContentType, f.Size, f.SHA256, f.Content, fmtTime(tx.now), who); err != nil {
					return domain.Internal(err, "cannot store the evidence file")
				}
				p.EvidenceFile = &domain.EvidenceFile{PatchID: id, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256,
					CreatedAt: tx.now, CreatedBy: who}
			}
		case domain.PatchScheduled:
			win, err := tx.windowFor(tid, p, c.At)
			if err != nil {
				return err
			}
			if win == nil && !c.Override {
				return domain.Errorf(domain.CodeInvalid, "%s is outside every maintenance window of site %s%s; choose a time inside one, or an administrator may override with a reason",
					c.At.UTC().Format("2006-01-02 15:04 UTC"), p.Site, deptSuffix(p.Department))
			}
			outsideWindow = win == nil
			p.ScheduledFor, p.WindowID = c.At, 0
			if win != nil {
				p.WindowID = win.ID
			}
		case domain.PatchApplied:
			p.AppliedAt, p.AppliedBy = tx.now, who
			// The device now runs the release: record it as the device's
			// firmware, with the work item as its provenance.
			if _, _, err := tx.updateFields(tid, p.DeviceID, map[domain.Field]string{domain.FieldFirmware: p.Version},
				domain.Source{Kind: domain.SourceManual, Name: "patch work item", Ref: "work item " + strconv.FormatInt(id, 10)}); err != nil {
				return err
			}
		case domain.PatchVerified:
			p.VerifiedAt, p.VerifiedBy = tx.now, who
		}
		// An override is recorded only when it was needed.
		overridden := c.Override && (skipValidation || outsideWindow)
		if overridden {
			p.OverrideReason = c.Reason
		}
		p.State, p.UpdatedAt = c.To, tx.now
		if _, err := tx.exec("UPDATE patch_items SET state = ?, validated_by = ?, validated_at = ?, evidence = ?, scheduled_for = ?, window_id = ?, "+
			"applied_at = ?, applied_by = ?, verified_at = ?, verified_by = ?, override_reason = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
			string(p.State), p.ValidatedBy, optTime(p.ValidatedAt), p.Evidence, optTime(p.ScheduledFor), p.WindowID,
			optTime(p.AppliedAt), p.AppliedBy, optTime(p.VerifiedAt), p.VerifiedBy, p.OverrideReason, fmtTime(tx.now), tid, id); err != nil {
			return domain.Internal(err, "cannot update the work item")
		}
		label := p.Device + " → " + p.Version
		if overridden {
			what := "skip validation"
			if outsideWindow {
				what = "schedule outside a maintenance window"
			}
			tx.audit(tid, "patch.override", "patch", id, label, nil, map[string]string{"override": what, "reason": c.Reason})
		}
		tx.audit(tid, "patch."+string(c.To), "patch", id, label, patchAudit(&before), patchAudit(p))
		out = p
		return nil
	})
	return out, err
}

func deptSuffix(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// patchAudit is what the audit trail keeps of a work item.
func patchAudit(p *domain.PatchItem) map[string]any {
	m := map[string]any{"state": p.State, "device_id": p.DeviceID, "release_id": p.ReleaseID}
	if p.Evidence != "" {
		m["evidence"] = p.Evidence
	}
	if f := p.EvidenceFile; f != nil {
		m["evidence_file"] = map[string]any{"name": f.Name, "content_type": f.ContentType, "size": f.Size, "sha256": f.SHA256}
	}
	if !p.ScheduledFor.IsZero() {
		m["scheduled_for"] = p.ScheduledFor.UTC().Format(time.RFC3339)
		m["window_id"] = p.WindowID
	}
	if p.OverrideReason != "" {
		m["override_reason"] = p.OverrideReason
	}
	return m
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

// windowFor returns the maintenance window of the item's site (whole site,
// or its department) that contains t, or nil.
func (tx *Tx) windowFor(tid int64, p *domain.PatchItem, t time.Time) (*domain.MaintenanceWindow, error) {
	rows, err := tx.query("SELECT "+windowCols+windowFrom+" WHERE w.tenant_id = ? AND w.site_id = (SELECT site_id FROM devices WHERE id = ?) ORDER BY w.id", tid, p.DeviceID)
	if err != nil {
		return nil, domain.Internal(err, "cannot read maintenance windows")
	}
	defer rows.Close()
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot read maintenance windows")
		}
		if w.Department != "" && !strings.EqualFold(w.Department, p.Department) {
			continue
		}
		if w.Contains(t) {
			return w, nil
		}
	}
	return nil, rows.Err()
}

const windowCols = "w.id, w.tenant_id, w.site_id, s.slug, w.department, w.name, w.weekdays, w.start_min, w.end_min, w.timezone, w.created_at"
const windowFrom = " FROM maintenance_windows w JOIN sites s ON s.id = w.site_id"

func scanWindow(sc interface{ Scan(...any) error }) (*domain.MaintenanceWindow, error) {
	var w domain.MaintenanceWindow
	var days, created string
	if err := sc.Scan(&w.ID, &w.TenantID, &w.SiteID, &w.Site, &w.Department, &w.Name, &days, &w.Start, &w.End, &w.TimeZone, &created); err != nil {
		return nil, err
	}
	for _, n := range fromJSON[[]int](days) {
		w.Weekdays = append(w.Weekdays, time.Weekday(n))
	}
	w.CreatedAt = parseTime(created)
	return &w, nil
}

// CreateMaintenanceWindow stores a window for one of the tenant's sites.
func (s *Store) CreateMaintenanceWindow(ctx context.Context, w *domain.MaintenanceWindow) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		sites, err := tx.loadSites(tid)
		if err != nil {
			return err
		}
		site, err := sites.resolve(w.Site)
		if err != nil {
			return err
		}
		if w.TimeZone == "" {
			w.TimeZone = site.TimeZone
		}
		if err := w.Validate(); err != nil {
			return err
		}
		days := make([]int, len(w.Weekdays))
		for i, d := range w.Weekdays {
			days[i] = int(d)
		}
		id, err := tx.insertID("maintenance_windows", []string{"tenant_id", "site_id", "department", "name", "weekdays", "start_min", "end_min", "timezone", "created_at"},
			tid, site.ID, w.Department, w.Name, jsonList(days), w.Start, w.End, w.TimeZone, fmtTime(tx.now))
		if err != nil {
			return domain.Internal(err, "cannot store the maintenance window")
		}
		w.ID, w.TenantID, w.SiteID, w.Site, w.CreatedAt = id, tid, site.ID, site.Slug, tx.now
		tx.audit(tid, "window.create", "window", id, w.Name, nil, w)
		return nil
	})
}

// FindMaintenanceWindows lists the tenant's windows.
func (s *Store) FindMaintenanceWindows(ctx context.Context) ([]*domain.MaintenanceWindow, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+windowCols+windowFrom+" WHERE w.tenant_id = ? ORDER BY s.slug, w.name, w.id", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot list maintenance windows")
	}
	defer rows.Close()
	var out []*domain.MaintenanceWindow
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot list maintenance windows")
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteMaintenanceWindow removes one of the tenant's windows.
func (s *Store) DeleteMaintenanceWindow(ctx context.Context, id int64) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		w, err := scanWindow(tx.queryRow("SELECT "+windowCols+windowFrom+" WHERE w.tenant_id = ? AND w.id = ?", tid, id))
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("maintenance window", strconv.FormatInt(id, 10))
			}
			return wrapScan(err, "maintenance window")
		}
		if _, err := tx.exec("DELETE FROM maintenance_windows WHERE tenant_id = ? AND id = ?", tid, id); err != nil {
			return domain.Internal(err, "cannot delete the maintenance window")
		}
		tx.audit(tid, "window.delete", "window", id, w.Name, w, nil)
		return nil
	})
}
