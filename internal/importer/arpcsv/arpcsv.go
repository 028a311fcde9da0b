// Package arpcsv reads ARP and DHCP tables exported as CSV from switches,
// routers and DHCP servers: one row per address, with columns for the IP,
// MAC, host name, VLAN and interface recognised by their headers (and the
// synonyms vendors' exports use). Comma, semicolon and tab separators are
// recognised.
package arpcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/vigil-med/vigil/internal/domain"
)

// column is what one CSV column carries.
type column int

const (
	colNone column = iota
	colIP
	colMAC
	colHostname
	colVLAN
	colInterface
)

// headers maps normalised header names to columns. The synonyms are those
// of common exports: Cisco "show ip arp" (Address, Hardware Addr,
// Interface), Windows DHCP (Client IP Address, Name, Unique ID), Linux
// "ip neigh" conversions, pfSense/OPNsense and UniFi tables.
var headers = map[string]column{
	"ip": colIP, "ip address": colIP, "ipv4": colIP, "ipv4 address": colIP, "ipv6 address": colIP, "address": colIP,
	"internet address": colIP, "client ip address": colIP, "ipaddress": colIP, "ipaddr": colIP, "ip addr": colIP,
	"mac": colMAC, "mac address": colMAC, "hardware addr": colMAC, "hardware address": colMAC, "physical address": colMAC,
	"hwaddress": colMAC, "hw address": colMAC, "lladdr": colMAC, "unique id": colMAC, "macaddress": colMAC, "ethernet address": colMAC,
	"hostname": colHostname, "host name": colHostname, "host": colHostname, "name": colHostname, "client name": colHostname,
	"device name": colHostname, "dns name": colHostname,
	"vlan": colVLAN, "vlan id": colVLAN, "vlanid": colVLAN, "vid": colVLAN,
	"interface": colInterface, "port": colInterface, "if": colInterface, "ifname": colInterface, "dev": colInterface,
}

func normHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// Detect reports whether head is a CSV table whose header names an IP and
// a MAC column.
func Detect(head []byte) bool {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	sep := separator(line)
	var ip, mac bool
	for _, h := range strings.Split(string(line), string(sep)) {
		switch headers[normHeader(strings.Trim(h, `"`))] {
		case colIP:
			ip = true
		case colMAC:
			mac = true
		}
	}
	return ip && mac
}

func separator(line []byte) rune {
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// Parse reads a table. name is the source ("arpcsv:NAME") and the file in
// error locations (NAME:line:column). at is when the table was taken (the
// file's time), as exports carry none.
func Parse(name string, r io.Reader, at time.Time) (*domain.DiscoveryRecords, error) {
	br := bufio.NewReader(r)
	first, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.Comma = separator(first)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, csvError(name, err)
	}
	cols := make([]column, len(head))
	have := map[column]bool{}
	for i, h := range head {
		c := headers[normHeader(h)]
		if c != colNone && have[c] {
			c = colNone // the first column of a kind wins
		}
		cols[i], have[c] = c, true
	}
	if !have[colIP] || !have[colMAC] {
		return nil, located(name, 1, 1, "the header names no IP column or no MAC column (want e.g. \"IP Address\" and \"MAC Address\")")
	}
	source := domain.DiscoverySourceName("arpcsv", name)
	out := &domain.DiscoveryRecords{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		obs, err := row(name, source, line, cr, cols, rec, at)
		if err != nil {
			return nil, err
		}
		if obs != nil {
			out.Records++
			out.Observations = append(out.Observations, obs...)
		}
	}
	return out, nil
}

func row(name, source string, line int, cr *csv.Reader, cols []column, rec []string, at time.Time) ([]domain.Observation, error) {
	o := domain.Observation{At: at, Source: source}
	var host, vlan, iface string
	for i, v := range rec {
		if i >= len(cols) {
			break
		}
		v = strings.TrimSpace(v)
		if v == "" || v == "-" {
			continue
		}
		_, col := cr.FieldPos(i)
		switch cols[i] {
		case colIP:
			ip, err := netip.ParseAddr(v)
			if err != nil {
				return nil, located(name, line, col, fmt.Sprintf("%q is not an IP address", v))
			}
			o.IP = ip
		case colMAC:
			if strings.EqualFold(v, "incomplete") || strings.EqualFold(v, "(incomplete)") {
				return nil, nil // an ARP entry that never resolved
			}
			m, err := domain.NormalizeMAC(v)
			if err != nil {
				return nil, located(name, line, col, domain.ErrorMessage(err))
			}
			o.MAC = m
		case colHostname:
			host = v
		case colVLAN:
			n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(v), "vlan"))
			if err != nil || n < 1 || n > 4094 {
				return nil, located(name, line, col, fmt.Sprintf("VLAN %q is not a number from 1 to 4094", v))
			}
			vlan = strconv.Itoa(n)
		case colInterface:
			iface = v
		}
	}
	if !o.IP.IsValid() || o.MAC == "" {
		return nil, nil // a row without both halves of the pairing says nothing
	}
	o.Evidence = fmt.Sprintf("table row at %s:%d", name, line)
	if iface != "" {
		o.Evidence += ", interface " + iface
	}
	if vlan != "" {
		o.Evidence += ", VLAN " + vlan
	}
	out := []domain.Observation{withKind(o, domain.ObsIP, o.IP.String()), withKind(o, domain.ObsMAC, o.MAC)}
	if n, err := domain.NormalizeHostname(host); err == nil && n != "" {
		out = append(out, withKind(o, domain.ObsHostname, n))
	}
	if vlan != "" {
		out = append(out, withKind(o, domain.ObsVLAN, vlan))
	}
	return out, nil
}

func withKind(o domain.Observation, k domain.ObservationKind, v string) domain.Observation {
	o.Kind, o.Value = k, v
	return o
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return located(name, pe.Line, pe.Column, pe.Err.Error())
	}
	return located(name, 1, 1, err.Error())
}

func located(name string, line, col int, msg string) error {
	loc := fmt.Sprintf("%s:%d:%d", name, line, col)
	return &domain.Error{Code: domain.CodeInvalid, Message: loc + ": " + msg,
		Problems: []domain.Problem{{Location: loc, Message: msg}}}
}
