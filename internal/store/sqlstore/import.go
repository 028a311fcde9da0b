package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// keyIndex maps the tenant's device keys to device ids, for matching
// import rows without a query per row.
type keyIndex struct {
	ids     map[int64]bool
	serial  map[string]int64
	tag     map[string]int64
	mac     map[string]int64
	claimed map[int64]int // device id → the row already matched to it
}

func (tx *Tx) loadKeys(tid int64) (*keyIndex, error) {
	k := &keyIndex{ids: map[int64]bool{}, serial: map[string]int64{}, tag: map[string]int64{}, mac: map[string]int64{}, claimed: map[int64]int{}}
	rows, err := tx.query("SELECT id, serial, asset_tag FROM devices WHERE tenant_id = ?", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot read device keys")
	}
	for rows.Next() {
		var id int64
		var serial, tag string
		if err := rows.Scan(&id, &serial, &tag); err != nil {
			rows.Close()
			return nil, domain.Internal(err, "cannot read device keys")
		}
		k.ids[id] = true
		if serial != "" {
			k.serial[serial] = id
		}
		if tag != "" {
			k.tag[tag] = id
		}
	}
	rows.Close()
	rows, err = tx.query("SELECT device_id, value FROM device_identities WHERE tenant_id = ? AND kind = 'mac'", tid)
	if err != nil {
		return nil, domain.Internal(err, "cannot read device keys")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var mac string
		if err := rows.Scan(&id, &mac); err != nil {
			return nil, domain.Internal(err, "cannot read device keys")
		}
		k.mac[mac] = id
	}
	return k, rows.Err()
}

// match finds the existing device a record names, or 0 for a new device.
// A record whose keys point at two different devices is a problem.
func (k *keyIndex) match(r *domain.ImportRecord) (int64, error) {
	type hit struct {
		id  int64
		why string
	}
	var hits []hit
	add := func(id int64, why string) {
		for _, h := range hits {
			if h.id == id {
				return
			}
		}
		hits = append(hits, hit{id, why})
	}
	d := &r.Device
	if d.ID != 0 && k.ids[d.ID] {
		add(d.ID, "Vigil ID")
	}
	if id, ok := k.serial[d.Serial]; ok && d.Serial != "" {
		add(id, fmt.Sprintf("serial number %q", d.Serial))
	}
	if id, ok := k.tag[d.AssetTag]; ok && d.AssetTag != "" {
		add(id, fmt.Sprintf("asset tag %q", d.AssetTag))
	}
	for _, m := range d.MACs {
		if id, ok := k.mac[m]; ok {
			add(id, "MAC "+m)
		}
	}
	if len(hits) > 1 {
		parts := make([]string, len(hits))
		for i, h := range hits {
			parts[i] = fmt.Sprintf("%s matches device %d", h.why, h.id)
		}
		return 0, domain.Errorf(domain.CodeInvalid, "the row names several existing devices (%s)", strings.Join(parts, ", "))
	}
	if len(hits) == 0 {
		return 0, nil
	}
	if row, ok := k.claimed[hits[0].id]; ok {
		return 0, domain.Errorf(domain.CodeInvalid, "the row matches device %d, which row %d already updates", hits[0].id, row)
	}
	k.claimed[hits[0].id] = r.Row
	return hits[0].id, nil
}

