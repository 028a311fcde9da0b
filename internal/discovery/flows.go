package discovery

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// flowKey names a conversation: client, server, transport and the
// server's port.
type flowKey struct {
	client, server netip.Addr
	proto          uint8
	port           uint16
}

// flowID is a flowKey packed into plain words, so the flow table hashes
// and compares it as 40 bytes of memory (a netip.Addr holds a pointer, and
// flowKey has padding, which make Go hash it field by field).
type flowID struct {
	c0, c1, s0, s1 uint64
	pp             uint64 // proto<<16 | port
}

func (k flowKey) id() flowID {
	c, s := k.client.As16(), k.server.As16()
	return flowID{
		c0: binary.BigEndian.Uint64(c[0:8]), c1: binary.BigEndian.Uint64(c[8:16]),
		s0: binary.BigEndian.Uint64(s[0:8]), s1: binary.BigEndian.Uint64(s[8:16]),
		pp: uint64(k.proto)<<16 | uint64(k.port),
	}
}

// reverse is the id of the opposite direction's key with the given port
// (the addresses swapped), without converting them again.
func (id flowID) reverse(port uint16) flowID {
	return flowID{c0: id.s0, c1: id.s1, s0: id.c0, s1: id.c1, pp: id.pp&^0xffff | uint64(port)}
}

// flowTableHint is the flow table's size when the first flow arrives
// (bounded by MaxFlows): a busy capture fills tens of thousands of flows,
// and growing the table step by step rehashes every flow several times.
const flowTableHint = 1 << 17

type flowAgg struct {
	key                  flowKey
	clientMAC, serverMAC [6]byte
	hasMAC               bool
	app                  string
	bytes, packets       int64
	first, last          time.Time
	hours                [24]int64
}

// Packet accounts one frame: the source MAC and address are paired (so
// IP changes and routers are followed) and the frame is added to its
// conversation.
func (e *Engine) Packet(p *Packet) {
	e.stats.Packets++
	e.stats.Bytes += int64(p.Length)
	if p.At.After(e.lastNow) {
		e.lastNow = p.At
	}
	src := p.Src.Unmap()
	if p.HasMAC && unicastMAC(p.SrcMAC) && (!src.IsValid() || e.opt.Local(src) || !e.router[p.SrcMAC]) {
		if h := e.pair(p.SrcMAC, src, p.At); h == nil && src.IsValid() && e.opt.Local(src) {
			e.hostForIP(src).seen(p.At)
		}
	} else if src.IsValid() && e.opt.Local(src) {
		e.hostForIP(src).seen(p.At)
	}
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		return
	}
	e.account(p)
	if len(e.flows) > e.opt.MaxFlows {
		e.evict()
	}
}

func (e *Engine) account(p *Packet) {
	src, dst := p.Src.Unmap(), p.Dst.Unmap()
	fwd := flowKey{client: src, server: dst, proto: p.Proto, port: p.DstPort}
	fid := fwd.id()
	rid := fid.reverse(p.SrcPort)
	f, reversed := e.flows[fid], false
	if f == nil {
		if f = e.flows[rid]; f != nil {
			reversed = true
		}
	}
	if f == nil {
		reversed = serverIsSource(p)
		k, id := fwd, fid
		if reversed {
			k, id = flowKey{client: dst, server: src, proto: p.Proto, port: p.SrcPort}, rid
		}
		if p.Proto != 6 && p.Proto != 17 {
			k.port = 0
			id.pp &^= 0xffff
		}
		e.sizeFlows()
		f = &flowAgg{key: k, first: p.At}
		e.flows[id] = f
	}
	if p.HasMAC {
		f.hasMAC = true
		if reversed {
			f.serverMAC, f.clientMAC = p.SrcMAC, p.DstMAC
		} else {
			f.clientMAC, f.serverMAC = p.SrcMAC, p.DstMAC
		}
	}
	if f.app == "" {
		f.app = p.App
	}
	f.bytes += int64(p.Length)
	f.packets++
	if p.At.After(f.last) {
		f.last = p.At
	}
	if p.At.Before(f.first) {
		f.first = p.At
	}
	f.hours[hourOfDay(p.At)]++
}

