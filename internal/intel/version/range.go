package version

import (
	"fmt"
	"regexp"
	"strings"
)

// Op is a comparison operator of a range constraint.
type Op string

// Operators.
const (
	LT Op = "<"
	LE Op = "<="
	GT Op = ">"
	GE Op = ">="
	EQ Op = "="
	NE Op = "!="
)

// Bound is one constraint: Op against a version.
type Bound struct {
	Op Op
	V  Version
}

func (b Bound) String() string { return string(b.Op) + b.V.Raw }

// holds reports whether v satisfies the bound.
func (b Bound) holds(v Version) (bool, error) {
	c, err := v.Compare(b.V)
	if err != nil {
		return false, err
	}
	switch b.Op {
	case LT:
		return c < 0, nil
	case LE:
		return c <= 0, nil
	case GT:
		return c > 0, nil
	case GE:
		return c >= 0, nil
	case NE:
		return c != 0, nil
	}
	return c == 0, nil
}

// Range is a set of versions: all of them, or a union of intervals and
// exact versions, minus exclusions.
type Range struct {
	Raw       string
	All       bool
	Intervals [][]Bound // each interval is a conjunction of bounds
	Exact     []Version
	Excluded  []Version
}

// String returns the range as written.
func (r Range) String() string { return r.Raw }

// Contains reports whether version v is in the range. When any part of the
// range that could decide cannot be compared with v, the error wraps
// ErrIncomparable and says why.
func (r Range) Contains(v string) (bool, error) {
	pv, err := Parse(v)
	if err != nil {
		return false, err
	}
	return r.ContainsVersion(pv)
}

// ContainsVersion is Contains for a parsed version.
func (r Range) ContainsVersion(v Version) (bool, error) {
	for _, x := range r.Excluded {
		c, err := v.Compare(x)
		if err != nil {
			return false, err
		}
		if c == 0 {
			return false, nil
		}
	}
	if r.All {
		return true, nil
	}
	var firstErr error
	for _, x := range r.Exact {
		c, err := v.Compare(x)
		if err != nil {
			firstErr = keep(firstErr, err)
			continue
		}
		if c == 0 {
			return true, nil
		}
	}
	for _, in := range r.Intervals {
		ok, err := all(in, v)
		if err != nil {
			firstErr = keep(firstErr, err)
			continue
		}
		if ok {
			return true, nil
		}
	}
	return false, firstErr
}

