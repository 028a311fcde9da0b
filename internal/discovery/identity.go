package discovery

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// host is one device as identity resolution sees it.
type host struct {
	mac       [6]byte // zero for a host known only by IP (behind a router)
	hasMAC    bool
	ips       []netip.Addr
	pairs     map[netip.Addr]*pairing // IP ↔ this host's MAC over time
	hostnames []string
	// obs holds the host's distinct facts: those the classifier reads,
	// and the others until they are sent (see Engine.forget).
	obs map[obsKey]*obsAgg
	// kept counts the facts of each kind kept for good (see forget).
	kept   map[domain.ObservationKind]int
	fresh  []*obsAgg // facts to send with the next batch
	first  stamp     // first and last sighting (stampNone: none yet)
	last   stamp
	merged bool // folded into another host; ignore
	into   *host
	dirty  bool // something to send
	// nflows and flowAt place the host's flows in the batch being built
	// (how many, and where they start in its slab).
	nflows, flowAt int
	// suggestions is what the classifier made of obs, while classified.
	suggestions []domain.Suggestion
	classified  bool
	// told is the Flush (Engine.flushes) whose batches carry the host's
	// identities, observations and suggestions already, and device the
	// DeviceID the sink set on the host in that Flush (0: none).
	told   int
	device int64
}

type pairing struct{ first, last stamp }

type obsKey struct {
	kind  domain.ObservationKind
	value string
}

type obsAgg struct {
	o     domain.Observation
	count int64
	sent  bool
	kept  bool // counted in host.kept: stays for classification
}

func (h *host) seen(at stamp) {
	if at == stampNone {
		return
	}
	if h.first == stampNone || at < h.first {
		h.first = at
	}
	if at > h.last {
		h.last = at
	}
}

// resolve follows merges to the live host.
func (h *host) resolve() *host {
	for h.merged {
		h = h.into
	}
	return h
}

// isRouterHost reports whether h is a router's MAC.
func (e *Engine) isRouterHost(h *host) bool { return h.hasMAC && e.router[h.mac] }

// hostForMAC returns the host of a unicast MAC, creating it.
func (e *Engine) hostForMAC(m [6]byte) *host {
	if h, ok := e.byMAC[m]; ok {
		return h.resolve()
	}
	h := &host{mac: m, hasMAC: true, first: stampNone, last: stampNone}
	e.byMAC[m] = h
	e.hosts = append(e.hosts, h)
	return h
}

// hostForIP returns the host currently holding a local address, creating
// an IP-only host.
func (e *Engine) hostForIP(a netip.Addr) *host {
	if h, ok := e.byIP[a]; ok {
		return h.resolve()
	}
	h := &host{first: stampNone, last: stampNone}
	h.addIP(a)
	e.byIP[a] = h
	e.gen++
	e.hosts = append(e.hosts, h)
	return h
}

func (h *host) addIP(a netip.Addr) {
	if !slices.Contains(h.ips, a) {
		h.ips = append(h.ips, a)
		h.dirty = true
	}
}

// pair records that MAC m used address a at time at: it is how IP changes
// are followed and how routers are recognised. It returns the host, or nil
// when m is a router's MAC (the address then stands for itself).
func (e *Engine) pair(m [6]byte, a netip.Addr, at stamp) *host {
	if !unicastMAC(m) {
		return nil
	}
	// Most frames repeat a pairing already made: served from the cache,
	// they only move the host's and the pairing's last sighting.
	slot := &e.pairs[pairIndex(m, a)]
	if e.hit(slot, m, a, at) {
		return slot.h
	}
	gen := e.gen
	if e.router[m] {
		return nil
	}
	own := a.IsValid() && !a.IsUnspecified() && !a.IsMulticast()
	if own {
		ips := e.macIPs[m]
		if !slices.Contains(ips, a) {
			ips = append(ips, a)
			e.macIPs[m] = ips
			// Many addresses behind one MAC, more than one that is not the
			// practice's own, or one of each: the MAC forwards for others.
			if f := e.foreign(ips); len(ips) >= e.opt.RouterIPs || f > 1 || (f == 1 && len(ips) > 1) {
				e.markRouter(m)
				return nil
			}
		}
	}
	h := e.hostForMAC(m)
	h.seen(at)
	if own && e.opt.Local(a) {
		h.addIP(a)
		if h.pairs == nil {
			h.pairs = map[netip.Addr]*pairing{}
		}
		p := h.pairs[a]
		if p == nil {
			p = &pairing{first: at, last: at}
			h.pairs[a] = p
			h.dirty = true
		} else if p.last < at {
			p.last = at
		}
		if cur, ok := e.byIP[a]; !ok || cur.resolve() != h {
			if ok && !cur.resolve().hasMAC {
				e.merge(cur.resolve(), h)
			}
			e.byIP[a] = h // the address moved to this MAC (a DHCP renumbering)
			e.gen++
		}
		if gen == e.gen {
			*slot = pairSlot{mac: m, a: a, gen: gen, h: h, p: p}
		}
	}
	return h
}

