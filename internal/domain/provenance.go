package domain

import (
	"fmt"
	"slices"
	"time"
)

// SourceKind says where a value came from.
type SourceKind string

// Source kinds.
const (
	SourceManual    SourceKind = "manual"
	SourceImport    SourceKind = "import"
	SourceDiscovery SourceKind = "discovery"
	SourceSystem    SourceKind = "system"
	SourceAPI       SourceKind = "api" // written through the REST API
)

// Source is where one or more attribute values came from.
type Source struct {
	Kind       SourceKind `json:"kind"`
	Name       string     `json:"name,omitempty"`       // import file name, discovery sensor…
	Ref        string     `json:"ref,omitempty"`        // "row 14", evidence
	Confidence float64    `json:"confidence,omitempty"` // discovery only, 0..1
	Actor      string     `json:"actor,omitempty"`      // who made the change (Actor.String)
	At         time.Time  `json:"at"`
}

// Describe renders the source for people: "import of assets.xlsx row 14 by
// cli:jdoe on 2026-11-29 10:04 UTC".
func (s Source) Describe() string {
	var what string
	switch s.Kind {
	case SourceImport:
		what = "import of " + s.Name
		if s.Ref != "" {
			what += " " + s.Ref
		}
	case SourceDiscovery:
		what = "discovery"
		if s.Ref != "" {
			what += " (" + s.Ref + ")"
		}
		if s.Confidence > 0 {
			what += fmt.Sprintf(", confidence %.0f%%", s.Confidence*100)
		}
	case SourceManual:
		what = "set by hand"
	case SourceAPI:
		what = "set through the API"
	case SourceSystem:
		what = "default value"
		if s.Name != "" && s.Name != "default" {
			what = s.Name
		}
	default:
		what = string(s.Kind)
	}
	if s.Actor != "" {
		what += " by " + s.Actor
	}
	if !s.At.IsZero() {
		what += " on " + s.At.UTC().Format("2006-01-02 15:04 UTC")
	}
	return what
}

// ProvenanceEntry gives one source for a group of fields. Grouping keeps the
// record small: a device created by one import row has a single entry.
type ProvenanceEntry struct {
	Fields []Field `json:"fields"`
	Source
}

// Provenance records, for every attribute, where its current value came
// from and when it last changed.
type Provenance []ProvenanceEntry

// Of returns the source of field f.
func (p Provenance) Of(f Field) (Source, bool) {
	for _, e := range p {
		if slices.Contains(e.Fields, f) {
			return e.Source, true
		}
	}
	return Source{}, false
}

// Record notes that fields now come from src, removing them from older
// entries and dropping entries left empty.
func (p *Provenance) Record(fields []Field, src Source) {
	if len(fields) == 0 {
		return
	}
	out := (*p)[:0]
	for _, e := range *p {
		e.Fields = slices.DeleteFunc(slices.Clone(e.Fields), func(f Field) bool { return slices.Contains(fields, f) })
		if len(e.Fields) > 0 {
			out = append(out, e)
		}
	}
	*p = append(out, ProvenanceEntry{Fields: slices.Clone(fields), Source: src})
}

// Clone returns a deep copy.
func (p Provenance) Clone() Provenance {
	if p == nil {
		return nil
	}
	out := make(Provenance, len(p))
	for i, e := range p {
		e.Fields = slices.Clone(e.Fields)
		out[i] = e
	}
	return out
}