func keep(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func all(in []Bound, v Version) (bool, error) {
	for _, b := range in {
		ok, err := b.holds(v)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// NVD builds the range of an NVD CPE match from its four optional bounds.
// With no bound at all the range is every version.
func NVD(startIncluding, startExcluding, endIncluding, endExcluding string) (Range, error) {
	r := Range{Raw: nvdRaw(startIncluding, startExcluding, endIncluding, endExcluding)}
	var in []Bound
	for _, c := range []struct {
		op Op
		s  string
	}{{GE, startIncluding}, {GT, startExcluding}, {LE, endIncluding}, {LT, endExcluding}} {
		if c.s == "" {
			continue
		}
		v, err := Parse(c.s)
		if err != nil {
			return r, err
		}
		in = append(in, Bound{c.op, v})
	}
	if len(in) == 0 {
		r.All = true
		return r, nil
	}
	r.Intervals = [][]Bound{in}
	return r, nil
}

func nvdRaw(si, se, ei, ee string) string {
	var parts []string
	if si != "" {
		parts = append(parts, ">="+si)
	}
	if se != "" {
		parts = append(parts, ">"+se)
	}
	if ei != "" {
		parts = append(parts, "<="+ei)
	}
	if ee != "" {
		parts = append(parts, "<"+ee)
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, "|")
}

var (
	parenthetical = regexp.MustCompile(`\([^()]*\)`)
	allWords      = regexp.MustCompile(`^(all|any|\*|all versions?|any versions?|all released versions|vers:all/\*)$`)
	beforeWords   = regexp.MustCompile(`^(?:all )?(?:versions? |firmware |software )?(?:prior to|before|earlier than|older than|below|lower than)\s+(.+)$`)
	upToWords     = regexp.MustCompile(`^(?:all )?(?:versions? )?(?:up to(?: and including)?|through|until)\s+(.+)$`)
	andEarlier    = regexp.MustCompile(`^(?:versions? )?(.+?)\s+(?:and|or) (?:earlier|prior|below|older|lower|before)$`)
	andLater      = regexp.MustCompile(`^(?:versions? )?(.+?)\s+(?:and|or) (?:later|above|newer|higher|after)$`)
	fromWords     = regexp.MustCompile(`^(?:all )?(?:versions? )?(?:from|since|starting with)\s+(.+)$`)
	opPrefix      = regexp.MustCompile(`^(<=|>=|!=|=<|=>|==|<|>|=)\s*(.*)$`)
	infix         = regexp.MustCompile(`^(.*\d.*?)\s*(<=|<)\s*(.+)$`)
	months        = regexp.MustCompile(`\b(january|february|march|april|may|june|july|august|september|october|november|december)\b`)
)

// ParseRange reads a range as advisories write it: "vers:" ranges
// ("vers:generic/>=1.0|<2.3", "vers:all/*"), comparison lists separated by
// "|" ("<= 2.6A", ">= 4.0 | <= 4.6"), words ("prior to 2.3", "all
// versions", "2.3 and earlier", "versions before 3.0") or a bare version.
// Parenthetical remarks are ignored. An unreadable range is an error
// wrapping ErrIncomparable.
func ParseRange(s string) (Range, error) {
	r := Range{Raw: s}
	text := strings.ToLower(strings.Join(strings.Fields(parenthetical.ReplaceAllString(s, " ")), " "))
	if strings.HasPrefix(text, "vers:") {
		slash := strings.IndexByte(text, '/')
		if slash < 0 {
			return r, fmt.Errorf("range %q: a vers range needs a scheme and constraints: %w", s, ErrIncomparable)
		}
		text = strings.ReplaceAll(text[slash+1:], " ", "")
		if text == "*" {
			r.All = true
			return r, nil
		}
	}
	if text == "" {
		return r, fmt.Errorf("range is empty: %w", ErrIncomparable)
	}
	if allWords.MatchString(text) {
		r.All = true
		return r, nil
	}
	if m := months.FindString(text); m != "" {
		return r, fmt.Errorf("range %q is a date (%s), not a version: %w", s, m, ErrIncomparable)
	}
	for _, w := range []struct {
		re *regexp.Regexp
		op Op
	}{{beforeWords, LT}, {upToWords, LE}, {andEarlier, LE}, {andLater, GE}, {fromWords, GE}} {
		if m := w.re.FindStringSubmatch(text); m != nil {
			text = string(w.op) + m[1]
			break
		}
	}
	var open []Bound // an interval with a lower bound awaiting its upper
	for piece := range strings.SplitSeq(text, "|") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		op, ver := EQ, piece
		if m := opPrefix.FindStringSubmatch(piece); m != nil {
			op, ver = normOp(m[1]), strings.TrimSpace(m[2])
		} else if m := infix.FindStringSubmatch(piece); m != nil {
			// "A10 < A11": from the first version up to the second.
			lo, err := Parse(m[1])
			if err != nil {
				return r, fmt.Errorf("range %q: %w", s, err)
			}
			hi, err := Parse(m[3])
			if err != nil {
				return r, fmt.Errorf("range %q: %w", s, err)
			}
			r.Intervals = append(r.Intervals, []Bound{{GE, lo}, {normOp(m[2]), hi}})
			continue
		}
		if strings.ContainsAny(ver, "<>=") {
			return r, fmt.Errorf("range %q: cannot read constraint %q: %w", s, piece, ErrIncomparable)
		}
		if ver == "*" && op == EQ {
			r.All = true
			continue
		}
		v, err := Parse(ver)
		if err != nil {
			return r, fmt.Errorf("range %q: %w", s, err)
		}
		b := Bound{op, v}
		switch op {
		case EQ:
			r.Exact = append(r.Exact, v)
		case NE:
			r.Excluded = append(r.Excluded, v)
		case GT, GE:
			if open != nil {
				r.Intervals = append(r.Intervals, open)
			}
			open = []Bound{b}
		default: // LT, LE
			if open != nil {
				r.Intervals = append(r.Intervals, append(open, b))
				open = nil
			} else {
				r.Intervals = append(r.Intervals, []Bound{b})
			}
		}
	}
	if open != nil {
		r.Intervals = append(r.Intervals, open)
	}
	if !r.All && len(r.Intervals) == 0 && len(r.Exact) == 0 {
		return r, fmt.Errorf("range %q has no constraint: %w", s, ErrIncomparable)
	}
	return r, nil
}

func normOp(s string) Op {
	switch s {
	case "=<":
		return LE
	case "=>":
		return GE
	case "==":
		return EQ
	}
	return Op(s)
}
