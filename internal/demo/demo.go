// Package demo builds the practice that `vigil demo` puts on a fresh
// database: a small health system of three sites with 139 networked devices
// across every category, the vendors that make them and a model catalogue
// with end-of-support dates and replacement costs.
//
// Manufacturers and products are real, several at the firmware versions
// that CISA ICSMA advisories list as affected, so that advisory matching has
// something to find. Everything else is invented: the practice, its people,
// addresses, asset tags, serial numbers, prices and lifecycle dates. Vendor
// product-security contacts are the ones the vendors publish (or that CISA
// advisories cite), and the vendor notes say they must be verified before
// anyone relies on them.
//
// The data is tables of Go values (catalogue.go, practice.go); Seed expands
// them deterministically from Options.Seed, without network access.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Options tune the demo; the zero value is the standard demo.
type Options struct {
	// Now is the reference date for relative dates such as "support ends
	// within a year" and vendor contact checks; zero means time.Now().
	Now time.Time
	// Seed varies serial numbers, MAC addresses, purchase dates and the
	// like; the same Options always produce the same practice.
	Seed int64
}

// ImportFile is the file name the demo's devices carry in their
// provenance ("import of demo row 12").
const ImportFile = "demo"

// Actor is who the demo's changes are recorded as in the audit log.
var Actor = domain.Actor{Kind: domain.ActorSystem, Name: "demo"}

// Seed fills an empty store with the demo: provider-side vendors and models,
// one practice, its sites and devices. Returns the tenant. A store that
// already holds any practice, vendor or model is refused with CodeConflict,
// so demo data never mixes with real data.
func Seed(ctx context.Context, st store.Store, opt Options) (*domain.Tenant, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	ctx = domain.WithActor(ctx, Actor)

	// Build and check everything before the first write, so a broken table
	// cannot leave half a demo behind.
	vs, err := buildVendors(now)
	if err != nil {
		return nil, err
	}
	ms, err := buildModels(now)
	if err != nil {
		return nil, err
	}
	batch, err := buildDevices(opt.Seed)
	if err != nil {
		return nil, err
	}
	if err := requireEmpty(ctx, st); err != nil {
		return nil, err
	}

	for _, v := range vs {
		if err := st.CreateVendor(ctx, v); err != nil {
			return nil, fmt.Errorf("demo: vendor %s: %w", v.Name, err)
		}
	}
	for _, m := range ms {
		if err := st.UpsertModel(ctx, m); err != nil {
			return nil, fmt.Errorf("demo: model %s %s: %w", m.Manufacturer, m.Name, err)
		}
	}
	t := &domain.Tenant{Name: practiceName, Notes: practiceNotes}
	if err := st.CreateTenant(ctx, t); err != nil {
		return nil, fmt.Errorf("demo: practice: %w", err)
	}
	tctx := domain.WithTenant(ctx, t.ID)
	for _, s := range sites {
		site := &domain.Site{Slug: s.slug, Name: s.name, Address: s.address, TimeZone: s.timeZone}
		if err := st.CreateSite(tctx, site); err != nil {
			return nil, fmt.Errorf("demo: site %s: %w", s.name, err)
		}
	}
	res, err := st.ImportDevices(tctx, batch)
	if err != nil {
		return nil, fmt.Errorf("demo: devices: %w", err)
	}
	if res.Created != len(batch.Records) {
		return nil, domain.Internal(nil, "demo: %d of %d devices were created", res.Created, len(batch.Records))
	}
	if err := seedLifecycle(tctx, st, now); err != nil {
		return nil, err
	}
	if err := seedTraffic(tctx, st, now); err != nil {
		return nil, fmt.Errorf("demo: traffic: %w", err)
	}
	return t, nil
}

// requireEmpty refuses a store that holds any data the demo could mix with.
func requireEmpty(ctx context.Context, st store.Store) error {
	tenants, err := st.FindTenants(ctx)
	if err != nil {
		return err
	}
	vendors, err := st.FindVendors(ctx)
	if err != nil {
		return err
	}
	models, err := st.FindModels(ctx, 0)
	if err != nil {
		return err
	}
	if len(tenants)+len(vendors)+len(models) > 0 {
		return domain.Errorf(domain.CodeConflict,
			"the database is not empty (%d practices, %d vendors, %d catalogue models); the demo needs a new, empty database",
			len(tenants), len(vendors), len(models))
	}
	return nil
}

