package intel

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/version"
)

// checkKind says what an advisory product constrains.
type checkKind uint8

const (
	checkAll   checkKind = iota // no version given: every version
	checkExact                  // one version
	checkRange                  // a range
)

// versionCheck is a product's version constraint, parsed once.
type versionCheck struct {
	kind  checkKind
	text  string
	exact version.Version
	rng   version.Range
	err   error // the constraint could not be read
}

func newCheck(exact, rng string) versionCheck {
	exact, rng = strings.TrimSpace(exact), strings.TrimSpace(rng)
	switch {
	case rng != "":
		r, err := version.ParseRange(rng)
		if err == nil && r.All {
			return versionCheck{kind: checkAll, text: rng}
		}
		return versionCheck{kind: checkRange, text: rng, rng: r, err: err}
	case strings.Contains(exact, "|"):
		// "3002 S3 | 3005 S3": alternatives, read as a list of versions.
		r, err := version.ParseRange(exact)
		return versionCheck{kind: checkRange, text: exact, rng: r, err: err}
	case exact != "":
		v, err := version.Parse(exact)
		return versionCheck{kind: checkExact, text: exact, exact: v, err: err}
	}
	return versionCheck{kind: checkAll}
}

func (c versionCheck) strength() int {
	return map[checkKind]int{checkAll: 1, checkRange: 2, checkExact: 3}[c.kind]
}

// deviceVersion is a device's (or component's) version, parsed once.
type deviceVersion struct {
	raw string
	v   version.Version
	err error
}

func newDeviceVersion(s string) deviceVersion {
	s = strings.TrimSpace(s)
	if s == "" {
		return deviceVersion{}
	}
	v, err := version.Parse(s)
	return deviceVersion{raw: s, v: v, err: err}
}

// contains says whether the device version satisfies the check; when it
// cannot be decided, why (and in is false).
func (c versionCheck) contains(dv deviceVersion) (in bool, why string) {
	if c.kind == checkAll {
		return true, ""
	}
	if dv.raw == "" {
		return false, fmt.Sprintf("no version is recorded for the device, and the advisory names versions %s", c.text)
	}
	if sameText(dv.raw, c.text) {
		return true, ""
	}
	if c.err != nil {
		return false, fmt.Sprintf("the advisory's versions %q cannot be read", c.text)
	}
	if dv.err != nil {
		return false, fmt.Sprintf("version %q cannot be compared", dv.raw)
	}
	if c.kind == checkExact {
		n, err := dv.v.Compare(c.exact)
		if err != nil {
			return false, cannot(dv.raw, c.text, err)
		}
		return n == 0, ""
	}
	ok, err := c.rng.ContainsVersion(dv.v)
	if err != nil {
		return false, cannot(dv.raw, c.text, err)
	}
	return ok, ""
}

func cannot(dv, text string, err error) string {
	if errors.Is(err, version.ErrIncomparable) {
		return fmt.Sprintf("version %s cannot be compared with %s", dv, text)
	}
	return err.Error()
}

// sameText reports whether a and b are the same words, ignoring case and
// how much space separates them; it allocates nothing (matching calls it
// for every candidate version).
func sameText(a, b string) bool {
	for {
		a, b = strings.TrimLeft(a, " \t\r\n"), strings.TrimLeft(b, " \t\r\n")
		if a == "" || b == "" {
			return a == b
		}
		i := strings.IndexAny(a, " \t\r\n")
		if i < 0 {
			i = len(a)
		}
		j := strings.IndexAny(b, " \t\r\n")
		if j < 0 {
			j = len(b)
		}
		if !strings.EqualFold(a[:i], b[:j]) {
			return false
		}
		a, b = a[i:], b[j:]
	}
}

// vendorKey is the comparison key of a manufacturer: its canonical name
// through the alias table, reduced by domain.VendorKey.
func vendorKey(name string) string {
	return domain.VendorKey(domain.CanonicalVendorName(strings.ReplaceAll(name, "_", " ")))
}

// normName reduces a product name to lower-case words of letters and
// digits.
func normName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// nameKeys are the normalised forms of a product name: as written, and
// without the manufacturer's name in front ("Philips IntelliVue MX40" under
// Philips is "intellivue mx40" too).
func nameKeys(vendor, name string) []string {
	n := normName(name)
	if n == "" {
		return nil
	}
	keys := []string{n}
	vk := normName(vendorKey(vendor))
	first, _, _ := strings.Cut(vk, " ")
	for _, v := range []string{normName(vendor), normName(domain.CanonicalVendorName(vendor)), vk, first} {
		if v != "" && strings.HasPrefix(n, v+" ") {
			if k := n[len(v)+1:]; !contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func productKey(vendor, name string) string {
	return vendorKey(vendor) + "\x00" + normName(strings.ReplaceAll(name, "_", " "))
}

// productKeys are the index keys of a product (or a device's manufacturer
// and model) and its model numbers.
func productKeys(vendor, name string, models []string) []string {
	vk := vendorKey(vendor)
	var keys []string
	for _, n := range append(nameKeys(vendor, name), models...) {
		if n = normName(n); n != "" && !contains(keys, vk+"\x00"+n) {
			keys = append(keys, vk+"\x00"+n)
		}
	}
	return keys
}

// cpe is the part of a CPE 2.3 (or 2.2 URI) name matching uses.
type cpe struct {
	part, vendor, product, version string
}

// parseCPE reads "cpe:2.3:a:vendor:product:version:…" or
// "cpe:/a:vendor:product:version".
func parseCPE(s string) (cpe, bool) {
	var f []string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		f = splitCPE(s[len("cpe:2.3:"):])
	case strings.HasPrefix(s, "cpe:/"):
		f = strings.Split(s[len("cpe:/"):], ":")
		for i := range f {
			if u, err := url.PathUnescape(f[i]); err == nil {
				f[i] = u
			}
		}
	default:
		return cpe{}, false
	}
	for len(f) < 4 {
		f = append(f, "*")
	}
	if f[1] == "" || f[1] == "*" || f[2] == "" || f[2] == "*" {
		return cpe{}, false
	}
	return cpe{part: f[0], vendor: f[1], product: f[2], version: f[3]}, true
}

// splitCPE splits a formatted string at unescaped colons and removes the
// escapes.
func splitCPE(s string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == ':':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

// purlBase is a package URL without version, qualifiers and subpath,
// lower-cased: "pkg:npm/lodash".
func purlBase(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, '@'); i > strings.LastIndexByte(p, '/') {
		p = p[:i]
	}
	return strings.ToLower(p)
}

// purlVersion is a package URL's version, unescaped.
func purlVersion(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	i := strings.LastIndexByte(p, '@')
	if i < 0 || i < strings.LastIndexByte(p, '/') {
		return ""
	}
	v, err := url.PathUnescape(p[i+1:])
	if err != nil {
		return p[i+1:]
	}
	return v
}
