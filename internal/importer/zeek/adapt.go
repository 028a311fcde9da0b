package zeek

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// adapt turns one record of log kind into flows or observations.
func adapt(name, source, kind string, r record, out *domain.DiscoveryRecords) error {
	if kind != "conn" && kind != "dhcp" && kind != "dns" && kind != "http" {
		return nil // other logs say nothing Vigil uses
	}
	loc := fmt.Sprintf("%s:%d", name, r.line)
	at, err := zeekTime(r.get("ts"))
	if err != nil {
		return located(name, r.line, fmt.Sprintf("ts %q: %v", r.get("ts"), err))
	}
	addr := func(k string) (netip.Addr, error) {
		v := r.get(k)
		if v == "" {
			return netip.Addr{}, nil
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return a, located(name, r.line, fmt.Sprintf("%s %q is not an IP address", k, v))
		}
		return a, nil
	}
	out.Records++
	obs := func(ip netip.Addr, mac string, kind domain.ObservationKind, v, ev string) {
		if v == "" {
			return
		}
		out.Observations = append(out.Observations, domain.Observation{At: at, IP: ip, MAC: mac, Kind: kind, Value: v, Source: source, Evidence: ev + ", " + loc})
	}
	orig, err := addr("id.orig_h")
	if err != nil {
		return err
	}
	switch kind {
	case "conn":
		resp, err := addr("id.resp_h")
		if err != nil {
			return err
		}
		if !orig.IsValid() || !resp.IsValid() {
			return located(name, r.line, "a connection without id.orig_h and id.resp_h")
		}
		port, err := count(r, "id.resp_p")
		if err != nil {
			return located(name, r.line, err.Error())
		}
		var n [4]int64
		for i, k := range []string{"orig_ip_bytes", "resp_ip_bytes", "orig_pkts", "resp_pkts"} {
			if n[i], err = count(r, k); err != nil {
				return located(name, r.line, err.Error())
			}
		}
		dur, _ := strconv.ParseFloat(r.get("duration"), 64)
		if math.IsNaN(dur) || math.IsInf(dur, 0) || dur < 0 || dur > 1e9 {
			dur = 0
		}
		app := r.get("service")
		if i := strings.IndexByte(app, ','); i >= 0 {
			app = app[:i]
		}
		f := &domain.Flow{LocalIP: orig.String(), PeerIP: resp.String(), Transport: r.get("proto"), Port: int(port), Outbound: true,
			App: app, Bytes: n[0] + n[1], Packets: n[2] + n[3], FirstSeen: at, LastSeen: at.Add(time.Duration(dur * float64(time.Second)))}
		if f.Transport == "" {
			f.Transport = "other"
		}
		if f.Transport != "tcp" && f.Transport != "udp" {
			f.Port = 0
		}
		f.Hours[at.Hour()] = f.Packets
		out.Flows = append(out.Flows, f)
		for _, side := range []struct{ ip, mac string }{{"id.orig_h", "orig_l2_addr"}, {"id.resp_h", "resp_l2_addr"}} {
			if m, err := domain.NormalizeMAC(r.get(side.mac)); err == nil {
				a, _ := addr(side.ip)
				obs(a, m, domain.ObsMAC, m, "Zeek conn.log "+side.mac)
			}
		}
	case "dhcp":
		mac := ""
		if v := r.get("mac"); v != "" {
			if mac, err = domain.NormalizeMAC(v); err != nil {
				return located(name, r.line, fmt.Sprintf("mac %q: %s", v, domain.ErrorMessage(err)))
			}
		}
		ip, err := addr("assigned_addr")
		if err != nil {
			return err
		}
		if !ip.IsValid() {
			if ip, err = addr("client_addr"); err != nil {
				return err
			}
		}
		obs(ip, mac, domain.ObsMAC, mac, "Zeek dhcp.log")
		if ip.IsValid() {
			obs(ip, mac, domain.ObsIP, ip.String(), "Zeek dhcp.log assigned_addr")
		}
		if h, err := domain.NormalizeHostname(r.get("host_name")); err == nil {
			obs(ip, mac, domain.ObsHostname, h, "Zeek dhcp.log host_name")
		}
		if h, err := domain.NormalizeHostname(r.get("client_fqdn")); err == nil {
			obs(ip, mac, domain.ObsHostname, h, "Zeek dhcp.log client_fqdn")
		}
		obs(ip, mac, domain.ObsDHCPVendorClass, r.get("vendor_class"), "Zeek dhcp.log vendor_class")
	case "dns":
		obs(orig, "", domain.ObsDNSQuery, strings.ToLower(r.get("query")), "Zeek dns.log query")
	case "http":
		obs(orig, "", domain.ObsHTTPUserAgent, r.get("user_agent"), "Zeek http.log user_agent")
		obs(orig, "", domain.ObsHTTPHost, r.get("host"), "Zeek http.log host")
	}
	return nil
}

func count(r record, k string) (int64, error) {
	v := r.get(k)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q is not a count", k, v)
	}
	return n, nil
}

// zeekTime reads Zeek's epoch seconds ("1300475167.096535") or the
// ISO 8601 form the JSON writer can use.
func zeekTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("missing")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > 1e11 {
			return time.Time{}, fmt.Errorf("out of range")
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not epoch seconds or an ISO 8601 time")
	}
	return t.UTC(), nil
}
