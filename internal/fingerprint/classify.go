// Package fingerprint is Vigil's knowledge base for naming devices from
// what they reveal on the network: the IEEE OUI registry (compiled into a
// compact embedded table by gen/) and rules, each citing its source, that
// map observation values (DICOM implementation class UIDs, DHCP vendor
// classes, host names, HL7 applications, HTTP/SSDP/LLDP/SNMP strings) to
// a manufacturer, model, category or operating system. Classify turns a
// host's observations into suggestions with evidence and confidence.
package fingerprint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// ouiConfidence is how much an OUI says about the device's maker: the
// registry names who bought the address block, often the maker of a
// network card inside someone else's product.
const ouiConfidence = 0.4

// Classifier applies the OUI registry and a rule set.
type Classifier struct {
	rules []*Rule
}

// New returns a classifier with the built-in rules followed by extra
// (typically a user's --fingerprints file). At equal confidence the
// user's rule wins.
func New(extra ...*Rule) *Classifier {
	return &Classifier{rules: append(BuiltinRules(), extra...)}
}

// Rules returns the classifier's rules.
func (c *Classifier) Rules() []*Rule { return c.rules }

// Reads reports whether Classify looks at observations of kind k: a
// MAC (its OUI), a vendor a tool named, or a kind some rule matches.
// Facts of other kinds cannot change a classification.
func (c *Classifier) Reads(k domain.ObservationKind) bool {
	if k == domain.ObsMAC || k == domain.ObsVendor {
		return true
	}
	for _, r := range c.rules {
		if r.Kind == k {
			return true
		}
	}
	return false
}

var kindLabels = map[domain.ObservationKind]string{
	domain.ObsDICOMImplUID:    "DICOM implementation class UID",
	domain.ObsDICOMImplVer:    "DICOM implementation version name",
	domain.ObsDHCPVendorClass: "DHCP vendor class",
	domain.ObsDHCPFingerprint: "DHCP parameter request list",
	domain.ObsHostname:        "host name",
	domain.ObsHL7Application:  "HL7 application",
	domain.ObsHTTPUserAgent:   "HTTP User-Agent",
	domain.ObsHTTPServer:      "HTTP Server",
	domain.ObsSSDPServer:      "SSDP SERVER",
	domain.ObsLLDPSysDesc:     "LLDP system description",
	domain.ObsSNMPSysDescr:    "SNMP sysDescr",
	domain.ObsCDPPlatform:     "CDP platform",
	domain.ObsOS:              "OS guess",
	domain.ObsBanner:          "banner",
}

// KindLabel names an observation kind for people.
func KindLabel(k domain.ObservationKind) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// Classify suggests a manufacturer, model, category and OS from a host's
// observations: for each field the best-supported value, with the evidence
// that led to it. Fields nothing supports are left out.
func (c *Classifier) Classify(obs []domain.Observation) []domain.Suggestion {
	best := map[domain.Field]domain.Suggestion{}
	modelMaker := ""
	offer := func(f domain.Field, value, evidence string, conf float64) bool {
		if value == "" {
			return false
		}
		cur, ok := best[f]
		if ok && (cur.Confidence > conf || (cur.Confidence == conf && cur.Value == value)) {
			return false
		}
		best[f] = domain.Suggestion{Field: f, Value: value, Evidence: evidence, Confidence: conf}
		return true
	}
	for _, o := range obs {
		switch o.Kind {
		case domain.ObsMAC:
			if org, prefix, ok := LookupOUI(o.Value); ok && !locallyAdministered(o.Value) {
				offer(domain.FieldManufacturer, domain.CanonicalVendorName(org), fmt.Sprintf("OUI %s → %s", prefix, org), ouiConfidence)
			}
			continue
		case domain.ObsVendor:
			conf := o.Confidence
			if conf == 0 {
				conf = ouiConfidence
			}
			offer(domain.FieldManufacturer, domain.CanonicalVendorName(o.Value), fmt.Sprintf("%s names the vendor %q", o.Source, o.Value), conf)
			continue
		}
		for _, r := range c.rules {
			if r.Kind != o.Kind || !r.Matches(o.Value) {
				continue
			}
			conf := r.Confidence
			if o.Confidence > 0 && o.Kind == domain.ObsOS {
				conf = min(conf, o.Confidence)
			}
			what := fmt.Sprintf("%s %s", KindLabel(o.Kind), o.Value)
			ev := func(v string) string {
				return fmt.Sprintf("%s → %s (rule %s: %s)", what, v, r.Origin, r.Source)
			}
			offer(domain.FieldManufacturer, r.Manufacturer, ev(r.Manufacturer), conf)
			if offer(domain.FieldModel, r.Model, ev(r.Model), conf) {
				modelMaker = r.Manufacturer
			}
			offer(domain.FieldCategory, string(r.Category), ev(string(r.Category)), conf)
			offer(domain.FieldOS, r.OS, ev(r.OS), conf)
		}
		if o.Kind == domain.ObsOS && !strings.ContainsAny(o.Value, "\n") {
			conf := o.Confidence
			if conf == 0 {
				conf = 0.5
			}
			offer(domain.FieldOS, o.Value, fmt.Sprintf("%s reports OS %q", o.Source, o.Value), conf*0.9)
		}
	}
	if _, ok := best[domain.FieldModel]; ok && best[domain.FieldManufacturer].Value != modelMaker {
		delete(best, domain.FieldModel) // a model belongs with its own manufacturer
	}
	var out []domain.Suggestion
	for _, f := range []domain.Field{domain.FieldManufacturer, domain.FieldModel, domain.FieldCategory, domain.FieldOS} {
		if s, ok := best[f]; ok {
			out = append(out, s)
		}
	}
	return out
}

// locallyAdministered reports whether the MAC's U/L bit is set (a
// randomised or software-assigned address the OUI registry says nothing
// about).
func locallyAdministered(mac string) bool {
	if len(mac) < 2 {
		return false
	}
	b, err := strconv.ParseUint(mac[:2], 16, 8)
	return err == nil && b&0x02 != 0
}
