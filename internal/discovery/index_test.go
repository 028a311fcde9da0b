package discovery

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// TestFlowIndex adds and removes random flows (many sharing home slots:
// the ids come from a small set of addresses and ports) through the flow
// table and checks every lookup against a Go map, and that the index
// holds exactly the live flows after each step.
func TestFlowIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	ft := newFlowTable()
	ft.size(100)
	want := map[flowID]flowRef{}
	ids := make([]flowID, 3000)
	for i := range ids {
		ids[i] = flowID{c1: 0xffff<<32 | uint64(r.IntN(40)), s1: 0xffff<<32 | uint64(r.IntN(40)), pp: 6<<16 | uint64(r.IntN(3))}
	}
	for step := range 40000 {
		id := ids[r.IntN(len(ids))]
		got, ok := ft.index.get(id, &ft)
		if w, wok := want[id]; ok != wok || (ok && got != w) {
			t.Fatalf("step %d: get = %d, %v; want %d, %v", step, got, ok, w, wok)
		}
		switch {
		case !ok && r.IntN(3) > 0:
			ref, _ := ft.add(id)
			want[id] = ref
		case ok && r.IntN(2) == 0:
			ft.remove(id)
			ft.release([]flowRef{got})
			delete(want, id)
		}
		if ft.len() != len(want) {
			t.Fatalf("step %d: %d indexed, want %d", step, ft.len(), len(want))
		}
	}
	seen := map[flowRef]bool{}
	ft.index.each(func(r flowRef) { seen[r] = true })
	if len(seen) != len(want) || len(want) < 500 || len(ft.index.slots) <= indexMinSlots {
		t.Fatalf("each gave %d places, want %d (index of %d slots)", len(seen), len(want), len(ft.index.slots))
	}
	for id, r := range want {
		if !seen[r] || *ft.id(r) != id {
			t.Fatalf("flow %v at %d missing", id, r)
		}
	}
	ft.removeAll()
	if _, ok := ft.index.get(ids[0], &ft); ok || ft.len() != 0 {
		t.Fatal("removeAll left flows")
	}
}

// TestFrameID checks the IPv4 shortcut against the general conversion.
func TestFrameID(t *testing.T) {
	addrs := []string{"10.0.0.1", "192.168.255.254", "0.0.0.0", "255.255.255.255", "::ffff:10.0.0.1", "fe80::1", "2001:db8::5"}
	for _, a := range addrs {
		for _, b := range addrs {
			src, dst := netip.MustParseAddr(a), netip.MustParseAddr(b)
			want := flowKey{client: src.Unmap(), server: dst.Unmap(), proto: 17, port: 53}.id()
			if got := frameID(src, dst, 17, 53); got != want {
				t.Errorf("%s → %s: %+v, want %+v", a, b, got, want)
			}
		}
	}
	// The words themselves: the 16-byte forms, big-endian, and the
	// transport above the port.
	got := frameID(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("2001:db8::5"), 6, 104)
	want := flowID{c0: 0, c1: 0x0000ffff_0a000001, s0: 0x20010db8_00000000, s1: 5, pp: 6<<16 | 104}
	if got != want {
		t.Errorf("10.0.0.1 → 2001:db8::5 tcp/104: %+v, want %+v", got, want)
	}
}

// TestFlowCacheAmbiguous builds the one case where a frame's flow depends
// on its TCP flags: A talks to B's port 80 from port 40000, and B to A's
// port 40000 from port 5000, so that a frame from A:40000 to B:80 could be
// either conversation (a SYN-ACK says A serves port 40000). The frames
// that follow, with every flag, must land in the same flows with the
// cache and without.
func TestFlowCacheAmbiguous(t *testing.T) {
	ma, mb := [6]byte{0, 9, 0xfb, 0, 3, 1}, [6]byte{0, 9, 0xfb, 0, 3, 2}
	a, b := netip.MustParseAddr("10.0.3.1"), netip.MustParseAddr("10.0.3.2")
	run := func(noCache bool) []*domain.DiscoveryBatch {
		return collect(t, Options{}, func(e *Engine) {
			e.noFlowCache = noCache
			at := t0
			send := func(sm, dm [6]byte, s, d netip.Addr, sp, dp uint16, flags uint8) {
				at = at.Add(time.Millisecond)
				e.Packet(pkt(at, sm, dm, s, d, 6, sp, dp, flags, ""))
			}
			send(ma, mb, a, b, 40000, 80, 0x02)   // A → B:80
			send(mb, ma, b, a, 5000, 40000, 0x02) // B → A:40000
			for i := range 60 {
				flags := []uint8{0x02, 0x12, 0x10, 0x18}[i%4]
				if i%3 == 0 {
					send(ma, mb, a, b, 40000, 80, flags)
				} else {
					send(mb, ma, b, a, 80, 40000, flags)
				}
			}
		})
	}
	with, without := run(false), run(true)
	if !reflect.DeepEqual(with, without) {
		t.Fatalf("with the cache %s\nwithout %s", dump(with), dump(without))
	}
}

func dump(bs []*domain.DiscoveryBatch) string {
	var s strings.Builder
	for _, b := range bs {
		for _, h := range b.Hosts {
			for _, f := range h.Flows {
				fmt.Fprintf(&s, "\n  %s %s→%s:%d out=%v packets=%d", h.MACs, f.LocalIP, f.PeerIP, f.Port, f.Outbound, f.Packets)
			}
		}
	}
	return s.String()
}
