package discovery

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Flush sends what is new since the last batch to the sink: hosts with new
// identities or observations (with fresh classification suggestions) and
// the flows moved out of memory. With final, every live flow goes too (the
// end of a capture file, or a sensor stopping). Nothing is forgotten when
// the sink fails; the next Flush sends what was not sent again.
//
// The flows go in batches of at most BatchFlows, in the order of their
// places in the flow table (the same on every run of the same input).
// Small batches keep the memory a batch holds at once small: a capture's
// last batch used to carry every flow still live, and formatting tens of
// thousands of them at once made the garbage collector scan them all.
func (e *Engine) Flush(ctx context.Context, final bool) error {
	if final {
		e.flows.index.each(func(r flowRef) { e.pending = append(e.pending, r) })
		e.flows.removeAll()
	}
	slices.Sort(e.pending)
	e.flushes++
	names := newBatchNames(&e.flows)
	done := 0
	defer func() { e.pending = e.pending[:copy(e.pending, e.pending[done:])] }() // keep what was not sent
	for {
		chunk := e.pending[done : done+min(len(e.pending)-done, e.opt.BatchFlows)]
		b, sent := e.batch(chunk, names)
		if len(b.Hosts) > 0 {
			if err := e.sink(ctx, b); err != nil {
				return err
			}
			e.stats.Batches++
			for i, h := range sent {
				for _, o := range h.fresh {
					o.sent = true
				}
				e.forget(h, h.fresh)
				h.fresh, h.dirty, h.told = nil, false, e.flushes
				h.device = b.Hosts[i].DeviceID // the store's answer, for this Flush's later batches
			}
		}
		e.flows.release(chunk) // their places are free for new flows
		done += len(chunk)
		if done == len(e.pending) {
			return nil
		}
	}
}

func (e *Engine) batch(pending []flowRef, names *batchNames) (*domain.DiscoveryBatch, []*host) {
	// Each flow goes to the host at each end; a host's flows are sorted by
	// key and those with the same key (a flow moved out and seen again,
	// one conversation under two MACs) folded into one. The flows are
	// laid out host by host in one slab: counted first, then placed (in
	// the order of e.pending, as appending per host would).
	for _, h := range e.hosts {
		h.nflows = 0
	}
	ends := grow(e.ends, len(pending))
	e.ends = ends
	t := &e.flows
	for i, r := range pending {
		f := t.at(r)
		ch := e.endpoint(t.client(r), f.clientMAC, f.hasMAC)
		sh := e.endpoint(t.server(r), f.serverMAC, f.hasMAC)
		if ch != nil {
			ch.nflows++
		}
		if sh != nil && sh != ch { // a host talking to itself counts once
			sh.nflows++
		}
		ends[i] = flowEnds{ch, sh}
	}
	total := 0
	for _, h := range e.hosts {
		h.flowAt, total = total, total+h.nflows
		h.nflows = 0
	}
	var slab []domain.Flow // the batch's records, host by host
	if e.opt.ReuseFlows {
		slab = grow(e.slab, total)
		e.slab = slab
	} else {
		slab = make([]domain.Flow, total)
	}
	keyed := grow(e.keyed, total)
	e.keyed = keyed
	sorted := grow(e.sorted, total)
	e.sorted = sorted
	rank := appRanks(t.apps)
	attach := func(h *host, r flowRef, client bool, peer *host) {
		i := h.flowAt + h.nflows
		h.nflows++
		mac := e.domainFlow(&slab[i], r, client, peer, names)
		keyed[i] = newKeyedFlow(t.id(r), t.at(r), client, int32(i), mac, rank)
		sorted[i] = keyed[i].sortKey()
	}
	for i, r := range pending {
		ch, sh := ends[i].ch, ends[i].sh
		if ch != nil {
			attach(ch, r, true, sh)
		}
		if sh != nil && sh != ch {
			attach(sh, r, false, ch)
		}
	}
	b := &domain.DiscoveryBatch{Source: e.opt.Source, Site: e.opt.Site}
	var sent []*host
	for _, h := range e.hosts {
		if h.merged || e.isRouterHost(h) || (!h.hasMAC && len(h.ips) == 0) {
			continue
		}
		if !h.dirty && len(h.fresh) == 0 && h.nflows == 0 {
			continue
		}
		dh := &domain.DiscoveredHost{FirstSeen: h.first.time(), LastSeen: h.last.time()}
		if h.hasMAC {
			dh.MACs = []string{formatMAC(h.mac)}
		}
		for _, a := range h.ips {
			if e.holds(h, a) {
				dh.IPs = append(dh.IPs, a.String())
			}
		}
		dh.Hostnames = slices.Clone(h.hostnames)
		if len(dh.MACs)+len(dh.IPs)+len(dh.Hostnames) == 0 {
			continue
		}
		if h.told == e.flushes {
			dh.DeviceID = h.device // only flows: the sink need not match h again
		} else { // the first of this Flush's batches to carry h
			for _, a := range sortedKeys(h.pairs, compareAddr) {
				p := h.pairs[a]
				dh.Identities = append(dh.Identities, domain.NetworkIdentity{MAC: dh.MACs[0], IP: a.String(), FirstSeen: p.first.time(), LastSeen: p.last.time()})
			}
			dh.Suggestions = e.classify(h, dh)
			if len(h.fresh) > 0 {
				dh.Observations = make([]domain.Observation, len(h.fresh))
				for i, o := range h.fresh {
					dh.Observations[i] = o.o
				}
			}
		}
		dh.Flows = foldFlows(sorted[h.flowAt:h.flowAt+h.nflows], keyed, slab, t.zones)
		b.Hosts = append(b.Hosts, dh)
		sent = append(sent, h)
	}
	return b, sent
}