// buildVendors turns the vendor table into validated vendors.
func buildVendors(now time.Time) ([]*domain.Vendor, error) {
	out := make([]*domain.Vendor, 0, len(vendors))
	for _, s := range vendors {
		v := &domain.Vendor{Name: s.name, Website: s.website, PSIRTEmail: s.psirtEmail, PSIRTURL: s.psirtURL}
		if s.psirtEmail != "" || s.psirtURL != "" {
			v.Notes = "Demo data: product-security contacts as published by the vendor (source: " + s.source +
				"). Verify them with the vendor before relying on them."
		} else {
			v.Notes = "Demo data: no product-security contact recorded yet; find the vendor's published one and verify it."
		}
		if s.verified > 0 {
			v.ContactVerified = domain.DateOf(now.AddDate(0, -s.verified, 0))
		}
		if err := v.Validate(); err != nil {
			return nil, domain.Internal(err, "demo: vendor table: %s", s.name)
		}
		out = append(out, v)
	}
	return out, nil
}

// buildModels turns the catalogue table into validated models; entries
// without a model name (unidentified devices) have no catalogue entry.
func buildModels(now time.Time) ([]*domain.Model, error) {
	known := map[string]bool{}
	for _, v := range vendors {
		known[domain.VendorKey(v.name)] = true
	}
	var out []*domain.Model
	keys := map[string]bool{}
	for _, s := range models {
		if keys[s.key] {
			return nil, domain.Internal(nil, "demo: model key %q appears twice", s.key)
		}
		keys[s.key] = true
		if !known[domain.VendorKey(domain.CanonicalVendorName(s.manufacturer))] {
			return nil, domain.Internal(nil, "demo: model %q: manufacturer %q is not in the vendor table", s.key, s.manufacturer)
		}
		if s.oui != "" {
			if _, ok := ouis[s.oui]; !ok {
				return nil, domain.Internal(nil, "demo: model %q: unknown OUI %q", s.key, s.oui)
			}
		}
		if s.model == "" {
			continue
		}
		notes := catalogueNote
		if s.notes != "" {
			notes = s.notes + " " + catalogueNote
		}
		m := &domain.Model{
			Manufacturer: s.manufacturer, Name: s.model, Category: s.category,
			EndOfSale: s.endOfSale.resolve(now), EndOfSupport: s.endOfSupport.resolve(now), EndOfLife: s.endOfLife.resolve(now),
			ServiceLifeYears: s.lifeYears, ReplacementCostCents: s.costUSD * 100, Currency: "USD", Notes: notes,
		}
		if err := m.Validate(); err != nil {
			return nil, domain.Internal(err, "demo: model table: %s", s.key)
		}
		out = append(out, m)
	}
	return out, nil
}

// builder expands placements into devices, keeping every generated key
// unique and every counter in one place.
type builder struct {
	rng    *rand.Rand
	spec   map[string]*modelSpec
	site   map[string]*siteSpec
	seen   map[string]bool // serials and MACs handed out
	tag    int
	nextIP map[string]int // "site/vlan" → last host number used
	hosts  map[string]int // "site/stem" → last hostname number used
}

