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

type pairKey struct {
	mac [6]byte
	ip  netip.Addr
}

type portKey struct {
	ip   netip.Addr
	port uint16
}

type factKey struct {
	mac   [6]byte
	ip    netip.Addr
	kind  domain.ObservationKind
	value uint64 // hash of the value
}

// seenSet remembers which facts were already emitted.
type seenSet struct {
	seed  maphash.Seed
	pairs map[pairKey]struct{}
	ports map[portKey]struct{}
	facts map[factKey]struct{}

	// pairCache is a direct-mapped cache in front of pairs: most frames
	// come from a (MAC, IP) pair seen a moment ago.
	pairCache [1024]pairKey
}

func pairSlot(k pairKey) int {
	var x uint32
	if k.ip.Is4() {
		a := k.ip.As4()
		x = binary.BigEndian.Uint32(a[:])
	} else if k.ip.Is6() {
		a := k.ip.As16()
		x = binary.BigEndian.Uint32(a[12:])
	}
	m := binary.BigEndian.Uint32(k.mac[2:])
	h := x*0x9e3779b1 ^ m*0x85ebca77
	return int(h >> 22) // 10 bits
}

func (s *seenSet) init() {
	s.seed = maphash.MakeSeed()
	s.pairs = make(map[pairKey]struct{}, 1024)
	s.ports = make(map[portKey]struct{}, 256)
	s.facts = make(map[factKey]struct{}, 1024)
}

// addPair is true the first time (mac, ip) is added.
func (s *seenSet) addPair(mac [6]byte, ip netip.Addr) bool {
	k := pairKey{mac, ip}
	slot := pairSlot(k)
	if s.pairCache[slot] == k && (mac != zeroMAC || ip.IsValid()) {
		return false
	}
	s.pairCache[slot] = k
	if _, ok := s.pairs[k]; ok {
		return false
	}
	if len(s.pairs) >= seenLimit {
		clear(s.pairs)
		clear(s.pairCache[:])
		s.pairCache[slot] = k
	}
	s.pairs[k] = struct{}{}
	return true
}

// addPort is true the first time (ip, port) is added.
func (s *seenSet) addPort(ip netip.Addr, port uint16) bool {
	k := portKey{ip, port}
	if _, ok := s.ports[k]; ok {
		return false
	}
	if len(s.ports) >= seenLimit {
		clear(s.ports)
	}
	s.ports[k] = struct{}{}
	return true
}

// add is true the first time this fact about h is added.
func (s *seenSet) add(h host, kind domain.ObservationKind, value string) bool {
	if kind == obsMAC || kind == obsIP {
		return true // deduplicated by addPair already
	}
	k := factKey{ip: h.ip, kind: kind, value: maphash.String(s.seed, value)}
	if h.has {
		k.mac = h.mac
	}
	if _, ok := s.facts[k]; ok {
		return false
	}
	if len(s.facts) >= seenLimit {
		clear(s.facts)
	}
	s.facts[k] = struct{}{}
	return true
}

// has reports whether the fact with a value given as bytes was already
// emitted, without converting the bytes to a string.
func (s *seenSet) has(h host, kind domain.ObservationKind, value []byte) bool {
	k := factKey{ip: h.ip, kind: kind, value: maphash.Bytes(s.seed, value)}
	if h.has {
		k.mac = h.mac
	}
	_, ok := s.facts[k]
	return ok
}