// classify is what the classifier makes of every fact about h, computed
// again only when a fact was added or changed.
func (e *Engine) classify(h *host, dh *domain.DiscoveredHost) []domain.Suggestion {
	if h.classified {
		return slices.Clone(h.suggestions)
	}
	type fact struct {
		k obsKey
		o *obsAgg // nil: the MAC itself
	}
	facts := make([]fact, 0, len(h.obs)+1)
	for k, o := range h.obs {
		if e.reads(k.kind) {
			facts = append(facts, fact{k, o})
		}
	}
	if h.hasMAC {
		facts = append(facts, fact{k: obsKey{domain.ObsMAC, dh.MACs[0]}})
	}
	slices.SortFunc(facts, func(a, b fact) int { // the keys, not the 120-byte observations
		return cmp.Or(strings.Compare(string(a.k.kind), string(b.k.kind)), strings.Compare(a.k.value, b.k.value), boolOrder(a.o != nil, b.o != nil))
	})
	all := make([]domain.Observation, len(facts))
	for i, f := range facts {
		if f.o != nil {
			all[i] = f.o.o
		} else {
			all[i] = domain.Observation{Kind: f.k.kind, Value: f.k.value}
		}
	}
	h.suggestions, h.classified = e.opt.Classifier.Classify(all), true
	return slices.Clone(h.suggestions)
}

// holds reports whether h is (still) the holder of address a, so an
// address that moved to another MAC is listed only with its new holder
// (the old pairing stays in the history).
func (e *Engine) holds(h *host, a netip.Addr) bool {
	cur, ok := e.byIP[a]
	return !ok || cur.resolve() == h
}

// endpoint finds the host at one end of a flow: by its MAC when that is a
// device's, else by its local address.
func (e *Engine) endpoint(a netip.Addr, m [6]byte, hasMAC bool) *host {
	if hasMAC && unicastMAC(m) && !e.router[m] {
		if h, ok := e.byMAC[m]; ok && (e.opt.Local(a) || slices.Contains(h.resolve().ips, a)) {
			return h.resolve()
		}
	}
	if h, ok := e.byIP[a]; ok {
		return h.resolve()
	}
	return nil
}

// keyedFlow is a record of a batch with its key in numbers, to sort and
// fold by what domain.Flow.Key names in the order the formatted key's
// parts have: addresses as netip.Addr.Compare orders them (family, then
// value, then an IPv6 zone), the transport's name, the port, the
// application; then the direction and the peer MAC, so that the batch is
// the same on every run. It holds no pointer. Sorting moves its packed
// form (sortKey) and reads it only where that form ties (IPv6).
type keyedFlow struct {
	lhi, llo, phi, plo uint64 // local and peer address, 16 bytes each
	mac                uint64 // 1<<48 | the peer MAC the record names, or 0
	at                 int32  // the record's place in the batch's slab
	lzone, pzone       uint16 // zones, as indexes into flowTable.zones
	port               uint16
	lfam, pfam         uint8 // 1 IPv4, 2 IPv6
	tr                 uint8 // transport name's rank (see transportRank)
	app                uint8 // application name's rank (see appRanks)
	out                bool
}

