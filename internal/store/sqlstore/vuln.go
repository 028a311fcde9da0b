package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

var vulnCols = []string{"tenant_id", "device_id", "advisory_id", "cve", "status", "matched", "reason", "fixed_in", "justification",
	"decided_by", "until", "products_json", "remediations_json", "updated_at"}

type vulnKey struct {
	device        int64
	advisory, cve string
}

// decided is a person's decision on a row, kept across re-matching.
type decided struct {
	status, matched, justification, by, until string
}

func userStatus(s string) bool {
	return s == string(domain.VulnMitigated) || s == string(domain.VulnRiskAccepted)
}

func flagged(s string) bool {
	return s == string(domain.VulnAffected) || s == string(domain.VulnPossiblyAffected)
}

// ReplaceVulnerabilities replaces the matches of the given devices.
func (s *Store) ReplaceVulnerabilities(ctx context.Context, deviceIDs []int64, rows []domain.DeviceVulnerability) (*domain.MatchResult, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	res := &domain.MatchResult{}
	err = s.write(ctx, func(tx *Tx) error {
		scope, args := "tenant_id = ?", []any{tid}
		var batches [][]any
		if deviceIDs != nil {
			for start := 0; start < len(deviceIDs); start += idBatch {
				b := []any{tid}
				for _, id := range deviceIDs[start:min(start+idBatch, len(deviceIDs))] {
					b = append(b, id)
				}
				batches = append(batches, b)
			}
		} else {
			batches = [][]any{args}
		}
		old := map[vulnKey]decided{}
		for _, b := range batches {
			where := scope
			if deviceIDs != nil {
				where += " AND device_id IN (" + marks(len(b)-1) + ")"
			}
			if err := tx.readDecided(old, where, b); err != nil {
				return err
			}
			if _, err := tx.exec("DELETE FROM device_vulnerabilities WHERE "+where, b...); err != nil {
				return domain.Internal(err, "cannot replace device vulnerabilities")
			}
		}
		*res = *tx.writeVulns(tid, old, rows)
		if err := tx.err; err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// writeVulns inserts rows, keeping people's decisions from old, and counts
// the change; it queues one audit event when anything changed.
func (tx *Tx) writeVulns(tid int64, old map[vulnKey]decided, rows []domain.DeviceVulnerability) *domain.MatchResult {
	res := &domain.MatchResult{}
	devices := map[int64]bool{}
	newly := map[int64]bool{}
	kept := 0
	out := make([][]any, 0, len(rows))
	for _, r := range rows {
		k := vulnKey{r.DeviceID, r.AdvisoryID, r.CVE}
		matched := string(r.Status)
		status, just, by, until := matched, r.Justification, "", ""
		if d, ok := old[k]; ok {
			kept++
			if userStatus(d.status) {
				status, just, by, until = d.status, d.justification, d.by, d.until
			}
			if flagged(matched) && !flagged(d.matched) {
				newly[r.DeviceID] = true
			}
		} else if flagged(matched) {
			newly[r.DeviceID] = true
		}
		devices[r.DeviceID] = true
		out = append(out, []any{tid, r.DeviceID, r.AdvisoryID, r.CVE, status, matched, r.Reason, r.FixedIn, just, by, until,
			jsonList(r.Products), jsonList(r.Remediations), fmtTime(tx.now)})
	}
	if err := tx.insertRows("device_vulnerabilities", vulnCols, out); err != nil {
		tx.err = domain.Internal(err, "cannot store device vulnerabilities")
		return res
	}
	res.Devices, res.Matches, res.NewlyAffected, res.NoLongerListed = len(devices), len(rows), len(newly), len(old)-kept
	if res.NewlyAffected > 0 || res.NoLongerListed > 0 || len(old) != len(rows) {
		tx.audit(tid, "vulnerabilities.match", "device_vulnerabilities", 0, "matching", nil, res)
	}
	return res
}

// ReplaceAdvisoryVulnerabilities replaces the practice's rows of the given
// advisories with rows (all of them from those advisories), keeping
// people's decisions; an NVD-only row for a CVE the advisories now cover
// on the same device is removed.
func (s *Store) ReplaceAdvisoryVulnerabilities(ctx context.Context, advisoryIDs []string, rows []domain.DeviceVulnerability) (*domain.MatchResult, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if !slices.Contains(advisoryIDs, r.AdvisoryID) {
			return nil, domain.Errorf(domain.CodeInvalid, "row for %q is not one of the advisories replaced", r.AdvisoryID)
		}
	}
	res := &domain.MatchResult{}
	err = s.write(ctx, func(tx *Tx) error {
		old := map[vulnKey]decided{}
		args := append([]any{tid}, idArgs(advisoryIDs)...)
		where := "tenant_id = ? AND advisory_id IN (" + marks(len(advisoryIDs)) + ")"
		if err := tx.readDecided(old, where, args); err != nil {
			return err
		}
		if _, err := tx.exec("DELETE FROM device_vulnerabilities WHERE "+where, args...); err != nil {
			return domain.Internal(err, "cannot replace device vulnerabilities")
		}
		for _, r := range rows {
			if r.CVE == "" {
				continue
			}
			k := vulnKey{r.DeviceID, "", r.CVE}
			if err := tx.readDecided(old, "tenant_id = ? AND device_id = ? AND advisory_id = '' AND cve = ?", []any{tid, r.DeviceID, r.CVE}); err != nil {
				return err
			}
			if _, ok := old[k]; ok {
				delete(old, k) // covered by the advisory now: dropped, not counted as kept
				res.NoLongerListed++
				if _, err := tx.exec("DELETE FROM device_vulnerabilities WHERE tenant_id = ? AND device_id = ? AND advisory_id = '' AND cve = ?", tid, r.DeviceID, r.CVE); err != nil {
					return domain.Internal(err, "cannot replace device vulnerabilities")
				}
			}
		}
		dropped := res.NoLongerListed
		*res = *tx.writeVulns(tid, old, rows)
		res.NoLongerListed += dropped
		return tx.err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// readDecided adds the rows matching where to old.
func (tx *Tx) readDecided(old map[vulnKey]decided, where string, args []any) error {
	q, err := tx.query("SELECT device_id, advisory_id, cve, status, matched, justification, decided_by, until FROM device_vulnerabilities WHERE "+where, args...)
	if err != nil {
		return domain.Internal(err, "cannot read device vulnerabilities")
	}
	defer q.Close()
	for q.Next() {
		var k vulnKey
		var d decided
		if err := q.Scan(&k.device, &k.advisory, &k.cve, &d.status, &d.matched, &d.justification, &d.by, &d.until); err != nil {
			return domain.Internal(err, "cannot read device vulnerabilities")
		}
		old[k] = d
	}
	return q.Err()
}

const vulnSelect = "SELECT v.device_id, v.advisory_id, v.cve, v.status, v.matched, v.reason, v.fixed_in, v.justification, v.decided_by, v.until, " +
	"v.products_json, v.remediations_json, v.updated_at, COALESCE(d.name, ''), COALESCE(d.asset_tag, ''), COALESCE(a.title, ''), COALESCE(a.max_score, 0), " +
	"COALESCE(k.cve, ''), COALESCE(k.due_date, ''), COALESCE(k.date_added, ''), COALESCE(k.required_action, ''), COALESCE(k.ransomware, ''), " +
	"COALESCE(e.cve, ''), COALESCE(e.epss, 0), COALESCE(e.percentile, 0), COALESCE(c.max_score, 0) " +
	"FROM device_vulnerabilities v JOIN devices d ON d.id = v.device_id AND d.tenant_id = v.tenant_id " +
	"LEFT JOIN advisories a ON a.id = v.advisory_id LEFT JOIN kev k ON k.cve = v.cve LEFT JOIN epss e ON e.cve = v.cve LEFT JOIN cves c ON c.id = v.cve "

// FindVulnerabilities lists the practice's device vulnerabilities, most
// urgent first: KEV, then highest score.
func (s *Store) FindVulnerabilities(ctx context.Context, f domain.VulnFilter) ([]*domain.VulnView, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	where, args := []string{"v.tenant_id = ?"}, []any{tid}
	if f.DeviceID != 0 {
		where, args = append(where, "v.device_id = ?"), append(args, f.DeviceID)
	}
	if f.AdvisoryID != "" {
		where, args = append(where, "v.advisory_id = ?"), append(args, f.AdvisoryID)
	}
	if f.CVE != "" {
		where, args = append(where, "v.cve = ?"), append(args, strings.ToUpper(f.CVE))
	}
	if len(f.Statuses) > 0 {
		where = append(where, "v.status IN ("+marks(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.KEV {
		where = append(where, "k.cve IS NOT NULL")
	}
	q := vulnSelect + "WHERE " + strings.Join(where, " AND ") +
		" ORDER BY CASE WHEN k.cve IS NULL THEN 1 ELSE 0 END, CASE v.status WHEN 'affected' THEN 0 WHEN 'possibly_affected' THEN 1 ELSE 2 END, COALESCE(c.max_score, a.max_score, 0) DESC, v.device_id, v.advisory_id, v.cve"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, domain.Internal(err, "cannot list vulnerabilities")
	}
	defer rows.Close()
	var out []*domain.VulnView
	for rows.Next() {
		v, err := scanVuln(rows, tid)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanVuln(sc interface{ Scan(...any) error }, tid int64) (*domain.VulnView, error) {
	var v domain.VulnView
	var status, matched, until, products, remedies, updated, tag, kcve, due, added, action, ransom, ecve string
	var cveScore, epss, pct float64
	var k domain.KEVEntry
	if err := sc.Scan(&v.DeviceID, &v.AdvisoryID, &v.CVE, &status, &matched, &v.Reason, &v.FixedIn, &v.Justification, &v.DecidedBy, &until,
		&products, &remedies, &updated, &v.DeviceName, &tag, &v.AdvisoryTitle, &v.MaxScore,
		&kcve, &due, &added, &action, &ransom, &ecve, &epss, &pct, &cveScore); err != nil {
		return nil, domain.Internal(err, "cannot read vulnerabilities")
	}
	v.TenantID, v.Status, v.Matched, v.Until, v.UpdatedAt = tid, domain.VulnStatus(status), domain.VulnStatus(matched), parseDate(until), parseTime(updated)
	v.Products = fromJSON[[]string](products)
	v.Remediations = fromJSON[[]domain.Remediation](remedies)
	if v.DeviceName == "" {
		v.DeviceName = tag
	}
	if kcve != "" {
		k.CVE, k.DueDate, k.DateAdded, k.RequiredAction, k.Ransomware = kcve, parseDate(due), parseDate(added), action, ransom
		v.KEV = &k
	}
	if ecve != "" {
		v.EPSS = &domain.EPSSScore{CVE: ecve, Probability: epss, Percentile: pct}
	}
	v.MaxScore = max(v.MaxScore, cveScore)
	return &v, nil
}

// DecideVulnerability records a person's decision on one row.
func (s *Store) DecideVulnerability(ctx context.Context, d domain.VulnDecision) (*domain.DeviceVulnerability, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.DeviceVulnerability
	err = s.write(ctx, func(tx *Tx) error {
		var status, matched, just, by, until string
		err := tx.queryRow("SELECT status, matched, justification, decided_by, until FROM device_vulnerabilities WHERE tenant_id = ? AND device_id = ? AND advisory_id = ? AND cve = ?",
			tid, d.DeviceID, d.AdvisoryID, d.CVE).Scan(&status, &matched, &just, &by, &until)
		if errors.Is(err, sql.ErrNoRows) {
			what := d.CVE
			if d.AdvisoryID != "" {
				what = strings.TrimSpace(d.AdvisoryID + " " + d.CVE)
			}
			return domain.Errorf(domain.CodeNotFound, "device %d has no vulnerability %s in this practice", d.DeviceID, what)
		}
		if err != nil {
			return domain.Internal(err, "cannot read the vulnerability")
		}
		before := map[string]string{"status": status, "reason": just, "decided_by": by, "until": until}
		nstatus, njust, nby, nuntil := string(d.Status), d.Reason, actorName(tx.actor), dateText(d.Until)
		if d.Status == "" {
			nstatus, njust, nby, nuntil = matched, "", "", ""
		}
		if _, err := tx.exec("UPDATE device_vulnerabilities SET status = ?, justification = ?, decided_by = ?, until = ?, updated_at = ? WHERE tenant_id = ? AND device_id = ? AND advisory_id = ? AND cve = ?",
			nstatus, njust, nby, nuntil, fmtTime(tx.now), tid, d.DeviceID, d.AdvisoryID, d.CVE); err != nil {
			return domain.Internal(err, "cannot record the decision")
		}
		after := map[string]string{"status": nstatus, "reason": njust, "decided_by": nby, "until": nuntil}
		label := strings.TrimSpace(d.AdvisoryID + " " + d.CVE)
		tx.audit(tid, "vulnerability.decide", "device", d.DeviceID, label, before, after)
		out = &domain.DeviceVulnerability{TenantID: tid, DeviceID: d.DeviceID, AdvisoryID: d.AdvisoryID, CVE: d.CVE, Status: domain.VulnStatus(nstatus),
			Matched: domain.VulnStatus(matched), Justification: njust, DecidedBy: nby, Until: d.Until, UpdatedAt: tx.now}
		return nil
	})
	return out, err
}

func actorName(a domain.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return string(a.Kind)
}

// SaveRubric stores a model's rubric answers.
func (s *Store) SaveRubric(ctx context.Context, r *domain.RubricRecord) error {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM models WHERE id = ?", r.ModelID).Scan(&n); err != nil || n == 0 {
		return notFound("model", fmt.Sprint(r.ModelID))
	}
	answers, _ := json.Marshal(r.Answers)
	reasons, _ := json.Marshal(r.Reasons)
	return s.write(ctx, func(tx *Tx) error {
		var before string
		_ = tx.queryRow("SELECT answers_json FROM rubric_answers WHERE model_id = ?", r.ModelID).Scan(&before)
		r.UpdatedBy, r.UpdatedAt = actorName(tx.actor), tx.now
		if _, err := tx.exec("INSERT INTO rubric_answers (model_id, answers_json, reasons_json, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (model_id) DO UPDATE SET answers_json = excluded.answers_json, reasons_json = excluded.reasons_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
			r.ModelID, string(answers), string(reasons), r.UpdatedBy, fmtTime(tx.now)); err != nil {
			return domain.Internal(err, "cannot store the rubric")
		}
		var b any
		if before != "" {
			b = json.RawMessage(before)
		}
		tx.audit(0, "rubric.save", "model", r.ModelID, "rubric", b, json.RawMessage(answers))
		return nil
	})
}

// FindRubric returns a model's rubric answers.
func (s *Store) FindRubric(ctx context.Context, modelID int64) (*domain.RubricRecord, error) {
	r := &domain.RubricRecord{ModelID: modelID}
	var answers, reasons, at string
	err := s.queryRow(ctx, "SELECT answers_json, reasons_json, updated_by, updated_at FROM rubric_answers WHERE model_id = ?", modelID).Scan(&answers, &reasons, &r.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.CodeNotFound, "model %d has no rubric answers", modelID)
	}
	if err != nil {
		return nil, wrapScan(err, "rubric")
	}
	r.Answers = fromJSON[map[string]string](answers)
	r.Reasons = fromJSON[[]domain.RubricReason](reasons)
	r.UpdatedAt = parseTime(at)
	return r, nil
}

// CountVulnerable counts the practice's flagged devices.
func (s *Store) CountVulnerable(ctx context.Context) (domain.VulnCounts, error) {
	var c domain.VulnCounts
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return c, err
	}
	err = s.queryRow(ctx, "SELECT COUNT(DISTINCT v.device_id), COUNT(DISTINCT CASE WHEN k.cve IS NOT NULL THEN v.device_id END) "+
		"FROM device_vulnerabilities v LEFT JOIN kev k ON k.cve = v.cve WHERE v.tenant_id = ? AND v.status IN ('affected', 'possibly_affected')", tid).Scan(&c.Affected, &c.KEV)
	if err != nil {
		return c, domain.Internal(err, "cannot count vulnerable devices")
	}
	return c, nil
}

// EachDeviceToMatch streams the practice's devices with only what matching
// needs, optionally of one manufacturer (resolved like device filters).
func (s *Store) EachDeviceToMatch(ctx context.Context, vendor string, fn func(*domain.Device) error) error {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return err
	}
	q, args := "SELECT id, manufacturer, model, COALESCE(model_id, 0), firmware FROM devices WHERE tenant_id = ?", []any{tid}
	if vendor != "" {
		v, err := s.FindVendor(ctx, vendor)
		if domain.ErrorCode(err) == domain.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		q, args = q+" AND vendor_id = ?", append(args, v.ID)
	}
	rows, err := s.query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return domain.Internal(err, "cannot list devices")
	}
	defer rows.Close()
	for rows.Next() {
		d := &domain.Device{TenantID: tid}
		if err := rows.Scan(&d.ID, &d.Manufacturer, &d.Model, &d.ModelID, &d.Firmware); err != nil {
			return domain.Internal(err, "cannot list devices")
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}
