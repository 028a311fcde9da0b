package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// idBatch is how many ids one IN (…) list holds.
const idBatch = 400

// advisoryCVEs lists an advisory's CVE ids, sorted, without repeats.
func advisoryCVEs(a *domain.Advisory) []string {
	var ids []string
	for _, v := range a.Vulns {
		if v.CVE != "" && !slices.Contains(ids, v.CVE) {
			ids = append(ids, v.CVE)
		}
	}
	slices.Sort(ids)
	return ids
}

func maxScore(scores []domain.Score) float64 {
	m := 0.0
	for _, s := range scores {
		m = max(m, s.Base)
	}
	return m
}

func advisoryMaxScore(a *domain.Advisory) float64 {
	m := 0.0
	for _, v := range a.Vulns {
		m = max(m, maxScore(v.Scores))
	}
	return m
}

// SaveAdvisory stores an advisory by tracking id; see store.IntelStore.
func (s *Store) SaveAdvisory(ctx context.Context, a *domain.Advisory) (domain.AdvisoryChange, error) {
	if strings.TrimSpace(a.ID) == "" {
		return "", domain.Errorf(domain.CodeInvalid, "an advisory needs a tracking id")
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return "", domain.Internal(err, "cannot encode advisory %s", a.ID)
	}
	var change domain.AdvisoryChange
	err = s.write(ctx, func(tx *Tx) error {
		var rev, updated, oldDoc string
		err := tx.queryRow("SELECT revision, updated, doc_json FROM advisories WHERE id = ?", a.ID).Scan(&rev, &updated, &oldDoc)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			change = domain.AdvisoryNew
		case err != nil:
			return domain.Internal(err, "cannot read advisory %s", a.ID)
		case rev == a.Revision && sameAdvisory(oldDoc, a):
			change = domain.AdvisoryUnchanged
			return nil
		case newerRevision(a, rev, parseTime(updated)):
			change = domain.AdvisoryRevised
		default:
			change = domain.AdvisoryOlder
			return nil
		}
		cols := []any{a.Title, a.Publisher, a.Category, a.Revision, timeOrEmpty(a.Released), timeOrEmpty(a.Updated), a.Source,
			strings.Join(advisoryCVEs(a), " "), advisoryMaxScore(a), string(doc), fmtTime(tx.now)}
		summary := "first import"
		if change == domain.AdvisoryNew {
			if _, err := tx.exec("INSERT INTO advisories (title, publisher, category, revision, released, updated, source, cves, max_score, doc_json, imported_at, id) VALUES ("+marks(12)+")", append(cols, a.ID)...); err != nil {
				return domain.Internal(err, "cannot store advisory %s", a.ID)
			}
		} else {
			var old domain.Advisory
			_ = json.Unmarshal([]byte(oldDoc), &old)
			summary = revisionSummary(&old, a)
			if _, err := tx.exec("UPDATE advisories SET title = ?, publisher = ?, category = ?, revision = ?, released = ?, updated = ?, source = ?, cves = ?, max_score = ?, doc_json = ?, imported_at = ? WHERE id = ?", append(cols, a.ID)...); err != nil {
				return domain.Internal(err, "cannot store advisory %s", a.ID)
			}
		}
		if _, err := tx.exec("INSERT INTO advisory_revisions (advisory_id, revision, updated, imported_at, summary) VALUES (?, ?, ?, ?, ?) ON CONFLICT (advisory_id, revision) DO UPDATE SET updated = excluded.updated, imported_at = excluded.imported_at, summary = excluded.summary",
			a.ID, a.Revision, timeOrEmpty(a.Updated), fmtTime(tx.now), summary); err != nil {
			return domain.Internal(err, "cannot record the revision of advisory %s", a.ID)
		}
		tx.audit(0, "advisory."+string(change), "advisory", 0, a.ID, map[string]string{"revision": rev}, map[string]string{"revision": a.Revision, "summary": summary})
		return nil
	})
	return change, err
}

// sameAdvisory reports whether the stored document says what a says,
// wherever each was read from.
func sameAdvisory(stored string, a *domain.Advisory) bool {
	var old domain.Advisory
	if json.Unmarshal([]byte(stored), &old) != nil {
		return false
	}
	cur := *a
	old.Source, cur.Source = "", ""
	x, _ := json.Marshal(&old)
	y, _ := json.Marshal(&cur)
	return string(x) == string(y)
}

