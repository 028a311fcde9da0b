package cvss

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// The medical-device rubric. MITRE's "Rubric for Applying CVSS to Medical
// Devices" (qualified by the FDA as a Medical Device Development Tool)
// asks, among others, how a device is reached and whether its data and
// functions concern protected health information, diagnosis or monitoring,
// the delivery of therapy, clinical workflow, or system secrets. Those
// questions do not depend on any one vulnerability, so Vigil asks them once
// per model and turns the answers into CVSS environmental metrics
// (modified attack vector, confidentiality / integrity / availability
// requirements) that rescore every vulnerability of that model's devices.
// The wording below is Vigil's own.

// Question is one rubric question with its allowed answers.
type Question struct {
	ID      string
	Text    string
	Answers []string // the first is the default
	Help    string
}

// Questions is the questionnaire, in the order it is asked.
var Questions = []Question{
	{ID: "reach", Text: "How can an attacker reach the device?", Answers: []string{"routed", "segment", "local", "physical"},
		Help: "routed: from other networks (or the internet); segment: only from its own network segment or radio range; local: only by someone logged in on it; physical: only by touching it"},
	{ID: "phi", Text: "Does the device store or transmit patients' health information?", Answers: []string{"no", "yes"}},
	{ID: "diagnosis", Text: "Do clinicians rely on the device's data or functions to diagnose or monitor patients?", Answers: []string{"no", "yes"}},
	{ID: "therapy", Text: "Does the device deliver therapy (drugs, energy, ventilation, implant control)?", Answers: []string{"no", "yes"}},
	{ID: "workflow", Text: "Would losing the device stop or delay clinical workflow?", Answers: []string{"no", "yes"}},
	{ID: "secrets", Text: "Does the device hold passwords, keys or certificates that open other systems?", Answers: []string{"no", "yes"}},
}

// Rubric is one model's answers (question id → answer).
type Rubric map[string]string

// Validate checks every answer is to a known question and allowed.
func (r Rubric) Validate() error {
	var bad []string
	for id, a := range r {
		i := slices.IndexFunc(Questions, func(q Question) bool { return q.ID == id })
		if i < 0 {
			bad = append(bad, fmt.Sprintf("unknown question %q", id))
		} else if !slices.Contains(Questions[i].Answers, a) {
			bad = append(bad, fmt.Sprintf("%s must be one of %s, not %q", id, strings.Join(Questions[i].Answers, ", "), a))
		}
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		return domain.Errorf(domain.CodeInvalid, "rubric: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Reason is why one environmental metric has its value.
type Reason = domain.RubricReason

// Metrics turns the answers into CVSS v3 environmental metrics, with the
// reasoning for each. Unanswered questions leave their metrics undefined
// (the base value stands).
func (r Rubric) Metrics() (map[string]string, []Reason) {
	m := map[string]string{}
	var why []Reason
	set := func(metric, value, reason string) {
		if rank(m[metric]) >= rank(value) {
			return
		}
		m[metric] = value
		why = slices.DeleteFunc(why, func(x Reason) bool { return x.Metric == metric })
		why = append(why, Reason{Metric: metric, Value: value, Why: reason})
	}
	switch r["reach"] {
	case "segment":
		set("MAV", "A", "reachable only from its own network segment or radio range")
	case "local":
		set("MAV", "L", "reachable only by someone logged in on it")
	case "physical":
		set("MAV", "P", "reachable only by touching it")
	}
	if r["phi"] == "yes" {
		set("CR", "H", "stores or transmits patients' health information")
	}
	if r["secrets"] == "yes" {
		set("CR", "H", "holds credentials that open other systems")
	}
	if r["diagnosis"] == "yes" {
		set("IR", "H", "clinicians diagnose or monitor with its data")
		set("AR", "M", "clinicians diagnose or monitor with it")
	}
	if r["therapy"] == "yes" {
		set("IR", "H", "delivers therapy: tampering can harm a patient")
		set("AR", "H", "delivers therapy: losing it can harm a patient")
	}
	if r["workflow"] == "yes" {
		set("AR", "M", "losing it stops or delays clinical workflow")
	}
	for _, k := range []string{"CR", "IR", "AR"} {
		if _, ok := m[k]; !ok && r.answered(k) {
			set(k, "L", "the answers name no need for it")
		}
	}
	slices.SortFunc(why, func(a, b Reason) int { return strings.Compare(a.Metric, b.Metric) })
	return m, why
}

// answered reports whether the questions that can raise a requirement were
// all answered, so a Low requirement is a conclusion, not a gap.
func (r Rubric) answered(metric string) bool {
	qs := map[string][]string{"CR": {"phi", "secrets"}, "IR": {"diagnosis", "therapy"}, "AR": {"diagnosis", "therapy", "workflow"}}[metric]
	for _, q := range qs {
		if r[q] == "" {
			return false
		}
	}
	return true
}

// rank orders requirement and attack-vector values so a stronger answer
// is never lowered by a weaker one.
func rank(v string) int {
	return map[string]int{"": 0, "L": 1, "M": 2, "H": 3, "P": 1, "A": 2}[v]
}

// Apply rescores a vector with the rubric's metrics.
func (r Rubric) Apply(vector string) (domain.Score, []Reason, error) {
	m, why := r.Metrics()
	s, err := Environmental(vector, m)
	return s, why, err
}

// sortedKeys returns m's keys in order, so vectors are built the same way
// every time.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