func newKeyedFlow(id *flowID, f *flowAgg, client bool, at int32, mac uint64, appRank []uint8) keyedFlow {
	kf := keyedFlow{tr: transportRank(id.proto()), port: id.port(), at: at, mac: mac, app: appRank[f.app], out: client}
	kf.lhi, kf.llo, kf.lfam, kf.lzone = id.c0, id.c1, family(id.c0, id.c1), f.czone
	kf.phi, kf.plo, kf.pfam, kf.pzone = id.s0, id.s1, family(id.s0, id.s1), f.szone
	if !client {
		kf.lhi, kf.llo, kf.lfam, kf.lzone, kf.phi, kf.plo, kf.pfam, kf.pzone = kf.phi, kf.plo, kf.pfam, kf.pzone, kf.lhi, kf.llo, kf.lfam, kf.lzone
	}
	return kf
}

// family ranks an address of a flow's id (always a valid address: see
// flowID) as netip.Addr.Compare does: IPv4 before IPv6.
func family(hi, lo uint64) uint8 {
	if hi == 0 && lo>>32 == v4Prefix {
		return 1
	}
	return 2
}

// macKey is a peer MAC as keyedFlow.mac orders it: as the formatted
// lowercase MACs sort, after none.
func macKey(m [6]byte) uint64 {
	return 1<<48 | mac48(m)
}

// appRanks gives each interned application name its rank in sorted order.
func appRanks(apps []string) []uint8 {
	order := make([]int, len(apps))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(apps[a], apps[b]) })
	rank := make([]uint8, len(apps))
	for r, i := range order {
		rank[i] = uint8(r)
	}
	return rank
}

// transportRank orders protocols as transportName's names sort.
func transportRank(p uint8) uint8 {
	switch p {
	case 1, 58:
		return 0 // icmp
	case 6:
		return 2 // tcp
	case 17:
		return 3 // udp
	}
	return 1 // other
}

// sameFlow compares what domain.Flow.Key names: 0 means one flow.
func sameFlow(a, b *keyedFlow, zones []string) int {
	if c := compareAddrKey(a.lfam, b.lfam, a.lhi, b.lhi, a.llo, b.llo); c != 0 {
		return c
	}
	if a.lzone != b.lzone {
		return strings.Compare(zones[a.lzone], zones[b.lzone])
	}
	if c := compareAddrKey(a.pfam, b.pfam, a.phi, b.phi, a.plo, b.plo); c != 0 {
		return c
	}
	if a.pzone != b.pzone {
		return strings.Compare(zones[a.pzone], zones[b.pzone])
	}
	if a.tr != b.tr {
		return cmp.Compare(a.tr, b.tr)
	}
	if a.port != b.port {
		return cmp.Compare(a.port, b.port)
	}
	return cmp.Compare(a.app, b.app)
}

func compareAddrKey(fa, fb uint8, ha, hb, la, lb uint64) int {
	switch {
	case fa != fb:
		return cmp.Compare(fa, fb)
	case ha != hb:
		return cmp.Compare(ha, hb)
	}
	return cmp.Compare(la, lb)
}

// foldFlows sorts a host's flows and folds those that are one flow (see
// domain.Flow.Key). The moved-out flows come in no particular order (a
// map's), so one flow's parts are ordered by direction and peer MAC too
// (the fold keeps the first part's, and the first MAC it meets), and the
// batch is the same on every run.
func foldFlows(fs []sortKey, keyed []keyedFlow, slab []domain.Flow, zones []string) []*domain.Flow {
	if len(fs) == 0 {
		return nil
	}
	slices.SortFunc(fs, func(a, b sortKey) int { return compareSorted(&a, &b, keyed, zones) })
	out := make([]*domain.Flow, 0, len(fs))
	for i := range fs {
		if i > 0 && sameSorted(&fs[i], &fs[i-1], keyed, zones) == 0 {
			out[len(out)-1].Add(&slab[fs[i].at])
			continue
		}
		out = append(out, &slab[fs[i].at])
	}
	return out
}

// sortKey is a keyedFlow's order packed into two words, k0 for the local
// address and k1 for the peer's with the transport, port and application,
// small to move while sorting and quick to compare. An IPv4 address
// packs whole: k0 is the address; k1 is the address, transport rank, port
// and application rank (32+2+16+8 bits). An IPv6 address packs only as a
// prefix of its order (the family bit and the top 63 bits), and a tie
// there is settled by the keyedFlow it was made from (keyed[at]).
type sortKey struct {
	k0, k1 uint64
	mac    uint64 // keyedFlow.mac
	at     int32  // the record's place in the batch's slab and in keyed
	out    bool
	l6, p6 bool // the local, the peer address is IPv6 (its k is a prefix)
}

