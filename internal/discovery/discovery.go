// Package discovery turns what the dissectors and importers observe into
// devices and flows: identity resolution (which observations belong to
// which host, following IP changes and ignoring routers' MACs) and flow
// aggregation bounded by the number of live flows. It hands its results to
// a Sink as domain.DiscoveryBatch values; it does no I/O of its own.
package discovery

import (
	"context"
	"encoding/binary"
	"net/netip"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fingerprint"
)

// Packet is the conversation facts of one frame, for flow accounting and
// identity pairing. Its fields are dissect.Packet's, in the same order, so
// that the sensor hands the dissector's packet over by converting a
// pointer rather than copying it (the conversion stops compiling if the
// two ever differ).
type Packet struct {
	At             time.Time
	SrcMAC, DstMAC [6]byte
	HasMAC         bool
	VLAN           uint16 // 802.1Q VLAN id (0: none); not used here
	Src, Dst       netip.Addr
	Proto          uint8
	SrcPort        uint16
	DstPort        uint16
	TCPFlags       uint8
	App            string
	Length         int
}

// Sink receives batches; the store's ApplyDiscovery is the usual one.
type Sink func(ctx context.Context, b *domain.DiscoveryBatch) error

// Options configure an Engine.
type Options struct {
	Source     string                  // "pcap:ward3.pcap", "sensor:eth1"
	Site       string                  // the site new devices belong to
	Classifier *fingerprint.Classifier // nil: built-in rules only
	// Local says which addresses belong to the practice's own hosts (and so
	// may be devices); the default is private, link-local and unique-local
	// addresses. Other addresses are only ever peers.
	Local func(netip.Addr) bool
	// MaxFlows bounds the flows kept in memory (default 200,000); past it
	// the idlest flows are moved out to the next batch.
	MaxFlows int
	// FlowIdle is how long, in capture time, a flow may be silent before it
	// is moved out (default 5 minutes).
	FlowIdle time.Duration
	// PendingFlows is how many moved-out flows trigger a batch to the sink
	// (default 50,000).
	PendingFlows int
	// BatchFlows is the most flows one batch carries (default 8,192); more
	// go in several batches.
	BatchFlows int
	// ReuseFlows lets the engine write each batch's flow records over the
	// last batch's, once the sink has returned: for a sink that keeps
	// nothing of a batch (the store copies what it writes). It saves
	// allocating and collecting every record of a capture.
	ReuseFlows bool
	// RouterIPs is how many distinct addresses behind one MAC make it a
	// router's (default 8).
	RouterIPs int
}

// Engine resolves identities and aggregates flows. It is not safe for
// concurrent use; the sensor feeds it from one goroutine.
type Engine struct {
	opt  Options
	sink Sink

	hosts  []*host
	byMAC  map[[6]byte]*host
	byIP   map[netip.Addr]*host
	byCID  map[string]*host // DHCP client identifier
	macIPs map[[6]byte][]netip.Addr
	router map[[6]byte]bool
	// readKinds caches which observation kinds the classifier reads (a
	// few dozen kinds: a list searched is quicker than a map's hashing).
	readKinds []kindRead
	pairs     [pairSlots]pairSlot // recent settled pairings (see pair)
	gen       uint64              // bumped when a pairing could lead elsewhere
	// noPairCache turns the cache off (tests compare with and without).
	noPairCache bool

	flows flowTable
	// noFlowCache turns the flow table's cache off (tests compare).
	noFlowCache bool
	pending     []flowRef // flows moved out, waiting for the next batch
	flushes     int       // calls of Flush so far
	// buffers a batch reuses (see batch)
	ends    []flowEnds
	keyed   []keyedFlow
	sorted  []sortKey
	slab    []domain.Flow
	lastNow stamp

	stats Stats
}

// Stats counts what the engine saw.
type Stats struct {
	Packets      int64 `json:"packets"`
	Bytes        int64 `json:"bytes"`
	Observations int64 `json:"observations"`
	Hosts        int   `json:"hosts"`
	Routers      int   `json:"routers"`
	LiveFlows    int   `json:"live_flows"`
	EvictedFlows int64 `json:"evicted_flows"`
	Batches      int   `json:"batches"`
}

// New returns an engine that sends its batches to sink.
func New(opt Options, sink Sink) *Engine {
	if opt.Classifier == nil {
		opt.Classifier = fingerprint.New()
	}
	if opt.Local == nil {
		opt.Local = DefaultLocal
	}
	if opt.MaxFlows <= 0 {
		opt.MaxFlows = 200_000
	}
	if opt.FlowIdle <= 0 {
		opt.FlowIdle = 5 * time.Minute
	}
	if opt.PendingFlows <= 0 {
		opt.PendingFlows = 50_000
	}
	if opt.BatchFlows <= 0 {
		opt.BatchFlows = 8192
	}
	if opt.RouterIPs <= 0 {
		opt.RouterIPs = 8
	}
	return &Engine{opt: opt, sink: sink, byMAC: map[[6]byte]*host{}, byIP: map[netip.Addr]*host{}, byCID: map[string]*host{},
		macIPs: map[[6]byte][]netip.Addr{}, router: map[[6]byte]bool{}, flows: newFlowTable(), lastNow: stampNone}
}

// DefaultLocal reports whether a is a private (RFC 1918, RFC 4193) or
// link-local unicast or loopback address (a capture taken on lo shows
// the loopback host).
func DefaultLocal(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && (a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLoopback()) && !a.IsMulticast()
}

// Stats returns the counts so far.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Hosts, s.Routers, s.LiveFlows = 0, len(e.router), e.flows.len()
	for _, h := range e.hosts {
		if !h.merged && !e.isRouterHost(h) {
			s.Hosts++
		}
	}
	return s
}

func parseMAC(s string) ([6]byte, bool) {
	var m [6]byte
	if len(s) != 17 {
		return m, false
	}
	for i := range 6 {
		hi, lo := unhex(s[i*3]), unhex(s[i*3+1])
		if hi > 15 || lo > 15 || (i < 5 && s[i*3+2] != ':') {
			return m, false
		}
		m[i] = hi<<4 | lo
	}
	return m, true
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

func formatMAC(m [6]byte) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 17)
	for i, x := range m {
		b[i*3], b[i*3+1] = hexd[x>>4], hexd[x&15]
		if i < 5 {
			b[i*3+2] = ':'
		}
	}
	return string(b)
}

// mac48 is a MAC as the low 48 bits of a word (two loads, not six).
func mac48(m [6]byte) uint64 {
	return uint64(binary.BigEndian.Uint32(m[0:4]))<<16 | uint64(binary.BigEndian.Uint16(m[4:6]))
}

// unicastMAC reports whether m can name one host.
func unicastMAC(m [6]byte) bool { return m[0]&1 == 0 && m != [6]byte{} }

func sortedKeys[K comparable, V any](m map[K]V, less func(a, b K) int) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, less)
	return out
}
