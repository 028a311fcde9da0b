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
	// one conversation under two MACs) folded into one.
	flows := map[*host][]keyedFlow{}
	all := make([]domain.Flow, 0, 2*len(e.pending)) // one allocation for the batch's flows
	attach := func(h *host, f *flowAgg, client bool, df domain.Flow) {
		all = append(all, df)
		kf := keyedFlow{local: f.key.client, peer: f.key.server, f: &all[len(all)-1]}
		if !client {
			kf.local, kf.peer = f.key.server, f.key.client
		}
		flows[h] = append(flows[h], kf)
	}
	// Few addresses make up many flows: format each once per batch.
	names := map[netip.Addr]string{}
	name := func(a netip.Addr) string {
		s, ok := names[a]
		if !ok {
			s = a.String()
			names[a] = s
		}
		return s
	}
	for _, f := range e.pending {
		ch := e.endpoint(f.key.client, f.clientMAC, f.hasMAC)
		sh := e.endpoint(f.key.server, f.serverMAC, f.hasMAC)
		if ch != nil {
			attach(ch, f, true, e.domainFlow(f, true, sh, name))
		}
		if sh != nil && sh != ch { // a host talking to itself counts once
			attach(sh, f, false, e.domainFlow(f, false, ch, name))
		}
	}
	b := &domain.DiscoveryBatch{Source: e.opt.Source, Site: e.opt.Site}
	var sent []*host
	for _, h := range e.hosts {
		if h.merged || e.isRouterHost(h) || (!h.hasMAC && len(h.ips) == 0) {
			continue
		}
		if !h.dirty && len(h.fresh) == 0 && flows[h] == nil {
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
		for _, o := range h.fresh {
			dh.Observations = append(dh.Observations, o.o)
		}
		dh.Flows = foldFlows(flows[h])
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

// keyedFlow is a flow of a batch with its addresses unformatted, to sort
// and fold by what domain.Flow.Key names.
type keyedFlow struct {
	local, peer netip.Addr
	f           *domain.Flow
}

// compareKeyed orders flows by local address, peer address (numerically),
// transport, port and application, then by direction and peer MAC.
func compareKeyed(a, b keyedFlow) int {
	if c := sameFlow(a, b); c != 0 {
		return c
	}
	return cmp.Or(boolOrder(a.f.Outbound, b.f.Outbound), strings.Compare(a.f.PeerMAC, b.f.PeerMAC))
}

// sameFlow compares what domain.Flow.Key names: 0 means one flow.
func sameFlow(a, b keyedFlow) int {
	return cmp.Or(a.local.Compare(b.local), a.peer.Compare(b.peer), strings.Compare(a.f.Transport, b.f.Transport),
		cmp.Compare(a.f.Port, b.f.Port), strings.Compare(a.f.App, b.f.App))
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
	slices.SortFunc(fs, compareKeyed)
	out := make([]*domain.Flow, 0, len(fs))
	for i, kf := range fs {
		if i > 0 && sameFlow(kf, fs[i-1]) == 0 {
			out[len(out)-1].Add(kf.f)
			continue
		}
		out = append(out, kf.f)
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

func (e *Engine) domainFlow(f *flowAgg, client bool, peer *host, name func(netip.Addr) string) domain.Flow {
	local, remote, remoteMAC := f.key.client, f.key.server, f.serverMAC
	if !client {
		local, remote, remoteMAC = f.key.server, f.key.client, f.clientMAC
	}
	out := domain.Flow{LocalIP: name(local), PeerIP: name(remote), Transport: transportName(f.key.proto),
		Port: int(f.key.port), Outbound: client, App: f.app, Bytes: f.bytes, Packets: f.packets,
		FirstSeen: f.first, LastSeen: f.last, Hours: f.hours}
	if f.hasMAC && peer != nil && peer.hasMAC && unicastMAC(remoteMAC) && !e.router[remoteMAC] {
		out.PeerMAC = formatMAC(remoteMAC)
	}
	return out
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