// buildDevices expands the placement table into one import batch.
func buildDevices(seed int64) (*domain.ImportBatch, error) {
	b := &builder{
		rng:    rand.New(rand.NewPCG(uint64(seed), 0x7669676c)),
		spec:   map[string]*modelSpec{},
		site:   map[string]*siteSpec{},
		seen:   map[string]bool{},
		tag:    1200,
		nextIP: map[string]int{},
		hosts:  map[string]int{},
	}
	for i := range models {
		b.spec[models[i].key] = &models[i]
	}
	for i := range sites {
		b.site[sites[i].slug] = &sites[i]
	}
	batch := &domain.ImportBatch{File: ImportFile}
	for _, p := range placements {
		spec, ok := b.spec[p.model]
		if !ok {
			return nil, domain.Internal(nil, "demo: placement at %s names unknown model %q", p.site, p.model)
		}
		site, ok := b.site[p.site]
		if !ok {
			return nil, domain.Internal(nil, "demo: placement of %q names unknown site %q", p.model, p.site)
		}
		for i := range p.n {
			row := len(batch.Records) + 1
			vals := b.device(site, spec, &p, i)
			rec := domain.ImportRecord{Row: row, Location: ImportFile + ":" + strconv.Itoa(row)}
			for _, f := range domain.DeviceFields() {
				v := vals[f.Field]
				if v == "" {
					continue
				}
				if err := rec.Device.Set(f.Field, v); err != nil {
					return nil, domain.Internal(err, "demo: %s unit %d: %s %q", p.model, i+1, f.Field, v)
				}
				rec.Fields = append(rec.Fields, f.Field)
			}
			if err := rec.Device.Clone().Validate(); err != nil {
				return nil, domain.Internal(err, "demo: %s unit %d", p.model, i+1)
			}
			batch.Records = append(batch.Records, rec)
		}
	}
	return batch, nil
}

// device returns the text values of unit i of placement p.
func (b *builder) device(site *siteSpec, spec *modelSpec, p *placement, i int) map[domain.Field]string {
	v := map[domain.Field]string{
		domain.FieldSite:         site.slug,
		domain.FieldCategory:     string(spec.category),
		domain.FieldManufacturer: spec.manufacturer,
		domain.FieldModel:        spec.model,
		domain.FieldOS:           spec.os,
		domain.FieldOSVersion:    spec.osVersion,
	}
	if p.osVersion != "" {
		v[domain.FieldOSVersion] = p.osVersion
	}
	switch {
	case p.unreviewed:
		// Passive discovery rarely learns a firmware version.
	case p.firmware != "":
		v[domain.FieldFirmware] = p.firmware
	case len(spec.firmware) > 0:
		v[domain.FieldFirmware] = spec.firmware[b.rng.IntN(len(spec.firmware))]
	}
	life := inService
	if p.lifecycle != "" {
		life = domain.Lifecycle(p.lifecycle)
	}
	connected := !spec.offline && (life == inService || life == underRepair)

	v[domain.FieldMACs] = b.mac(spec.oui)
	vlan := zones[string(spec.category)]
	if connected {
		v[domain.FieldIPs] = b.ip(site, vlan)
		v[domain.FieldVLANs] = strconv.Itoa(vlan)
	}

	if p.unreviewed {
		// Discovery knows the addresses, what the traffic suggests and
		// little else; a person has to confirm and complete the record.
		v[domain.FieldReview] = string(domain.Unreviewed)
		if spec.os == "Windows" {
			v[domain.FieldHostnames] = "desktop-" + strings.ToLower(b.pattern("*******"))
		} else if spec.host != "" {
			v[domain.FieldHostnames] = b.hostname(site, spec)
		}
		v[domain.FieldNotes] = "Found by passive discovery; nobody has confirmed this record yet."
		if spec.model == "" {
			v[domain.FieldNotes] = "A " + spec.manufacturer + " network interface seen on the network, probably a serial-to-Ethernet " +
				"server in front of an older device. Find out what is attached."
		}
		return v
	}

	v[domain.FieldReview] = string(domain.Reviewed)
	v[domain.FieldLifecycle] = string(life)
	v[domain.FieldAssetTag] = b.assetTag()
	v[domain.FieldSerial] = b.unique(spec.serial)
	v[domain.FieldName] = strings.ReplaceAll(p.name, "%d", strconv.Itoa(i+1))
	if connected && spec.host != "" {
		v[domain.FieldHostnames] = b.hostname(site, spec)
	}
	v[domain.FieldDepartment] = p.dept
	if len(p.rooms) > 0 {
		v[domain.FieldLocation] = p.rooms[i%len(p.rooms)]
	}
	v[domain.FieldCriticality] = string(spec.criticality)
	v[domain.FieldPHI] = string(spec.phi)
	if spec.phiRecords > 0 {
		v[domain.FieldPHIRecords] = strconv.FormatInt(b.around(spec.phiRecords), 10)
	}
	v[domain.FieldNetworkRequired] = string(spec.network)
	v[domain.FieldNetworkJustification] = spec.why
	v[domain.FieldPatchability] = string(spec.patch)
	purchase, install := b.dates(spec.bought)
	v[domain.FieldPurchaseDate] = purchase.String()
	v[domain.FieldInstallDate] = install.String()
	v[domain.FieldAdmins] = strings.Join(p.admins, "; ")
	v[domain.FieldNotes] = p.notes
	return v
}

