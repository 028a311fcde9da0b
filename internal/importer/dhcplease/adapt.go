package dhcplease

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Parse reads a lease file. name is the source ("dhcplease:NAME") and the
// file named in error locations (NAME:line).
func Parse(name string, r io.Reader) (*domain.DiscoveryRecords, error) {
	toks, err := lex(name, r)
	if err != nil {
		return nil, err
	}
	leases, err := parse(name, toks)
	if err != nil {
		return nil, err
	}
	source := domain.DiscoverySourceName("dhcplease", name)
	out := &domain.DiscoveryRecords{}
	for _, l := range leases {
		obs, err := l.observations(name, source)
		if err != nil {
			return nil, err
		}
		out.Records++
		out.Observations = append(out.Observations, obs...)
	}
	return out, nil
}

func (l *lease) observations(name, source string) ([]domain.Observation, error) {
	loc := fmt.Sprintf("%s:%d", name, l.line)
	ip, err := netip.ParseAddr(l.ip)
	if err != nil {
		return nil, located(name, l.line, fmt.Sprintf("lease address %q is not an IP address", l.ip))
	}
	at, err := leaseTime(l.cltt)
	if l.cltt == "" || err != nil {
		at, err = leaseTime(l.starts)
	}
	if err != nil {
		return nil, located(name, l.line, fmt.Sprintf("lease time %q: %v", l.starts, err))
	}
	base := domain.Observation{At: at, IP: ip, Source: source}
	if l.hardware != "" {
		kind, addr, _ := strings.Cut(l.hardware, " ")
		if kind == "ethernet" {
			m, err := domain.NormalizeMAC(addr)
			if err != nil {
				return nil, located(name, l.line, fmt.Sprintf("hardware address %q: %s", addr, domain.ErrorMessage(err)))
			}
			base.MAC = m
		}
	}
	ev := "DHCP lease at " + loc
	if l.binding != "" {
		ev += ", binding state " + l.binding
	}
	var out []domain.Observation
	add := func(kind domain.ObservationKind, v string) {
		if v == "" {
			return
		}
		o := base
		o.Kind, o.Value, o.Evidence = kind, v, ev
		out = append(out, o)
	}
	add(domain.ObsIP, ip.String())
	add(domain.ObsMAC, base.MAC)
	add(domain.ObsDHCPClientID, l.uid)
	if n, err := domain.NormalizeHostname(l.hostname); err == nil {
		add(domain.ObsHostname, n)
	}
	add(domain.ObsDHCPVendorClass, l.vendorClass)
	return out, nil
}

// leaseTime reads "W YYYY/MM/DD HH:MM:SS" (UTC, the weekday ignored) or
// "epoch SECONDS" (db-time-format local).
func leaseTime(s string) (time.Time, error) {
	f := strings.Fields(s)
	switch {
	case len(f) == 2 && f[0] == "epoch":
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad epoch seconds")
		}
		return time.Unix(n, 0).UTC(), nil
	case len(f) >= 3:
		return time.Parse("2006/01/02 15:04:05", f[1]+" "+f[2])
	case len(f) == 1 && f[0] == "never":
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("want \"weekday YYYY/MM/DD HH:MM:SS\" or \"epoch SECONDS\"")
}
