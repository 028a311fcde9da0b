package discovery

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fingerprint"
)

var (
	macA   = [6]byte{0x00, 0x09, 0xfb, 0x00, 0x00, 0x01}
	macB   = [6]byte{0x00, 0x1b, 0x21, 0x00, 0x00, 0x02}
	macR   = [6]byte{0x00, 0x00, 0x0c, 0x00, 0x00, 0x03}
	ipA    = netip.MustParseAddr("10.0.0.5")
	ipA2   = netip.MustParseAddr("10.0.0.6")
	ipB    = netip.MustParseAddr("10.0.0.9")
	dns    = netip.MustParseAddr("8.8.8.8")
	t0     = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ctx    = context.Background()
	synBit = uint8(0x02)
)

func pkt(at time.Time, sm, dm [6]byte, s, d netip.Addr, proto uint8, sp, dp uint16, flags uint8, app string) *Packet {
	return &Packet{At: at, SrcMAC: sm, DstMAC: dm, HasMAC: true, Src: s, Dst: d, Proto: proto, SrcPort: sp, DstPort: dp, TCPFlags: flags, App: app, Length: 100}
}

// collect runs fn against an engine and returns every batch it sent.
func collect(t *testing.T, opt Options, fn func(e *Engine)) []*domain.DiscoveryBatch {
	t.Helper()
	var got []*domain.DiscoveryBatch
	e := New(opt, func(_ context.Context, b *domain.DiscoveryBatch) error {
		got = append(got, b)
		return nil
	})
	fn(e)
	if err := e.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	return got
}

func hostWith(b *domain.DiscoveryBatch, mac, ip string) *domain.DiscoveredHost {
	for _, h := range b.Hosts {
		for _, m := range h.MACs {
			if m == mac {
				return h
			}
		}
		if mac == "" {
			for _, a := range h.IPs {
				if a == ip {
					return h
				}
			}
		}
	}
	return nil
}

