package dissect

import (
	"encoding/binary"
	"hash/maphash"
	"net/netip"

	"github.com/vigil-med/vigil/internal/domain"
)

// seenLimit bounds each set of already-reported facts. When a set fills
// it is cleared, so memory stays bounded and a fact may be reported again
// (identity resolution treats repeats as harmless).
const seenLimit = 1 << 16

// pairKey is a (MAC, IP) pair in plain words, so that the map hashes and
// compares it as 24 bytes of memory: the MAC and the address family in m,
// the address as netip.Addr.As16 gives it in hi and lo. (Addresses read
// from frames have no zone.)
type pairKey struct {
	m, hi, lo uint64
}

func newPairKey(mac [6]byte, ip netip.Addr) pairKey {
	k := pairKey{m: mac48(mac)}
	switch {
	case ip.Is4():
		k.m |= 4 << 48
	case ip.Is6():
		k.m |= 6 << 48
	}
	a := ip.As16()
	k.hi, k.lo = binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
	return k
}

// portKey is an (address, port) pair in plain words (see pairKey).
type portKey struct {
	p pairKey // MAC zero; the port in the MAC's place
}

// factKey is a fact about a host in plain words: the host's MAC and
// address (see pairKey) and a hash of the fact's kind and value.
type factKey struct {
	p     pairKey
	value uint64
}

// factHash is the hash of a fact's kind and value (a seeded maphash of
// each, mixed). The kind's hash is remembered: facts come in runs of one
// kind (the names a DNS query carries, the fields of one header).
func (s *seenSet) factHash(kind domain.ObservationKind, value uint64) uint64 {
	if kind != s.kind || s.kind == "" {
		s.kind, s.kindHash = kind, maphash.String(s.seed, string(kind))
	}
	return value ^ (s.kindHash*0x9e3779b97f4a7c15 | 1)
}

func (s *seenSet) factKey(h host, kind domain.ObservationKind, value uint64) factKey {
	var mac [6]byte
	if h.has {
		mac = h.mac
	}
	return factKey{p: newPairKey(mac, h.ip), value: s.factHash(kind, value)}
}

// seenSet remembers which facts were already emitted.
type seenSet struct {
	seed  maphash.Seed
	pairs map[pairKey]struct{}
	ports map[portKey]struct{}
	facts map[factKey]struct{}
	// kind and kindHash are the last fact kind hashed and its hash.
	kind     domain.ObservationKind
	kindHash uint64

	// pairCache is a direct-mapped cache in front of pairs: most frames
	// come from a (MAC, IP) pair seen a moment ago. quick holds the pairs
	// of a MAC alone or with an IPv4 address in 16 bytes, for the two
	// lookups every frame makes (its source MAC, then with its source
	// address): a few hundred hosts' pairs stay in the CPU's first cache.
	pairCache [1024]pairKey
	quick     [1024]quickPair
}

// quickPair is a MAC (the top bit set: not empty) and an IPv4 address (0:
// none).
type quickPair struct {
	m  uint64
	v4 uint32
}

func quickKey(mac [6]byte, ip netip.Addr) (quickPair, bool) {
	q := quickPair{m: 1<<63 | mac48(mac)}
	switch {
	case ip.Is4():
		a := ip.As4()
		q.v4 = binary.BigEndian.Uint32(a[:])
		return q, q.v4 != 0
	case !ip.IsValid():
		return q, true
	}
	return q, false
}

// quickHas reports whether (mac, the IPv4 address src) is in the quick
// table: the pair was added (and so was mac alone, unless the set was
// cleared in between, which only repeats a report).
func (s *seenSet) quickHas(mac [6]byte, src [4]byte) bool {
	// quickKey's key for an IPv4 address, made from its bytes: going
	// through a netip.Addr costs some 45 instructions a frame.
	q := quickPair{m: 1<<63 | mac48(mac), v4: binary.BigEndian.Uint32(src[:])}
	return q.v4 != 0 && s.quick[q.slot()] == q
}

// mac48 is a MAC as the low 48 bits of a word (two loads, not six).
func mac48(m [6]byte) uint64 {
	return uint64(binary.BigEndian.Uint32(m[0:4]))<<16 | uint64(binary.BigEndian.Uint16(m[4:6]))
}

func (q quickPair) slot() int {
	return int(((q.m ^ uint64(q.v4)<<16) * 0x9e3779b97f4a7c15) >> 54)
}

func pairSlot(k pairKey) int {
	h := (k.m*0x9e3779b97f4a7c15 ^ k.lo*0xc2b2ae3d27d4eb4f ^ k.hi) * 0xbf58476d1ce4e5b9
	return int(h >> 54) // 10 bits
}

func (s *seenSet) init() {
	s.seed = maphash.MakeSeed()
	s.pairs = make(map[pairKey]struct{}, 1024)
	s.ports = make(map[portKey]struct{}, 256)
	s.facts = make(map[factKey]struct{}, 1024)
}

// addPair is true the first time (mac, ip) is added.
func (s *seenSet) addPair(mac [6]byte, ip netip.Addr) bool {
	q, quick := quickKey(mac, ip)
	var qs *quickPair
	if quick {
		qs = &s.quick[q.slot()]
		if *qs == q {
			return false
		}
	}
	added := s.addPairKey(mac, ip)
	if quick {
		*qs = q // after addPairKey: it may have cleared quick
	}
	return added
}

func (s *seenSet) addPairKey(mac [6]byte, ip netip.Addr) bool {
	k := newPairKey(mac, ip)
	slot := pairSlot(k)
	if s.pairCache[slot] == k && k != (pairKey{}) { // an empty slot holds the zero key
		return false
	}
	s.pairCache[slot] = k
	if _, ok := s.pairs[k]; ok {
		return false
	}
	if len(s.pairs) >= seenLimit {
		clear(s.pairs)
		clear(s.pairCache[:])
		clear(s.quick[:])
		s.pairCache[slot] = k
	}
	s.pairs[k] = struct{}{}
	return true
}

// addPort is true the first time (ip, port) is added.
func (s *seenSet) addPort(ip netip.Addr, port uint16) bool {
	k := portKey{newPairKey([6]byte{4: byte(port >> 8), 5: byte(port)}, ip)}
	if _, ok := s.ports[k]; ok {
		return false
	}
	if len(s.ports) >= seenLimit {
		clear(s.ports)
	}
	s.ports[k] = struct{}{}
	return true
}

// key is the key of a fact about h whose value is given as a string.
func (s *seenSet) key(h host, kind domain.ObservationKind, value string) factKey {
	return s.factKey(h, kind, maphash.String(s.seed, value))
}

// keyB is key for a value given as bytes (the same key: maphash hashes a
// string and its bytes alike).
func (s *seenSet) keyB(h host, kind domain.ObservationKind, value []byte) factKey {
	return s.factKey(h, kind, maphash.Bytes(s.seed, value))
}

// add is true the first time the fact of key k is added.
func (s *seenSet) add(k factKey) bool {
	if _, ok := s.facts[k]; ok {
		return false
	}
	if len(s.facts) >= seenLimit {
		clear(s.facts)
	}
	s.facts[k] = struct{}{}
	return true
}

// has reports whether the fact of key k was already emitted.
func (s *seenSet) has(k factKey) bool {
	_, ok := s.facts[k]
	return ok
}
