package intel

import (
	"regexp"
	"strings"
)

// Name matching by words, for advisories that name a product family or a
// longer title than the model a practice records ("B650" for "CARESCAPE
// B650", "IntelliVue MX40 Patient Worn Monitor (WLAN only)" for
// "IntelliVue MX40"). It is used only for an advisory that has no product
// whose name equals the device's model, and the reason says so.

// stopWords carry no product identity.
var stopWords = map[string]bool{
	"with": true, "and": true, "the": true, "of": true, "for": true, "a": true, "an": true, "or": true, "in": true, "on": true,
	"series": true, "products": true, "product": true, "software": true, "system": true, "systems": true, "only": true,
	"family": true, "all": true, "models": true, "model": true, "version": true, "versions": true, "device": true, "devices": true,
}

// exclusion cuts "LOGIQ, not including LOGIQ 100 Pro" down to "LOGIQ".
var exclusion = regexp.MustCompile(`(?i)[,;(]?\s*\b(not including|excluding|except)\b.*$`)

// nameWords returns the identifying words of a product name: lower-case,
// without the vendor's words, parenthetical remarks kept (they often hold
// the model code), exclusions cut off, stop words dropped.
func nameWords(vendor, name string) []string {
	name = exclusion.ReplaceAllString(name, "")
	drop := map[string]bool{}
	for _, w := range strings.Fields(normName(vendor) + " " + normName(vendorKey(vendor))) {
		drop[w] = true
	}
	var out []string
	add := func(w string) {
		if !stopWords[w] && !drop[w] && !contains(out, w) {
			out = append(out, w)
		}
	}
	// "MX400-MX850" stands for the models between: kept as one range word.
	name = modelRange.ReplaceAllStringFunc(strings.ToLower(name), func(m string) string {
		p := modelRange.FindStringSubmatch(m)
		if p[3] != "" && p[3] != p[1] {
			return m
		}
		return " " + p[1] + p[2] + ".." + p[1] + p[4] + " "
	})
	words := strings.Fields(normName(strings.ReplaceAll(name, "..", "rangesep")))
	for i, w := range words {
		w = strings.ReplaceAll(w, "rangesep", "..")
		switch {
		case i+1 < len(words) && words[i+1] == "series" && !isNumber(w):
			add(w + "*") // "CM Series": any CM model
		case i+1 < len(words) && len(w) <= 3 && !isNumber(w) && isNumber(words[i+1]):
			add(w)
			add(w + words[i+1]) // "EC 40" is also written "EC40"
		default:
			add(w)
		}
	}
	return out
}

var modelRange = regexp.MustCompile(`\b([a-z]+)(\d+)\s*-\s*([a-z]*)(\d+)\b`)

// hasWord reports whether the product words name w: the word itself, a
// series prefix ("cm*" names "cm12") or a model range ("mx400..mx850"
// names "mx450").
func hasWord(words []string, w string) bool {
	for _, x := range words {
		switch {
		case x == w:
			return true
		case strings.HasSuffix(x, "*") && len(w) > len(x)-1 && strings.HasPrefix(w, x[:len(x)-1]):
			return true
		case strings.Contains(x, ".."):
			lo, hi, _ := strings.Cut(x, "..")
			p := strings.TrimRight(lo, "0123456789")
			if strings.HasPrefix(w, p) && strings.HasPrefix(hi, p) && isNumber(w[len(p):]) && w != p {
				n, a, b := atoi(w[len(p):]), atoi(lo[len(p):]), atoi(hi[len(p):])
				if n >= a && n <= b {
					return true
				}
			}
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			return n
		}
	}
	return n
}

// significant reports whether a word can identify a product on its own:
// three characters or more, or letters and digits together ("T1", "C3").
func significant(w string) bool {
	if len(w) >= 3 {
		return true
	}
	return strings.ContainsAny(w, "0123456789") && strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyz")
}

func isNumber(w string) bool {
	return strings.Trim(w, "0123456789") == ""
}

// wordsMatch reports whether a device model's words and an advisory
// product's words name the same product: every product word is in the
// model ("SpaceCom" in "SpaceStation with SpaceCom 2"), or every model word
// is in the product ("IntelliVue MX40" in "IntelliVue MX40 Patient Worn
// Monitor"; bare numbers aside when the product names none). The shared
// words must include a significant one.
func wordsMatch(model, product []string) bool {
	if len(model) == 0 || len(product) == 0 {
		return false
	}
	productInModel := true
	sig := false
	for _, w := range product {
		if strings.HasSuffix(w, "*") || strings.Contains(w, "..") || !contains(model, w) {
			productInModel = false
			break
		}
		sig = sig || significant(w)
	}
	if productInModel && sig {
		return true
	}
	// Bare numbers of the model ("EPIQ 7") are variants the product name
	// may leave out, unless it names numbers itself ("Monitor 3").
	productNumbers := false
	for _, w := range product {
		productNumbers = productNumbers || isNumber(w)
	}
	sig = false
	for _, w := range model {
		if isNumber(w) && !productNumbers {
			continue
		}
		if !hasWord(product, w) {
			return false
		}
		sig = sig || significant(w)
	}
	return sig
}
