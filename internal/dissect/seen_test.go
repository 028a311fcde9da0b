package dissect

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestSeenPairs checks addPair against a plain set with the same bound
// (cleared when full): MACs alone, with IPv4 and IPv6 addresses, the zero
// MAC and 0.0.0.0, repeated in random order and past the bound, so that
// the caches in front of the set answer exactly as the set would.
func TestSeenPairs(t *testing.T) {
	var s seenSet
	s.init()
	ref := map[[2]any]bool{}
	r := rand.New(rand.NewPCG(2, 4))
	ips := []netip.Addr{{}, netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("::ffff:10.0.0.1")}
	added := 0
	for step := range 300_000 {
		var mac [6]byte
		if r.IntN(50) > 0 {
			mac = [6]byte{0, 9, 0xfb, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))}
		}
		if step < 200_000 {
			mac[3] = 0 // 65,536 MACs at most: the set fills only later
		}
		ip := ips[r.IntN(len(ips))]
		if r.IntN(3) == 0 {
			ip = netip.AddrFrom4([4]byte{10, 1, byte(r.IntN(4)), byte(r.IntN(256))})
		}
		k := [2]any{mac, ip}
		want := !ref[k]
		if want {
			if len(ref) >= seenLimit {
				clear(ref)
			}
			ref[k] = true
			added++
		}
		if got := s.addPair(mac, ip); got != want {
			t.Fatalf("step %d: addPair(%x, %v) = %v, want %v", step, mac, ip, got, want)
		}
		// What quickHas finds, addPair added and would not add again.
		if ip.Is4() && s.quickHas(mac, ip.As4()) && s.addPair(mac, ip) {
			t.Fatalf("step %d: quickHas(%x, %v) but the pair was not in the set", step, mac, ip)
		}
		if ip.Is4() && ip.As4() != [4]byte{} && !s.quickHas(mac, ip.As4()) {
			t.Fatalf("step %d: quickHas(%x, %v) = false just after addPair", step, mac, ip)
		}
	}
	if added < seenLimit+1000 {
		t.Fatalf("only %d pairs added: the bound was not crossed", added)
	}
}
