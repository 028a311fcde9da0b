package discovery

import (
	"cmp"
	"context"
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Flush sends what is new since the last batch to the sink: hosts with new
// identities or observations (with fresh classification suggestions) and
// the flows moved out of memory. With final, every live flow goes too (the
// end of a capture file, or a sensor stopping). Nothing is forgotten when
// the sink fails; the next Flush sends it again.
func (e *Engine) Flush(ctx context.Context, final bool) error {
	if final {
		for k, f := range e.flows {
			e.pending = append(e.pending, f)
			delete(e.flows, k)
		}
	}
	b, sent := e.batch()
	if len(b.Hosts) == 0 {
		e.pending = e.pending[:0]
		return nil
	}
	if err := e.sink(ctx, b); err != nil {
		return err
	}
	e.stats.Batches++
	for _, h := range sent {
		for _, o := range h.fresh {
			o.sent = true
		}
		h.fresh, h.dirty = nil, false
	}
	e.pending = e.pending[:0]
	return nil
}

// Batch builds the batch Flush would send, without sending it.
func (e *Engine) Batch() *domain.DiscoveryBatch {
	b, _ := e.batch()
	return b
}

func (e *Engine) batch() (*domain.DiscoveryBatch, []*host) {
	// Each flow goes to the host at each end; a host's flows are sorted by
	// key and those with the same key (a flow moved out and seen again,
	// one conversation under two MACs) folded into one. The flows are
	// laid out host by host in one slab: counted first, then placed (in
	// the order of e.pending, as appending per host would).
	for _, h := range e.hosts {
		h.nflows = 0
	}
	type flowEnds struct{ ch, sh *host }
	ends := make([]flowEnds, len(e.pending))
	for i, f := range e.pending {
		ch := e.endpoint(f.key.client, f.clientMAC, f.hasMAC)
		sh := e.endpoint(f.key.server, f.serverMAC, f.hasMAC)
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
	slab := make([]domain.Flow, total) // one allocation for the batch's flows
	keyed := make([]keyedFlow, total)
	names := newBatchNames()
	attach := func(h *host, f *flowAgg, client bool, peer *host) {
		i := h.flowAt + h.nflows
		h.nflows++
		e.domainFlow(&slab[i], f, client, peer, names)
		keyed[i] = newKeyedFlow(f, client, &slab[i])
	}
	for i, f := range e.pending {
		ch, sh := ends[i].ch, ends[i].sh
		if ch != nil {
			attach(ch, f, true, sh)
		}
		if sh != nil && sh != ch {
			attach(sh, f, false, ch)
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
		dh := &domain.DiscoveredHost{FirstSeen: h.first, LastSeen: h.last}
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
		for _, a := range sortedKeys(h.pairs, compareAddr) {
			p := h.pairs[a]
			dh.Identities = append(dh.Identities, domain.NetworkIdentity{MAC: dh.MACs[0], IP: a.String(), FirstSeen: p.first, LastSeen: p.last})
		}
		all := make([]domain.Observation, 0, len(h.obs)+1)
		if h.hasMAC {
			all = append(all, domain.Observation{Kind: domain.ObsMAC, Value: dh.MACs[0]})
		}
		for _, o := range h.obs {
			all = append(all, o.o)
		}
		slices.SortFunc(all, func(a, b domain.Observation) int {
			return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Value, b.Value))
		})
		dh.Suggestions = e.opt.Classifier.Classify(all)
		if len(h.fresh) > 0 {
			dh.Observations = make([]domain.Observation, len(h.fresh))
			for i, o := range h.fresh {
				dh.Observations[i] = o.o
			}
		}
		dh.Flows = foldFlows(keyed[h.flowAt : h.flowAt+h.nflows])
		b.Hosts = append(b.Hosts, dh)
		sent = append(sent, h)
	}
	return b, sent
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

// keyedFlow is a flow of a batch with its key in numbers, to sort and
// fold by what domain.Flow.Key names in the order the formatted key's
// parts have: addresses as netip.Addr.Compare orders them (family, then
// value, then an IPv6 zone), the transport's name, the port, the
// application.
type keyedFlow struct {
	lhi, llo, phi, plo uint64 // local and peer address, 16 bytes each
	lfam, pfam         uint8  // 0 invalid, 1 IPv4, 2 IPv6
	lzone, pzone       bool   // the address has an IPv6 zone
	tr                 uint8  // transport name's rank (see transportRank)
	port               int
	f                  *domain.Flow
}

func newKeyedFlow(f *flowAgg, client bool, df *domain.Flow) keyedFlow {
	local, peer := f.key.client, f.key.server
	if !client {
		local, peer = peer, local
	}
	kf := keyedFlow{tr: transportRank(f.key.proto), port: int(f.key.port), f: df}
	kf.lhi, kf.llo, kf.lfam, kf.lzone = addrKey(local)
	kf.phi, kf.plo, kf.pfam, kf.pzone = addrKey(peer)
	return kf
}

func addrKey(a netip.Addr) (hi, lo uint64, fam uint8, zoned bool) {
	b := a.As16()
	switch {
	case a.Is4():
		fam = 1
	case a.Is6():
		fam, zoned = 2, a.Zone() != ""
	}
	return binary.BigEndian.Uint64(b[0:8]), binary.BigEndian.Uint64(b[8:16]), fam, zoned
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

// compareKeyed orders flows by local address, peer address (numerically),
// transport, port and application, then by direction and peer MAC.
func compareKeyed(a, b *keyedFlow) int {
	if c := sameFlow(a, b); c != 0 {
		return c
	}
	if c := boolOrder(a.f.Outbound, b.f.Outbound); c != 0 {
		return c
	}
	return strings.Compare(a.f.PeerMAC, b.f.PeerMAC)
}

// sameFlow compares what domain.Flow.Key names: 0 means one flow.
func sameFlow(a, b *keyedFlow) int {
	if c := compareAddrKey(a.lfam, b.lfam, a.lhi, b.lhi, a.llo, b.llo); c != 0 {
		return c
	}
	if (a.lzone || b.lzone) && a.f.LocalIP != b.f.LocalIP {
		if c := strings.Compare(zoneOf(a.f.LocalIP), zoneOf(b.f.LocalIP)); c != 0 {
			return c
		}
	}
	if c := compareAddrKey(a.pfam, b.pfam, a.phi, b.phi, a.plo, b.plo); c != 0 {
		return c
	}
	if (a.pzone || b.pzone) && a.f.PeerIP != b.f.PeerIP {
		if c := strings.Compare(zoneOf(a.f.PeerIP), zoneOf(b.f.PeerIP)); c != 0 {
			return c
		}
	}
	if a.tr != b.tr {
		return cmp.Compare(a.tr, b.tr)
	}
	if a.port != b.port {
		return cmp.Compare(a.port, b.port)
	}
	return strings.Compare(a.f.App, b.f.App)
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

// zoneOf is the zone of a formatted IPv6 address ("" without one).
func zoneOf(s string) string {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// foldFlows sorts a host's flows and folds those that are one flow (see
// domain.Flow.Key). The moved-out flows come in no particular order (a
// map's), so one flow's parts are ordered by direction and peer MAC too
// (the fold keeps the first part's, and the first MAC it meets), and the
// batch is the same on every run.
func foldFlows(fs []keyedFlow) []*domain.Flow {
	if len(fs) == 0 {
		return nil
	}
	slices.SortFunc(fs, func(a, b keyedFlow) int { return compareKeyed(&a, &b) })
	out := make([]*domain.Flow, 0, len(fs))
	for i := range fs {
		if i > 0 && sameFlow(&fs[i], &fs[i-1]) == 0 {
			out[len(out)-1].Add(fs[i].f)
			continue
		}
		out = append(out, fs[i].f)
	}
	return out
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
// once: few of them make up many flows.
type batchNames struct {
	addrs map[netip.Addr]string
	macs  map[[6]byte]string
}

func newBatchNames() *batchNames {
	return &batchNames{addrs: map[netip.Addr]string{}, macs: map[[6]byte]string{}}
}

func (n *batchNames) addr(a netip.Addr) string {
	s, ok := n.addrs[a]
	if !ok {
		s = a.String()
		n.addrs[a] = s
	}
	return s
}

func (n *batchNames) mac(m [6]byte) string {
	s, ok := n.macs[m]
	if !ok {
		s = formatMAC(m)
		n.macs[m] = s
	}
	return s
}

// domainFlow fills out (a zeroed record) with one end's view of f.
func (e *Engine) domainFlow(out *domain.Flow, f *flowAgg, client bool, peer *host, names *batchNames) {
	local, remote, remoteMAC := f.key.client, f.key.server, f.serverMAC
	if !client {
		local, remote, remoteMAC = f.key.server, f.key.client, f.clientMAC
	}
	out.LocalIP, out.PeerIP, out.Transport = names.addr(local), names.addr(remote), transportName(f.key.proto)
	out.Port, out.Outbound, out.App = int(f.key.port), client, f.app
	out.Bytes, out.Packets, out.FirstSeen, out.LastSeen = f.bytes, f.packets, f.first, f.last
	out.Hours = f.hours
	if f.hasMAC && peer != nil && peer.hasMAC && unicastMAC(remoteMAC) && !e.router[remoteMAC] {
		out.PeerMAC = names.mac(remoteMAC)
	}
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