// ImportDevices applies a file's records in one transaction.
func (s *Store) ImportDevices(ctx context.Context, b *domain.ImportBatch) (*domain.ImportResult, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	res := &domain.ImportResult{File: b.File, DryRun: b.DryRun}
	err = s.write(ctx, func(tx *Tx) error {
		sites, err := tx.loadSites(tid)
		if err != nil {
			return err
		}
		keys, err := tx.loadKeys(tid)
		if err != nil {
			return err
		}
		vc, mc := vendorCache{}, modelCache{}
		src := domain.Source{Kind: domain.SourceImport, Name: b.File, Actor: tx.actor.String(), At: tx.now}

		// Pass 1: match every record and work out what it changes.
		type plan struct {
			rec     *domain.ImportRecord
			matchID int64
		}
		plans := make([]plan, 0, len(b.Records))
		var matched []int64
		var problems []domain.Problem
		reject := func(r *domain.ImportRecord, err error) {
			problems = append(problems, domain.Problem{Location: r.Location, Row: r.Row, Message: domain.ErrorMessage(err)})
		}
		for i := range b.Records {
			r := &b.Records[i]
			id, err := keys.match(r)
			if err != nil {
				reject(r, err)
				continue
			}
			plans = append(plans, plan{rec: r, matchID: id})
			if id != 0 {
				matched = append(matched, id)
			}
		}
		existing, err := tx.loadDevices(tid, matched)
		if err != nil {
			return err
		}
		var creates, updates []*domain.Device
		var createRow []int // index in res.Rows of each create
		var updateOld []*domain.Device
		// Applying each record to its device reads nothing from the
		// database, so it runs on every core; the rest goes row by row.
		applied := make([]appliedRecord, len(plans))
		domain.Parallel(len(plans), func(i int) {
			p := &plans[i]
			a := &applied[i]
			if p.matchID != 0 {
				a.dev = existing[p.matchID].Clone()
			} else {
				a.dev = &domain.Device{TenantID: tid}
			}
			if a.err = applyRecord(a.dev, p.rec, b.DefaultSite); a.err != nil {
				return
			}
			a.given = presentFields(a.dev)
			a.err = a.dev.Validate()
		})
		for i := range plans {
			p := &plans[i]
			d, given := applied[i].dev, applied[i].given
			if err := applied[i].err; err != nil {
				reject(p.rec, err)
				continue
			}
			if err := tx.prepare(d, sites, vc, mc); err != nil {
				if domain.ErrorCode(err) == domain.CodeInternal {
					return err
				}
				reject(p.rec, err)
				continue
			}
			change := domain.ImportChange{Row: p.rec.Row, Location: p.rec.Location, Label: d.Label()}
			if p.matchID == 0 {
				recordCreated(d, given, withRef(src, p.rec.Row))
				d.CreatedAt, d.UpdatedAt, d.Version = tx.now, tx.now, 1
				change.Action = domain.ImportCreate
				creates = append(creates, d)
				createRow = append(createRow, len(res.Rows))
				res.Created++
			} else {
				old := existing[p.matchID]
				change.DeviceID = old.ID
				change.Changes = old.Diff(d)
				if len(change.Changes) == 0 {
					change.Action = domain.ImportUnchanged
					res.Unchanged++
				} else {
					fields := make([]domain.Field, len(change.Changes))
					for i, c := range change.Changes {
						fields[i] = c.Field
					}
					d.Provenance.Record(fields, withRef(src, p.rec.Row))
					d.UpdatedAt, d.Version = tx.now, old.Version+1
					change.Action = domain.ImportUpdate
					updates = append(updates, d)
					updateOld = append(updateOld, old)
					res.Updated++
				}
			}
			res.Rows = append(res.Rows, change)
		}
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Row < problems[j].Row })
		res.Rejected = problems
		if len(problems) > 0 && !b.SkipInvalid {
			return &domain.Error{Code: domain.CodeInvalid, Problems: problems,
				Message: fmt.Sprintf("%s: %d of %d rows have problems; nothing was imported", b.File, countRows(problems), len(b.Records))}
		}
		if b.DryRun {
			return errDryRun
		}

		// Pass 2: write.
		if len(creates) > 0 {
			first, err := s.d.ReserveIDs(ctx, tx.Tx, "devices", len(creates))
			if err != nil {
				return domain.Internal(err, "cannot allocate device ids")
			}
			for i, d := range creates {
				d.ID = first + int64(i)
				res.Rows[createRow[i]].DeviceID = d.ID
			}
			if err := tx.insertCreated(tid, creates); err != nil {
				return err
			}
		}
		for i, d := range updates {
			if err := tx.updateDevice(d, identitiesChanged(updateOld[i], d)); err != nil {
				return err
			}
			before, after := changeMaps(updateOld[i].Diff(d))
			tx.audit(tid, "device.update", "device", d.ID, d.Label(), before, after)
		}
		if res.Created+res.Updated > 0 {
			tx.audit(tid, "inventory.import", "import", 0, b.File, nil, map[string]int{
				"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "rejected": countRows(problems)})
		}
		return nil
	})
	if err == errDryRun {
		return res, nil
	}
	if err == nil && res.Created+res.Updated >= 500 {
		if oerr := s.d.Optimize(ctx, s.w); oerr != nil {
			return nil, domain.Internal(oerr, "the import succeeded but refreshing statistics failed")
		}
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeInvalid && res.Rejected != nil {
			return res, err
		}
		return nil, err
	}
	return res, nil
}

