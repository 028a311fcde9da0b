package intel

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/version"
)

// Fix is an update an advisory's vendor_fix remediation names for some of
// its products: what the lifecycle work turns into an available firmware
// release (docs/lifecycle.md, "Releases from advisories").
type Fix struct {
	Version string    // the fixed version, as the advisory writes it
	Details string    // the remediation's text
	URL     string    // the remediation's link, if any
	Date    time.Time // the remediation's date, if given
	// From says where the version was found: "product_status" (a fixed
	// product with an exact version), "text" (the remediation says it)
	// or "range" (the affected range ends just before it).
	From string
}

// VendorFixes returns the fixed versions the advisory's vendor_fix
// remediations name for any of the products (CSAF product ids; a device's
// matched products), newest version first. A remediation yields a version
//
//   - from the advisory's fixed (or recommended) products of the same name
//     with an exact version, the machine-readable statement;
//   - else from its text, in a sentence that says the version was released
//     or should be updated to ("Philips released Version 12.2.1.5 …",
//     "update to Version 3.6.7 or later"), never from one that announces a
//     future release, names affected versions ("3.1 or prior", "later
//     than 2.2.3", "users running 8.0") or speaks of another of the
//     advisory's products.
//
// When no remediation names a version but one exists, an affected range
// of the form "< X" gives X. Remediations with no version anywhere (most
// mitigations, "contact your service team") yield nothing.
func VendorFixes(a *domain.Advisory, productIDs []string) []Fix {
	prods := make(map[string]*domain.Product, len(a.Products))
	var allNames []string
	for i := range a.Products {
		p := &a.Products[i]
		prods[p.ID] = p
		if n := normName(p.Name); len(n) >= 3 && !slices.Contains(allNames, n) {
			allNames = append(allNames, n)
		}
	}
	var out []Fix
	seen := map[string]bool{}
	var first *Fix // the first vendor_fix for the products, for the range fallback
	var rangeTargets []string
	for i := range a.Vulns {
		v := &a.Vulns[i]
		for _, r := range v.Remediations {
			if r.Category != domain.RemedyVendorFix {
				continue
			}
			targets := productIDs
			if len(r.ProductIDs) > 0 {
				targets = nil
				for _, id := range r.ProductIDs {
					if slices.Contains(productIDs, id) {
						targets = append(targets, id)
					}
				}
				if len(targets) == 0 {
					continue
				}
			}
			var mine []string
			for _, id := range targets {
				if p := prods[id]; p != nil {
					mine = append(mine, normName(p.Name))
				}
			}
			f := Fix{Details: strings.TrimSpace(r.Details), URL: r.URL, Date: r.Date}
			if first == nil {
				c := f
				first, rangeTargets = &c, targets
			}
			if f.Version = fixedProductVersion(v, prods, targets, mine); f.Version != "" {
				f.From = "product_status"
			} else if f.Version = textVersion(r.Details, mine, allNames); f.Version != "" {
				f.From = "text"
			} else {
				continue
			}
			if !seen[f.Version] {
				seen[f.Version] = true
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 && first != nil {
		if x := rangeEnd(prods, rangeTargets); x != "" {
			first.Version, first.From = x, "range"
			out = append(out, *first)
		}
	}
	slices.SortStableFunc(out, func(x, y Fix) int {
		c, err := version.Compare(y.Version, x.Version)
		if err != nil {
			return 0
		}
		return c
	})
	return out
}

// fixedProductVersion is the exact version of a fixed or recommended
// product that is one of the targets or has the same name as one.
func fixedProductVersion(v *domain.AdvisoryVuln, prods map[string]*domain.Product, targets, names []string) string {
	for _, st := range []domain.ProductStatus{domain.StatusFixed, domain.StatusRecommended} {
		for _, id := range v.Status[st] {
			p := prods[id]
			if p != nil && p.Version != "" && (slices.Contains(targets, id) || slices.Contains(names, normName(p.Name))) {
				return p.Version
			}
		}
	}
	return ""
}

// lessThan is an affected range "< X" (CSAF's version_range, or vers).
var lessThan = regexp.MustCompile(`^\s*(?:vers:[a-z]+/)?<\s*([^\s|<>=]+)\s*$`)

// rangeEnd is X when a target's affected range is "< X" (before X), the
// first version outside it.
func rangeEnd(prods map[string]*domain.Product, targets []string) string {
	for _, id := range targets {
		if p := prods[id]; p != nil {
			if m := lessThan.FindStringSubmatch(p.VersionRange); m != nil && plausibleVersion(m[1]) {
				return m[1]
			}
		}
	}
	return ""
}

var (
	// versionWord is "version 12.2.8.400", "Version N.00", "v2.0.3.0".
	versionWord = regexp.MustCompile(`(?i)\b(?:versions?\s+|ver\.\s*)([A-Z]{0,3}\.?\d+(?:[._-][0-9A-Z]+)*)\b|\bv(\d+(?:[._-][0-9A-Z]+)+)\b`)
	// releasedWords say a version exists and is the one to install.
	releasedWords = regexp.MustCompile(`(?i)\b(released?|releases|(?:update|upgrade|updating|upgrading|updated|upgraded)\s+to|fix(?:es|ed)?|remediat\w*|resolv\w*|patch(?:ed)?|available)\b`)
	// updateTo is where the version to install follows.
	updateTo = regexp.MustCompile(`(?i)\b(?:update|upgrade|updating|upgrading)\s+to\b`)
	// futureWords announce a release that does not exist yet.
	futureWords = regexp.MustCompile(`(?i)\b(will|plans?|planned|planning|scheduled|expected|upcoming|intends?)\b`)
	// affectedAfter follows a version that names affected ones.
	affectedAfter = regexp.MustCompile(`(?i)^\s*(?:,\s*)?(?:and|or)\s+(?:prior|earlier|lower|below|older|before)`)
	// affectedBefore precedes one: "later than 2.2.3", "users running 8.0".
	affectedBefore = regexp.MustCompile(`(?i)\b(?:later|newer|greater|higher)\s+than\b[^.]{0,40}$|\b(?:using|running|from|supporting)\b[^.]{0,30}$`)
	sentenceEnd    = regexp.MustCompile(`[.!?;:]\s+`)
)

// TextVersion finds the fixed version a remediation's text names (see
// VendorFixes), or "".
func TextVersion(details string) string { return textVersion(details, nil, nil) }

// textVersion is TextVersion for products named mine among the advisory's
// product names all: a sentence naming only others is skipped.
func textVersion(details string, mine, all []string) string {
	for _, s := range splitSentences(details) {
		if !releasedWords.MatchString(s) || futureWords.MatchString(s) || aboutOthers(s, mine, all) {
			continue
		}
		from := 0
		if loc := updateTo.FindStringIndex(s); loc != nil {
			from = loc[1]
		}
		for _, m := range versionWord.FindAllStringSubmatchIndex(s[from:], -1) {
			start, end := m[2], m[3]
			if start < 0 {
				start, end = m[4], m[5]
			}
			v := s[from+start : from+end]
			if !plausibleVersion(v) || affectedAfter.MatchString(s[from+m[1]:]) || affectedBefore.MatchString(s[:from+m[0]]) {
				continue
			}
			return v
		}
	}
	return ""
}

// aboutOthers reports whether a sentence names some of the advisory's
// products but none of mine.
func aboutOthers(s string, mine, all []string) bool {
	ns := " " + normName(s) + " "
	others := false
	for _, n := range all {
		if strings.Contains(ns, " "+n+" ") {
			if slices.Contains(mine, n) {
				return false
			}
			others = true
		}
	}
	return others
}

// splitSentences cuts text at a sentence end followed by a space; a dot
// inside a version ("12.2.1.5") has no space after it.
func splitSentences(s string) []string {
	var out []string
	last := 0
	for _, m := range sentenceEnd.FindAllStringIndex(s, -1) {
		out = append(out, s[last:m[0]+1])
		last = m[1]
	}
	return append(out, s[last:])
}

// plausibleVersion refuses wildcards ("12.2.x.x") and anything without a
// digit or implausibly long.
func plausibleVersion(v string) bool {
	lv := strings.ToLower(v)
	if strings.Contains(lv, ".x") {
		return false
	}
	return strings.ContainsAny(v, "0123456789") && len(v) <= 40
}