// paired is pair's answer from its cache of settled pairings, where it has
// one: MAC m's host uses address a (the pairing moved to time at). Only a
// local address of a device's MAC is cached, so a frame it answers for
// needs none of pair's other checks.
func (e *Engine) paired(m [6]byte, a netip.Addr, at stamp) bool {
	return e.hit(&e.pairs[pairIndex(m, a)], m, a, at)
}

// hit reports whether slot holds the pairing of m and a, and if so moves
// its last sighting, and its host's, to at.
func (e *Engine) hit(slot *pairSlot, m [6]byte, a netip.Addr, at stamp) bool {
	if slot.gen != e.gen || slot.h == nil || slot.mac != m || slot.a != a || e.noPairCache {
		return false
	}
	slot.h.seen(at)
	if slot.p.last < at {
		slot.p.last = at
	}
	return true
}

// pairSlot caches one settled pairing: MAC mac uses address a, its host
// is h (resolved) and the pairing's record p. A slot is valid while its
// gen equals the engine's; anything that could change where a pairing
// leads (an address moving, a merge, a router found) bumps the engine's.
type pairSlot struct {
	mac [6]byte
	a   netip.Addr
	gen uint64
	h   *host
	p   *pairing
}

const pairSlots = 1 << 12

func pairIndex(m [6]byte, a netip.Addr) int {
	x := mac48(m)
	b := a.As16() // the low half holds an IPv4 address whole
	y := binary.BigEndian.Uint64(b[8:16])
	h := (x ^ y*0xc2b2ae3d27d4eb4f) * 0x9e3779b97f4a7c15 // a product's top bits mix all its inputs
	return int(h >> (64 - 12))
}

// foreign counts the addresses that are not the practice's own.
func (e *Engine) foreign(ips []netip.Addr) int {
	n := 0
	for _, a := range ips {
		if !e.opt.Local(a) {
			n++
		}
	}
	return n
}

// markRouter forgets the host of a MAC found to be a router's: the
// addresses it carried become IP-only hosts (when local).
func (e *Engine) markRouter(m [6]byte) {
	e.router[m] = true
	e.gen++
	h, ok := e.byMAC[m]
	if !ok {
		return
	}
	h = h.resolve()
	for _, a := range h.ips {
		if e.byIP[a] == h {
			delete(e.byIP, a)
			e.hostForIP(a).seen(h.last)
		}
	}
	h.dirty = false
}

// merge folds host from into host to (an IP-only host found to be a MAC's).
func (e *Engine) merge(from, to *host) {
	if from == to {
		return
	}
	e.gen++
	for _, a := range from.ips {
		to.addIP(a)
		e.byIP[a] = to
	}
	for _, n := range from.hostnames {
		to.addHostname(n)
	}
	for k, o := range from.obs {
		to.addObs(k, o, e.reads(k.kind))
	}
	to.seen(from.first)
	to.seen(from.last)
	from.merged, from.into = true, to
	to.dirty = true
}

func (h *host) addHostname(n string) {
	if !slices.Contains(h.hostnames, n) {
		h.hostnames = append(h.hostnames, n)
		h.dirty = true
	}
}

