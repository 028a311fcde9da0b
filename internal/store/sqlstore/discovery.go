package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// ApplyDiscovery applies what one discovery run learned in one transaction:
// each host is matched to a device (by MAC; by hostname or IP only when the
// host has no MAC) or becomes a new, unreviewed device; suggested values
// fill only fields that are empty or were set by discovery itself; the
// host's observations, IP↔MAC pairings and flows are upserted.
func (s *Store) ApplyDiscovery(ctx context.Context, b *domain.DiscoveryBatch) (*domain.DiscoveryResult, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	res := &domain.DiscoveryResult{DeviceIDs: make([]int64, len(b.Hosts))}
	err = s.write(ctx, func(tx *Tx) error {
		sites, err := tx.loadSites(tid)
		if err != nil {
			return err
		}
		// The site is needed only when a host becomes a new device.
		site := func() (*domain.Site, error) { return sites.resolve(b.Site) }
		var obs, ids [][]any
		var flows []deviceFlow
		known, err := tx.knownDevices(tid, b.Hosts)
		if err != nil {
			return err
		}
		for i, h := range b.Hosts {
			if known[h.DeviceID] && h.FlowsOnly() { // a later batch of the same write
				res.DeviceIDs[i] = h.DeviceID
				for _, f := range h.Flows {
					flows = append(flows, deviceFlow{h.DeviceID, f})
				}
				continue
			}
			id, created, updated, err := tx.applyHost(tid, site, b.Source, h)
			if err != nil {
				return fmt.Errorf("host %s: %w", h.Label(), err)
			}
			res.DeviceIDs[i], h.DeviceID = id, id
			if created {
				res.NewDevices++
			} else if updated {
				res.UpdatedDevices++
			}
			obs = append(obs, observationRows(tid, id, b.Source, h.Observations)...)
			ids = append(ids, identityHistoryRows(tid, id, b.Source, h)...)
			for _, f := range h.Flows {
				flows = append(flows, deviceFlow{id, f})
			}
		}
		obs, ids, flows = dedupeRows(obs, 4, mergeObservation), dedupeRows(ids, 4, mergeIdentity), dedupeFlows(flows)
		// New observations are the rows the upsert adds: the batch's
		// devices' observations counted before and after it.
		before, err := tx.countObservations(tid, res.DeviceIDs)
		if err != nil {
			return err
		}
		res.Identities, res.Flows = len(ids), len(flows)
		if err := tx.upsertRows("observations", observationCols, "tenant_id, device_id, kind, value", observationUpdate, obs); err != nil {
			return domain.Internal(err, "cannot store observations")
		}
		after, err := tx.countObservations(tid, res.DeviceIDs)
		if err != nil {
			return err
		}
		res.Observations, res.NewObservations = len(obs), after-before
		if err := tx.upsertRows("network_identities", identityHistoryCols, "tenant_id, device_id, mac, ip", identityUpdate, ids); err != nil {
			return domain.Internal(err, "cannot store network identities")
		}
		if err := tx.upsert("flows", flowCols, "tenant_id, device_id, local_ip, peer_ip, transport, port, app", flowUpdate, len(flows),
			func(args []any, i int) []any { return flows[i].args(args, tid) }); err != nil {
			return domain.Internal(err, "cannot store flows")
		}
		if len(obs)+len(ids)+len(flows) > 0 {
			tx.audit(tid, "discovery.apply", "tenant", tid, b.Source, nil, map[string]int{
				"new_devices": res.NewDevices, "updated_devices": res.UpdatedDevices, "observations": res.Observations,
				"identities": res.Identities, "flows": res.Flows})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// matchHost finds the device a discovered host is, or 0.
func (tx *Tx) matchHost(tid int64, h *domain.DiscoveredHost) (int64, error) {
	try := func(kind string, vals []string) (int64, error) {
		for _, v := range vals {
			var id int64
			err := tx.queryRow("SELECT device_id FROM device_identities WHERE tenant_id = ? AND kind = ? AND value = ? ORDER BY device_id LIMIT 1", tid, kind, v).Scan(&id)
			if err == nil {
				return id, nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return 0, domain.Internal(err, "cannot match a discovered host")
			}
		}
		return 0, nil
	}
	if len(h.MACs) > 0 {
		return try("mac", h.MACs)
	}
	if id, err := try("hostname", h.Hostnames); id != 0 || err != nil {
		return id, err
	}
	return try("ip", h.IPs)
}

// applyHost creates or updates the device of one discovered host.
func (tx *Tx) applyHost(tid int64, siteOf func() (*domain.Site, error), source string, h *domain.DiscoveredHost) (id int64, created, updated bool, err error) {
	if len(h.MACs)+len(h.IPs)+len(h.Hostnames) == 0 {
		return 0, false, false, domain.Errorf(domain.CodeInvalid, "a discovered host needs a MAC, an IP or a hostname")
	}
	id, err = tx.matchHost(tid, h)
	if err != nil {
		return 0, false, false, err
	}
	src := domain.Source{Kind: domain.SourceDiscovery, Name: source, Actor: tx.actor.String(), At: tx.now}
	if id == 0 {
		site, err := siteOf()
		if err != nil {
			return 0, false, false, err
		}
		d := &domain.Device{TenantID: tid, SiteID: site.ID, Site: site.Slug, Review: domain.Unreviewed}
		fields := mergeIdentities(d, h)
		if len(h.Hostnames) > 0 || len(d.MACs) == 0 {
			d.Name = shortName(h.Label())
			fields = append(fields, domain.FieldName)
		}
		var recs []fieldSource
		for _, sg := range h.Suggestions {
			if d.Get(sg.Field) == "" && d.Set(sg.Field, sg.Value) == nil {
				recs = append(recs, fieldSource{sg.Field, sg})
			}
		}
		if err := d.Validate(); err != nil {
			return 0, false, false, err
		}
		if err := tx.prepare(d, &siteIndex{all: []*domain.Site{site}, byRef: map[string]*domain.Site{site.Slug: site}}, vendorCache{}, modelCache{}); err != nil {
			return 0, false, false, err
		}
		if owners, err := tx.keyOwners(d); err != nil || len(owners) > 0 {
			if err == nil {
				err = keyConflict(owners)
			}
			return 0, false, false, err
		}
		recordCreated(d, append(fields, domain.FieldReview), src)
		for _, r := range recs {
			d.Provenance.Record([]domain.Field{r.field}, withEvidence(src, r.sg))
		}
		d.CreatedAt, d.UpdatedAt, d.Version = tx.now, tx.now, 1
		if d.ID, err = tx.s.d.ReserveIDs(tx.ctx, tx.Tx, "devices", 1); err != nil {
			return 0, false, false, domain.Internal(err, "cannot allocate a device id")
		}
		if err := tx.insertRows("devices", deviceCols, [][]any{deviceArgs(d)}); err != nil {
			return 0, false, false, conflictOr(err, "the discovered device clashes with an existing one")
		}
		if err := tx.insertRows("device_identities", identityCols, identityRows(d)); err != nil {
			return 0, false, false, conflictOr(err, "a MAC address of the discovered device is already used")
		}
		tx.audit(tid, "device.create", "device", d.ID, d.Label(), nil, nonEmptyValues(d))
		return d.ID, true, false, nil
	}
	old, err := scanDevice(tx.queryRow(deviceSelect+" WHERE d.tenant_id = ? AND d.id = ?"+tx.s.d.ForUpdate(), tid, id))
	if err != nil {
		return 0, false, false, wrapScan(err, "device")
	}
	d := old.Clone()
	mergeIdentities(d, h)
	named := false
	if d.Name == "" && len(h.Hostnames) > 0 {
		d.Name, named = shortName(h.Hostnames[0]), true
	}
	var recs []fieldSource
	for _, sg := range h.Suggestions {
		if !discoveryMayWrite(d, sg.Field) || d.Get(sg.Field) == sg.Value {
			continue
		}
		if d.Set(sg.Field, sg.Value) == nil {
			recs = append(recs, fieldSource{sg.Field, sg})
		}
	}
	if d.Model != "" && d.Manufacturer == "" {
		d.Model = old.Model // a model without its manufacturer is not kept
	}
	changes := old.Diff(d)
	if len(changes) == 0 {
		return id, false, false, nil
	}
	sites, err := tx.loadSites(tid)
	if err != nil {
		return 0, false, false, err
	}
	if err := tx.prepare(d, sites, vendorCache{}, modelCache{}); err != nil {
		return 0, false, false, err
	}
	if owners, err := tx.keyOwners(d); err != nil || len(owners) > 0 {
		if err == nil {
			err = keyConflict(owners)
		}
		return 0, false, false, err
	}
	var listFields []domain.Field
	for _, c := range changes {
		if c.Field == domain.FieldMACs || c.Field == domain.FieldIPs || c.Field == domain.FieldHostnames {
			listFields = append(listFields, c.Field)
		}
	}
	if named {
		listFields = append(listFields, domain.FieldName)
	}
	d.Provenance.Record(listFields, src)
	for _, r := range recs {
		d.Provenance.Record([]domain.Field{r.field}, withEvidence(src, r.sg))
	}
	d.UpdatedAt, d.Version = tx.now, old.Version+1
	if err := tx.updateDevice(d, identitiesChanged(old, d)); err != nil {
		return 0, false, false, err
	}
	before, after := changeMaps(changes)
	tx.audit(tid, "device.update", "device", d.ID, d.Label(), before, after)
	return id, false, true, nil
}

// shortName is a host name without its domain, for a device's name
// ("mx450-bed3.ward.example" → "mx450-bed3"); addresses stay whole.
func shortName(n string) string {
	if _, err := netip.ParseAddr(n); err == nil {
		return n
	}
	if i := strings.IndexByte(n, '.'); i > 0 {
		return n[:i]
	}
	return n
}

type fieldSource struct {
	field domain.Field
	sg    domain.Suggestion
}

func withEvidence(src domain.Source, sg domain.Suggestion) domain.Source {
	src.Ref, src.Confidence = sg.Evidence, sg.Confidence
	return src
}

// discoveryMayWrite reports whether discovery may set field f of d: only
// when it is empty, holds a default, or was itself set by discovery.
func discoveryMayWrite(d *domain.Device, f domain.Field) bool {
	if d.Get(f) == "" {
		return true
	}
	if f == domain.FieldCategory && d.Category == "other" {
		if src, ok := d.Provenance.Of(f); !ok || src.Kind == domain.SourceSystem {
			return true
		}
	}
	src, ok := d.Provenance.Of(f)
	return ok && src.Kind == domain.SourceDiscovery
}

// mergeIdentities adds the host's MACs, IPs and hostnames the device does
// not have yet and returns the list fields that changed.
func mergeIdentities(d *domain.Device, h *domain.DiscoveredHost) []domain.Field {
	var out []domain.Field
	add := func(f domain.Field, list *[]string, vals []string) {
		n := len(*list)
		for _, v := range vals {
			if v != "" && !slices.Contains(*list, v) {
				*list = append(*list, v)
			}
		}
		if len(*list) != n {
			out = append(out, f)
		}
	}
	add(domain.FieldMACs, &d.MACs, h.MACs)
	add(domain.FieldIPs, &d.IPs, h.IPs)
	add(domain.FieldHostnames, &d.Hostnames, h.Hostnames)
	return out
}

var observationCols = []string{"tenant_id", "device_id", "kind", "value", "source", "evidence", "confidence", "seen", "first_seen", "last_seen"}

const observationUpdate = "seen = observations.seen + excluded.seen, " +
	"confidence = CASE WHEN excluded.confidence > observations.confidence THEN excluded.confidence ELSE observations.confidence END, " +
	"first_seen = CASE WHEN excluded.first_seen < observations.first_seen THEN excluded.first_seen ELSE observations.first_seen END, " +
	"last_seen = CASE WHEN excluded.last_seen > observations.last_seen THEN excluded.last_seen ELSE observations.last_seen END"

func observationRows(tid, id int64, source string, obs []domain.Observation) [][]any {
	rows := make([][]any, 0, len(obs))
	for _, o := range obs {
		src := o.Source
		if src == "" {
			src = source
		}
		at := fmtTime(o.At)
		rows = append(rows, []any{tid, id, string(o.Kind), o.Value, src, o.Evidence, o.Confidence, int64(1), at, at})
	}
	return rows
}

func mergeObservation(a, b []any) {
	a[7] = a[7].(int64) + b[7].(int64)
	if b[6].(float64) > a[6].(float64) {
		a[6] = b[6]
	}
	a[8], a[9] = minText(a[8], b[8]), maxText(a[9], b[9])
}

var identityHistoryCols = []string{"tenant_id", "device_id", "mac", "ip", "source", "first_seen", "last_seen"}

const identityUpdate = "first_seen = CASE WHEN excluded.first_seen < network_identities.first_seen THEN excluded.first_seen ELSE network_identities.first_seen END, " +
	"last_seen = CASE WHEN excluded.last_seen > network_identities.last_seen THEN excluded.last_seen ELSE network_identities.last_seen END, " +
	"source = excluded.source"

func identityHistoryRows(tid, id int64, source string, h *domain.DiscoveredHost) [][]any {
	rows := make([][]any, 0, len(h.Identities))
	for _, n := range h.Identities {
		src := n.Source
		if src == "" {
			src = source
		}
		first, last := n.FirstSeen, n.LastSeen
		if last.IsZero() {
			last = first
		}
		rows = append(rows, []any{tid, id, n.MAC, n.IP, src, fmtTime(first), fmtTime(last)})
	}
	return rows
}

func mergeIdentity(a, b []any) { a[5], a[6], a[4] = minText(a[5], b[5]), maxText(a[6], b[6]), b[4] }

var flowCols = func() []string {
	cols := []string{"tenant_id", "device_id", "local_ip", "peer_ip", "transport", "port", "app", "peer_mac", "outbound", "bytes", "packets", "first_seen", "last_seen"}
	for i := range 24 {
		cols = append(cols, fmt.Sprintf("h%02d", i))
	}
	return cols
}()

var flowUpdate = func() string {
	parts := []string{
		"bytes = flows.bytes + excluded.bytes", "packets = flows.packets + excluded.packets",
		"peer_mac = CASE WHEN flows.peer_mac = '' THEN excluded.peer_mac ELSE flows.peer_mac END",
		"first_seen = CASE WHEN excluded.first_seen < flows.first_seen THEN excluded.first_seen ELSE flows.first_seen END",
		"last_seen = CASE WHEN excluded.last_seen > flows.last_seen THEN excluded.last_seen ELSE flows.last_seen END",
	}
	for i := range 24 {
		parts = append(parts, fmt.Sprintf("h%02d = flows.h%02d + excluded.h%02d", i, i, i))
	}
	return strings.Join(parts, ", ")
}()

// deviceFlow is a flow of a batch with the device it belongs to. The
// store writes a batch's flows from the batch's own records (a batch may
// carry tens of thousands: rows of boxed values for all of them at once
// cost more memory than the flows).
type deviceFlow struct {
	device int64
	f      *domain.Flow
}

// args appends the flow's row (flowCols) to args.
func (d deviceFlow) args(args []any, tid int64) []any {
	f := d.f
	out := int64(0)
	if f.Outbound {
		out = 1
	}
	args = append(args, tid, d.device, f.LocalIP, f.PeerIP, f.Transport, int64(f.Port), f.App, f.PeerMAC, out, f.Bytes, f.Packets, fmtTime(f.FirstSeen), fmtTime(f.LastSeen))
	for _, n := range f.Hours {
		args = append(args, n)
	}
	return args
}

type flowRowKey struct {
	device                      int64
	local, peer, transport, app string
	port                        int
}

// dedupeFlows folds flows of one device with the same key (as the upsert's
// conflict names them), so one statement never touches a row twice. The
// batch's records are not changed: a fold works on a copy.
func dedupeFlows(flows []deviceFlow) []deviceFlow {
	idx := make(map[flowRowKey]int, len(flows))
	out := flows[:0:0]
	owned := map[int]bool{}
	for _, d := range flows {
		k := flowRowKey{d.device, d.f.LocalIP, d.f.PeerIP, d.f.Transport, d.f.App, d.f.Port}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, d)
			continue
		}
		if !owned[i] {
			cp := *out[i].f
			out[i].f, owned[i] = &cp, true
		}
		out[i].f.Add(d.f)
	}
	return out
}

func minText(a, b any) any {
	if b.(string) < a.(string) {
		return b
	}
	return a
}

func maxText(a, b any) any {
	if b.(string) > a.(string) {
		return b
	}
	return a
}

// dedupe folds rows whose first n columns are equal with merge, so one
// upsert statement never touches a row twice.
func dedupeRows(rows [][]any, n int, merge func(a, b []any)) [][]any {
	idx := make(map[string]int, len(rows))
	out := rows[:0]
	var kb strings.Builder
	for _, r := range rows {
		kb.Reset()
		for _, v := range r[:n] {
			fmt.Fprint(&kb, v, "\x00")
		}
		k := kb.String()
		if i, ok := idx[k]; ok {
			merge(out[i], r)
			continue
		}
		idx[k] = len(out)
		out = append(out, r)
	}
	return out
}

// knownDevices checks which of the device ids that flows-only hosts name
// are the practice's devices.
func (tx *Tx) knownDevices(tid int64, hosts []*domain.DiscoveredHost) (map[int64]bool, error) {
	var ids []int64
	for _, h := range hosts {
		if h.FlowsOnly() {
			ids = append(ids, h.DeviceID)
		}
	}
	known := map[int64]bool{}
	err := inChunks(tid, ids, func(in string, args []any) error {
		rows, err := tx.query("SELECT id FROM devices WHERE tenant_id = ? AND id IN "+in, args...)
		if err != nil {
			return domain.Internal(err, "cannot read devices")
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return domain.Internal(err, "cannot read devices")
			}
			known[id] = true
		}
		if err := rows.Err(); err != nil {
			return domain.Internal(err, "cannot read devices")
		}
		return nil
	})
	return known, err
}

// countObservations counts the observations of the given devices (ids may
// repeat; 0 is no device).
func (tx *Tx) countObservations(tid int64, ids []int64) (int, error) {
	var devs []int64
	seen := map[int64]bool{0: true}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			devs = append(devs, id)
		}
	}
	n := 0
	err := inChunks(tid, devs, func(in string, args []any) error {
		var c int
		if err := tx.queryRow("SELECT COUNT(*) FROM observations WHERE tenant_id = ? AND device_id IN "+in, args...).Scan(&c); err != nil {
			return domain.Internal(err, "cannot read observations")
		}
		n += c
		return nil
	})
	return n, err
}