func TestResolution(t *testing.T) {
	batches := collect(t, Options{Source: "pcap:test.pcap"}, func(e *Engine) {
		// The router answers ARP-style from its own address first.
		e.Packet(pkt(t0, macR, macA, netip.MustParseAddr("10.0.0.1"), ipA, 1, 0, 0, 0, ""))
		// A opens a DICOM association to B; B answers.
		e.Packet(pkt(t0, macA, macB, ipA, ipB, 6, 40000, 104, synBit, ""))
		e.Packet(pkt(t0.Add(time.Millisecond), macB, macA, ipB, ipA, 6, 104, 40000, synBit|0x10, "dicom"))
		e.Packet(pkt(t0.Add(2*time.Millisecond), macA, macB, ipA, ipB, 6, 40000, 104, 0x10, "dicom"))
		// A asks a public resolver; the answer comes through the router.
		e.Packet(pkt(t0.Add(time.Second), macA, macR, ipA, dns, 17, 5353, 53, 0, "dns"))
		e.Packet(pkt(t0.Add(time.Second+time.Millisecond), macR, macA, dns, ipA, 17, 53, 5353, 0, "dns"))
		// Facts from the dissectors.
		e.Observe(domain.Observation{At: t0, MAC: formatMAC(macA), IP: ipA, Kind: domain.ObsHostname, Value: "CT-Console"})
		e.Observe(domain.Observation{At: t0, IP: ipB, Kind: domain.ObsDICOMImplUID, Value: "1.2.840.113619.6.374", Evidence: "frame 2"})
		e.Observe(domain.Observation{At: t0, IP: dns, Kind: domain.ObsDNSQuery, Value: "ignored.example"})
		// An hour later A has a new address (DHCP renumbering).
		e.Packet(pkt(t0.Add(time.Hour), macA, macB, ipA2, ipB, 6, 40001, 104, synBit, ""))
	})
	if len(batches) != 1 {
		t.Fatalf("%d batches", len(batches))
	}
	b := batches[0]
	if len(b.Hosts) != 3 {
		for _, h := range b.Hosts {
			t.Logf("host %+v", h)
		}
		t.Fatalf("%d hosts, want A, B and the router's own address (its MAC is no device, the resolver a peer)", len(b.Hosts))
	}
	a := hostWith(b, "00:09:fb:00:00:01", "")
	if a == nil || fmt.Sprint(a.IPs) != "[10.0.0.5 10.0.0.6]" || fmt.Sprint(a.Hostnames) != "[ct-console]" {
		t.Fatalf("host A %+v", a)
	}
	if len(a.Identities) != 2 || !a.Identities[0].LastSeen.Equal(t0.Add(time.Second)) || !a.Identities[1].FirstSeen.Equal(t0.Add(time.Hour)) {
		t.Fatalf("A's IP history %+v", a.Identities)
	}
	if len(a.Flows) != 4 { // DICOM from each address, DNS, and the router's ICMP
		t.Fatalf("A's flows %+v", a.Flows)
	}
	var dicom, dnsFlow *domain.Flow
	for _, f := range a.Flows {
		switch {
		case f.LocalIP == "10.0.0.5" && f.Port == 104:
			dicom = f
		case f.Port == 53:
			dnsFlow = f
		}
	}
	if dicom == nil || !dicom.Outbound || dicom.Packets != 3 || dicom.App != "dicom" || dicom.PeerMAC != "00:1b:21:00:00:02" || dicom.Hours[9] != 3 {
		t.Fatalf("DICOM flow %+v", dicom)
	}
	if dnsFlow == nil || dnsFlow.PeerIP != "8.8.8.8" || dnsFlow.PeerMAC != "" || dnsFlow.Transport != "udp" || dnsFlow.Packets != 2 {
		t.Fatalf("DNS flow %+v", dnsFlow)
	}
	bh := hostWith(b, "00:1b:21:00:00:02", "")
	if bh == nil || len(bh.Observations) != 1 || bh.Observations[0].Kind != domain.ObsDICOMImplUID {
		t.Fatalf("host B %+v", bh)
	}
	if s := bh.Suggestions; len(s) < 2 || s[0].Value != "GE HealthCare" || s[1].Value != "imaging" {
		t.Fatalf("B's suggestions %+v", s)
	}
	for _, f := range bh.Flows {
		if f.Outbound || f.Port != 104 {
			t.Fatalf("B's flow %+v", f)
		}
	}
}

func TestRouterByManyAddresses(t *testing.T) {
	batches := collect(t, Options{RouterIPs: 4}, func(e *Engine) {
		for i := range 6 {
			src := netip.AddrFrom4([4]byte{10, 1, 0, byte(10 + i)})
			e.Packet(pkt(t0, macR, macA, src, ipA, 6, 443, 50000+uint16(i), 0x12, ""))
		}
	})
	for _, h := range batches[0].Hosts {
		if len(h.MACs) > 0 && h.MACs[0] == "00:00:0c:00:00:03" {
			t.Fatalf("the router's MAC became a device: %+v", h)
		}
	}
	// The addresses behind it are local, so each is a device of its own.
	if n := len(batches[0].Hosts); n != 6 {
		t.Fatalf("%d hosts, want the 6 addresses behind the router", n)
	}
}

