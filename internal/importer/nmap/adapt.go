package nmap

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// observations turns one host element into observations; hosts that are
// not up yield none.
func (h *nmapHost) observations(file, source string, runStart time.Time) ([]domain.Observation, error) {
	if h.Status.State != "" && h.Status.State != "up" {
		return nil, nil
	}
	at := runStart
	if h.StartTime > 0 {
		at = time.Unix(h.StartTime, 0).UTC()
	}
	loc := fmt.Sprintf("%s:%d", file, h.line)
	base := domain.Observation{At: at, Source: source}
	for _, a := range h.Addresses {
		switch a.AddrType {
		case "mac":
			m, err := domain.NormalizeMAC(a.Addr)
			if err != nil {
				return nil, domain.Errorf(domain.CodeInvalid, "%s: MAC address %q: %s", loc, a.Addr, domain.ErrorMessage(err))
			}
			base.MAC = m
		case "ipv4", "ipv6":
			ip, err := netip.ParseAddr(a.Addr)
			if err != nil {
				return nil, domain.Errorf(domain.CodeInvalid, "%s: address %q is not an IP address", loc, a.Addr)
			}
			if !base.IP.IsValid() {
				base.IP = ip
			}
		}
	}
	if base.MAC == "" && !base.IP.IsValid() {
		return nil, domain.Errorf(domain.CodeInvalid, "%s: a host with no address", loc)
	}
	var out []domain.Observation
	add := func(kind domain.ObservationKind, value, evidence string, conf float64) {
		o := base
		o.Kind, o.Value, o.Evidence, o.Confidence = kind, value, evidence, conf
		out = append(out, o)
	}
	ev := "Nmap host at " + loc
	if base.IP.IsValid() {
		add(domain.ObsIP, base.IP.String(), ev, 0)
	}
	for _, a := range h.Addresses {
		if a.AddrType == "mac" {
			add(domain.ObsMAC, base.MAC, ev, 0)
			if a.Vendor != "" {
				add(domain.ObsVendor, a.Vendor, "Nmap MAC vendor, "+loc, 0.4)
			}
		}
	}
	for _, hn := range h.Hostnames {
		if n, err := domain.NormalizeHostname(hn.Name); err == nil && n != "" {
			add(domain.ObsHostname, n, fmt.Sprintf("Nmap host name (%s), %s", strings.ToUpper(hn.Type), loc), 0)
		}
	}
	for _, p := range h.Ports {
		if p.State.State != "open" {
			continue
		}
		svc := p.Service.Name
		add(domain.ObsOpenPort, strings.TrimSpace(fmt.Sprintf("%s/%d %s", p.Protocol, p.PortID, svc)), "Nmap port scan, "+loc, 0)
		if prod := strings.TrimSpace(strings.Join([]string{p.Service.Product, p.Service.Version, p.Service.ExtraInfo}, " ")); prod != "" && p.Service.Method == "probed" {
			add(domain.ObsBanner, fmt.Sprintf("%s/%d: %s", p.Protocol, p.PortID, strings.Join(strings.Fields(prod), " ")), "Nmap service detection, "+loc, 0)
		}
		if p.Service.OSType != "" {
			add(domain.ObsOS, p.Service.OSType, fmt.Sprintf("Nmap service detection on %s/%d, %s", p.Protocol, p.PortID, loc), 0.5)
		}
	}
	if len(h.OS) > 0 {
		best := h.OS[0] // Nmap lists matches best first
		add(domain.ObsOS, best.Name, fmt.Sprintf("Nmap OS detection, accuracy %d%%, %s", best.Accuracy, loc), float64(best.Accuracy)/100)
	}
	return out, nil
}
