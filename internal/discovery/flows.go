package discovery

import (
	"cmp"
	"encoding/binary"
	"math"
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
// flowKey has padding, which make Go hash it field by field). The
// addresses are held as netip.Addr.As16 gives them, so an IPv4 address
// and its IPv4-mapped form have one id. A zone is not part of the id (see
// flowAgg).
type flowID struct {
	c0, c1, s0, s1 uint64
	pp             uint64 // proto<<16 | port
}

func (k flowKey) id() flowID { return frameID(k.client, k.server, k.proto, k.port) }

// frameID is flowKey{src, dst, proto, port}.id(), taking the addresses
// as they are: unmapped or not, an IPv4 address has the same 16-byte form.
func frameID(src, dst netip.Addr, proto uint8, port uint16) flowID {
	s, d := src.As16(), dst.As16()
	return flowID{
		c0: binary.BigEndian.Uint64(s[0:8]), c1: binary.BigEndian.Uint64(s[8:16]),
		s0: binary.BigEndian.Uint64(d[0:8]), s1: binary.BigEndian.Uint64(d[8:16]),
		pp: uint64(proto)<<16 | uint64(port),
	}
}

// reverse is the id of the opposite direction's key with the given port
// (the addresses swapped), without converting them again.
func (id flowID) reverse(port uint16) flowID {
	return flowID{c0: id.s0, c1: id.s1, s0: id.c0, s1: id.c1, pp: id.pp&^0xffff | uint64(port)}
}

// eq is id == o, word by word: Go compares a struct this size by calling
// memequal, which costs more than the comparison on every frame.
func (id *flowID) eq(o *flowID) bool {
	return id.c1 == o.c1 && id.s1 == o.s1 && id.pp == o.pp && id.c0 == o.c0 && id.s0 == o.s0
}

func (id flowID) proto() uint8 { return uint8(id.pp >> 16) }
func (id flowID) port() uint16 { return uint16(id.pp) }

// v4Prefix is the upper 32 bits of an IPv4-mapped address's low word.
const v4Prefix = 0xffff

// addrOf rebuilds an address from its two words and its zone.
func addrOf(hi, lo uint64, zone string) netip.Addr {
	if hi == 0 && lo>>32 == v4Prefix {
		return netip.AddrFrom4([4]byte{byte(lo >> 24), byte(lo >> 16), byte(lo >> 8), byte(lo)})
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], hi)
	binary.BigEndian.PutUint64(b[8:16], lo)
	return netip.AddrFrom16(b).WithZone(zone)
}

// flowTableHint is the flow table's size when the first flow arrives
// (bounded by MaxFlows): a busy capture fills tens of thousands of flows,
// and growing the table step by step rehashes every flow several times.
const flowTableHint = 1 << 17

// stamp is a time as Unix nanoseconds: a flow keeps its times this way
// so that flowAgg holds no pointer (the garbage collector has nothing to
// scan in the flow table, however many flows it holds) and fits one cache
// line. Times outside what 64 bits of nanoseconds hold (years 1678 to
// 2262; no capture or log has them) are clamped to its ends. Capture
// times are UTC, and stamps turn back into UTC times.
type stamp int64

// stampMinSec and stampMaxSec are the whole seconds a stamp holds.
const (
	stampMinSec = math.MinInt64/1_000_000_000 + 1
	stampMaxSec = math.MaxInt64/1_000_000_000 - 1
)

// stampNone stands for the zero time.Time (no time known).
const stampNone = stamp(math.MinInt64)

func stampOf(t time.Time) stamp {
	sec := t.Unix()
	switch {
	case sec == zeroSec && t.Nanosecond() == 0:
		return stampNone
	case sec < stampMinSec:
		return stamp(stampMinSec * 1e9)
	case sec > stampMaxSec:
		return stamp(stampMaxSec * 1e9)
	}
	return stamp(sec*1e9 + int64(t.Nanosecond()))
}

// zeroSec is the zero time.Time's Unix second.
var zeroSec = time.Time{}.Unix()

