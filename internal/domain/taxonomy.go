package domain

import (
	"sort"
	"strings"
	"unicode"
)

// enumValue is one allowed value of an enumerated attribute: its canonical
// spelling, a label for people, a one-line meaning, the exact synonyms
// spreadsheets use for it, and keywords that identify it inside a longer
// phrase ("Volumetric Infusion Pump" → infusion).
type enumValue struct {
	Value    string
	Label    string
	Meaning  string
	Synonyms []string
	Keywords []string
}

// enumSet is a closed set of values with lookup by canonical value, synonym
// or keyword.
type enumSet struct {
	what   string
	values []enumValue
	exact  map[string]string
}

func newEnumSet(what string, values []enumValue) *enumSet {
	e := &enumSet{what: what, values: values, exact: map[string]string{}}
	for _, v := range values {
		e.exact[normWords(v.Value)] = v.Value
		e.exact[normWords(v.Label)] = v.Value
		for _, s := range v.Synonyms {
			e.exact[normWords(s)] = v.Value
		}
	}
	return e
}

// normWords lowercases s and reduces every run of non-alphanumerics to one
// space: "Infusion-Pump / LVP" → "infusion pump lvp".
func normWords(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// parse maps s to a canonical value. Empty input yields "" and no error.
func (e *enumSet) parse(s string) (string, error) {
	n := normWords(s)
	if n == "" {
		return "", nil
	}
	if v, ok := e.exact[n]; ok {
		return v, nil
	}
	// Keywords inside a phrase: the longest matching keyword wins, since it
	// is the most specific ("Panoramic X-ray": panoramic beats x); a tie
	// between categories is ambiguous.
	words := " " + n + " "
	best, bestLen, tie := "", 0, false
	for _, v := range e.values {
		for _, k := range v.Keywords {
			if !strings.Contains(words, " "+k+" ") || len(k) < bestLen {
				continue
			}
			if len(k) == bestLen && best != v.Value {
				tie = true
				continue
			}
			if len(k) > bestLen {
				tie = false
			}
			best, bestLen = v.Value, len(k)
		}
	}
	if best != "" && !tie {
		return best, nil
	}
	return "", Errorf(CodeInvalid, "unknown %s %q; use one of: %s", e.what, s, strings.Join(e.Values(), ", "))
}

// Values lists the canonical values in order.
func (e *enumSet) Values() []string {
	out := make([]string, len(e.values))
	for i, v := range e.values {
		out[i] = v.Value
	}
	return out
}

func (e *enumSet) label(v string) string {
	for _, x := range e.values {
		if x.Value == v {
			return x.Label
		}
	}
	return v
}

// EnumInfo describes one allowed value for documentation and forms.
type EnumInfo struct {
	Value, Label, Meaning string
	Synonyms              []string
}

func (e *enumSet) info() []EnumInfo {
	out := make([]EnumInfo, len(e.values))
	for i, v := range e.values {
		syn := append([]string(nil), v.Synonyms...)
		sort.Strings(syn)
		out[i] = EnumInfo{Value: v.Value, Label: v.Label, Meaning: v.Meaning, Synonyms: syn}
	}
	return out
}

// Category is the device taxonomy. It is fixed: reports, risk weights and
// zone templates key on it. docs/inventory-format.md lists it.
type Category string

var categories = newEnumSet("category", []enumValue{
	{Value: "imaging", Label: "Imaging", Meaning: "X-ray, CT, MRI, ultrasound, mammography, nuclear medicine, C-arms and their modality workstations",
		Synonyms: []string{"radiology", "modality", "x ray", "xray", "ct", "ct scanner", "mri", "mr", "ultrasound", "us", "mammography", "c arm", "fluoroscopy", "dr", "cr", "pet", "spect", "pet ct", "dexa", "bone densitometer"},
		Keywords: []string{"imaging", "xray", "x", "ct", "mri", "ultrasound", "mammography", "radiographic", "fluoroscopy", "scanner", "tomography", "sonography", "densitometer", "radiography"}},
	{Value: "patient-monitoring", Label: "Patient monitoring", Meaning: "bedside and transport monitors, central stations, telemetry, pulse oximeters",
		Synonyms: []string{"monitor", "patient monitor", "monitoring", "telemetry", "central station", "vital signs", "vital signs monitor", "pulse oximeter", "spo2"},
		Keywords: []string{"monitor", "monitoring", "telemetry", "oximeter", "vital"}},
	{Value: "infusion", Label: "Infusion", Meaning: "infusion and syringe pumps, PCA pumps, their gateways and drug libraries",
		Synonyms: []string{"infusion pump", "pump", "syringe pump", "pca", "pca pump", "lvp", "large volume pump", "insulin pump"},
		Keywords: []string{"infusion", "pump", "syringe", "pca"}},
	{Value: "laboratory", Label: "Laboratory", Meaning: "analyzers, blood gas, point-of-care testing, lab instruments and middleware",
		Synonyms: []string{"lab", "analyzer", "analyser", "blood gas", "poct", "point of care", "chemistry analyzer", "hematology"},
		Keywords: []string{"lab", "laboratory", "analyzer", "analyser", "hematology", "chemistry", "coagulation", "centrifuge", "glucose"}},
	{Value: "cardiology", Label: "Cardiology", Meaning: "ECG/EKG carts, Holter, stress systems, defibrillators, cardiac cath lab equipment",
		Synonyms: []string{"ecg", "ekg", "ecg cart", "holter", "stress test", "defibrillator", "aed", "cardiac"},
		Keywords: []string{"ecg", "ekg", "cardiac", "cardiology", "holter", "defibrillator", "defib", "aed", "electrocardiograph"}},
	{Value: "respiratory", Label: "Respiratory and anesthesia", Meaning: "ventilators, anesthesia machines, CPAP/BiPAP, spirometers",
		Synonyms: []string{"ventilator", "vent", "anesthesia", "anaesthesia", "anesthesia machine", "cpap", "bipap", "spirometer"},
		Keywords: []string{"ventilator", "respiratory", "anesthesia", "anaesthesia", "cpap", "bipap", "spirometer", "spirometry"}},
	{Value: "dental", Label: "Dental", Meaning: "intraoral and panoramic X-ray, intraoral cameras, CAD/CAM mills, dental chairs with network",
		Synonyms: []string{"dentistry", "intraoral camera", "panoramic", "cbct", "intraoral scanner"},
		Keywords: []string{"dental", "intraoral", "panoramic", "cephalometric"}},
	{Value: "ophthalmic", Label: "Ophthalmic", Meaning: "OCT, fundus cameras, visual field analyzers, autorefractors",
		Synonyms: []string{"ophthalmology", "eye", "oct", "fundus camera", "visual field", "autorefractor", "optometry"},
		Keywords: []string{"ophthalmic", "ophthalmology", "fundus", "retinal", "refractor", "autorefractor", "tonometer", "perimeter", "slit"}},
	{Value: "surgical", Label: "Surgical and endoscopy", Meaning: "endoscopy towers, electrosurgical units, surgical navigation, sterilizers",
		Synonyms: []string{"surgery", "endoscopy", "endoscope", "or", "operating room", "electrosurgical", "esu", "sterilizer", "autoclave"},
		Keywords: []string{"surgical", "surgery", "endoscopy", "endoscope", "laparoscopic", "electrosurgical", "sterilizer", "autoclave", "arthroscopy"}},
	{Value: "therapeutic", Label: "Therapeutic", Meaning: "dialysis, radiation therapy, physical therapy, infant warmers, lasers",
		Synonyms: []string{"therapy", "dialysis", "radiation therapy", "linac", "hemodialysis", "laser"},
		Keywords: []string{"dialysis", "therapy", "therapeutic", "linac", "hemodialysis", "warmer", "incubator", "laser"}},
	{Value: "workstation", Label: "Clinical workstation and servers", Meaning: "PACS, RIS, EHR interface engines, modality workstations, clinical PCs and servers",
		Synonyms: []string{"pacs", "ris", "server", "workstation", "pc", "computer", "ehr", "emr", "interface engine", "viewer", "dicom viewer", "reading station"},
		Keywords: []string{"pacs", "workstation", "server", "pc", "computer", "ehr", "emr", "ris", "viewer"}},
	{Value: "building", Label: "Building and clinical support", Meaning: "nurse call, RTLS, medication cabinets, refrigerators, BMS and HVAC",
		Synonyms: []string{"nurse call", "rtls", "bms", "hvac", "medication cabinet", "pharmacy", "facilities", "refrigerator", "freezer"},
		Keywords: []string{"nurse", "rtls", "hvac", "cabinet", "refrigerator", "freezer", "dispensing", "pneumatic"}},
	{Value: "other", Label: "Other", Meaning: "networked medical equipment that fits no other category",
		Synonyms: []string{"misc", "miscellaneous", "general", "unknown"}},
})

// ParseCategory maps free text ("Infusion Pump", "EKG", "imaging") to a
// category. Empty input yields "".
func ParseCategory(s string) (Category, error) {
	v, err := categories.parse(s)
	return Category(v), err
}

// Label returns the category's display name.
func (c Category) Label() string { return categories.label(string(c)) }

// Categories lists every category in display order.
func Categories() []Category {
	out := []Category{}
	for _, v := range categories.Values() {
		out = append(out, Category(v))
	}
	return out
}

// CategoryInfo describes the taxonomy for documentation.
func CategoryInfo() []EnumInfo { return categories.info() }

// Criticality is the clinical impact of losing the device.
type Criticality string

var criticalities = newEnumSet("criticality", []enumValue{
	{Value: "life-sustaining", Label: "Life-sustaining", Meaning: "failure can directly harm a patient (ventilators, infusion, defibrillators)",
		Synonyms: []string{"life support", "life critical", "critical", "life sustaining", "tier 1", "1"}},
	{Value: "diagnostic", Label: "Diagnostic", Meaning: "failure delays diagnosis or treatment (imaging, lab, monitoring review)",
		Synonyms: []string{"diagnosis", "tier 2", "2", "high"}},
	{Value: "supporting", Label: "Supporting", Meaning: "supports care indirectly (workstations, printers, carts)",
		Synonyms: []string{"support", "tier 3", "3", "medium"}},
	{Value: "non-clinical", Label: "Non-clinical", Meaning: "no clinical function",
		Synonyms: []string{"nonclinical", "non clinical", "none", "tier 4", "4", "low"}},
})

// ParseCriticality maps free text to a criticality.
func ParseCriticality(s string) (Criticality, error) {
	v, err := criticalities.parse(s)
	return Criticality(v), err
}

// Label returns the display name.
func (c Criticality) Label() string { return criticalities.label(string(c)) }

// CriticalityInfo describes the values for documentation.
func CriticalityInfo() []EnumInfo { return criticalities.info() }

// PHI says whether the device handles protected health information.
type PHI string

var phis = newEnumSet("PHI handling", []enumValue{
	{Value: "none", Label: "No PHI", Meaning: "neither stores nor transmits PHI", Synonyms: []string{"no", "n", "false", "0"}},
	{Value: "transmits", Label: "Transmits PHI", Meaning: "sends PHI over the network but keeps none", Synonyms: []string{"transmit", "sends"}},
	{Value: "stores", Label: "Stores PHI", Meaning: "keeps PHI on the device but does not send it", Synonyms: []string{"store", "stores only"}},
	{Value: "stores-transmits", Label: "Stores and transmits PHI", Meaning: "keeps PHI and sends it",
		Synonyms: []string{"yes", "y", "true", "1", "both", "stores and transmits", "stores transmits", "store and transmit"}},
})

// ParsePHI maps free text to a PHI value.
func ParsePHI(s string) (PHI, error) {
	v, err := phis.parse(s)
	return PHI(v), err
}

// Label returns the display name.
func (p PHI) Label() string { return phis.label(string(p)) }

// PHIInfo describes the values for documentation.
func PHIInfo() []EnumInfo { return phis.info() }

// Patchability says who can update the device's software.
type Patchability string

var patchabilities = newEnumSet("patchability", []enumValue{
	{Value: "vendor-patchable", Label: "Patchable", Meaning: "the owner may apply vendor-released patches",
		Synonyms: []string{"patchable", "yes", "y", "true", "customer patchable", "user patchable"}},
	{Value: "vendor-only", Label: "Vendor service only", Meaning: "only the manufacturer's service may patch it",
		Synonyms: []string{"vendor only", "vendor service", "service only", "manufacturer only", "vendor"}},
	{Value: "not-patchable", Label: "Not patchable", Meaning: "no patches are or will be provided",
		Synonyms: []string{"no", "n", "false", "unpatchable", "not patchable", "none"}},
	{Value: "unknown", Label: "Unknown", Meaning: "not yet established", Synonyms: []string{"?", "tbd", "unk"}},
})

// ParsePatchability maps free text to a patchability.
func ParsePatchability(s string) (Patchability, error) {
	v, err := patchabilities.parse(s)
	return Patchability(v), err
}

// Label returns the display name.
func (p Patchability) Label() string { return patchabilities.label(string(p)) }

// PatchabilityInfo describes the values for documentation.
func PatchabilityInfo() []EnumInfo { return patchabilities.info() }

// Lifecycle is where the device is in its service life.
type Lifecycle string

var lifecycles = newEnumSet("lifecycle status", []enumValue{
	{Value: "in-service", Label: "In service", Meaning: "in clinical use", Synonyms: []string{"active", "in use", "inservice", "deployed", "operational"}},
	{Value: "spare", Label: "Spare", Meaning: "kept as a spare or in storage", Synonyms: []string{"storage", "in storage", "standby", "stock"}},
	{Value: "under-repair", Label: "Under repair", Meaning: "temporarily out of use for service", Synonyms: []string{"repair", "out of service", "maintenance", "in repair"}},
	{Value: "retired", Label: "Retired", Meaning: "removed from use, awaiting disposal", Synonyms: []string{"inactive", "decommissioned"}},
	{Value: "disposed", Label: "Disposed", Meaning: "gone; kept for the record", Synonyms: []string{"disposed of", "scrapped", "sold", "returned"}},
})

// ParseLifecycle maps free text to a lifecycle status.
func ParseLifecycle(s string) (Lifecycle, error) {
	v, err := lifecycles.parse(s)
	return Lifecycle(v), err
}

// Label returns the display name.
func (l Lifecycle) Label() string { return lifecycles.label(string(l)) }

// LifecycleInfo describes the values for documentation.
func LifecycleInfo() []EnumInfo { return lifecycles.info() }

// Tristate is yes, no or unknown ("").
type Tristate string

// Tristate values.
const (
	Yes     Tristate = "yes"
	No      Tristate = "no"
	Unknown Tristate = ""
)

var tristates = newEnumSet("yes/no value", []enumValue{
	{Value: "yes", Label: "Yes", Synonyms: []string{"y", "true", "1", "required", "x"}},
	{Value: "no", Label: "No", Synonyms: []string{"n", "false", "0", "not required"}},
	{Value: "unknown", Label: "Unknown", Synonyms: []string{"?", "tbd", "unk"}},
})

// ParseTristate maps yes/no/true/false/1/0 and blanks.
func ParseTristate(s string) (Tristate, error) {
	v, err := tristates.parse(s)
	if v == "unknown" {
		v = ""
	}
	return Tristate(v), err
}

// Review says whether a person has confirmed the device's record.
type Review string

// Review values.
const (
	Reviewed   Review = "reviewed"
	Unreviewed Review = "unreviewed"
)

var reviews = newEnumSet("review status", []enumValue{
	{Value: "reviewed", Label: "Reviewed", Synonyms: []string{"yes", "confirmed"}},
	{Value: "unreviewed", Label: "Not yet reviewed", Synonyms: []string{"no", "discovered", "new", "pending"}},
})

// ParseReview maps free text to a review status.
func ParseReview(s string) (Review, error) {
	v, err := reviews.parse(s)
	return Review(v), err
}