func TestFlowsBounded(t *testing.T) {
	var flows, packets int64
	e := New(Options{MaxFlows: 10, PendingFlows: 25, FlowIdle: time.Hour}, func(_ context.Context, b *domain.DiscoveryBatch) error {
		for _, h := range b.Hosts {
			for _, f := range h.Flows {
				flows++
				packets += f.Packets
			}
		}
		return nil
	})
	peak := 0
	for i := range 200 {
		e.Packet(pkt(t0.Add(time.Duration(i)*time.Second), macA, macR, ipA, netip.AddrFrom4([4]byte{93, 184, 0, byte(i)}), 6, 40000, 443, synBit, "tls"))
		peak = max(peak, e.Stats().LiveFlows)
		if e.NeedsFlush() {
			if err := e.Flush(ctx, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	if peak > 11 || flows != 200 || packets != 200 || e.Stats().Batches < 2 {
		t.Fatalf("peak %d live flows, %d flows and %d packets delivered in %d batches", peak, flows, packets, e.Stats().Batches)
	}
}

// TestPairingCache replays a random stream of frames in which addresses
// move between MACs, MACs turn out to be routers, IP-only hosts are merged
// and hosts come and go, through an engine with the pairing cache and one
// without: the batches must be identical.
func TestPairingCache(t *testing.T) {
	macs := make([][6]byte, 12)
	for i := range macs {
		macs[i] = [6]byte{0x00, 0x09, 0xfb, 0x00, 0x00, byte(i + 1)}
	}
	ips := make([]netip.Addr, 20)
	for i := range ips {
		ips[i] = netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})
	}
	ips = append(ips, dns, netip.MustParseAddr("1.1.1.1"))
	run := func(noCache bool) []*domain.DiscoveryBatch {
		rng := rand.New(rand.NewPCG(7, 7))
		return collect(t, Options{RouterIPs: 5}, func(e *Engine) {
			e.noPairCache = noCache
			at := t0
			for i := range 20000 {
				at = at.Add(time.Duration(rng.IntN(50)) * time.Millisecond)
				// Mostly the usual pairs (MAC i uses address i), sometimes
				// another address: moves, and routers once past five.
				m := rng.IntN(len(macs))
				a := m
				if rng.IntN(20) == 0 {
					a = rng.IntN(len(ips))
				}
				d := rng.IntN(len(ips))
				e.Packet(pkt(at, macs[m], macs[rng.IntN(len(macs))], ips[a], ips[d], 6, uint16(40000+rng.IntN(10)), 104, 0x10, "dicom"))
				if rng.IntN(50) == 0 { // an IP-only fact, later merged into a MAC's host
					e.Observe(domain.Observation{At: at, IP: ips[rng.IntN(20)], Kind: domain.ObsHostname, Value: fmt.Sprint("host", i%7)})
				}
				if rng.IntN(500) == 0 {
					if err := e.Flush(ctx, false); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
	with, without := run(false), run(true)
	if a, b := run(true), run(true); !reflect.DeepEqual(a, b) {
		t.Fatal("not deterministic without the cache")
	}
	if len(with) < 2 || !reflect.DeepEqual(with, without) {
		t.Fatalf("%d batches with the cache, %d without; equal: %v", len(with), len(without), reflect.DeepEqual(with, without))
	}
	routers := 0
	for _, b := range with {
		for _, h := range b.Hosts {
			if len(h.MACs) == 0 {
				routers++ // addresses that stood alone once their MAC was a router's
			}
		}
	}
	if routers == 0 {
		t.Fatal("no MAC became a router: the stream does not exercise the cache's invalidation")
	}
}

// TestStamp checks a stamp's hour of day and its way back to a time,
// including before 1970 and the clamping outside what it holds.
func TestStamp(t *testing.T) {
	for _, s := range []string{"2026-03-29T00:59:59Z", "2026-03-29T01:00:00+01:00", "1969-12-31T23:30:00Z", "1969-12-31T23:59:59.999999999Z",
		"2026-11-29T23:59:59.999-05:00", "1700-01-01T12:00:00.5Z", "2262-04-11T23:00:00Z"} {
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		st := stampOf(at)
		if got, want := st.hour(), at.UTC().Hour(); got != want {
			t.Errorf("stampOf(%s).hour() = %d, want %d", s, got, want)
		}
		if got := st.time(); !got.Equal(at) || got.Location() != time.UTC {
			t.Errorf("stampOf(%s).time() = %s", s, got)
		}
	}
	early, late := time.Date(1601, 1, 1, 12, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	lo, hi := stampOf(early), stampOf(late)
	if lo >= stampOf(time.Unix(0, 0)) || lo.time().Year() != 1677 || hi.time().Year() != 2262 || stampOf(time.Unix(1<<33, 0)) >= hi {
		t.Errorf("clamped: %s, %s", lo.time(), hi.time())
	}
}

// TestFlowOrder checks that the numeric sort keys (sortKey, falling back
// on keyedFlow) order a batch's flows exactly as comparing the addresses
// (netip.Addr.Compare, zones included), the transport's name, the port,
// the application, the direction and the peer MAC does, and fold the
// same ones.
func TestFlowOrder(t *testing.T) {
	addrs := []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.6"),
		netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::1%eth0"),
		netip.MustParseAddr("fe80::1%eth1"), netip.MustParseAddr("fe80::2%eth0"), netip.MustParseAddr("::ffff:10.0.0.5"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::"),
		// the sort keys' edges: the top and bottom of IPv4, IPv6 addresses
		// whose first 64 bits differ only in the last of them
		netip.MustParseAddr("255.255.255.254"), netip.MustParseAddr("0.0.0.1"),
		netip.MustParseAddr("2001:db8:0:1::1"), netip.MustParseAddr("2001:db8:0:0:8000::1")}
	protos := []uint8{0, 1, 6, 17, 58, 132}
	apps := []string{"", "dicom", "hl7"}
	macs := [][6]byte{{}, {0x00, 0x09, 0xfb, 0, 0, 1}, {0x00, 0x1b, 0x21, 0, 0, 2}}
	type sample struct {
		kf          keyedFlow
		df          *domain.Flow
		local, peer netip.Addr
	}
	reference := func(a, b *sample) int {
		for _, c := range []int{a.local.Compare(b.local), a.peer.Compare(b.peer), strings.Compare(a.df.Transport, b.df.Transport),
			cmp.Compare(a.df.Port, b.df.Port), strings.Compare(a.df.App, b.df.App), boolOrder(a.df.Outbound, b.df.Outbound),
			strings.Compare(a.df.PeerMAC, b.df.PeerMAC)} {
			if c != 0 {
				return c
			}
		}
		return 0
	}
	r := rand.New(rand.NewPCG(1, 2))
	e := New(Options{}, nil)
	for _, a := range apps {
		e.flows.appIndex(a)
	}
	rank := appRanks(e.flows.apps)
	var ss []sample
	for i := range 3000 {
		k := flowKey{client: addrs[r.IntN(len(addrs))].Unmap(), server: addrs[r.IntN(len(addrs))].Unmap(),
			proto: protos[r.IntN(len(protos))], port: uint16(r.IntN(3))}
		e.flows.size(e.opt.MaxFlows)
		id := k.id()
		ref, ok := e.flows.index.get(id, &e.flows)
		if !ok {
			ref, _ = e.flows.add(id)
		}
		f := e.flows.at(ref)
		f.app, f.czone, f.szone = e.flows.appIndex(apps[r.IntN(len(apps))]), e.flows.zoneIndex(k.client.Zone()), e.flows.zoneIndex(k.server.Zone())
		client := r.IntN(2) == 0
		df := &domain.Flow{}
		e.domainFlow(df, ref, client, nil, newBatchNames(&e.flows))
		var mac uint64
		if m := macs[r.IntN(len(macs))]; m != ([6]byte{}) {
			df.PeerMAC, mac = formatMAC(m), macKey(m)
		}
		local, peer := k.client, k.server
		if !client {
			local, peer = peer, local
		}
		ss = append(ss, sample{kf: newKeyedFlow(&id, f, client, int32(i), mac, rank), df: df, local: local, peer: peer})
	}
	sign := func(c int) int { return cmp.Compare(c, 0) }
	zones := e.flows.zones
	keyed := make([]keyedFlow, len(ss))
	for i := range ss {
		keyed[i] = ss[i].kf
	}
	for i := range ss {
		for j := range ss {
			a, b := &ss[i], &ss[j]
			want := reference(a, b)
			sa, sb := a.kf.sortKey(), b.kf.sortKey()
			if got := compareSorted(&sa, &sb, keyed, zones); sign(got) != sign(want) {
				t.Fatalf("sort keys: %s→%s %+v vs %s→%s %+v: %d, want %d", a.local, a.peer, *a.df, b.local, b.peer, *b.df, got, want)
			}
			ka, kb := *a.df, *b.df
			ka.Outbound, kb.Outbound, ka.PeerMAC, kb.PeerMAC = false, false, "", ""
			same := ka.LocalIP == kb.LocalIP && ka.PeerIP == kb.PeerIP && ka.Key() == kb.Key()
			if got := sameFlow(&a.kf, &b.kf, zones) == 0; got != same {
				t.Fatalf("%q vs %q: same flow %v, want %v", a.df.Key(), b.df.Key(), got, same)
			}
			if got := sameSorted(&sa, &sb, keyed, zones) == 0; got != same {
				t.Fatalf("sort keys: %q vs %q: same flow %v, want %v", a.df.Key(), b.df.Key(), got, same)
			}
		}
	}
}

// TestFlowCache replays a random stream of frames both ways between a few
// hosts (TCP with and without handshakes, UDP on one port both ways, ICMP,
// SCTP with ports, a host talking to itself), with flows moved out by a
// small MaxFlows and by idleness, through an engine with the flow table's
// cache and one without: the batches must be identical.
func TestFlowCache(t *testing.T) {
	macs := make([][6]byte, 6)
	ips := make([]netip.Addr, 6)
	for i := range macs {
		macs[i] = [6]byte{0x00, 0x09, 0xfb, 0x00, 0x01, byte(i + 1)}
		ips[i] = netip.AddrFrom4([4]byte{10, 0, 1, byte(i + 1)})
	}
	ports := []uint16{80, 104, 123, 2575, 40000, 40001, 50000, 0}
	protos := []uint8{6, 6, 6, 17, 17, 1, 132}
	flags := []uint8{0x02, 0x12, 0x10, 0x18, 0x11, 0x04}
	apps := []string{"", "", "http", "dicom"}
	run := func(noCache bool) []*domain.DiscoveryBatch {
		rng := rand.New(rand.NewPCG(3, 9))
		return collect(t, Options{MaxFlows: 40, FlowIdle: 2 * time.Second}, func(e *Engine) {
			e.noFlowCache = noCache
			at := t0
			for range 30000 {
				at = at.Add(time.Duration(rng.IntN(40)) * time.Millisecond)
				s, d := rng.IntN(len(ips)), rng.IntN(len(ips))
				proto := protos[rng.IntN(len(protos))]
				sp, dp := ports[rng.IntN(len(ports))], ports[rng.IntN(len(ports))]
				if proto == 1 {
					sp, dp = 0, 0
				}
				e.Packet(pkt(at, macs[s], macs[d], ips[s], ips[d], proto, sp, dp, flags[rng.IntN(len(flags))], apps[rng.IntN(len(apps))]))
				if rng.IntN(700) == 0 {
					if err := e.Flush(ctx, false); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
	with, without := run(false), run(true)
	if again := run(true); !reflect.DeepEqual(without, again) {
		t.Fatal("not deterministic without the cache")
	}
	flows := 0
	for _, b := range with {
		for _, h := range b.Hosts {
			flows += len(h.Flows)
		}
	}
	if len(with) < 5 || flows < 500 || !reflect.DeepEqual(with, without) {
		t.Fatalf("%d batches (%d flows) with the cache, %d without; equal: %v", len(with), flows, len(without), reflect.DeepEqual(with, without))
	}
}

// TestBatchFlows checks that flows split over small batches add up, per
// device and flow key, to what one batch carries, that each host's facts
// go once per Flush, and that a capture crossing hours (with frames out
// of order) counts each frame in its own hour of day.
func TestBatchFlows(t *testing.T) {
	type total struct {
		packets, bytes int64
		first, last    time.Time
		hours          [24]int64
	}
	hourly := map[int]int64{}
	run := func(opt Options) (map[string]total, int, map[string]int) {
		rng := rand.New(rand.NewPCG(5, 1))
		sum := map[string]total{}
		told := map[string]int{} // batches carrying a host's suggestions
		batches := 0
		devices := map[string]int64{} // the device ids this sink gave, as the store does
		// The sink keeps nothing of a batch, as ReuseFlows asks.
		e := New(opt, func(_ context.Context, b *domain.DiscoveryBatch) error {
			batches++
			for _, h := range b.Hosts {
				if len(h.Suggestions) > 0 {
					told[h.MACs[0]]++
				}
				// A host comes back with its device id, and only flows,
				// after the first batch that carried it.
				if id := devices[h.MACs[0]]; h.DeviceID != id || (id != 0 && !h.FlowsOnly()) {
					t.Errorf("%s: device %d (given %d), observations %d, identities %d, suggestions %d", h.MACs[0], h.DeviceID, id,
						len(h.Observations), len(h.Identities), len(h.Suggestions))
				}
				if devices[h.MACs[0]] == 0 {
					devices[h.MACs[0]] = int64(len(devices) + 1)
				}
				h.DeviceID = devices[h.MACs[0]]
				for _, f := range h.Flows {
					k := h.MACs[0] + " " + f.Key()
					s := sum[k]
					s.packets += f.Packets
					s.bytes += f.Bytes
					if s.first.IsZero() || f.FirstSeen.Before(s.first) {
						s.first = f.FirstSeen
					}
					if f.LastSeen.After(s.last) {
						s.last = f.LastSeen
					}
					for i, n := range f.Hours {
						s.hours[i] += n
					}
					sum[k] = s
				}
			}
			return nil
		})
		at := t0
		for range 5000 {
			at = at.Add(time.Duration(rng.IntN(4000)) * time.Millisecond)
			when := at.Add(-time.Duration(rng.IntN(3)) * time.Hour) // some frames late
			s, d := rng.IntN(40), rng.IntN(40)
			if opt.BatchFlows == 0 && (s == 5 || d == 5) {
				hourly[when.UTC().Hour()]++ // the frames host 5's flows count
			}
			e.Packet(pkt(when, [6]byte{0, 9, 0xfb, 0, 2, byte(s)}, [6]byte{0, 9, 0xfb, 0, 2, byte(d)},
				netip.AddrFrom4([4]byte{10, 0, 2, byte(s)}), netip.AddrFrom4([4]byte{10, 0, 2, byte(d)}), 6, uint16(40000+rng.IntN(3)), uint16(100+rng.IntN(20)), 0x10, ""))
			if rng.IntN(100) == 0 {
				e.Observe(domain.Observation{At: when, MAC: fmt.Sprintf("00:09:fb:00:02:%02x", s), Kind: domain.ObsHostname, Value: fmt.Sprint("host", s)})
			}
		}
		if err := e.Flush(ctx, true); err != nil {
			t.Fatal(err)
		}
		return sum, batches, told
	}
	one, n1, told1 := run(Options{})
	for _, opt := range []Options{{BatchFlows: 7}, {BatchFlows: 7, ReuseFlows: true}} {
		many, n2, told2 := run(opt)
		if n1 != 1 || n2 < 50 || len(one) < 1000 || !reflect.DeepEqual(one, many) || !reflect.DeepEqual(told1, told2) || len(told1) < 30 {
			t.Fatalf("%+v: %d and %d batches, %d and %d flows, same totals %v, hosts told %d/%d", opt, n1, n2, len(one), len(many), reflect.DeepEqual(one, many), len(told1), len(told2))
		}
	}
	byHour := map[int]int64{}
	for k, s := range one {
		if strings.HasPrefix(k, "00:09:fb:00:02:05 ") { // one host's flows: each frame once per end
			for i, n := range s.hours {
				if n != 0 {
					byHour[i] += n
				}
			}
		}
	}
	if len(hourly) < 3 || !reflect.DeepEqual(hourly, byHour) {
		t.Fatalf("host 5's frames by hour of day %v, its flows' hours %v", hourly, byHour)
	}
}

// TestFlowHours checks the packets per hour of day of flows whose counts
// leave the current hour: frames crossing hours (and coming back out of
// order), records of another tool adding many hours and more packets
// than an hour's counter holds, and a flow made after others that crossed
// hours were sent (their spilled hours must not leak into it).
func TestFlowHours(t *testing.T) {
	at := func(h int) time.Time { return t0.Add(time.Duration(h-9) * time.Hour) } // t0 is 09:00
	var want1, want2 [24]int64
	b := collect(t, Options{}, func(e *Engine) {
		for _, h := range []int{9, 9, 10, 9, 13, 10, 9} {
			e.Packet(pkt(at(h), macA, macB, ipA, ipB, 6, 40000, 104, 0, ""))
			want1[h]++
		}
		rec := domain.Flow{LocalIP: ipA.String(), PeerIP: ipB.String(), Transport: "udp", Port: 2575, Packets: 3,
			FirstSeen: at(9), LastSeen: at(23)}
		rec.Hours[3], rec.Hours[9], rec.Hours[23] = 1, 1<<40, 2
		for range 2 {
			e.Flow(&rec)
			for i, n := range rec.Hours {
				want2[i] += n
			}
		}
		e.Packet(pkt(at(9), macA, macB, ipA, ipB, 17, 40001, 2575, 0, ""))
		want2[9]++
	})
	a := hostWith(b[0], "00:09:fb:00:00:01", "")
	if a == nil || len(a.Flows) != 2 {
		t.Fatalf("host A: %+v", a)
	}
	for _, f := range a.Flows {
		want := want1
		if f.Port == 2575 {
			want = want2
		}
		if f.Hours != want {
			t.Errorf("%s/%d: hours %v, want %v", f.Transport, f.Port, f.Hours, want)
		}
	}
	// After the flows above were sent, a new one counts only its own.
	var got [24]int64
	counting := false
	e := New(Options{}, func(_ context.Context, b *domain.DiscoveryBatch) error {
		if !counting {
			return nil
		}
		for _, h := range b.Hosts {
			for _, f := range h.Flows {
				if f.Outbound {
					for i, n := range f.Hours {
						got[i] += n
					}
				}
			}
		}
		return nil
	})
	for h := range 24 {
		e.Packet(pkt(t0.Add(time.Duration(h)*time.Hour), macA, macB, ipA, ipB, 6, 40000, 104, 0, ""))
	}
	if err := e.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	counting = true
	e.Packet(pkt(at(11), macA, macB, ipA, ipB, 6, 40002, 443, 0, ""))
	e.Packet(pkt(at(12), macA, macB, ipA, ipB, 6, 40002, 443, 0, ""))
	if err := e.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	if want := ([24]int64{11: 1, 12: 1}); got != want {
		t.Errorf("a flow after others that crossed hours: %v, want %v", got, want)
	}
}

// TestForgetFacts checks that facts no classification rule reads leave
// memory once sent by a host with a MAC, and are sent again when seen
// again; that facts rules read stay (with the host's classification);
// that a user's rule on a kind keeps that kind; and that a host known only
// by address keeps its facts, which go with it when it is merged into the
// host that turns out to hold its address.
func TestForgetFacts(t *testing.T) {
	run := func(opt Options) (e *Engine, sent map[string]int) {
		sent = map[string]int{}
		e = New(opt, func(_ context.Context, b *domain.DiscoveryBatch) error {
			for _, h := range b.Hosts {
				for _, o := range h.Observations {
					sent[strings.Join(append(h.MACs, h.IPs...), ",")+" "+string(o.Kind)+" "+o.Value]++
				}
			}
			return nil
		})
		for round := range 2 {
			at := t0.Add(time.Duration(round) * time.Minute)
			e.Observe(domain.Observation{At: at, MAC: formatMAC(macA), IP: ipA, Kind: domain.ObsDNSQuery, Value: "pacs.example"})
			e.Observe(domain.Observation{At: at, MAC: formatMAC(macA), IP: ipA, Kind: domain.ObsDHCPVendorClass, Value: "MSFT 5.0"})
			e.Observe(domain.Observation{At: at, IP: ipB, Kind: domain.ObsDNSQuery, Value: "lis.example"})
			if err := e.Flush(ctx, false); err != nil {
				t.Fatal(err)
			}
		}
		return e, sent
	}
	e, sent := run(Options{})
	a := e.byMAC[macA]
	if _, ok := a.obs[obsKey{domain.ObsDNSQuery, "pacs.example"}]; ok || len(a.obs) != 1 {
		t.Errorf("host A keeps %v", a.obs)
	}
	if len(a.suggestions) == 0 || a.suggestions[0].Value != "Windows" && a.suggestions[len(a.suggestions)-1].Value != "Windows" {
		t.Errorf("host A's classification: %+v", a.suggestions)
	}
	if b := e.byIP[ipB]; len(b.obs) != 1 {
		t.Errorf("host B (no MAC) keeps %v", b.obs)
	}
	want := map[string]int{"00:09:fb:00:00:01,10.0.0.5 dns_query pacs.example": 2, "00:09:fb:00:00:01,10.0.0.5 dhcp_vendor_class MSFT 5.0": 2,
		"10.0.0.9 dns_query lis.example": 2}
	if !reflect.DeepEqual(sent, want) {
		t.Errorf("sent %v, want %v", sent, want)
	}
	rules, err := fingerprint.ParseRules("site.csv", strings.NewReader("dns_query,exact,pacs.example,Acme,,imaging,,0.6,test\n"))
	if err != nil {
		t.Fatal(err)
	}
	e, _ = run(Options{Classifier: fingerprint.New(rules...)})
	if _, ok := e.byMAC[macA].obs[obsKey{domain.ObsDNSQuery, "pacs.example"}]; !ok {
		t.Error("a fact a user's rule reads was forgotten")
	}
	// Of a kind rules read, a host keeps the first maxKeptFacts for good;
	// the others are sent, then forgotten.
	e, sent = run(Options{})
	for i := range maxKeptFacts + 44 {
		e.Observe(domain.Observation{At: t0, MAC: formatMAC(macA), IP: ipA, Kind: domain.ObsHTTPUserAgent, Value: fmt.Sprint("Agent/", i)})
		if i%100 == 99 {
			if err := e.Flush(ctx, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.Flush(ctx, false); err != nil {
		t.Fatal(err)
	}
	agents := 0
	for k := range e.byMAC[macA].obs {
		if k.kind == domain.ObsHTTPUserAgent {
			agents++
			var n int
			if _, err := fmt.Sscanf(k.value, "Agent/%d", &n); err != nil || n >= maxKeptFacts {
				t.Errorf("kept %q, a fact past the first %d", k.value, maxKeptFacts)
			}
		}
	}
	for i := range maxKeptFacts + 44 {
		if sent[fmt.Sprint("00:09:fb:00:00:01,10.0.0.5 http_user_agent Agent/", i)] != 1 {
			t.Fatalf("user agent %d sent %d times", i, sent[fmt.Sprint("00:09:fb:00:00:01,10.0.0.5 http_user_agent Agent/", i)])
		}
	}
	if agents != maxKeptFacts {
		t.Errorf("host A keeps %d user agents, want %d", agents, maxKeptFacts)
	}
	// B's address turns out to be a MAC's: its facts go with that host.
	e, sent = run(Options{})
	e.Packet(pkt(t0.Add(time.Hour), macB, macA, ipB, ipA, 17, 5353, 5353, 0, ""))
	if err := e.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	if sent["00:1b:21:00:00:02,10.0.0.9 dns_query lis.example"] != 1 {
		t.Errorf("after the merge: sent %v", sent)
	}
}

// TestIdleEviction checks that when the flow table is full, the flows
// silent for longer than FlowIdle leave it first, and only those.
func TestIdleEviction(t *testing.T) {
	for _, start := range []time.Time{t0, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)} {
		e := New(Options{MaxFlows: 3, FlowIdle: time.Minute}, func(context.Context, *domain.DiscoveryBatch) error { return nil })
		e.Packet(pkt(start, macA, macB, ipA, ipB, 6, 40000, 80, synBit, ""))
		e.Packet(pkt(start.Add(time.Second), macA, macB, ipA, ipB, 6, 40001, 81, synBit, ""))
		later := start.Add(10 * time.Minute)
		e.Packet(pkt(later, macA, macB, ipA, ipB, 6, 40002, 82, synBit, ""))
		e.Packet(pkt(later, macA, macB, ipA, ipB, 6, 40003, 83, synBit, ""))
		if st := e.Stats(); st.EvictedFlows != 2 || e.flows.len() != 2 {
			t.Errorf("from %s: %d flows moved out, %d live; want 2 and 2", start, st.EvictedFlows, e.flows.len())
		}
	}
}
