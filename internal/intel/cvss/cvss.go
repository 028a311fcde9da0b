// Package cvss parses and scores CVSS v2.0, v3.0, v3.1 and v4.0 vectors
// (through github.com/pandatix/go-cvss) and applies a model's medical-device
// rubric answers (see Rubric) as environmental metrics.
package cvss

import (
	"fmt"
	"math"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/vigil-med/vigil/internal/domain"
)

// Version names the CVSS version of a vector: "2.0", "3.0", "3.1", "4.0",
// or "" when the vector names none (a bare v2 vector has no prefix).
func Version(vector string) string {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		return "4.0"
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		return "3.1"
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		return "3.0"
	case strings.HasPrefix(vector, "AV:"), strings.HasPrefix(vector, "(AV:"):
		return "2.0"
	}
	return ""
}

// Score parses a vector and returns its base score and severity. A vector
// that does not parse is a domain.CodeInvalid error naming it.
func Score(vector string) (domain.Score, error) {
	vector = strings.TrimSpace(vector)
	s := domain.Score{Vector: vector, Version: Version(vector)}
	switch s.Version {
	case "4.0":
		v, err := gocvss40.ParseVector(vector)
		if err != nil {
			return s, invalid(vector, err)
		}
		s.Base = round1(v.Score())
	case "3.1":
		v, err := gocvss31.ParseVector(vector)
		if err != nil {
			return s, invalid(vector, err)
		}
		s.Base = v.BaseScore()
	case "3.0":
		v, err := gocvss30.ParseVector(vector)
		if err != nil {
			return s, invalid(vector, err)
		}
		s.Base = v.BaseScore()
	case "2.0":
		v, err := gocvss20.ParseVector(strings.Trim(vector, "()"))
		if err != nil {
			return s, invalid(vector, err)
		}
		s.Base = v.BaseScore()
	default:
		return s, invalid(vector, fmt.Errorf("no CVSS version prefix"))
	}
	s.Severity = Severity(s.Version, s.Base)
	return s, nil
}

// Severity is the qualitative rating of a score: v2 has Low/Medium/High,
// v3 and v4 add None and Critical.
func Severity(version string, score float64) string {
	if version == "2.0" {
		switch {
		case score >= 7:
			return "High"
		case score >= 4:
			return "Medium"
		}
		return "Low"
	}
	switch {
	case score == 0:
		return "None"
	case score < 4:
		return "Low"
	case score < 7:
		return "Medium"
	case score < 9:
		return "High"
	}
	return "Critical"
}

// Environmental applies environmental metrics (e.g. "CR":"H", "MAV":"A")
// to a v3.x or v4.0 vector and returns the rescored vector. v2 vectors are
// returned unchanged with their base score, since the rubric is defined on
// v3.
func Environmental(vector string, metrics map[string]string) (domain.Score, error) {
	s, err := Score(vector)
	if err != nil || len(metrics) == 0 {
		return s, err
	}
	type settable interface{ Set(abv, value string) error }
	var (
		target settable
		score  func() float64
		vec    func() string
	)
	switch s.Version {
	case "4.0":
		v, _ := gocvss40.ParseVector(vector)
		target, score, vec = v, func() float64 { return round1(v.Score()) }, func() string { return v.Vector() }
	case "3.1":
		// Closures, not method values: those would copy the vector now.
		v, _ := gocvss31.ParseVector(vector)
		target, score, vec = v, func() float64 { return v.EnvironmentalScore() }, func() string { return v.Vector() }
	case "3.0":
		v, _ := gocvss30.ParseVector(vector)
		target, score, vec = v, func() float64 { return v.EnvironmentalScore() }, func() string { return v.Vector() }
	default:
		return s, nil
	}
	for _, k := range sortedKeys(metrics) {
		if err := target.Set(k, metrics[k]); err != nil {
			return s, fmt.Errorf("CVSS %s metric %s:%s: %w", s.Version, k, metrics[k], err)
		}
	}
	s.Vector, s.Base = vec(), score()
	s.Severity = Severity(s.Version, s.Base)
	return s, nil
}

func invalid(vector string, err error) error {
	return domain.Errorf(domain.CodeInvalid, "%q is not a valid CVSS vector: %v", vector, err)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