// upsertRows inserts rows with multi-row statements, updating a row that
// already exists under the unique key conflict with update.
func (tx *Tx) upsertRows(table string, cols []string, conflict, update string, rows [][]any) error {
	return tx.upsert(table, cols, conflict, update, len(rows), func(args []any, i int) []any { return append(args, rows[i]...) })
}

// upsert is upsertRows with the n rows appended to a statement's
// arguments by row, one statement's worth at a time.
func (tx *Tx) upsert(table string, cols []string, conflict, update string, n int, row func(args []any, i int) []any) error {
	if n == 0 {
		return nil
	}
	per := min(tx.s.d.MaxParams()/len(cols), 500)
	one := "(" + marks(len(cols)) + ")"
	statement := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		for i := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(one)
		}
		b.WriteString(" ON CONFLICT (" + conflict + ") DO UPDATE SET " + update)
		return tx.s.bind(b.String())
	}
	// Full statements of per rows are parsed once and run again: parsing
	// thousands of placeholders costs as much as running them.
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, min(per, n)*len(cols))
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(args, i)
		}
		var err error
		if end-start == per && n > per {
			if full == nil {
				if full, err = tx.PrepareContext(tx.ctx, statement(per)); err != nil {
					return tx.s.d.Translate(err)
				}
			}
			_, err = full.ExecContext(tx.ctx, args...)
		} else {
			_, err = tx.ExecContext(tx.ctx, statement(end-start), args...)
		}
		if err != nil {
			return tx.s.d.Translate(err)
		}
	}
	return nil
}