// assetTag returns the next asset tag; the numbers leave gaps the way a
// CMMS does when tags go to equipment outside the inventory.
func (b *builder) assetTag() string {
	b.tag += 1 + b.rng.IntN(6)
	return fmt.Sprintf("%s%05d", assetPrefix, b.tag)
}

// unique fills pattern until it yields a value not handed out before.
func (b *builder) unique(pattern string) string {
	for {
		s := b.pattern(pattern)
		if !b.seen["serial:"+s] {
			b.seen["serial:"+s] = true
			return s
		}
	}
}

// pattern fills "#" with a digit, "@" with a capital letter (no I or O,
// which serial labels avoid) and "*" with either; other characters stay.
func (b *builder) pattern(p string) string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	const alnum = "0123456789" + letters
	var s strings.Builder
	for _, r := range p {
		switch r {
		case '#':
			s.WriteByte(byte('0' + b.rng.IntN(10)))
		case '@':
			s.WriteByte(letters[b.rng.IntN(len(letters))])
		case '*':
			s.WriteByte(alnum[b.rng.IntN(len(alnum))])
		default:
			s.WriteRune(r)
		}
	}
	return s.String()
}

// mac returns a new address in the named IEEE assignment, or a locally
// administered unicast address when the maker has none.
func (b *builder) mac(ouiName string) string {
	const hexDigits = "0123456789abcdef"
	for {
		var digits string
		if ouiName == "" {
			first := byte(b.rng.IntN(256))&0xfc | 0x02 // locally administered, unicast
			digits = fmt.Sprintf("%02x", first)
		} else {
			digits = strings.ToLower(ouis[ouiName].prefix)
		}
		var s strings.Builder
		s.WriteString(digits)
		for s.Len() < 12 {
			s.WriteByte(hexDigits[b.rng.IntN(16)])
		}
		hex := s.String()
		mac := hex[0:2] + ":" + hex[2:4] + ":" + hex[4:6] + ":" + hex[6:8] + ":" + hex[8:10] + ":" + hex[10:12]
		if !b.seen["mac:"+mac] {
			b.seen["mac:"+mac] = true
			return mac
		}
	}
}

// ip returns the next address of the site's VLAN; static assignments start
// at .21, above the gateway and network gear.
func (b *builder) ip(site *siteSpec, vlan int) string {
	k := site.slug + "/" + strconv.Itoa(vlan)
	if b.nextIP[k] == 0 {
		b.nextIP[k] = 20
	}
	b.nextIP[k]++
	return fmt.Sprintf("10.%d.%d.%d", site.octet, vlan-100, b.nextIP[k])
}

// hostname returns the next name for the model's stem at the site, fully
// qualified for servers and workstations.
func (b *builder) hostname(site *siteSpec, spec *modelSpec) string {
	k := site.slug + "/" + spec.host
	b.hosts[k]++
	h := fmt.Sprintf("%s-%s%02d", site.host, spec.host, b.hosts[k])
	if spec.category == workstation {
		h += dnsSuffix
	}
	return h
}

// around varies n by ±30% and rounds it to two significant digits.
func (b *builder) around(n int64) int64 {
	x := n * int64(70+b.rng.IntN(61)) / 100
	unit := int64(1)
	for x/unit >= 100 {
		unit *= 10
	}
	return max(unit, (x+unit/2)/unit*unit)
}

// dates picks a purchase date in the given years and an install date a few
// weeks later.
func (b *builder) dates(years [2]int) (purchase, install domain.Date) {
	y := years[0] + b.rng.IntN(years[1]-years[0]+1)
	p := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, b.rng.IntN(365))
	return domain.DateOf(p), domain.DateOf(p.AddDate(0, 0, 10+b.rng.IntN(66)))
}