// newerRevision reports whether a is newer than the held revision: by the
// current release date when both have one, else by comparing the
// revision numbers ("2" > "1.1").
func newerRevision(a *domain.Advisory, heldRev string, heldUpdated time.Time) bool {
	if !a.Updated.IsZero() && !heldUpdated.IsZero() && !a.Updated.Equal(heldUpdated) {
		return a.Updated.After(heldUpdated)
	}
	return compareRevisions(a.Revision, heldRev) >= 0
}

// compareRevisions orders CSAF tracking versions ("1", "1.0.1", "2").
func compareRevisions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			fmt.Sscan(pa[i], &x)
		}
		if i < len(pb) {
			fmt.Sscan(pb[i], &y)
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// revisionSummary says in a line what a new revision changed.
func revisionSummary(old, cur *domain.Advisory) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("revision %s → %s", old.Revision, cur.Revision))
	oc, nc := advisoryCVEs(old), advisoryCVEs(cur)
	for _, c := range nc {
		if !slices.Contains(oc, c) {
			parts = append(parts, "adds "+c)
		}
	}
	for _, c := range oc {
		if !slices.Contains(nc, c) {
			parts = append(parts, "drops "+c)
		}
	}
	if len(old.Products) != len(cur.Products) {
		parts = append(parts, fmt.Sprintf("products %d → %d", len(old.Products), len(cur.Products)))
	}
	return strings.Join(parts, "; ")
}

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

// FindAdvisory returns an advisory and its revisions.
func (s *Store) FindAdvisory(ctx context.Context, id string) (*domain.Advisory, []domain.AdvisoryRevision, error) {
	var doc string
	err := s.queryRow(ctx, "SELECT doc_json FROM advisories WHERE id = ? OR LOWER(id) = LOWER(?)", id, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("advisory", id)
	}
	if err != nil {
		return nil, nil, wrapScan(err, "advisory")
	}
	var a domain.Advisory
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		return nil, nil, domain.Internal(err, "cannot decode advisory %s", id)
	}
	rows, err := s.query(ctx, "SELECT revision, updated, imported_at, summary FROM advisory_revisions WHERE advisory_id = ? ORDER BY imported_at, revision", a.ID)
	if err != nil {
		return nil, nil, domain.Internal(err, "cannot read revisions of %s", id)
	}
	defer rows.Close()
	var revs []domain.AdvisoryRevision
	for rows.Next() {
		var r domain.AdvisoryRevision
		var upd, imp string
		if err := rows.Scan(&r.Revision, &upd, &imp, &r.Summary); err != nil {
			return nil, nil, domain.Internal(err, "cannot read revisions of %s", id)
		}
		r.Updated, r.ImportedAt = parseTime(upd), parseTime(imp)
		revs = append(revs, r)
	}
	return &a, revs, rows.Err()
}

// FindAdvisories lists advisories newest first with the practice's counts.
func (s *Store) FindAdvisories(ctx context.Context) ([]*domain.AdvisorySummary, error) {
	tid, _ := domain.TenantFrom(ctx)
	rows, err := s.query(ctx, "SELECT a.id, a.title, a.publisher, a.revision, a.released, a.updated, a.cves, a.max_score, "+
		"(SELECT COUNT(DISTINCT v.device_id) FROM device_vulnerabilities v WHERE v.tenant_id = ? AND v.advisory_id = a.id AND v.matched = 'affected'), "+
		"(SELECT COUNT(DISTINCT v.device_id) FROM device_vulnerabilities v WHERE v.tenant_id = ? AND v.advisory_id = a.id AND v.matched = 'possibly_affected') "+
		"FROM advisories a ORDER BY a.released DESC, a.id DESC", tid, tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot list advisories")
	}
	defer rows.Close()
	var out []*domain.AdvisorySummary
	for rows.Next() {
		var a domain.AdvisorySummary
		var rel, upd, cves string
		if err := rows.Scan(&a.ID, &a.Title, &a.Publisher, &a.Revision, &rel, &upd, &cves, &a.MaxScore, &a.Affected, &a.Possibly); err != nil {
			return nil, domain.Internal(err, "cannot list advisories")
		}
		a.Released, a.Updated, a.CVEs = parseTime(rel), parseTime(upd), strings.Fields(cves)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// EachAdvisory streams every advisory.
func (s *Store) EachAdvisory(ctx context.Context, fn func(*domain.Advisory) error) error {
	return eachJSON(ctx, s, "SELECT doc_json FROM advisories ORDER BY id", fn)
}

// eachJSON decodes each row's single JSON column into a T and passes it on.
func eachJSON[T any](ctx context.Context, s *Store, q string, fn func(*T) error, args ...any) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return domain.Internal(err, "cannot read intelligence")
	}
	defer rows.Close()
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return domain.Internal(err, "cannot read intelligence")
		}
		var v T
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			return domain.Internal(err, "cannot decode intelligence")
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// replaceByKey deletes the rows whose key is among keys, then inserts rows
// through the bulk path, all in tx.
func (tx *Tx) replaceByKey(table, key string, keys []string, cols []string, rows [][]any) error {
	for start := 0; start < len(keys); start += idBatch {
		batch := keys[start:min(start+idBatch, len(keys))]
		args := make([]any, len(batch))
		for i, k := range batch {
			args[i] = k
		}
		if _, err := tx.exec("DELETE FROM "+table+" WHERE "+key+" IN ("+marks(len(batch))+")", args...); err != nil {
			return err
		}
	}
	return tx.insertRows(table, cols, rows)
}

