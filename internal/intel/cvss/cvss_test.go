package cvss

import (
	"testing"
)

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		vector, version, severity string
		base                      float64
	}{
		// Scores as published by NVD for these vectors.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", "Critical", 9.8},
		{"CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "3.0", "Medium", 6.5},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "3.1", "Medium", 5.5},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", "2.0", "High", 7.5},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", "Critical", 9.3},
	} {
		s, err := Score(tc.vector)
		if err != nil {
			t.Errorf("Score(%q): %v", tc.vector, err)
			continue
		}
		if s.Version != tc.version || s.Base != tc.base || s.Severity != tc.severity {
			t.Errorf("Score(%q) = %s %.1f %s, want %s %.1f %s", tc.vector, s.Version, s.Base, s.Severity, tc.version, tc.base, tc.severity)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:X", "CVSS:9.9/AV:N", "hello"} {
		if _, err := Score(bad); err == nil {
			t.Errorf("Score(%q) accepted", bad)
		}
	}
}

func TestRubric(t *testing.T) {
	// An infusion pump reachable only from its segment, no PHI.
	pump := Rubric{"reach": "segment", "phi": "no", "secrets": "no", "diagnosis": "no", "therapy": "yes", "workflow": "yes"}
	if err := pump.Validate(); err != nil {
		t.Fatal(err)
	}
	m, why := pump.Metrics()
	want := map[string]string{"MAV": "A", "CR": "L", "IR": "H", "AR": "H"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("metric %s = %q, want %q (all: %v)", k, m[k], v, m)
		}
	}
	if len(why) != len(want) {
		t.Errorf("reasons %v, want one per metric", why)
	}
	base := "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	s, _, err := pump.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	if s.Base >= 9.8 || s.Base <= 0 {
		t.Errorf("environmental score %.1f for a segment-only pump, want below the base 9.8", s.Base)
	}
	if s.Vector == base {
		t.Errorf("vector not rescored: %s", s.Vector)
	}
	if err := (Rubric{"reach": "moon"}).Validate(); err == nil {
		t.Error("a bad answer was accepted")
	}
	if err := (Rubric{"colour": "blue"}).Validate(); err == nil {
		t.Error("an unknown question was accepted")
	}
}

func FuzzScore(f *testing.F) {
	f.Add("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add("AV:N/AC:L/Au:N/C:P/I:P/A:P")
	f.Add("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
	f.Fuzz(func(t *testing.T, v string) {
		s, err := Score(v)
		if err == nil && (s.Base < 0 || s.Base > 10) {
			t.Fatalf("score %v out of range", s.Base)
		}
	})
}
