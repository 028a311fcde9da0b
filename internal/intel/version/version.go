// Package version compares the version strings medical-device makers
// really publish ("A.02.13", "3.1.2 SP1", "VC10B", "11.2.0.15",
// "v2.0 build 1123", "R2.3", "4.1.0-rc1") and evaluates the ranges that
// advisories give ("<= 2.6A", ">= 4.0 | <= 4.6", "prior to 2.3",
// "vers:generic/>=1.0|<2.3", NVD start/end bounds).
//
// It never guesses: when two versions have different shapes (a letter where
// the other has a number, different letter prefixes) or a range cannot be
// read, the answer is an explicit "cannot compare" with the reason.
package version

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrIncomparable is wrapped by every "cannot compare" error.
var ErrIncomparable = errors.New("cannot compare")

type kind uint8

const (
	num  kind = iota // a run of digits
	word             // a run of letters
	wild             // "x" or "*" standing for any value
)

type token struct {
	kind kind
	n    uint64
	s    string
	sep  bool // followed by a separator ("A.02"), not glued ("A10")
}

// Version is a tokenised version string.
type Version struct {
	Raw    string
	tokens []token
}

// prerelease markers sort before the release they precede.
var prerelease = map[string]int{"dev": 1, "snapshot": 1, "alpha": 2, "beta": 3, "pre": 4, "preview": 4, "rc": 5}

// noise words carry no order of their own ("v2.0 build 1123").
var noise = map[string]bool{"build": true, "version": true, "ver": true, "release": true, "firmware": true, "fw": true, "sw": true, "software": true}

// Parse tokenises s: runs of digits and runs of letters, everything else
// separates. A leading "v" ("v2.0"), the words "version", "build",
// "release" and "firmware", and case are dropped. An empty result is an
// error.
func Parse(s string) (Version, error) {
	v := Version{Raw: s}
	low := strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(low) {
		c := low[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(low) && low[j] >= '0' && low[j] <= '9' {
				j++
			}
			digits := strings.TrimLeft(low[i:j], "0")
			if digits == "" {
				digits = "0"
			}
			n, err := strconv.ParseUint(digits, 10, 64)
			if err != nil {
				return v, fmt.Errorf("version %q: number %s too large: %w", s, low[i:j], ErrIncomparable)
			}
			v.tokens = append(v.tokens, token{kind: num, n: n, sep: j < len(low) && !alnum(low[j])})
			i = j
		case c >= 'a' && c <= 'z':
			j := i
			for j < len(low) && low[j] >= 'a' && low[j] <= 'z' {
				j++
			}
			w := low[i:j]
			switch {
			case w == "x":
				v.tokens = append(v.tokens, token{kind: wild})
			case noise[w]:
			case w == "v" && len(v.tokens) == 0 && j < len(low) && low[j] >= '0' && low[j] <= '9':
			default:
				v.tokens = append(v.tokens, token{kind: word, s: w, sep: j < len(low) && !alnum(low[j])})
			}
			i = j
		case c == '*':
			v.tokens = append(v.tokens, token{kind: wild})
			i++
		default:
			i++
		}
	}
	if len(v.tokens) == 0 {
		return v, fmt.Errorf("version %q has no digits or letters: %w", s, ErrIncomparable)
	}
	return v, nil
}

// String returns the version as written.
func (v Version) String() string { return v.Raw }

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b,
// or an error wrapping ErrIncomparable saying why they cannot be ordered.
func Compare(a, b string) (int, error) {
	va, err := Parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb)
}

// Compare orders v against w; see the package function Compare.
func (v Version) Compare(w Version) (int, error) {
	a, b := v.tokens, w.tokens
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return -tail(b[i:]), nil
		case i >= len(b):
			return tail(a[i:]), nil
		}
		x, y := a[i], b[i]
		if x.kind == wild || y.kind == wild {
			return 0, nil // "12.2.x" stands for every 12.2 version
		}
		if x.kind != y.kind {
			return 0, fmt.Errorf("%q and %q differ in shape at part %d: %w", v.Raw, w.Raw, i+1, ErrIncomparable)
		}
		if x.kind == num {
			if x.n != y.n {
				return cmp(x.n < y.n), nil
			}
			continue
		}
		if x.s == y.s {
			continue
		}
		pa, pb := prerelease[x.s], prerelease[y.s]
		switch {
		case pa > 0 && pb > 0:
			if pa != pb {
				return cmp(pa < pb), nil
			}
			return cmp(x.s < y.s), nil
		case len(x.s) == 1 && len(y.s) == 1 && i > 0:
			// A revision letter after a number ("2.6A" vs "2.6B", "VC10B").
			return cmp(x.s < y.s), nil
		case len(x.s) == 1 && len(y.s) == 1 && x.sep && y.sep:
			// A letter series ("A.02.13" vs "B.01.00"); glued prefixes
			// ("U61" vs "L81") name product lines and do not order.
			return cmp(x.s < y.s), nil
		case len(x.s) == 1 && len(y.s) == 1 && len(a) == 1 && len(b) == 1:
			// Bare revision letters ("K" vs "N").
			return cmp(x.s < y.s), nil
		}
		return 0, fmt.Errorf("%q and %q have different labels %q and %q: %w", v.Raw, w.Raw, x.s, y.s, ErrIncomparable)
	}
	return 0, nil
}

func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' }

func cmp(less bool) int {
	if less {
		return -1
	}
	return 1
}

// tail says whether extra trailing parts make a version newer (+1), older
// (-1, a pre-release such as "-rc1") or the same (0, trailing zeros).
func tail(rest []token) int {
	for _, t := range rest {
		switch t.kind {
		case num:
			if t.n != 0 {
				return 1
			}
		case wild:
			return 0
		case word:
			if prerelease[t.s] > 0 {
				return -1
			}
			return 1
		}
	}
	return 0
}