// hourOfDay is t's hour in UTC, from its Unix seconds (UTC has no leap
// hours, so this is t.UTC().Hour() without the calendar arithmetic).
func hourOfDay(t time.Time) int {
	return int((t.Unix()%86400+86400)%86400) / 3600
}

// sizeFlows makes the flow table at its working size when the first flow
// arrives (an engine that only ever sees observations keeps the empty one).
func (e *Engine) sizeFlows() {
	if !e.flowsSized {
		e.flowsSized = true
		e.flows = make(map[flowID]*flowAgg, min(e.opt.MaxFlows+1, flowTableHint))
	}
}

// serverIsSource guesses, for the first frame of a conversation, whether
// its sender is the server: a SYN-ACK says so; a SYN says not; otherwise
// the lower (well-known) port is the server's.
func serverIsSource(p *Packet) bool {
	const syn, ack = 0x02, 0x10
	if p.Proto == 6 && p.TCPFlags&syn != 0 {
		return p.TCPFlags&ack != 0
	}
	if p.SrcPort == p.DstPort {
		return false
	}
	return p.SrcPort < p.DstPort && p.SrcPort < 49152
}

// evict moves flows idle longer than FlowIdle out of memory, and if that
// is not enough, the idlest until a tenth of MaxFlows is free.
func (e *Engine) evict() {
	before := len(e.pending)
	cut := e.lastNow.Add(-e.opt.FlowIdle)
	for k, f := range e.flows {
		if f.last.Before(cut) {
			e.pending = append(e.pending, f)
			delete(e.flows, k)
		}
	}
	if target := e.opt.MaxFlows - e.opt.MaxFlows/10; len(e.flows) > target {
		all := make([]*flowAgg, 0, len(e.flows))
		for _, f := range e.flows {
			all = append(all, f)
		}
		slices.SortFunc(all, func(a, b *flowAgg) int { return a.last.Compare(b.last) })
		for _, f := range all[:len(all)-target] {
			e.pending = append(e.pending, f)
			delete(e.flows, f.key.id())
		}
	}
	e.stats.EvictedFlows += int64(len(e.pending) - before)
}

// NeedsFlush reports whether enough flows have been moved out that a batch
// should go to the sink.
func (e *Engine) NeedsFlush() bool { return len(e.pending) >= e.opt.PendingFlows }

func compareAddr(a, b netip.Addr) int { return a.Compare(b) }

// Flow adds a conversation another tool recorded (a Zeek conn.log line):
// f.LocalIP opened it to f.PeerIP. Local endpoints become hosts (known by
// address) and the conversation is aggregated like captured ones.
func (e *Engine) Flow(f *domain.Flow) {
	client, err1 := netip.ParseAddr(f.LocalIP)
	server, err2 := netip.ParseAddr(f.PeerIP)
	if err1 != nil || err2 != nil {
		return
	}
	client, server = client.Unmap(), server.Unmap()
	for _, a := range []netip.Addr{client, server} {
		if e.opt.Local(a) {
			e.hostForIP(a).seen(f.FirstSeen)
		}
	}
	if f.LastSeen.After(e.lastNow) {
		e.lastNow = f.LastSeen
	}
	var proto uint8
	switch f.Transport {
	case "tcp":
		proto = 6
	case "udp":
		proto = 17
	case "icmp":
		proto = 1
	}
	k := flowKey{client: client, server: server, proto: proto, port: uint16(f.Port)}
	agg := e.flows[k.id()]
	if agg == nil {
		e.sizeFlows()
		agg = &flowAgg{key: k, first: f.FirstSeen, app: f.App}
		e.flows[k.id()] = agg
	}
	agg.bytes += f.Bytes
	agg.packets += f.Packets
	if f.FirstSeen.Before(agg.first) {
		agg.first = f.FirstSeen
	}
	if f.LastSeen.After(agg.last) {
		agg.last = f.LastSeen
	}
	for i, n := range f.Hours {
		agg.hours[i] += n
	}
	if len(e.flows) > e.opt.MaxFlows {
		e.evict()
	}
}