// addObs adds a fact to the host; read says whether the classifier reads
// its kind (if not, the fact cannot change the host's classification).
func (h *host) addObs(k obsKey, o *obsAgg, read bool) {
	if h.obs == nil {
		h.obs = map[obsKey]*obsAgg{}
	}
	cur := h.obs[k]
	if cur == nil {
		cp := *o
		cp.sent, cp.kept = false, false // this host's to send, and to count
		h.obs[k] = &cp
		h.fresh = append(h.fresh, &cp)
		h.dirty = true
		h.classified = h.classified && !read
		return
	}
	cur.count += o.count
	if o.o.At.After(cur.o.At) {
		cur.o.At = o.o.At
		h.classified = h.classified && !read
	}
	if o.o.Confidence > cur.o.Confidence {
		cur.o.Confidence = o.o.Confidence
		h.classified = h.classified && !read
	}
	if cur.sent {
		cur.sent = false
		h.fresh = append(h.fresh, cur)
		h.dirty = true
	}
}

// Observe attributes one observation to its host. Observations naming a
// MAC go to that MAC's host (unless it is a router's); those naming only a
// local IP go to whichever host holds that address now; a DHCP client
// identifier links the MAC it came with. Observations about non-local
// addresses with no MAC are peers' and are dropped.
func (e *Engine) Observe(o domain.Observation) {
	e.stats.Observations++
	var h *host
	ip, at := o.IP.Unmap(), stampOf(o.At)
	if m, ok := parseMAC(o.MAC); ok && unicastMAC(m) {
		h = e.pair(m, ip, at)
		if h == nil && ip.IsValid() && e.opt.Local(ip) {
			h = e.hostForIP(ip)
		}
	} else if o.Kind == domain.ObsDHCPClientID {
		h = e.byCID[o.Value]
	}
	if h == nil && ip.IsValid() && e.opt.Local(ip) {
		h = e.hostForIP(ip)
	}
	if h == nil {
		return
	}
	h = h.resolve()
	h.seen(at)
	switch o.Kind {
	case domain.ObsRouter:
		if h.hasMAC {
			e.markRouter(h.mac)
		}
		return
	case domain.ObsDHCPClientID:
		if other, ok := e.byCID[o.Value]; ok && other.resolve() != h && !other.resolve().hasMAC {
			e.merge(other.resolve(), h)
		}
		e.byCID[o.Value] = h
	case domain.ObsHostname:
		if n, err := domain.NormalizeHostname(o.Value); err == nil && n != "" {
			h.addHostname(n)
		}
	case domain.ObsIP:
		if a, err := netip.ParseAddr(o.Value); err == nil && e.opt.Local(a.Unmap()) {
			if h.hasMAC {
				e.pair(h.mac, a.Unmap(), at)
			} else {
				h.addIP(a.Unmap())
			}
		}
	}
	o.MAC, o.IP = "", netip.Addr{}
	if o.Source == "" {
		o.Source = e.opt.Source
	}
	o.Value = strings.TrimSpace(o.Value)
	if o.Value == "" {
		return
	}
	h.addObs(obsKey{o.Kind, o.Value}, &obsAgg{o: o, count: 1}, e.reads(o.Kind))
}

// reads reports whether the engine's classifier reads facts of kind k.
func (e *Engine) reads(k domain.ObservationKind) bool {
	for _, kr := range e.readKinds {
		if kr.kind == k {
			return kr.read
		}
	}
	r := e.opt.Classifier.Reads(k)
	e.readKinds = append(e.readKinds, kindRead{k, r})
	return r
}

type kindRead struct {
	kind domain.ObservationKind
	read bool
}

// maxKeptFacts is how many distinct facts of one kind the classifier
// reads a host keeps for classification.
const maxKeptFacts = 256

// forget drops from memory the facts just sent that classification does
// not need, so that a host's memory does not grow with every distinct
// value the network shows: the facts of kinds the classifier does not
// read (the names a host looked up, say, which a busy workstation adds to
// without end), and of each kind it reads, those beyond the first
// maxKeptFacts (a classification has long been settled by then; those
// were classified with the write that sent them). A fact seen again is
// sent again, which the store counts as it would have. Hosts without a
// MAC keep theirs: one may yet be merged into the host that turns out to
// hold its address, which then sends them as its own.
func (e *Engine) forget(h *host, sent []*obsAgg) {
	if !h.hasMAC {
		return
	}
	for _, o := range sent {
		if o.kept {
			continue
		}
		if e.reads(o.o.Kind) && h.kept[o.o.Kind] < maxKeptFacts {
			if h.kept == nil {
				h.kept = map[domain.ObservationKind]int{}
			}
			h.kept[o.o.Kind]++
			o.kept = true
			continue
		}
		delete(h.obs, obsKey{o.o.Kind, o.o.Value})
	}
}