func (kf *keyedFlow) sortKey() sortKey {
	sk := sortKey{mac: kf.mac, at: kf.at, out: kf.out, l6: kf.lfam == 2, p6: kf.pfam == 2}
	if sk.l6 {
		sk.k0 = 1<<63 | kf.lhi>>1
	} else {
		sk.k0 = kf.llo & 0xffffffff
	}
	if sk.p6 {
		sk.k1 = 1<<63 | kf.phi>>1
	} else {
		sk.k1 = (kf.plo&0xffffffff)<<26 | uint64(kf.tr&3)<<24 | uint64(kf.port)<<8 | uint64(kf.app)
	}
	return sk
}

// sameSorted is sameFlow by sort keys.
func sameSorted(a, b *sortKey, keyed []keyedFlow, zones []string) int {
	if a.k0 != b.k0 {
		return cmp.Compare(a.k0, b.k0)
	}
	if a.l6 { // and so is b's: the family is k0's top bit
		return sameFlow(&keyed[a.at], &keyed[b.at], zones)
	}
	if a.k1 != b.k1 {
		return cmp.Compare(a.k1, b.k1)
	}
	if a.p6 {
		return sameFlow(&keyed[a.at], &keyed[b.at], zones)
	}
	return 0
}

// compareSorted orders flows by local address, peer address
// (numerically), transport, port and application (sameSorted), then by
// direction and peer MAC.
func compareSorted(a, b *sortKey, keyed []keyedFlow, zones []string) int {
	if c := sameSorted(a, b, keyed, zones); c != 0 {
		return c
	}
	if c := boolOrder(a.out, b.out); c != 0 {
		return c
	}
	return cmp.Compare(a.mac, b.mac)
}

// boolOrder orders false before true.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// batchNames formats the addresses and MACs of a batch's flows, each
// once: few of them make up many flows. A small direct-mapped table in
// front of each map answers most lookups without hashing the key.
type batchNames struct {
	t       *flowTable
	addrs   map[zonedWords]string
	macs    map[[6]byte]string
	recentA [256]struct {
		k zonedWords
		s string
	}
	recentM [256]struct {
		k [6]byte
		s string
	}
}

type zonedWords struct {
	hi, lo uint64
	zone   uint16
}

func newBatchNames(t *flowTable) *batchNames {
	return &batchNames{t: t, addrs: map[zonedWords]string{}, macs: map[[6]byte]string{}}
}

func (n *batchNames) addr(hi, lo uint64, zone uint16) string {
	k := zonedWords{hi, lo, zone}
	r := &n.recentA[(lo^lo>>8^hi)&255]
	if r.k == k && r.s != "" {
		return r.s
	}
	s, ok := n.addrs[k]
	if !ok {
		s = addrOf(hi, lo, n.t.zones[zone]).String()
		n.addrs[k] = s
	}
	r.k, r.s = k, s
	return s
}

func (n *batchNames) mac(m [6]byte) string {
	r := &n.recentM[m[5]^m[4]^m[3]]
	if r.k == m && r.s != "" {
		return r.s
	}
	s, ok := n.macs[m]
	if !ok {
		s = formatMAC(m)
		n.macs[m] = s
	}
	r.k, r.s = m, s
	return s
}

// domainFlow fills out with one end's view of the flow at r, and returns
// the peer MAC it names as macKey gives it (0 for none).
func (e *Engine) domainFlow(out *domain.Flow, r flowRef, client bool, peer *host, names *batchNames) uint64 {
	f, id := names.t.at(r), names.t.id(r)
	c, s := names.addr(id.c0, id.c1, f.czone), names.addr(id.s0, id.s1, f.szone)
	local, remote, remoteMAC := c, s, f.serverMAC
	if !client {
		local, remote, remoteMAC = s, c, f.clientMAC
	}
	*out = domain.Flow{LocalIP: local, PeerIP: remote, Transport: transportName(id.proto()), Port: int(id.port()), Outbound: client,
		App: names.t.apps[f.app], Bytes: f.bytes, Packets: f.packets, FirstSeen: f.first.time(), LastSeen: f.last.time(), Hours: names.t.hours(f)}
	if f.hasMAC && peer != nil && peer.hasMAC && unicastMAC(remoteMAC) && !e.router[remoteMAC] {
		out.PeerMAC = names.mac(remoteMAC)
		return macKey(remoteMAC)
	}
	return 0
}

func transportName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1, 58:
		return "icmp"
	}
	return "other"
}

// flowEnds is the host at each end of a batch's flow (nil: not a device).
type flowEnds struct{ ch, sh *host }

// grow returns s with length n, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