var cveCols = []string{"id", "published", "modified", "max_score", "description", "matches_json", "doc_json"}

// SaveCVEs stores CVE records, replacing those with the same id.
func (s *Store) SaveCVEs(ctx context.Context, cves []*domain.CVE) (int, error) {
	byID := make(map[string]*domain.CVE, len(cves))
	var ids []string
	for _, c := range cves {
		if c.ID == "" {
			return 0, domain.Errorf(domain.CodeInvalid, "a CVE record needs an id")
		}
		if _, ok := byID[c.ID]; !ok {
			ids = append(ids, c.ID)
		}
		byID[c.ID] = c // the last of repeated ids wins
	}
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		c := byID[id]
		doc, err := json.Marshal(c)
		if err != nil {
			return 0, domain.Internal(err, "cannot encode %s", id)
		}
		matches := ""
		if len(c.Matches) > 0 {
			b, _ := json.Marshal(c.Matches)
			matches = string(b)
		}
		rows = append(rows, []any{id, timeOrEmpty(c.Published), timeOrEmpty(c.Modified), maxScore(c.Scores), c.Description, matches, string(doc)})
	}
	err := s.write(ctx, func(tx *Tx) error {
		if err := tx.replaceByKey("cves", "id", ids, cveCols, rows); err != nil {
			return domain.Internal(err, "cannot store CVE records")
		}
		tx.audit(0, "cve.import", "cve", 0, fmt.Sprintf("%d CVE records", len(ids)), nil, nil)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// FindCVE returns one CVE record.
func (s *Store) FindCVE(ctx context.Context, id string) (*domain.CVE, error) {
	var found *domain.CVE
	err := eachJSON(ctx, s, "SELECT doc_json FROM cves WHERE id = ?", func(c *domain.CVE) error { found = c; return nil }, strings.ToUpper(strings.TrimSpace(id)))
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, notFound("CVE", id)
	}
	return found, nil
}

// EachCVEWithMatches streams CVEs that have CPE configurations.
func (s *Store) EachCVEWithMatches(ctx context.Context, fn func(*domain.CVE) error) error {
	rows, err := s.query(ctx, "SELECT id, matches_json FROM cves WHERE matches_json <> '' ORDER BY id")
	if err != nil {
		return domain.Internal(err, "cannot read CVE records")
	}
	defer rows.Close()
	for rows.Next() {
		var c domain.CVE
		var m string
		if err := rows.Scan(&c.ID, &m); err != nil {
			return domain.Internal(err, "cannot read CVE records")
		}
		if err := json.Unmarshal([]byte(m), &c.Matches); err != nil {
			return domain.Internal(err, "cannot decode %s", c.ID)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

var kevCols = []string{"cve", "vendor", "product", "name", "date_added", "due_date", "required_action", "ransomware", "notes"}

// SaveKEV stores KEV entries.
func (s *Store) SaveKEV(ctx context.Context, entries []domain.KEVEntry) (int, error) {
	keys, rows := dedupe(entries, func(e domain.KEVEntry) string { return e.CVE }, func(e domain.KEVEntry) []any {
		return []any{e.CVE, e.Vendor, e.Product, e.Name, dateText(e.DateAdded), dateText(e.DueDate), e.RequiredAction, e.Ransomware, e.Notes}
	})
	return len(keys), s.write(ctx, func(tx *Tx) error {
		if err := tx.replaceByKey("kev", "cve", keys, kevCols, rows); err != nil {
			return domain.Internal(err, "cannot store the KEV catalogue")
		}
		tx.audit(0, "kev.import", "kev", 0, fmt.Sprintf("%d KEV entries", len(keys)), nil, nil)
		return nil
	})
}

var epssCols = []string{"cve", "epss", "percentile", "day"}

// SaveEPSS stores EPSS scores.
func (s *Store) SaveEPSS(ctx context.Context, scores []domain.EPSSScore) (int, error) {
	keys, rows := dedupe(scores, func(e domain.EPSSScore) string { return e.CVE }, func(e domain.EPSSScore) []any {
		return []any{e.CVE, e.Probability, e.Percentile, dateText(e.Date)}
	})
	return len(keys), s.write(ctx, func(tx *Tx) error {
		if err := tx.replaceByKey("epss", "cve", keys, epssCols, rows); err != nil {
			return domain.Internal(err, "cannot store EPSS scores")
		}
		tx.audit(0, "epss.import", "epss", 0, fmt.Sprintf("%d EPSS scores", len(keys)), nil, nil)
		return nil
	})
}

// dedupe keeps the last item per key, in first-seen order, as rows.
func dedupe[T any](items []T, key func(T) string, row func(T) []any) ([]string, [][]any) {
	at := make(map[string]int, len(items))
	var keys []string
	var rows [][]any
	for _, it := range items {
		k := key(it)
		if i, ok := at[k]; ok {
			rows[i] = row(it)
			continue
		}
		at[k] = len(keys)
		keys = append(keys, k)
		rows = append(rows, row(it))
	}
	return keys, rows
}

func dateText(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// idArgs turns ids into query arguments.
func idArgs(ids []string) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// FindKEV returns KEV entries by CVE.
func (s *Store) FindKEV(ctx context.Context, cves []string) (map[string]*domain.KEVEntry, error) {
	out := map[string]*domain.KEVEntry{}
	for start := 0; start < len(cves); start += idBatch {
		batch := cves[start:min(start+idBatch, len(cves))]
		rows, err := s.query(ctx, "SELECT "+strings.Join(kevCols, ", ")+" FROM kev WHERE cve IN ("+marks(len(batch))+")", idArgs(batch)...)
		if err != nil {
			return nil, domain.Internal(err, "cannot read the KEV catalogue")
		}
		for rows.Next() {
			var e domain.KEVEntry
			var added, due string
			if err := rows.Scan(&e.CVE, &e.Vendor, &e.Product, &e.Name, &added, &due, &e.RequiredAction, &e.Ransomware, &e.Notes); err != nil {
				rows.Close()
				return nil, domain.Internal(err, "cannot read the KEV catalogue")
			}
			e.DateAdded, e.DueDate = parseDate(added), parseDate(due)
			out[e.CVE] = &e
		}
		rows.Close()
	}
	return out, nil
}

// FindEPSS returns EPSS scores by CVE.
func (s *Store) FindEPSS(ctx context.Context, cves []string) (map[string]*domain.EPSSScore, error) {
	out := map[string]*domain.EPSSScore{}
	for start := 0; start < len(cves); start += idBatch {
		batch := cves[start:min(start+idBatch, len(cves))]
		rows, err := s.query(ctx, "SELECT cve, epss, percentile, day FROM epss WHERE cve IN ("+marks(len(batch))+")", idArgs(batch)...)
		if err != nil {
			return nil, domain.Internal(err, "cannot read EPSS scores")
		}
		for rows.Next() {
			var e domain.EPSSScore
			var day string
			if err := rows.Scan(&e.CVE, &e.Probability, &e.Percentile, &day); err != nil {
				rows.Close()
				return nil, domain.Internal(err, "cannot read EPSS scores")
			}
			e.Date = parseDate(day)
			out[e.CVE] = &e
		}
		rows.Close()
	}
	return out, nil
}

// SaveVEX stores VEX statements not already held.
func (s *Store) SaveVEX(ctx context.Context, stmts []domain.VEXStatement) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *Tx) error {
		for i := range stmts {
			st := &stmts[i]
			if st.Vuln == "" {
				return domain.Errorf(domain.CodeInvalid, "a VEX statement needs a vulnerability id")
			}
			doc, _ := json.Marshal(st)
			sum := sha256.Sum256(doc)
			added, err := tx.insertIfAbsent("vex_statements", "key", []string{"key", "cve", "status", "source", "doc_json"},
				hex.EncodeToString(sum[:]), st.Vuln, string(st.Status), st.Source, string(doc))
			if err != nil {
				return domain.Internal(err, "cannot store VEX statements")
			}
			if added {
				n++
			}
		}
		if n > 0 {
			tx.audit(0, "vex.import", "vex", 0, fmt.Sprintf("%d VEX statements", n), nil, nil)
		}
		return nil
	})
	return n, err
}

// EachVEX streams every VEX statement.
func (s *Store) EachVEX(ctx context.Context, fn func(*domain.VEXStatement) error) error {
	return eachJSON(ctx, s, "SELECT doc_json FROM vex_statements ORDER BY cve, key", fn)
}

// AttachSBOM stores an SBOM for a model or one of the practice's devices.
func (s *Store) AttachSBOM(ctx context.Context, modelID, deviceID int64, sbom *domain.SBOM) (int64, error) {
	var tid int64
	if deviceID != 0 {
		d, err := s.FindDeviceByID(ctx, deviceID)
		if err != nil {
			return 0, err
		}
		tid, modelID = d.TenantID, d.ModelID
	} else if modelID == 0 {
		return 0, domain.Errorf(domain.CodeInvalid, "an SBOM is attached to a model or a device")
	} else {
		var n int
		if err := s.queryRow(ctx, "SELECT COUNT(*) FROM models WHERE id = ?", modelID).Scan(&n); err != nil || n == 0 {
			return 0, notFound("model", fmt.Sprint(modelID))
		}
	}
	doc, err := json.Marshal(sbom)
	if err != nil {
		return 0, domain.Internal(err, "cannot encode the SBOM")
	}
	var id int64
	err = s.write(ctx, func(tx *Tx) error {
		id, err = tx.insertID("sboms", []string{"tenant_id", "model_id", "device_id", "format", "subject", "components", "source", "doc_json", "created_at"},
			tid, modelID, deviceID, sbom.Format, sbom.Subject.Name, len(sbom.Components), sbom.Source, string(doc), fmtTime(tx.now))
		if err != nil {
			return domain.Internal(err, "cannot store the SBOM")
		}
		tx.audit(tid, "sbom.attach", "sbom", id, sbom.Subject.Name, nil, map[string]any{"model_id": modelID, "device_id": deviceID, "components": len(sbom.Components), "source": sbom.Source})
		return nil
	})
	return id, err
}

// FindSBOMs returns a model's SBOMs and, with deviceID, the device's.
func (s *Store) FindSBOMs(ctx context.Context, modelID, deviceID int64) ([]*domain.SBOMRecord, error) {
	tid, _ := domain.TenantFrom(ctx)
	q, args := "SELECT id, model_id, device_id, doc_json, created_at FROM sboms WHERE (device_id = 0 AND model_id = ? AND model_id <> 0) OR (device_id <> 0 AND device_id = ? AND tenant_id = ?) ORDER BY id", []any{modelID, deviceID, tid}
	if modelID == 0 && deviceID == 0 {
		q, args = "SELECT id, model_id, device_id, doc_json, created_at FROM sboms WHERE device_id = 0 OR tenant_id = ? ORDER BY id", []any{tid}
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, domain.Internal(err, "cannot read SBOMs")
	}
	defer rows.Close()
	var out []*domain.SBOMRecord
	for rows.Next() {
		var r domain.SBOMRecord
		var doc, created string
		if err := rows.Scan(&r.ID, &r.ModelID, &r.DeviceID, &doc, &created); err != nil {
			return nil, domain.Internal(err, "cannot read SBOMs")
		}
		if err := json.Unmarshal([]byte(doc), &r.SBOM); err != nil {
			return nil, domain.Internal(err, "cannot decode SBOM %d", r.ID)
		}
		r.CreatedAt = parseTime(created)
		out = append(out, &r)
	}
	return out, rows.Err()
}