func (s stamp) time() time.Time {
	if s == stampNone {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

// sec is the stamp's Unix second (rounded down).
func (s stamp) sec() int64 {
	sec := int64(s) / 1e9
	if s < 0 && int64(s)%1e9 != 0 {
		sec--
	}
	return sec
}

// hour is the stamp's hour of day in UTC (UTC has no leap hours).
func (s stamp) hour() int { return int((s.sec()%86400+86400)%86400) / 3600 }

// flowAgg is one conversation being counted, as much of it as a frame
// updates: 64 bytes, one cache line, so that a frame of a conversation
// already known touches one line of the table. Its id lives in a parallel
// slab (flowTable.ids) and its packets per hour of day outside the current
// hour in a third (flowTable.spills), used only by conversations that
// cross an hour. It holds no pointer (see stamp); its application and any
// IPv6 zones are indexes into the engine's small tables of names. A zone
// is kept from the first frame or record that made the flow.
type flowAgg struct {
	bytes, packets       int64
	first, last          stamp
	hourPkts             uint32 // packets in hour of day hour, not yet in the spilled hours
	spill                uint32 // 1 + the index of the flow's other hours in flowTable.spills (0: none)
	clientMAC, serverMAC [6]byte
	czone, szone         uint16 // indexes into flowTable.zones (0: none)
	app                  uint8  // index into flowTable.apps (0: none)
	hour                 uint8
	hasMAC               bool
}

// flowRef is a flow's place in the table's slab.
type flowRef int32

const (
	flowChunkBits = 12
	flowChunk     = 1 << flowChunkBits
	// flowCacheSlots is the size of the table's cache of recent lookups:
	// a few thousand directions of conversations in flight at once.
	flowCacheBits  = 12
	flowCacheSlots = 1 << flowCacheBits
	// pairGenBits sizes flowTable.pairGen.
	pairGenBits = 12
)

// flowTable holds the live flows: an index from id to a place in a slab
// of flowAgg values (allocated in chunks, places reused once a flow has
// been sent), and in front of the index a direct-mapped cache of recent
// lookups by the direction a frame travels. Almost every frame belongs to
// a conversation that sent one a moment ago; the cache answers those
// without probing the index, which is too large to stay in the CPU's
// caches on a busy network.
type flowTable struct {
	index  flowIndex
	chunks [][]flowAgg
	ids    [][]flowID // the flows' ids, chunk by chunk as chunks
	spills [][24]int64
	// spillFree lists the places in spills no flow uses.
	spillFree []uint32
	used      int       // places handed out so far
	free      []flowRef // places of flows sent, for reuse
	cache     []flowCacheSlot
	gen       uint32 // bumped when a flow leaves the index; older cache slots are stale
	// pairGen is bumped for a pair of addresses (hashed, either order)
	// when a flow between them is made: a frame whose flow was the only
	// one of its two candidates may then have two (see lookup).
	pairGen [1 << pairGenBits]uint32
	apps    []string
	zones   []string
	// hour is the hour of day of the stamps from hourLo up to hourHi (the
	// last frame's Unix hour), so that most frames need no division to
	// find theirs.
	hour           int
	hourLo, hourHi stamp
}

// flowCacheSlot remembers that the frames from id's client address and
// sport to its server address and port belong to flow at, reversed when
// they travel from that flow's server to its client.
type flowCacheSlot struct {
	id       flowID // the frame's addresses, transport and destination port
	at       flowRef
	gen      uint32 // flowTable.gen when remembered
	pgen     uint32 // the address pair's flowTable.pairGen when remembered
	sport    uint16 // the frame's source port
	reversed bool
}

func newFlowTable() flowTable {
	return flowTable{gen: 1, apps: []string{""}, zones: []string{""}, hourLo: 1, hourHi: 0}
}

// size makes the index at its working size when the first flow arrives
// (an engine that only ever sees observations keeps the empty one).
func (t *flowTable) size(maxFlows int) {
	if t.cache == nil {
		t.cache = make([]flowCacheSlot, flowCacheSlots)
		t.index.reset(min(maxFlows+1, flowTableHint))
	}
}

func (t *flowTable) len() int { return t.index.len() }

func (t *flowTable) at(r flowRef) *flowAgg {
	return &t.chunks[r>>flowChunkBits][r&(flowChunk-1)]
}

// id is the id of the flow at r.
func (t *flowTable) id(r flowRef) *flowID {
	return &t.ids[r>>flowChunkBits][r&(flowChunk-1)]
}

// count adds n packets in hour of day hour to f.
func (t *flowTable) count(f *flowAgg, hour int, n int64) {
	if f.hourPkts == 0 {
		f.hour = uint8(hour)
	}
	if int(f.hour) == hour && n >= 0 && n <= math.MaxUint32-int64(f.hourPkts) {
		f.hourPkts += uint32(n)
		return
	}
	if f.spill == 0 {
		if k := len(t.spillFree); k > 0 {
			f.spill, t.spillFree = t.spillFree[k-1], t.spillFree[:k-1]
		} else {
			t.spills = append(t.spills, [24]int64{})
			f.spill = uint32(len(t.spills))
		}
	}
	sp := &t.spills[f.spill-1]
	sp[f.hour] += int64(f.hourPkts)
	f.hour, f.hourPkts = uint8(hour), 0
	if n <= math.MaxUint32 && n >= 0 {
		f.hourPkts = uint32(n)
	} else {
		sp[hour] += n
	}
}

// hours is f's packets per hour of day.
func (t *flowTable) hours(f *flowAgg) [24]int64 {
	var h [24]int64
	if f.spill != 0 {
		h = t.spills[f.spill-1]
	}
	h[f.hour] += int64(f.hourPkts)
	return h
}

// add places a new flow and indexes it under id.
func (t *flowTable) add(id flowID) (flowRef, *flowAgg) {
	var r flowRef
	if n := len(t.free); n > 0 {
		r, t.free = t.free[n-1], t.free[:n-1]
	} else {
		if t.used == len(t.chunks)*flowChunk {
			t.chunks = append(t.chunks, make([]flowAgg, flowChunk))
			t.ids = append(t.ids, make([]flowID, flowChunk))
		}
		r = flowRef(t.used)
		t.used++
	}
	f := t.at(r)
	*f = flowAgg{}
	*t.id(r) = id
	t.index.put(id, r)
	t.pairGen[pairOf(id)]++
	return r, f
}

// pairHash hashes a flow id's two addresses, in either order; its top
// bits (pairOf) index flowTable.pairGen.
func pairHash(id *flowID) uint64 {
	return ((id.c1 ^ id.s1) * 0x9e3779b97f4a7c15) ^ ((id.c0 ^ id.s0) * 0xc2b2ae3d27d4eb4f) ^ ((id.c1 + id.s1) * 0xbf58476d1ce4e5b9)
}

func pairOf(id flowID) int { return int(pairHash(&id) >> (64 - pairGenBits)) }

// remove takes a flow out of the index; its place stays taken until
// release.
func (t *flowTable) remove(id flowID) {
	t.index.del(id, t)
	if t.gen++; t.gen == 0 { // wrapped: no slot may look current
		clear(t.cache)
		t.gen = 1
	}
}

// removeAll takes every flow out of the index.
func (t *flowTable) removeAll() {
	t.index.reset(t.index.len())
	clear(t.cache)
	t.gen = 1
}

// release makes the places of sent flows, and their spilled hours, free
// for new ones.
func (t *flowTable) release(rs []flowRef) {
	for _, r := range rs {
		if f := t.at(r); f.spill != 0 {
			t.spills[f.spill-1] = [24]int64{}
			t.spillFree = append(t.spillFree, f.spill)
			f.spill = 0
		}
	}
	t.free = append(t.free, rs...)
}

// slot is the cache slot of the frames going id's way from source port
// sport; ph is pairHash(id), which the frame needs anyway. The client's
// address and the ports tell the two directions of a pair apart.
func (t *flowTable) slot(id *flowID, sport uint16, ph uint64) *flowCacheSlot {
	h := ph ^ id.c1*0xd6e8feb86659fd93 ^ (id.pp|uint64(sport)<<32)*0x94d049bb133111eb
	h ^= h >> 29
	return &t.cache[h*0x9e3779b97f4a7c15>>(64-flowCacheBits)]
}

// appIndex interns an application name.
func (t *flowTable) appIndex(app string) uint8 {
	if app == "" {
		return 0
	}
	if i := slices.Index(t.apps, app); i >= 0 {
		return uint8(i)
	}
	if len(t.apps) == 255 {
		return 0 // the dissectors name a few dozen; more would be a bug
	}
	t.apps = append(t.apps, app)
	return uint8(len(t.apps) - 1)
}

// zoneIndex interns an IPv6 zone.
func (t *flowTable) zoneIndex(zone string) uint16 {
	if zone == "" {
		return 0
	}
	if i := slices.Index(t.zones, zone); i >= 0 {
		return uint16(i)
	}
	if len(t.zones) == 1<<16-1 {
		return 0
	}
	t.zones = append(t.zones, zone)
	return uint16(len(t.zones) - 1)
}

// client and server are the addresses of the flow at r.
func (t *flowTable) client(r flowRef) netip.Addr {
	id := t.id(r)
	return addrOf(id.c0, id.c1, t.zones[t.at(r).czone])
}

func (t *flowTable) server(r flowRef) netip.Addr {
	id := t.id(r)
	return addrOf(id.s0, id.s1, t.zones[t.at(r).szone])
}

// Packet accounts one frame: the source MAC and address are paired (so
// IP changes and routers are followed) and the frame is added to its
// conversation.
func (e *Engine) Packet(p *Packet) {
	e.stats.Packets++
	e.stats.Bytes += int64(p.Length)
	now := stampOf(p.At)
	if e.lastNow < now {
		e.lastNow = now
	}
	src := p.Src.Unmap()
	switch {
	case p.HasMAC && e.paired(p.SrcMAC, src, now):
		// A pairing made before (most frames): the sender is a known host.
	case p.HasMAC && unicastMAC(p.SrcMAC) && (!src.IsValid() || e.opt.Local(src) || !e.router[p.SrcMAC]):
		if h := e.pair(p.SrcMAC, src, now); h == nil && src.IsValid() && e.opt.Local(src) {
			e.hostForIP(src).seen(now)
		}
	case src.IsValid() && e.opt.Local(src):
		e.hostForIP(src).seen(now)
	}
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		return
	}
	e.account(p, now)
	if e.flows.len() > e.opt.MaxFlows {
		e.evict()
	}
}

func (e *Engine) account(p *Packet, at stamp) {
	t := &e.flows
	t.size(e.opt.MaxFlows)
	sport, dport := p.SrcPort, p.DstPort
	if p.Proto != 6 && p.Proto != 17 {
		sport, dport = 0, 0 // only TCP and UDP conversations are told apart by port
	}
	fid := frameID(p.Src, p.Dst, p.Proto, dport)
	var f *flowAgg
	reversed := false
	ph := pairHash(&fid)
	slot := t.slot(&fid, sport, ph)
	if slot.gen == t.gen && slot.id.eq(&fid) && slot.sport == sport && slot.pgen == t.pairGen[ph>>(64-pairGenBits)] && !e.noFlowCache {
		f, reversed = t.at(slot.at), slot.reversed
	} else {
		f, reversed = e.lookup(p, at, fid, sport, slot, ph)
	}
	if p.HasMAC {
		f.hasMAC = true
		if reversed {
			f.serverMAC, f.clientMAC = p.SrcMAC, p.DstMAC
		} else {
			f.clientMAC, f.serverMAC = p.SrcMAC, p.DstMAC
		}
	}
	if f.app == 0 && p.App != "" {
		f.app = t.appIndex(p.App)
	}
	f.bytes += int64(p.Length)
	f.packets++
	if f.last < at {
		f.last = at
	}
	if at < f.first {
		f.first = at
	}
	if at < t.hourLo || at >= t.hourHi { // frames come in time order, mostly
		t.setHour(at)
	}
	if int(f.hour) == t.hour && f.hourPkts < math.MaxUint32 {
		f.hourPkts++
	} else {
		t.count(f, t.hour, 1)
	}
}

// setHour makes the table's current hour at's.
func (t *flowTable) setHour(at stamp) {
	t.hour = at.hour()
	sec := at.sec()
	from := sec - (sec%3600+3600)%3600
	if from < stampMinSec+3600 || from > stampMaxSec-3600 {
		t.hourLo, t.hourHi = 1, 0 // near a stamp's ends: no range; every frame asks
		return
	}
	t.hourLo, t.hourHi = stamp(from*1e9), stamp((from+3600)*1e9)
}

// lookup finds (or makes) the flow of a frame whose direction is fid
// in the index: the conversation is either fid (the frame goes from
// client to server) or the reverse (it goes from server to client, and
// its source port is the server's). When both are indexed, the frame's
// TCP flags choose (serverIsSource), frame by frame (see
// TestFlowCacheAmbiguous), and the answer is not remembered; otherwise it
// is remembered in slot, and for the frames going the other way too.
func (e *Engine) lookup(p *Packet, at stamp, fid flowID, sport uint16, slot *flowCacheSlot, ph uint64) (*flowAgg, bool) {
	t := &e.flows
	rid := fid.reverse(sport)
	serverSent := serverIsSource(p)
	rf, okf := t.index.get(fid, t)
	rr, okr := t.index.get(rid, t)
	ambiguous := okf && okr && !fid.eq(&rid)
	var r flowRef
	ok, reversed := true, false
	switch {
	case ambiguous && serverSent, !okf && okr:
		r, reversed = rr, true
	case okf:
		r = rf
	default:
		ok = false
	}
	var f *flowAgg
	if !ok {
		reversed = serverSent
		id := fid
		if reversed {
			id = rid
		}
		r, f = t.add(id)
		f.first, f.last = at, at
		f.hour = uint8(f.first.hour())
	} else {
		f = t.at(r)
	}
	if fid.eq(&rid) {
		reversed = false // a host's conversation with itself, one port
	}
	if !e.noFlowCache && !ambiguous {
		pgen := t.pairGen[ph>>(64-pairGenBits)] // after add: the same for rid
		*slot = flowCacheSlot{id: fid, sport: sport, at: r, gen: t.gen, pgen: pgen, reversed: reversed}
		if !fid.eq(&rid) {
			// The frames coming back (source rid's, source port fid's)
			// look up the same two ids and find this one.
			*t.slot(&rid, fid.port(), ph) = flowCacheSlot{id: rid, sport: fid.port(), at: r, gen: t.gen, pgen: pgen, reversed: !reversed}
		}
	}
	return f, reversed
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
	t := &e.flows
	before := len(e.pending)
	// Nothing is idle before any time is known; the distance from
	// stampNone is taken unsigned, as it overflows an int64.
	cut := stampNone
	if idle := stamp(e.opt.FlowIdle); uint64(e.lastNow-stampNone) > uint64(idle) {
		cut = e.lastNow - idle
	}
	t.index.each(func(r flowRef) {
		if t.at(r).last < cut {
			e.pending = append(e.pending, r)
		}
	})
	for _, r := range e.pending[before:] {
		t.remove(*t.id(r))
	}
	if target := e.opt.MaxFlows - e.opt.MaxFlows/10; t.len() > target {
		all := make([]flowRef, 0, t.len())
		t.index.each(func(r flowRef) { all = append(all, r) })
		slices.SortFunc(all, func(a, b flowRef) int {
			fa, fb := t.at(a), t.at(b)
			switch {
			case fa.last < fb.last:
				return -1
			case fb.last < fa.last:
				return 1
			}
			return compareIDs(*t.id(a), *t.id(b)) // the same flows go on every run
		})
		for _, r := range all[:len(all)-target] {
			e.pending = append(e.pending, r)
			t.remove(*t.id(r))
		}
	}
	e.stats.EvictedFlows += int64(len(e.pending) - before)
}

// NeedsFlush reports whether enough flows have been moved out that a batch
// should go to the sink.
func (e *Engine) NeedsFlush() bool { return len(e.pending) >= e.opt.PendingFlows }

func compareAddr(a, b netip.Addr) int { return a.Compare(b) }

func compareIDs(a, b flowID) int {
	return cmp.Or(cmp.Compare(a.c0, b.c0), cmp.Compare(a.c1, b.c1), cmp.Compare(a.s0, b.s0), cmp.Compare(a.s1, b.s1), cmp.Compare(a.pp, b.pp))
}

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
			e.hostForIP(a).seen(stampOf(f.FirstSeen))
		}
	}
	if last := stampOf(f.LastSeen); e.lastNow < last {
		e.lastNow = last
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
	t := &e.flows
	t.size(e.opt.MaxFlows)
	id := flowKey{client: client, server: server, proto: proto, port: uint16(f.Port)}.id()
	var agg *flowAgg
	if r, ok := t.index.get(id, t); ok {
		agg = t.at(r)
	} else {
		_, agg = t.add(id)
		agg.first, agg.last = stampOf(f.FirstSeen), stampOf(f.LastSeen)
		agg.hour = uint8(agg.first.hour())
		agg.app = t.appIndex(f.App)
		agg.czone, agg.szone = t.zoneIndex(client.Zone()), t.zoneIndex(server.Zone())
	}
	agg.bytes += f.Bytes
	agg.packets += f.Packets
	if first := stampOf(f.FirstSeen); first < agg.first {
		agg.first = first
	}
	if last := stampOf(f.LastSeen); agg.last < last {
		agg.last = last
	}
	for i, n := range f.Hours {
		if n != 0 {
			t.count(agg, i, n)
		}
	}
	if t.len() > e.opt.MaxFlows {
		e.evict()
	}
}