// FindObservations returns what discovery observed about one of the
// tenant's devices, by kind then value.
func (s *Store) FindObservations(ctx context.Context, deviceID int64) ([]*domain.DeviceObservation, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.deviceExists(ctx, tid, deviceID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT id, device_id, kind, value, source, evidence, confidence, seen, first_seen, last_seen FROM observations WHERE tenant_id = ? AND device_id = ? ORDER BY kind, value", tid, deviceID)
	if err != nil {
		return nil, domain.Internal(err, "cannot read observations")
	}
	defer rows.Close()
	var out []*domain.DeviceObservation
	for rows.Next() {
		var o domain.DeviceObservation
		var kind, first, last string
		if err := rows.Scan(&o.ID, &o.DeviceID, &kind, &o.Value, &o.Source, &o.Evidence, &o.Confidence, &o.Count, &first, &last); err != nil {
			return nil, domain.Internal(err, "cannot read observations")
		}
		o.Kind, o.FirstSeen, o.LastSeen = domain.ObservationKind(kind), parseTime(first), parseTime(last)
		out = append(out, &o)
	}
	return out, rows.Err()
}

// FindNetworkIdentities returns the IP↔MAC history of one of the tenant's
// devices, most recently seen first.
func (s *Store) FindNetworkIdentities(ctx context.Context, deviceID int64) ([]*domain.NetworkIdentity, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.deviceExists(ctx, tid, deviceID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT device_id, mac, ip, source, first_seen, last_seen FROM network_identities WHERE tenant_id = ? AND device_id = ? ORDER BY last_seen DESC, ip, mac", tid, deviceID)
	if err != nil {
		return nil, domain.Internal(err, "cannot read network identities")
	}
	defer rows.Close()
	var out []*domain.NetworkIdentity
	for rows.Next() {
		var n domain.NetworkIdentity
		var first, last string
		if err := rows.Scan(&n.DeviceID, &n.MAC, &n.IP, &n.Source, &first, &last); err != nil {
			return nil, domain.Internal(err, "cannot read network identities")
		}
		n.FirstSeen, n.LastSeen = parseTime(first), parseTime(last)
		out = append(out, &n)
	}
	return out, rows.Err()
}

// FindFlows returns one page of the tenant's flows matching f, by id, and
// whether more follow.
func (s *Store) FindFlows(ctx context.Context, f domain.FlowFilter) ([]*domain.Flow, bool, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, false, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	where, args := []string{"f.tenant_id = ?", "f.id > ?"}, []any{tid, f.AfterID}
	if f.DeviceID != 0 {
		where, args = append(where, "f.device_id = ?"), append(args, f.DeviceID)
	}
	if f.PeerIP != "" {
		where, args = append(where, "f.peer_ip = ?"), append(args, f.PeerIP)
	}
	if f.Transport != "" {
		where, args = append(where, "f.transport = ?"), append(args, f.Transport)
	}
	if f.Port != 0 {
		where, args = append(where, "f.port = ?"), append(args, f.Port)
	}
	if f.App != "" {
		where, args = append(where, "f.app = ?"), append(args, f.App)
	}
	hours := make([]string, 24)
	for i := range hours {
		hours[i] = fmt.Sprintf("f.h%02d", i)
	}
	q := "SELECT f.id, f.tenant_id, f.device_id, f.local_ip, f.peer_ip, f.peer_mac, f.transport, f.port, f.app, f.outbound, f.bytes, f.packets, f.first_seen, f.last_seen, " +
		strings.Join(hours, ", ") + ", COALESCE((SELECT MIN(i.device_id) FROM device_identities i WHERE i.tenant_id = f.tenant_id AND i.kind = 'ip' AND i.value = f.peer_ip), 0)" +
		" FROM flows f WHERE " + strings.Join(where, " AND ") + fmt.Sprintf(" ORDER BY f.id LIMIT %d", limit+1)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, false, domain.Internal(err, "cannot read flows")
	}
	defer rows.Close()
	var out []*domain.Flow
	for rows.Next() {
		var fl domain.Flow
		var first, last string
		var port, outbound int64
		dest := []any{&fl.ID, &fl.TenantID, &fl.DeviceID, &fl.LocalIP, &fl.PeerIP, &fl.PeerMAC, &fl.Transport, &port, &fl.App, &outbound, &fl.Bytes, &fl.Packets, &first, &last}
		for i := range fl.Hours {
			dest = append(dest, &fl.Hours[i])
		}
		dest = append(dest, &fl.PeerID)
		if err := rows.Scan(dest...); err != nil {
			return nil, false, domain.Internal(err, "cannot read flows")
		}
		fl.Port, fl.Outbound = int(port), outbound != 0
		fl.FirstSeen, fl.LastSeen = parseTime(first), parseTime(last)
		out = append(out, &fl)
	}
	if err := rows.Err(); err != nil {
		return nil, false, domain.Internal(err, "cannot read flows")
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

func (s *Store) deviceExists(ctx context.Context, tid, id int64) error {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM devices WHERE tenant_id = ? AND id = ?", tid, id).Scan(&n); err != nil {
		return domain.Internal(err, "cannot read device")
	}
	if n == 0 {
		return domain.Errorf(domain.CodeNotFound, "no device with id %d in this practice", id)
	}
	return nil
}