// appliedRecord is a record applied to its device, before the database
// resolves its site, vendor and model.
type appliedRecord struct {
	dev   *domain.Device
	given []domain.Field // the fields the record set
	err   error
}

// createChunk is one batch of new devices turned into rows and events.
type createChunk struct {
	rows, idRows [][]any
	events       []*domain.AuditEvent
}

// insertCreated writes new devices (ids already set), their identities and
// audit events. A second goroutine turns devices into rows while this one
// inserts the previous batch, so the Go work overlaps the database's.
func (tx *Tx) insertCreated(tid int64, creates []*domain.Device) error {
	const per = 500
	chunks := make(chan createChunk, 2)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(chunks)
		for start := 0; start < len(creates); start += per {
			var c createChunk
			for _, d := range creates[start:min(start+per, len(creates))] {
				c.rows = append(c.rows, deviceArgs(d))
				c.idRows = append(c.idRows, identityRows(d)...)
				c.events = append(c.events, tx.event(tid, "device.create", "device", d.ID, d.Label(), nil, nonEmptyValues(d)))
			}
			select {
			case chunks <- c:
			case <-stop:
				return
			}
		}
	}()
	for c := range chunks {
		if err := tx.insertRows("devices", deviceCols, c.rows); err != nil {
			return conflictOr(err, "a device in the file clashes with an existing one")
		}
		if err := tx.insertRows("device_identities", identityCols, c.idRows); err != nil {
			return conflictOr(err, "a MAC address in the file is already used")
		}
		tx.events = append(tx.events, c.events...)
	}
	return nil
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = &domain.Error{Code: domain.CodeInvalid, Message: "dry run"}

func countRows(ps []domain.Problem) int {
	seen := map[int]bool{}
	for _, p := range ps {
		seen[p.Row] = true
	}
	return len(seen)
}

func withRef(src domain.Source, row int) domain.Source {
	src.Ref = "row " + strconv.Itoa(row)
	return src
}

// applyRecord copies the record's fields onto d (a new device gets the
// default site when the record names none).
func applyRecord(d *domain.Device, r *domain.ImportRecord, defaultSite string) error {
	for _, f := range r.Fields {
		if f == domain.FieldID {
			continue
		}
		if err := d.Set(f, r.Device.Get(f)); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	if d.ID == 0 && d.Site == "" {
		d.Site = defaultSite
	}
	return nil
}

// loadDevices reads the tenant's devices with the given ids, in chunks.
func (tx *Tx) loadDevices(tid int64, ids []int64) (map[int64]*domain.Device, error) {
	out := make(map[int64]*domain.Device, len(ids))
	err := inChunks(tid, ids, func(in string, args []any) error {
		rows, err := tx.query(deviceSelect+" WHERE d.tenant_id = ? AND d.id IN "+in, args...)
		if err != nil {
			return domain.Internal(err, "cannot read matched devices")
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDevice(rows)
			if err != nil {
				return domain.Internal(err, "cannot read matched devices")
			}
			out[d.ID] = d
		}
		if err := rows.Err(); err != nil {
			return domain.Internal(err, "cannot read matched devices")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// inChunks calls fn for the ids 500 at a time, with "(?, ?, …)" for an IN
// list of them and the arguments of "tenant_id = ? AND … IN (…)": the
// tenant, then the ids.
func inChunks(tid int64, ids []int64, fn func(in string, args []any) error) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, 0, len(part)+1)
		args = append(args, tid)
		for _, id := range part {
			args = append(args, id)
		}
		if err := fn("("+marks(len(part))+")", args); err != nil {
			return err
		}
	}
	return nil
}
