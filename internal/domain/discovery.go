package domain

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Suggestion is a value discovery proposes for one device attribute, with
// the evidence behind it and how sure it is.
type Suggestion struct {
	Field      Field   `json:"field"`
	Value      string  `json:"value"`
	Evidence   string  `json:"evidence"`   // "OUI 00:09:FB → Philips Medical Systems"
	Confidence float64 `json:"confidence"` // 0..1
}

// DiscoveredHost is one host as identity resolution sees it: its network
// identities, the attribute values it suggests, what was observed about it
// and the flows it took part in. The store matches it to an existing device
// (by MAC, else by hostname or IP when it has no MAC) or creates one.
type DiscoveredHost struct {
	MACs         []string          `json:"macs,omitempty"`
	IPs          []string          `json:"ips,omitempty"`
	Hostnames    []string          `json:"hostnames,omitempty"`
	Suggestions  []Suggestion      `json:"suggestions,omitempty"`
	Observations []Observation     `json:"observations,omitempty"`
	Identities   []NetworkIdentity `json:"identities,omitempty"`
	Flows        []*Flow           `json:"flows,omitempty"` // DeviceID is filled by the store
	FirstSeen    time.Time         `json:"first_seen"`
	LastSeen     time.Time         `json:"last_seen"`
	// DeviceID is the inventory device the host is: the store sets it on
	// every host it applies. A host that comes back with it and nothing
	// but flows (no observations, identities or suggestions: a later
	// batch of the same write) is not matched again; the store checks the
	// device is the practice's and writes the flows to it.
	DeviceID int64 `json:"device_id,omitempty"`
}

// FlowCount is how many flow records the batch carries (a flow between
// two of the practice's hosts is in both hosts' lists).
func (b *DiscoveryBatch) FlowCount() int {
	n := 0
	for _, h := range b.Hosts {
		n += len(h.Flows)
	}
	return n
}

// FlowsOnly reports whether h carries nothing a device could learn from
// but its flows, with the device already known.
func (h *DiscoveredHost) FlowsOnly() bool {
	return h.DeviceID != 0 && len(h.Observations)+len(h.Identities)+len(h.Suggestions) == 0
}

// Label is how the host is named in summaries.
func (h *DiscoveredHost) Label() string {
	switch {
	case len(h.Hostnames) > 0:
		return h.Hostnames[0]
	case len(h.IPs) > 0:
		return h.IPs[0]
	case len(h.MACs) > 0:
		return h.MACs[0]
	}
	return "unknown host"
}

// DiscoveryBatch is what one discovery run (a capture file, an import, a
// sensor flush) learned, applied to the store in one transaction.
type DiscoveryBatch struct {
	Source string            `json:"source"` // "pcap:ward3.pcap", "sensor:eth1", "nmap:scan.xml"
	Site   string            `json:"site,omitempty"`
	Hosts  []*DiscoveredHost `json:"hosts"`
}

// DiscoveryResult says what applying a batch changed.
type DiscoveryResult struct {
	NewDevices      int     `json:"new_devices"`
	UpdatedDevices  int     `json:"updated_devices"`
	Observations    int     `json:"observations"`     // observation rows written (new or refreshed)
	NewObservations int     `json:"new_observations"` // of which new
	Identities      int     `json:"identities"`
	Flows           int     `json:"flows"`
	DeviceIDs       []int64 `json:"device_ids"` // per batch host, in order
}

// DeviceObservation is an observation kept for a device, deduplicated by
// kind and value.
type DeviceObservation struct {
	ID         int64           `json:"id"`
	DeviceID   int64           `json:"device_id"`
	Kind       ObservationKind `json:"kind"`
	Value      string          `json:"value"`
	Source     string          `json:"source"`
	Evidence   string          `json:"evidence,omitempty"`
	Confidence float64         `json:"confidence,omitempty"`
	Count      int64           `json:"count"`
	FirstSeen  time.Time       `json:"first_seen"`
	LastSeen   time.Time       `json:"last_seen"`
}

// NetworkIdentity is one IP↔MAC pairing of a device over time.
type NetworkIdentity struct {
	DeviceID  int64     `json:"device_id,omitempty"`
	MAC       string    `json:"mac,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Source    string    `json:"source,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// FlowFilter selects flows of the tenant.
type FlowFilter struct {
	DeviceID  int64
	PeerIP    string
	Transport string
	Port      int
	App       string
	Limit     int   // 0 means 100; at most 1000
	AfterID   int64 // keyset cursor: flows with a larger id
}

// Check checks the parts of a filter a user gives (peer address, port,
// transport) and puts the peer address in the form flows are stored in
// (an IPv4-mapped address unmapped). Each problem names its field:
// "peer", "port" or "transport".
func (f *FlowFilter) Check() []Problem {
	var problems []Problem
	if f.PeerIP != "" {
		if a, err := netip.ParseAddr(f.PeerIP); err != nil {
			problems = append(problems, Problem{Field: "peer", Message: "not an IP address"})
		} else {
			f.PeerIP = a.Unmap().String()
		}
	}
	if f.Port < 0 || f.Port > 65535 {
		problems = append(problems, Problem{Field: "port", Message: "not a port number (0 to 65535)"})
	}
	if f.Transport != "" && !slices.Contains([]string{"tcp", "udp", "icmp", "other"}, f.Transport) {
		problems = append(problems, Problem{Field: "transport", Message: "not tcp, udp, icmp or other"})
	}
	return problems
}

// FlowKey is the identity of an aggregated flow.
func (f *Flow) Key() string {
	return f.LocalIP + "|" + f.PeerIP + "|" + f.Transport + "|" + strconv.Itoa(f.Port) + "|" + f.App
}

// Add folds another aggregate of the same flow into f.
func (f *Flow) Add(o *Flow) {
	f.Bytes += o.Bytes
	f.Packets += o.Packets
	if f.FirstSeen.IsZero() || (!o.FirstSeen.IsZero() && o.FirstSeen.Before(f.FirstSeen)) {
		f.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(f.LastSeen) {
		f.LastSeen = o.LastSeen
	}
	for i := range f.Hours {
		f.Hours[i] += o.Hours[i]
	}
	if f.PeerMAC == "" {
		f.PeerMAC = o.PeerMAC
	}
}

// DiscoverySourceName turns a source such as "pcap:/tmp/ward3.pcap" into
// the short form kept with observations ("pcap:ward3.pcap").
func DiscoverySourceName(kind, path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		path = path[i+1:]
	}
	return kind + ":" + path
}

// DiscoveryRecords is what an importer of another tool's results read:
// observations about hosts, and flows (Flow.LocalIP is the side that
// opened the conversation, PeerIP the server; DeviceID is unset).
type DiscoveryRecords struct {
	Observations []Observation `json:"observations"`
	Flows        []*Flow       `json:"flows,omitempty"`
	Records      int           `json:"records"` // hosts, log lines, leases or rows read
}
