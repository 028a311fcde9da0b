package fingerprint

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

//go:embed data/rules.csv
var builtinRules string

// Rule says what a matching observation suggests about a device.
type Rule struct {
	Kind         domain.ObservationKind
	Match        string // prefix, exact, contains, regex
	Pattern      string
	Manufacturer string
	Model        string
	Category     domain.Category
	OS           string
	Confidence   float64
	Source       string // where the fact comes from
	Origin       string // file:line of the rule
	re           *regexp.Regexp
}

// Matches reports whether the observation value matches the rule.
func (r *Rule) Matches(v string) bool {
	switch r.Match {
	case "prefix":
		return len(v) >= len(r.Pattern) && strings.EqualFold(v[:len(r.Pattern)], r.Pattern)
	case "exact":
		return strings.EqualFold(v, r.Pattern)
	case "contains":
		return strings.Contains(strings.ToLower(v), strings.ToLower(r.Pattern))
	case "regex":
		return r.re.MatchString(v)
	}
	return false
}

// ParseRules reads rules in the CSV form of data/rules.csv (fields may be
// quoted; lines starting with # are comments). name is used in error
// locations ("site.csv:12: ..."); every problem found is reported, each
// with its line.
func ParseRules(name string, r io.Reader) ([]*Rule, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	var rules []*Rule
	var problems []domain.Problem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			loc := name
			if errors.As(err, &pe) {
				loc = fmt.Sprintf("%s:%d:%d", name, pe.Line, pe.Column)
				err = pe.Err
			}
			problems = append(problems, domain.Problem{Location: loc, Message: err.Error()})
			if pe == nil {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		loc := fmt.Sprintf("%s:%d", name, line)
		rule, err := parseRule(rec)
		if err != nil {
			problems = append(problems, domain.Problem{Location: loc, Message: err.Error()})
			continue
		}
		rule.Origin = loc
		rules = append(rules, rule)
	}
	if len(problems) > 0 {
		msg := problems[0].String()
		if len(problems) > 1 {
			msg = fmt.Sprintf("%s (and %d more problems)", msg, len(problems)-1)
		}
		return nil, &domain.Error{Code: domain.CodeInvalid, Message: "fingerprint rules: " + msg, Problems: problems}
	}
	return rules, nil
}

func parseRule(rec []string) (*Rule, error) {
	if len(rec) != 9 {
		return nil, fmt.Errorf("%d fields, want 9: kind,match,pattern,manufacturer,model,category,os,confidence,source (quote a field holding a comma)", len(rec))
	}
	for i := range rec {
		if i != 2 {
			rec[i] = strings.TrimSpace(rec[i])
		}
	}
	r := &Rule{Kind: domain.ObservationKind(rec[0]), Match: rec[1], Pattern: rec[2],
		Manufacturer: rec[3], Model: rec[4], OS: rec[6], Source: rec[8]}
	fixed := []string{rec[3], rec[4], rec[5], rec[6], rec[7]}
	if r.Kind == "" {
		return nil, fmt.Errorf("kind is empty")
	}
	if r.Pattern == "" {
		return nil, fmt.Errorf("pattern is empty")
	}
	switch r.Match {
	case "prefix", "exact", "contains":
	case "regex":
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pattern %q is not a regular expression: %v", r.Pattern, err)
		}
		r.re = re
	default:
		return nil, fmt.Errorf("match %q is not prefix, exact, contains or regex", r.Match)
	}
	if c := fixed[2]; c != "" {
		cat, err := domain.ParseCategory(c)
		if err != nil {
			return nil, fmt.Errorf("category: %s", domain.ErrorMessage(err))
		}
		r.Category = cat
	}
	conf, err := strconv.ParseFloat(fixed[4], 64)
	if err != nil || conf <= 0 || conf > 1 {
		return nil, fmt.Errorf("confidence %q is not a number above 0 and at most 1", fixed[4])
	}
	r.Confidence = conf
	if r.Manufacturer == "" && r.Model == "" && r.Category == "" && r.OS == "" {
		return nil, fmt.Errorf("the rule suggests nothing: give a manufacturer, model, category or OS")
	}
	if r.Model != "" && r.Manufacturer == "" {
		return nil, fmt.Errorf("model %q needs a manufacturer", r.Model)
	}
	if r.Source == "" {
		return nil, fmt.Errorf("source is empty: every rule names where its fact comes from")
	}
	if r.Manufacturer != "" {
		r.Manufacturer = domain.CanonicalVendorName(r.Manufacturer)
	}
	return r, nil
}

// LoadRulesFile reads a user's rules file.
func LoadRulesFile(path string) ([]*Rule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "cannot read fingerprint rules %s: %v", path, err)
	}
	defer f.Close()
	return ParseRules(path, f)
}

// BuiltinRules returns the rules shipped in the binary.
func BuiltinRules() []*Rule {
	rules, err := ParseRules("rules.csv", strings.NewReader(builtinRules))
	if err != nil {
		panic(err) // a test parses the embedded file
	}
	return rules
}
