package demo

import (
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// The shared reference data of the demo: vendors, the IEEE assignments the
// demo's MAC addresses are drawn from, and the model catalogue. Product names
// are real; lifecycle dates, prices, serial formats and firmware spellings
// are illustrative.

// Short names for the enumerated values the tables use.
const (
	imaging     = domain.Category("imaging")
	monitoring  = domain.Category("patient-monitoring")
	infusion    = domain.Category("infusion")
	laboratory  = domain.Category("laboratory")
	cardiology  = domain.Category("cardiology")
	respiratory = domain.Category("respiratory")
	dental      = domain.Category("dental")
	ophthalmic  = domain.Category("ophthalmic")
	surgical    = domain.Category("surgical")
	therapeutic = domain.Category("therapeutic")
	workstation = domain.Category("workstation")
	building    = domain.Category("building")
	other       = domain.Category("other")

	lifeSustaining = domain.Criticality("life-sustaining")
	diagnostic     = domain.Criticality("diagnostic")
	supporting     = domain.Criticality("supporting")
	nonClinical    = domain.Criticality("non-clinical")

	phiNone      = domain.PHI("none")
	phiTransmits = domain.PHI("transmits")
	phiStores    = domain.PHI("stores")
	phiBoth      = domain.PHI("stores-transmits")

	patchable    = domain.Patchability("vendor-patchable")
	vendorOnly   = domain.Patchability("vendor-only")
	notPatchable = domain.Patchability("not-patchable")

	inService   = domain.Lifecycle("in-service")
	spare       = domain.Lifecycle("spare")
	underRepair = domain.Lifecycle("under-repair")
	retired     = domain.Lifecycle("retired")
)

// when is a catalogue date: a fixed day, or a number of months from the
// demo's reference date, so that "support ends within a year" holds on
// whatever day the demo is created.
type when struct {
	date   domain.Date
	months int
	rel    bool
}

// on is a fixed date.
func on(y int, m time.Month, d int) when { return when{date: domain.Date{Year: y, Month: m, Day: d}} }

// fromNow is the reference date moved by months (negative for the past).
func fromNow(months int) when { return when{months: months, rel: true} }

// resolve returns the calendar date; the zero when is "not known".
func (w when) resolve(now time.Time) domain.Date {
	if w.rel {
		return domain.DateOf(now.AddDate(0, w.months, 0))
	}
	return w.date
}

// vendorSpec is a manufacturer with the product-security contacts it
// publishes. Only contacts taken from public sources are filled in: the
// vendor's own disclosure page, or the contact lines of CISA ICSMA
// advisories (../shared/data/csaf/icsma) and CVE records that name them.
type vendorSpec struct {
	name       string // canonical name (domain.CanonicalVendorName)
	website    string
	psirtEmail string
	psirtURL   string
	source     string // where the contacts were found
	verified   int    // months before the reference date they were last checked; 0 = never
}

var vendors = []vendorSpec{
	{name: "GE HealthCare", website: "https://www.gehealthcare.com", psirtURL: "https://securityupdate.gehealthcare.com",
		source: "CISA ICSMA advisories", verified: 3},
	{name: "Philips", website: "https://www.philips.com", psirtEmail: "productsecurity@philips.com", psirtURL: "https://www.philips.com/productsecurity",
		source: "Philips coordinated vulnerability disclosure statement; CISA ICSMA advisories", verified: 2},
	{name: "Siemens Healthineers", website: "https://www.siemens-healthineers.com", psirtURL: "https://www.siemens-healthineers.com/support-documentation/cybersecurity",
		source: "Siemens Healthineers cybersecurity page", verified: 5},
	{name: "BD", website: "https://www.bd.com", psirtURL: "https://www.bd.com/en-us/about-bd/cybersecurity",
		source: "BD Cybersecurity Trust Center", verified: 4},
	{name: "Baxter", website: "https://www.baxter.com", psirtURL: "https://www.baxter.com/product-security",
		source: "Baxter product security page", verified: 8},
	{name: "B. Braun", website: "https://www.bbraun.com", psirtEmail: "productsecurity@bbraun.com", verified: 6,
		source: "CISA ICSMA advisories; CVE-2023-0888 record", psirtURL: "https://www.bbraun.com/en/products-and-therapies/services/b-braun-vulnerability-disclosure-policy/security-advisory.html"},
	{name: "Medtronic", website: "https://www.medtronic.com", psirtURL: "https://www.medtronic.com/security",
		source: "CISA ICSMA advisories", verified: 10},
	{name: "Dräger", website: "https://www.draeger.com", psirtURL: "https://static.draeger.com/security",
		source: "CISA ICSMA-19-022-01", verified: 19},
	{name: "Abbott", website: "https://www.abbott.com", psirtEmail: "productsecurity@abbott.com", verified: 15,
		source: "Abbott coordinated product disclosure page", psirtURL: "https://www.abbott.com/policies/cybersecurity/cybersecurity-coordinated-product-disclosure.html"},
	{name: "Capsule Technologies", website: "https://www.capsuletech.com"},
	{name: "Mindray", website: "https://www.mindray.com"},
	{name: "Hamilton Medical", website: "https://www.hamilton-medical.com"},
	{name: "Roche", website: "https://www.roche.com"},
	{name: "Sysmex", website: "https://www.sysmex.com"},
	{name: "ZOLL", website: "https://www.zoll.com"},
	{name: "Carestream", website: "https://www.carestream.com"},
	{name: "Fujifilm", website: "https://www.fujifilm.com"},
	{name: "Dentsply Sirona", website: "https://www.dentsplysirona.com"},
	{name: "Planmeca", website: "https://www.planmeca.com"},
	{name: "ZEISS", website: "https://www.zeiss.com"},
	{name: "Topcon"},
	{name: "Olympus", website: "https://www.olympus-global.com"},
	{name: "KARL STORZ", website: "https://www.karlstorz.com"},
	{name: "STERIS", website: "https://www.steris.com"},
	{name: "Fresenius Medical Care", website: "https://www.freseniusmedicalcare.com"},
	{name: "Vyaire", website: "https://www.vyaire.com"},
	{name: "ICU Medical", website: "https://www.icumed.com"},
	{name: "Omnicell", website: "https://www.omnicell.com"},
	{name: "Helmer Scientific"},
	{name: "Swisslog", website: "https://www.swisslog-healthcare.com"},
	{name: "BeaconMedaes"},
	{name: "Rauland-Borg", website: "https://www.rauland.com"},
	{name: "Stryker", website: "https://www.stryker.com"},
	{name: "Vocera"},
	{name: "Data Innovations"},
	{name: "NextGen Healthcare", website: "https://www.nextgen.com"},
	{name: "Dell", website: "https://www.dell.com"},
	{name: "Lantronix", website: "https://www.lantronix.com"},
}

// oui is an IEEE registry assignment the demo draws MAC addresses from:
// the assignment's hex digits (6 for MA-L, 7 for MA-M, 9 for MA-S) and the
// registrant exactly as ../shared/data/oui lists it (a test checks both).
type oui struct {
	prefix string
	owner  string
}

// ouis maps a short name to an assignment. Devices of a manufacturer with
// no assignment of its own get a locally administered address instead.
// Software sold on commodity servers carries the server maker's address.
var ouis = map[string]oui{
	"ge":          {"444B5D", "GE Healthcare"},
	"ge-china":    {"A0F217", "GE Medical System(China) Co., Ltd."},
	"philips-pm":  {"0009FB", "Philips Patient Monitoring"},
	"philips-cm":  {"00095C", "Philips Medical Systems - Cardiac and Monitoring Systems (CM"},
	"siemens-dx":  {"001865", "Siemens Healthcare Diagnostics Manufacturing Ltd"},
	"siemens-dx2": {"20E791", "Siemens Healthcare Diagnostics, Inc"},
	"bd":          {"9CC8AE", "Becton, Dickinson and Company"},
	"carefusion":  {"F8C678", "Carefusion"},
	"baxter":      {"5842E4", "Baxter International Inc"},
	"welch-allyn": {"001AFA", "Welch Allyn, Inc."},
	"hill-rom":    {"0014B8", "Hill-Rom"},
	"mortara":     {"000F82", "Mortara Instrument, Inc."},
	"bbraun":      {"001221", "B.Braun Melsungen AG"},
	"mindray":     {"00A037", "Mindray DS USA, Inc."},
	"draeger-us":  {"0030E6", "Draeger Medical Systems, Inc."},
	"draeger":     {"00105D", "Draeger Medical"},
	"abbott-poc":  {"C0A26D", "Abbott Point of Care"},
	"abbott-dx":   {"70B3D553F", "Abbott Diagnostics Technologies AS"},
	"roche":       {"006019", "Roche Diagnostics"},
	"sysmex":      {"00066B", "Sysmex Corporation"},
	"carestream":  {"001D4A", "Carestream Health, Inc."},
	"sonosite":    {"0008FB", "SonoSite, Inc."},
	"fujifilm":    {"88B436", "FUJIFILM Corporation"},
	"sirona":      {"001019", "SIRONA DENTAL SYSTEMS GmbH & Co. KG"},
	"planmeca":    {"000921", "Planmeca Oy"},
	"zeiss":       {"F095F1", "Carl Zeiss AG"},
	"topcon":      {"BCFFAC", "TOPCON CORPORATION"},
	"olympus":     {"000113", "OLYMPUS CORPORATION"},
	"storz":       {"001686", "Karl Storz Imaging"},
	"steris":      {"6C1524A", "STERIS"},
	"stryker":     {"000DD1", "Stryker Corporation"},
	"vocera":      {"0009EF", "Vocera Communications"},
	"rauland":     {"00905E", "RAULAND-BORG CORPORATION"},
	"helmer":      {"4CD7B6", "Helmer Scientific"},
	"fresenius":   {"B04C05", "Fresenius Medical Care Deutschland GmbH"},
	"smiths":      {"001A01", "Smiths Medical"},
	"lantronix":   {"0080A3", "Lantronix"},
	"dell":        {"F8BC12", "Dell Inc."},
	"dell2":       {"D4BED9", "Dell Inc."},
	"hpe":         {"941882", "Hewlett Packard Enterprise"},
	"vmware":      {"005056", "VMware, Inc."},
}

// modelSpec is a catalogue entry and the defaults every unit of it gets.
type modelSpec struct {
	key          string // how placements refer to it
	manufacturer string
	model        string // "" for a device nobody has identified
	category     domain.Category

	os, osVersion string
	firmware      []string // versions found in the field; a placement may pin one

	criticality domain.Criticality
	phi         domain.PHI
	phiRecords  int64 // typical records held or sent; each unit varies around it
	network     domain.Tristate
	why         string // why the network is (or is not) clinically necessary
	offline     bool   // kept off the network: no address, no name
	patch       domain.Patchability

	oui    string // key of ouis; "" for a locally administered address
	serial string // pattern: # a digit, @ a capital letter, anything else literal
	host   string // hostname stem; "" when the device has no DNS name
	bought [2]int // first and last purchase year

	endOfSale, endOfSupport, endOfLife when
	lifeYears                          int
	costUSD                            int64 // replacement cost in whole dollars
	notes                              string
}

// Justifications shared by several models.
const (
	whyDICOM   = "sends studies to PACS (DICOM storage) and reads the modality worklist"
	whyCentral = "central surveillance and alarm forwarding to the nurse station"
	whyPump    = "drug library updates and infusion status to the EHR"
	whyLIS     = "results to the laboratory information system through the middleware"
	whyECG     = "sends ECGs to the cardiology information system"
	whyServer  = "clinical server other systems depend on"
	whyPC      = "clinical workstation used to read and document care"
	whyAlarm   = "forwards alarms to staff and facilities"
)

// catalogueNote is appended to every model's notes.
const catalogueNote = "Demo catalogue entry: lifecycle dates and replacement cost are illustrative, not figures published by the manufacturer."

const win7 = "Microsoft ended support for Windows 7 on 2020-01-14."

var models = []modelSpec{
	// Imaging.
	{key: "revo-evo", manufacturer: "GE HealthCare", model: "Revolution EVO", category: imaging, os: "Linux",
		firmware: []string{"19MW11.15", "20MW07.4"}, criticality: diagnostic, phi: phiBoth, phiRecords: 42000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, oui: "ge-china", serial: "##########CN", host: "ct", bought: [2]int{2018, 2019},
		endOfSale: on(2022, 6, 30), endOfSupport: on(2030, 6, 30), lifeYears: 10, costUSD: 1100000},
	{key: "aera", manufacturer: "Siemens Healthineers", model: "MAGNETOM Aera", category: imaging, os: "Windows", osVersion: "7 Professional SP1 (64-bit)",
		firmware: []string{"syngo MR E11C", "syngo MR E11E"}, criticality: diagnostic, phi: phiBoth, phiRecords: 18000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, serial: "#####", host: "mri", bought: [2]int{2013, 2014},
		endOfSale: on(2019, 6, 30), endOfSupport: on(2025, 6, 30), endOfLife: on(2027, 6, 30), lifeYears: 10, costUSD: 1800000,
		notes: "Host computer runs Windows 7. " + win7},
	{key: "drx-evo", manufacturer: "Carestream", model: "DRX-Evolution Plus", category: imaging, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"5.7.412", "5.7.512"}, criticality: diagnostic, phi: phiBoth, phiRecords: 35000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, oui: "carestream", serial: "##########", host: "xr", bought: [2]int{2020, 2021},
		endOfSupport: on(2031, 12, 31), lifeYears: 10, costUSD: 180000},
	{key: "xr220amx", manufacturer: "GE HealthCare", model: "Optima XR220amx", category: imaging,
		firmware: []string{"2.1.4"}, criticality: diagnostic, phi: phiBoth, phiRecords: 9000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, oui: "ge-china", serial: "######WK#", host: "xrp", bought: [2]int{2016, 2017},
		endOfSale: on(2019, 12, 31), endOfSupport: on(2027, 12, 31), lifeYears: 10, costUSD: 150000},
	{key: "fcr-capsula-x", manufacturer: "Fujifilm", model: "FCR Capsula X", category: imaging, os: "Windows", osVersion: "XP Embedded SP3",
		firmware: []string{"CR-IR 357"}, criticality: diagnostic, phi: phiBoth, phiRecords: 60000, network: domain.Yes, why: whyDICOM,
		patch: notPatchable, oui: "fujifilm", serial: "#####-##", host: "cr", bought: [2]int{2009, 2010},
		endOfSale: on(2012, 3, 31), endOfSupport: on(2019, 3, 31), endOfLife: on(2021, 3, 31), lifeYears: 8, costUSD: 60000,
		notes: "Computed radiography reader; its console runs Windows XP Embedded, which receives no updates."},
	{key: "sequoia", manufacturer: "Siemens Healthineers", model: "ACUSON Sequoia", category: imaging, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"VA20", "VA30"}, criticality: diagnostic, phi: phiBoth, phiRecords: 12000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, serial: "######", host: "us", bought: [2]int{2021, 2022},
		endOfSupport: on(2031, 12, 31), lifeYears: 8, costUSD: 200000},
	{key: "epiq7", manufacturer: "Philips", model: "EPIQ 7", category: imaging, os: "Windows", osVersion: "Embedded Standard 7 SP1",
		firmware: []string{"VM5.0", "VM6.0"}, criticality: diagnostic, phi: phiBoth, phiRecords: 15000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, serial: "US########", host: "us", bought: [2]int{2017, 2018},
		endOfSale: on(2021, 12, 31), endOfSupport: fromNow(20), lifeYears: 8, costUSD: 180000},
	{key: "affiniti50", manufacturer: "Philips", model: "Affiniti 50", category: imaging, os: "Windows", osVersion: "Embedded Standard 7 SP1",
		firmware: []string{"VM4.0", "VM5.0"}, criticality: diagnostic, phi: phiBoth, phiRecords: 6000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, serial: "US########", host: "us", bought: [2]int{2016, 2017},
		endOfSupport: on(2028, 12, 31), lifeYears: 8, costUSD: 90000},
	{key: "logiq-e10", manufacturer: "GE HealthCare", model: "LOGIQ E10", category: imaging, os: "Windows", osVersion: "10 IoT Enterprise 2016 LTSB",
		firmware: []string{"R2.5.1", "R3.0.2"}, criticality: diagnostic, phi: phiBoth, phiRecords: 11000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, oui: "ge-china", serial: "######WX#", host: "us", bought: [2]int{2019, 2020},
		endOfSupport: on(2030, 12, 31), lifeYears: 8, costUSD: 150000},
	{key: "vivid-e95", manufacturer: "GE HealthCare", model: "Vivid E95", category: imaging, os: "Windows", osVersion: "10 IoT Enterprise 2016 LTSB",
		firmware: []string{"v204", "v206"}, criticality: diagnostic, phi: phiBoth, phiRecords: 8000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, oui: "ge-china", serial: "VE95######", host: "echo", bought: [2]int{2019, 2020},
		endOfSupport: on(2029, 12, 31), lifeYears: 8, costUSD: 220000},
	{key: "sonosite-px", manufacturer: "Fujifilm", model: "Sonosite PX", category: imaging,
		firmware: []string{"1.3.1", "1.4.2"}, criticality: diagnostic, phi: phiBoth, phiRecords: 1500, network: domain.Yes, why: "exports point-of-care exams to PACS over Wi-Fi",
		patch: vendorOnly, oui: "sonosite", serial: "03@@##", host: "pocus", bought: [2]int{2022, 2023},
		lifeYears: 7, costUSD: 45000},
	{key: "drx-ascend", manufacturer: "Carestream", model: "DRX-Ascend", category: imaging, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"5.7.512"}, criticality: diagnostic, phi: phiBoth, phiRecords: 14000, network: domain.Yes, why: whyDICOM,
		patch: vendorOnly, oui: "carestream", serial: "##########", host: "xr", bought: [2]int{2022, 2023},
		endOfSupport: on(2032, 12, 31), lifeYears: 10, costUSD: 110000},

	// Patient monitoring.
	{key: "b650", manufacturer: "GE HealthCare", model: "CARESCAPE B650", category: monitoring,
		firmware: []string{"2.0.4", "2.0.6"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 300, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "ge", serial: "SK7####WA", bought: [2]int{2015, 2016},
		endOfSale: on(2020, 12, 31), endOfSupport: fromNow(5), endOfLife: fromNow(17), lifeYears: 8, costUSD: 28000},
	{key: "cscs", manufacturer: "GE HealthCare", model: "CARESCAPE Central Station", category: monitoring, os: "Windows", osVersion: "10 IoT Enterprise 2016 LTSB",
		firmware: []string{"2.1.1", "2.1.3"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 6000, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "ge", serial: "SDZ#####WA", host: "cscs", bought: [2]int{2016, 2016},
		endOfSale: on(2021, 6, 30), endOfSupport: fromNow(11), lifeYears: 8, costUSD: 45000},
	{key: "mx450", manufacturer: "Philips", model: "IntelliVue MX450", category: monitoring,
		firmware: []string{"M.00.03", "N.00.06"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 250, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "philips-pm", serial: "DE########", bought: [2]int{2017, 2019},
		endOfSale: on(2022, 12, 31), endOfSupport: fromNow(20), lifeYears: 8, costUSD: 22000},
	{key: "mx40", manufacturer: "Philips", model: "IntelliVue MX40", category: monitoring,
		firmware: []string{"B.06.07", "B.06.12"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: "wearable telemetry; sends waveforms to the central station over Wi-Fi",
		patch: vendorOnly, oui: "philips-pm", serial: "DE########", bought: [2]int{2016, 2017},
		endOfSale: on(2021, 12, 31), endOfSupport: fromNow(9), lifeYears: 6, costUSD: 6500},
	{key: "picix", manufacturer: "Philips", model: "Patient Information Center iX", category: monitoring, os: "Windows", osVersion: "Server 2016",
		firmware: []string{"C.03"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 9000, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "hpe", serial: "USE###@###", host: "picix", bought: [2]int{2019, 2019},
		endOfSupport: on(2030, 12, 31), lifeYears: 7, costUSD: 60000,
		notes: "PIC iX software on a vendor-supplied HPE server."},
	{key: "n12", manufacturer: "Mindray", model: "BeneVision N12", category: monitoring,
		firmware: []string{"02.04.00", "02.10.00"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 200, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "mindray", serial: "FX-########", bought: [2]int{2021, 2023},
		endOfSupport: on(2032, 12, 31), lifeYears: 8, costUSD: 18000},
	{key: "connex-vsm", manufacturer: "Welch Allyn", model: "Connex Vital Signs Monitor", category: monitoring,
		firmware: []string{"2.43.02", "2.44.00"}, criticality: diagnostic, phi: phiTransmits, network: domain.Yes, why: "sends vital signs to the EHR",
		patch: vendorOnly, oui: "welch-allyn", serial: "1##########", bought: [2]int{2019, 2021},
		endOfSupport: on(2030, 12, 31), lifeYears: 7, costUSD: 4500},
	{key: "connex-spot", manufacturer: "Welch Allyn", model: "Connex Spot Monitor", category: monitoring,
		firmware: []string{"1.52.00", "1.60.00"}, criticality: diagnostic, phi: phiTransmits, network: domain.Yes, why: "sends vital signs to the EHR",
		patch: vendorOnly, oui: "welch-allyn", serial: "1##########", bought: [2]int{2020, 2022},
		endOfSupport: on(2031, 12, 31), lifeYears: 7, costUSD: 3200},
	{key: "efficia-cm12", manufacturer: "Philips", model: "Efficia CM12", category: monitoring,
		firmware: []string{"B.01.04", "C.00.02"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 150, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "philips-cm", serial: "CN########", bought: [2]int{2018, 2019},
		endOfSupport: on(2029, 12, 31), lifeYears: 8, costUSD: 9000},
	{key: "suresigns-vs4", manufacturer: "Philips", model: "SureSigns VS4", category: monitoring,
		firmware: []string{"A.07.107"}, criticality: diagnostic, phi: phiStores, phiRecords: 400, network: domain.Yes, why: "sent vital signs to the EHR before it was retired",
		patch: notPatchable, oui: "philips-cm", serial: "US########", bought: [2]int{2011, 2012},
		endOfSale: on(2018, 6, 30), endOfSupport: on(2023, 12, 31), endOfLife: on(2024, 12, 31), lifeYears: 7, costUSD: 3500},
	{key: "delta", manufacturer: "Dräger", model: "Infinity Delta", category: monitoring,
		firmware: []string{"VF9.2", "VF10.1"}, criticality: lifeSustaining, phi: phiBoth, phiRecords: 200, network: domain.Yes, why: whyCentral,
		patch: vendorOnly, oui: "draeger-us", serial: "@@@@-####", bought: [2]int{2012, 2014},
		endOfSale: on(2019, 12, 31), endOfSupport: on(2024, 12, 31), endOfLife: fromNow(10), lifeYears: 8, costUSD: 20000},
	{key: "kappa", manufacturer: "Dräger", model: "Infinity Kappa", category: monitoring,
		firmware: []string{"VF8.5"}, criticality: lifeSustaining, phi: phiStores, phiRecords: 100, network: domain.Yes, why: whyCentral,
		patch: notPatchable, oui: "draeger-us", serial: "@@@@-####", bought: [2]int{2008, 2008},
		endOfSale: on(2010, 12, 31), endOfSupport: on(2014, 12, 31), endOfLife: on(2016, 12, 31), lifeYears: 8, costUSD: 15000,
		notes: "No longer supported by the manufacturer; kept as a last-resort spare."},

	// Infusion.
	{key: "alaris-8015", manufacturer: "BD", model: "Alaris PC Unit 8015", category: infusion,
		firmware: []string{"12.1.2", "12.1.3"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: whyPump,
		patch: vendorOnly, oui: "carefusion", serial: "########", bought: [2]int{2016, 2019},
		endOfSupport: on(2030, 12, 31), lifeYears: 10, costUSD: 3800},
	{key: "alaris-sm", manufacturer: "BD", model: "Alaris Systems Manager", category: infusion, os: "Windows", osVersion: "Server 2016",
		firmware: []string{"12.1.3"}, criticality: supporting, phi: phiBoth, phiRecords: 80000, network: domain.Yes, why: "distributes the drug library and collects pump logs",
		patch: vendorOnly, oui: "vmware", serial: "ASM-#####", host: "alarissm", bought: [2]int{2019, 2019},
		endOfSupport: on(2029, 6, 30), lifeYears: 6, costUSD: 40000,
		notes: "Virtual machine on the practice's VMware cluster."},
	{key: "infusomat", manufacturer: "B. Braun", model: "Infusomat Space", category: infusion,
		firmware: []string{"028U000061"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: whyPump,
		patch: vendorOnly, oui: "bbraun", serial: "#######", bought: [2]int{2018, 2019},
		endOfSupport: on(2030, 12, 31), lifeYears: 10, costUSD: 4200,
		notes: "Wi-Fi through a Battery Pack SP with Wi-Fi; the firmware shown is the battery pack's."},
	{key: "spacestation", manufacturer: "B. Braun", model: "SpaceStation with SpaceCom 2", category: infusion,
		firmware: []string{"012U000061"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: whyPump,
		patch: vendorOnly, oui: "bbraun", serial: "#######", host: "spacecom", bought: [2]int{2018, 2018},
		endOfSupport: fromNow(23), lifeYears: 10, costUSD: 7500},
	{key: "spectrum", manufacturer: "Baxter", model: "Sigma Spectrum", category: infusion,
		firmware: []string{"8.00.01", "8.01.00"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: whyPump,
		patch: vendorOnly, oui: "baxter", serial: "#######", bought: [2]int{2017, 2018},
		endOfSale: on(2021, 6, 30), endOfSupport: fromNow(15), lifeYears: 10, costUSD: 4000},
	{key: "medfusion", manufacturer: "Smiths Medical", model: "Medfusion 4000", category: infusion,
		firmware: []string{"1.7.2"}, criticality: lifeSustaining, phi: phiNone, network: domain.No, why: "syringe pump used standalone; its wireless module is disabled",
		offline: true, patch: vendorOnly, oui: "smiths", serial: "#######", bought: [2]int{2019, 2019},
		endOfSupport: on(2029, 12, 31), lifeYears: 10, costUSD: 3300},

	// Laboratory.
	{key: "xn1000", manufacturer: "Sysmex", model: "XN-1000", category: laboratory, os: "Windows", osVersion: "10 IoT Enterprise 2016 LTSB",
		firmware: []string{"00-22", "00-24"}, criticality: diagnostic, phi: phiBoth, phiRecords: 90000, network: domain.Yes, why: whyLIS,
		patch: vendorOnly, oui: "sysmex", serial: "#####", host: "xn", bought: [2]int{2018, 2018},
		endOfSupport: on(2030, 12, 31), lifeYears: 8, costUSD: 150000},
	{key: "c311", manufacturer: "Roche", model: "cobas c 311", category: laboratory, os: "Windows", osVersion: "Embedded Standard 7",
		firmware: []string{"04-01"}, criticality: diagnostic, phi: phiBoth, phiRecords: 70000, network: domain.Yes, why: whyLIS,
		patch: vendorOnly, oui: "roche", serial: "####-##", host: "chem", bought: [2]int{2014, 2014},
		endOfSale: on(2020, 12, 31), endOfSupport: fromNow(3), endOfLife: fromNow(15), lifeYears: 8, costUSD: 120000},
	{key: "e411", manufacturer: "Roche", model: "cobas e 411", category: laboratory, os: "Windows", osVersion: "Embedded Standard 7",
		firmware: []string{"03-05"}, criticality: diagnostic, phi: phiBoth, phiRecords: 40000, network: domain.Yes, why: whyLIS,
		patch: vendorOnly, oui: "roche", serial: "####-##", host: "immuno", bought: [2]int{2015, 2015},
		endOfSale: on(2021, 6, 30), endOfSupport: fromNow(5), lifeYears: 8, costUSD: 110000},
	{key: "rp500e", manufacturer: "Siemens Healthineers", model: "RAPIDPoint 500e", category: laboratory, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"5.0", "5.1"}, criticality: diagnostic, phi: phiBoth, phiRecords: 12000, network: domain.Yes, why: whyLIS,
		patch: vendorOnly, oui: "siemens-dx", serial: "#####", host: "bga", bought: [2]int{2021, 2021},
		endOfSupport: on(2031, 12, 31), lifeYears: 8, costUSD: 45000},
	{key: "istat", manufacturer: "Abbott", model: "i-STAT 1", category: laboratory,
		firmware: []string{"CLEW A42", "CLEW A44"}, criticality: diagnostic, phi: phiBoth, phiRecords: 1000, network: domain.Yes, why: "uploads results through the downloader/recharger to the POC data manager",
		patch: vendorOnly, oui: "abbott-poc", serial: "3#####", bought: [2]int{2017, 2022},
		endOfSupport: on(2030, 12, 31), lifeYears: 7, costUSD: 8500},
	{key: "afinion2", manufacturer: "Abbott", model: "Afinion 2", category: laboratory,
		firmware: []string{"6.22"}, criticality: diagnostic, phi: phiBoth, phiRecords: 3000, network: domain.Yes, why: "sends HbA1c results to the EHR",
		patch: vendorOnly, oui: "abbott-dx", serial: "AF2#######", bought: [2]int{2021, 2021},
		endOfSupport: on(2030, 12, 31), lifeYears: 7, costUSD: 7000},
	{key: "dca", manufacturer: "Siemens Healthineers", model: "DCA Vantage", category: laboratory,
		firmware: []string{"5.02.14"}, criticality: diagnostic, phi: phiStores, phiRecords: 4000, network: domain.No, why: "results are transcribed; the LAN port is connected only for remote service",
		patch: vendorOnly, oui: "siemens-dx2", serial: "#####", bought: [2]int{2017, 2017},
		endOfSupport: on(2029, 12, 31), lifeYears: 8, costUSD: 6500},

	// Cardiology.
	{key: "tc50", manufacturer: "Philips", model: "PageWriter TC50", category: cardiology, os: "Windows", osVersion: "Embedded Standard 7",
		firmware: []string{"A.06.02.04", "A.07.01.06"}, criticality: diagnostic, phi: phiBoth, phiRecords: 2500, network: domain.Yes, why: whyECG,
		patch: vendorOnly, oui: "philips-cm", serial: "US########", host: "ecg", bought: [2]int{2015, 2016},
		endOfSale: on(2020, 6, 30), endOfSupport: fromNow(10), lifeYears: 8, costUSD: 14000},
	{key: "tc30", manufacturer: "Philips", model: "PageWriter TC30", category: cardiology, os: "Windows", osVersion: "Embedded Standard 7",
		firmware: []string{"A.06.02.04"}, criticality: diagnostic, phi: phiBoth, phiRecords: 1200, network: domain.Yes, why: whyECG,
		patch: vendorOnly, oui: "philips-cm", serial: "US########", host: "ecg", bought: [2]int{2016, 2016},
		endOfSale: on(2020, 6, 30), endOfSupport: fromNow(10), lifeYears: 8, costUSD: 10000},
	{key: "mac5500", manufacturer: "GE HealthCare", model: "MAC 5500 HD", category: cardiology,
		firmware: []string{"010B"}, criticality: diagnostic, phi: phiBoth, phiRecords: 2000, network: domain.Yes, why: whyECG,
		patch: vendorOnly, oui: "ge", serial: "SCD#####WS", host: "stress", bought: [2]int{2014, 2014},
		endOfSale: on(2019, 12, 31), endOfSupport: fromNow(18), lifeYears: 8, costUSD: 12000},
	{key: "holter", manufacturer: "Philips", model: "Holter 2010 Plus", category: cardiology, os: "Windows", osVersion: "XP Professional SP3",
		firmware: []string{"2.9.2"}, criticality: diagnostic, phi: phiBoth, phiRecords: 5000, network: domain.Yes, why: "stores Holter reports on the cardiology share",
		patch: notPatchable, oui: "dell", serial: "@######", host: "holter", bought: [2]int{2010, 2010},
		endOfSale: on(2012, 12, 31), endOfSupport: on(2017, 12, 31), lifeYears: 7, costUSD: 15000,
		notes: "Analysis software on a Dell PC that still runs Windows XP; replacement requested."},
	{key: "rseries", manufacturer: "ZOLL", model: "R Series ALS", category: cardiology,
		firmware: []string{"14.4.0", "15.1.2"}, criticality: lifeSustaining, phi: phiStores, phiRecords: 40, network: domain.No, why: "works standalone; Wi-Fi only sends self-test reports and case files after use",
		patch: vendorOnly, serial: "AF##@#####", bought: [2]int{2016, 2020},
		endOfSupport: on(2029, 12, 31), lifeYears: 8, costUSD: 28000},
	{key: "aed3", manufacturer: "ZOLL", model: "AED 3", category: cardiology,
		firmware: []string{"01.03.05"}, criticality: lifeSustaining, phi: phiStores, phiRecords: 5, network: domain.No, why: "works standalone; Wi-Fi only sends readiness reports",
		patch: vendorOnly, serial: "X##@######", bought: [2]int{2022, 2022},
		endOfSupport: on(2032, 12, 31), lifeYears: 8, costUSD: 2500},
	{key: "eli280", manufacturer: "Welch Allyn", model: "ELI 280", category: cardiology,
		firmware: []string{"2.3.0"}, criticality: diagnostic, phi: phiBoth, phiRecords: 1500, network: domain.Yes, why: whyECG,
		patch: vendorOnly, oui: "mortara", serial: "#########", host: "ecg", bought: [2]int{2019, 2019},
		endOfSupport: on(2029, 12, 31), lifeYears: 8, costUSD: 8000},

	// Respiratory and anesthesia.
	{key: "pb980", manufacturer: "Medtronic", model: "Puritan Bennett 980", category: respiratory,
		firmware: []string{"2.4.0"}, criticality: lifeSustaining, phi: phiNone, network: domain.No, why: "ventilates standalone; the Ethernet port is unused",
		offline: true, patch: vendorOnly, serial: "35B#######", bought: [2]int{2019, 2020},
		endOfSupport: on(2031, 12, 31), lifeYears: 10, costUSD: 45000},
	{key: "t1", manufacturer: "Hamilton Medical", model: "HAMILTON-T1", category: respiratory,
		firmware: []string{"2.2.3"}, criticality: lifeSustaining, phi: phiNone, network: domain.No, why: "transport ventilator; connected only during service",
		patch: vendorOnly, serial: "#####", bought: [2]int{2018, 2018},
		endOfSupport: on(2030, 12, 31), lifeYears: 10, costUSD: 38000},
	{key: "perseus", manufacturer: "Dräger", model: "Perseus A500", category: respiratory,
		firmware: []string{"2.05", "2.08"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: "sends anesthesia records to the anesthesia information system",
		patch: vendorOnly, oui: "draeger", serial: "@@@@-####", host: "anes", bought: [2]int{2020, 2020},
		endOfSupport: on(2032, 12, 31), lifeYears: 10, costUSD: 90000},
	{key: "aisys", manufacturer: "GE HealthCare", model: "Aisys CS2", category: respiratory,
		firmware: []string{"11.0", "11.1"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: "sends anesthesia records to the anesthesia information system",
		patch: vendorOnly, oui: "ge", serial: "ANBR#####", host: "anes", bought: [2]int{2017, 2017},
		endOfSupport: on(2029, 12, 31), lifeYears: 10, costUSD: 95000},
	{key: "capnostream", manufacturer: "Medtronic", model: "Capnostream 35", category: respiratory,
		firmware: []string{"1.4.1"}, criticality: lifeSustaining, phi: phiStores, phiRecords: 80, network: domain.No, why: "sedation monitoring works standalone",
		patch: vendorOnly, serial: "CS35######", bought: [2]int{2019, 2019},
		endOfSupport: fromNow(21), lifeYears: 7, costUSD: 4500},
	{key: "vyntus", manufacturer: "Vyaire", model: "Vyntus SPIRO", category: respiratory,
		firmware: []string{"3.10.1"}, criticality: diagnostic, phi: phiBoth, phiRecords: 2500, network: domain.Yes, why: "sends spirometry reports to the EHR",
		patch: vendorOnly, serial: "VS######", host: "spiro", bought: [2]int{2021, 2021},
		endOfSupport: on(2030, 12, 31), lifeYears: 7, costUSD: 5000},

	// Therapeutic.
	{key: "2008t", manufacturer: "Fresenius Medical Care", model: "2008T", category: therapeutic,
		firmware: []string{"2.72", "2.80"}, criticality: lifeSustaining, phi: phiTransmits, network: domain.Yes, why: "treatment data to the dialysis EMR",
		patch: vendorOnly, oui: "fresenius", serial: "#@@######", bought: [2]int{2015, 2019},
		endOfSupport: on(2030, 12, 31), lifeYears: 10, costUSD: 30000},

	// Dental.
	{key: "orthophos-sl", manufacturer: "Dentsply Sirona", model: "Orthophos SL", category: dental,
		firmware: []string{"03.20"}, criticality: diagnostic, phi: phiBoth, phiRecords: 9000, network: domain.Yes, why: "images go straight to the SIDEXIS server",
		patch: vendorOnly, oui: "sirona", serial: "#####", host: "cbct", bought: [2]int{2021, 2021},
		endOfSupport: on(2032, 12, 31), lifeYears: 10, costUSD: 110000},
	{key: "orthophos-xg5", manufacturer: "Dentsply Sirona", model: "Orthophos XG 5", category: dental,
		firmware: []string{"01.60"}, criticality: diagnostic, phi: phiStores, phiRecords: 12000, network: domain.Yes, why: "images go straight to the SIDEXIS server",
		patch: vendorOnly, oui: "sirona", serial: "#####", host: "pano", bought: [2]int{2011, 2011},
		endOfSale: on(2016, 12, 31), endOfSupport: on(2022, 6, 30), lifeYears: 10, costUSD: 35000},
	{key: "promax2d", manufacturer: "Planmeca", model: "ProMax 2D", category: dental,
		firmware: []string{"4.6.1"}, criticality: diagnostic, phi: phiBoth, phiRecords: 7000, network: domain.Yes, why: "images to Planmeca Romexis",
		patch: vendorOnly, oui: "planmeca", serial: "PM#######", host: "pano", bought: [2]int{2017, 2017},
		endOfSupport: fromNow(8), lifeYears: 10, costUSD: 40000},
	{key: "primescan", manufacturer: "Dentsply Sirona", model: "Primescan", category: dental, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"5.2.4"}, criticality: diagnostic, phi: phiBoth, phiRecords: 2000, network: domain.Yes, why: "scans to the CAD/CAM workflow and the imaging server",
		patch: vendorOnly, oui: "sirona", serial: "#######", host: "scan", bought: [2]int{2022, 2022},
		endOfSupport: on(2030, 12, 31), lifeYears: 7, costUSD: 45000},
	{key: "sidexis", manufacturer: "Dentsply Sirona", model: "SIDEXIS 4", category: workstation, os: "Windows", osVersion: "Server 2019",
		firmware: []string{"4.3.1"}, criticality: diagnostic, phi: phiBoth, phiRecords: 25000, network: domain.Yes, why: whyServer,
		patch: vendorOnly, oui: "dell2", serial: "@######", host: "sidexis", bought: [2]int{2021, 2021},
		endOfSupport: on(2029, 12, 31), lifeYears: 6, costUSD: 12000},

	// Ophthalmic.
	{key: "cirrus", manufacturer: "ZEISS", model: "CIRRUS HD-OCT 5000", category: ophthalmic, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"11.0.0", "11.5.2"}, criticality: diagnostic, phi: phiBoth, phiRecords: 8000, network: domain.Yes, why: "exports to ZEISS FORUM",
		patch: vendorOnly, oui: "zeiss", serial: "5000-#####", host: "oct", bought: [2]int{2019, 2020},
		endOfSupport: on(2030, 12, 31), lifeYears: 8, costUSD: 75000},
	{key: "hfa3", manufacturer: "ZEISS", model: "Humphrey Field Analyzer 3", category: ophthalmic,
		firmware: []string{"1.5.5"}, criticality: diagnostic, phi: phiBoth, phiRecords: 6000, network: domain.Yes, why: "exports to ZEISS FORUM",
		patch: vendorOnly, oui: "zeiss", serial: "860-#####", host: "hfa", bought: [2]int{2020, 2020},
		endOfSupport: on(2031, 12, 31), lifeYears: 8, costUSD: 40000},
	{key: "nw8", manufacturer: "Topcon", model: "TRC-NW8", category: ophthalmic,
		firmware: []string{"1.7"}, criticality: diagnostic, phi: phiBoth, phiRecords: 5000, network: domain.Yes, why: "images to the eye clinic's image server",
		patch: vendorOnly, oui: "topcon", serial: "#######", host: "fundus", bought: [2]int{2016, 2016},
		endOfSale: on(2021, 12, 31), endOfSupport: fromNow(11), lifeYears: 8, costUSD: 30000},
	{key: "maestro2", manufacturer: "Topcon", model: "Maestro2", category: ophthalmic, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"1.16"}, criticality: diagnostic, phi: phiBoth, phiRecords: 3000, network: domain.Yes, why: "images to the eye clinic's image server",
		patch: vendorOnly, oui: "topcon", serial: "#######", host: "oct", bought: [2]int{2023, 2023},
		endOfSupport: on(2031, 12, 31), lifeYears: 8, costUSD: 50000},
	{key: "forum", manufacturer: "ZEISS", model: "FORUM", category: workstation, os: "Windows", osVersion: "Server 2019",
		firmware: []string{"4.3"}, criticality: diagnostic, phi: phiBoth, phiRecords: 30000, network: domain.Yes, why: whyServer,
		patch: vendorOnly, oui: "vmware", serial: "FRM-#####", host: "forum", bought: [2]int{2020, 2020},
		endOfSupport: on(2029, 12, 31), lifeYears: 6, costUSD: 35000,
		notes: "Virtual machine on the clinic's VMware host."},

	// Surgical and endoscopy.
	{key: "cv190", manufacturer: "Olympus", model: "EVIS EXERA III CV-190", category: surgical,
		firmware: []string{"2.05"}, criticality: diagnostic, phi: phiStores, phiRecords: 300, network: domain.No, why: "video processor works standalone; the LAN port is used only by the reporting system",
		patch: vendorOnly, oui: "olympus", serial: "7######", bought: [2]int{2016, 2018},
		endOfSale: on(2023, 12, 31), endOfSupport: fromNow(18), lifeYears: 10, costUSD: 65000},
	{key: "image1s", manufacturer: "KARL STORZ", model: "IMAGE1 S", category: surgical,
		firmware: []string{"3.1"}, criticality: diagnostic, phi: phiStores, phiRecords: 200, network: domain.Yes, why: "sends captures to the OR documentation system",
		patch: vendorOnly, oui: "storz", serial: "PV######", bought: [2]int{2019, 2019},
		endOfSupport: on(2031, 12, 31), lifeYears: 10, costUSD: 35000},
	{key: "aida", manufacturer: "KARL STORZ", model: "AIDA", category: surgical, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"2.0.5"}, criticality: supporting, phi: phiBoth, phiRecords: 4000, network: domain.Yes, why: "sends OR images and videos to PACS and the EHR",
		patch: vendorOnly, oui: "storz", serial: "WD######", host: "aida", bought: [2]int{2019, 2019},
		endOfSupport: on(2029, 12, 31), lifeYears: 7, costUSD: 25000},
	{key: "ft10", manufacturer: "Medtronic", model: "Valleylab FT10", category: surgical,
		firmware: []string{"2.0.3", "4.0.0"}, criticality: lifeSustaining, phi: phiNone, network: domain.No, why: "electrosurgery works standalone; connected only for Valleylab Exchange updates",
		patch: vendorOnly, serial: "T#@#####@", bought: [2]int{2018, 2019},
		endOfSupport: on(2030, 12, 31), lifeYears: 10, costUSD: 42000},
	{key: "amsco400", manufacturer: "STERIS", model: "AMSCO 400", category: surgical,
		firmware: []string{"4.02"}, criticality: supporting, phi: phiNone, network: domain.Unknown,
		patch: vendorOnly, oui: "steris", serial: "0##########", host: "sterilizer", bought: [2]int{2019, 2019},
		endOfSupport: on(2033, 12, 31), lifeYears: 15, costUSD: 120000},
	{key: "oer-elite", manufacturer: "Olympus", model: "OER-Elite", category: surgical,
		firmware: []string{"1.03"}, criticality: supporting, phi: phiNone, network: domain.Yes, why: "sends reprocessing records to the tracking system",
		patch: vendorOnly, oui: "olympus", serial: "1######", host: "oer", bought: [2]int{2021, 2021},
		endOfSupport: on(2031, 12, 31), lifeYears: 10, costUSD: 55000},

	// Clinical workstations and servers.
	{key: "vue-pacs", manufacturer: "Philips", model: "Vue PACS", category: workstation, os: "Windows", osVersion: "Server 2016",
		firmware: []string{"12.2.1.5"}, criticality: diagnostic, phi: phiBoth, phiRecords: 1200000, network: domain.Yes, why: whyServer,
		patch: vendorOnly, oui: "hpe", serial: "USE###@###", host: "pacs", bought: [2]int{2018, 2018},
		endOfSupport: on(2028, 12, 31), lifeYears: 7, costUSD: 250000},
	{key: "ra1000", manufacturer: "GE HealthCare", model: "Centricity PACS RA1000", category: workstation, os: "Windows", osVersion: "7 Professional SP1",
		firmware: []string{"3.2.2"}, criticality: diagnostic, phi: phiStores, phiRecords: 30000, network: domain.Yes, why: whyPC,
		patch: vendorOnly, oui: "dell", serial: "@######", host: "ra", bought: [2]int{2011, 2013},
		endOfSale: on(2015, 12, 31), endOfSupport: on(2020, 1, 14), lifeYears: 6, costUSD: 18000,
		notes: "Reading workstation; " + win7},
	{key: "precision", manufacturer: "Dell", model: "Precision 3650 Tower", category: workstation, os: "Windows", osVersion: "10 Enterprise 22H2",
		firmware: []string{"1.29.0", "1.31.0"}, criticality: diagnostic, phi: phiStores, phiRecords: 5000, network: domain.Yes, why: whyPC,
		patch: patchable, oui: "dell", serial: "@######", host: "rs", bought: [2]int{2021, 2022},
		endOfSale: on(2023, 3, 31), endOfSupport: fromNow(13), lifeYears: 5, costUSD: 4800,
		notes: "Diagnostic reading workstation. Windows 10 support ended on 2025-10-14."},
	{key: "iscv", manufacturer: "Philips", model: "IntelliSpace Cardiovascular", category: workstation, os: "Windows", osVersion: "Server 2012 R2",
		firmware: []string{"3.1"}, criticality: diagnostic, phi: phiBoth, phiRecords: 140000, network: domain.Yes, why: whyServer,
		patch: vendorOnly, oui: "vmware", serial: "ISCV-#####", host: "iscv", bought: [2]int{2015, 2015},
		endOfSupport: on(2023, 10, 10), lifeYears: 7, costUSD: 120000,
		notes: "Virtual machine; Microsoft ended support for Windows Server 2012 R2 on 2023-10-10."},
	{key: "im", manufacturer: "Data Innovations", model: "Instrument Manager", category: workstation, os: "Windows", osVersion: "Server 2012 R2",
		firmware: []string{"8.17"}, criticality: diagnostic, phi: phiBoth, phiRecords: 250000, network: domain.Yes, why: whyServer,
		patch: patchable, oui: "vmware", serial: "IM-######", host: "labmw", bought: [2]int{2016, 2016},
		endOfSupport: on(2027, 12, 31), lifeYears: 7, costUSD: 60000,
		notes: "Laboratory middleware; virtual machine."},
	{key: "mirth", manufacturer: "NextGen Healthcare", model: "Mirth Connect", category: workstation, os: "Linux", osVersion: "Ubuntu 20.04 LTS",
		firmware: []string{"3.12.0"}, criticality: supporting, phi: phiTransmits, phiRecords: 300000, network: domain.Yes, why: "HL7 interface engine between the EHR and departmental systems",
		patch: patchable, oui: "vmware", serial: "MC-######", host: "hl7", bought: [2]int{2020, 2020},
		lifeYears: 5, costUSD: 15000},
	{key: "optiplex-7010", manufacturer: "Dell", model: "OptiPlex 7010", category: workstation, os: "Windows", osVersion: "7 Professional SP1",
		firmware: []string{"A29"}, criticality: supporting, phi: phiStores, phiRecords: 800, network: domain.Yes, why: whyPC,
		patch: patchable, oui: "dell2", serial: "@######", host: "pc", bought: [2]int{2013, 2013},
		endOfSale: on(2013, 12, 31), endOfSupport: on(2020, 1, 14), lifeYears: 5, costUSD: 900,
		notes: "Technologist QC workstation. " + win7},
	{key: "optiplex-7090", manufacturer: "Dell", model: "OptiPlex 7090", category: workstation, os: "Windows", osVersion: "11 Enterprise 23H2",
		firmware: []string{"1.24.0"}, criticality: supporting, phi: phiStores, phiRecords: 200, network: domain.Yes, why: whyPC,
		patch: patchable, oui: "dell", serial: "@######", host: "pc", bought: [2]int{2022, 2022},
		endOfSupport: fromNow(30), lifeYears: 5, costUSD: 1100},
	{key: "optiplex-3020", manufacturer: "Dell", model: "OptiPlex 3020", category: workstation, os: "Windows", osVersion: "7 Professional SP1",
		firmware: []string{"A18"}, criticality: supporting, phi: phiStores, network: domain.Unknown,
		patch: patchable, oui: "dell2", serial: "@######", bought: [2]int{2014, 2014},
		endOfSale: on(2015, 12, 31), endOfSupport: on(2020, 1, 14), lifeYears: 5, costUSD: 800,
		notes: win7},

	// Building and clinical support.
	{key: "omnicell", manufacturer: "Omnicell", model: "XT Automated Dispensing Cabinet", category: building, os: "Windows", osVersion: "10 IoT Enterprise LTSC 2019",
		firmware: []string{"4.3.2"}, criticality: supporting, phi: phiBoth, phiRecords: 20000, network: domain.Yes, why: "medication orders from the pharmacy system and dispensing records back",
		patch: vendorOnly, serial: "XT######", host: "omni", bought: [2]int{2020, 2021},
		endOfSupport: on(2031, 12, 31), lifeYears: 10, costUSD: 45000},
	{key: "navicare", manufacturer: "Hill-Rom", model: "NaviCare Nurse Call", category: building, os: "Windows", osVersion: "Server 2016",
		firmware: []string{"6.3.1"}, criticality: supporting, phi: phiTransmits, phiRecords: 5000, network: domain.Yes, why: whyAlarm,
		patch: vendorOnly, oui: "hill-rom", serial: "NC######", host: "nursecall", bought: [2]int{2017, 2017},
		endOfSupport: fromNow(16), lifeYears: 12, costUSD: 150000},
	{key: "ilr120", manufacturer: "Helmer Scientific", model: "iLR120", category: building,
		firmware: []string{"3.02"}, criticality: supporting, phi: phiNone, network: domain.Yes, why: "temperature alarms to the facilities pager",
		patch: vendorOnly, oui: "helmer", serial: "########", bought: [2]int{2018, 2018},
		lifeYears: 12, costUSD: 9000},
	{key: "ipr120", manufacturer: "Helmer Scientific", model: "iPR120", category: building,
		firmware: []string{"3.02"}, criticality: supporting, phi: phiNone, network: domain.Yes, why: "vaccine temperature alarms to the on-call phone",
		patch: vendorOnly, oui: "helmer", serial: "########", bought: [2]int{2021, 2021},
		lifeYears: 12, costUSD: 9500},
	{key: "translogic", manufacturer: "Swisslog Healthcare", model: "Translogic Nexus Control Panel", category: building,
		firmware: []string{"7.2.4.3"}, criticality: supporting, phi: phiNone, network: domain.Yes, why: "pneumatic tube system control and monitoring",
		patch: vendorOnly, serial: "NX-#####", host: "pts", bought: [2]int{2015, 2015},
		endOfSupport: on(2030, 12, 31), lifeYears: 15, costUSD: 25000},
	{key: "totalalert", manufacturer: "BeaconMedaes", model: "TotalAlert Scroll Medical Air Systems", category: building,
		firmware: []string{"4107600010.23"}, criticality: supporting, phi: phiNone, network: domain.Yes, why: "medical air alarms to the building management system",
		patch: vendorOnly, serial: "####-#####", host: "medair", bought: [2]int{2012, 2012},
		endOfSupport: on(2028, 12, 31), lifeYears: 20, costUSD: 60000},
	{key: "responder5", manufacturer: "Rauland-Borg", model: "Responder 5", category: building, os: "Linux",
		firmware: []string{"5.6.1"}, criticality: supporting, phi: phiTransmits, phiRecords: 2000, network: domain.Yes, why: whyAlarm,
		patch: vendorOnly, oui: "rauland", serial: "R5-######", host: "nursecall", bought: [2]int{2014, 2014},
		endOfSupport: fromNow(22), lifeYears: 12, costUSD: 80000},

	// Other networked equipment.
	{key: "s3", manufacturer: "Stryker", model: "S3 MedSurg Bed", category: other,
		firmware: []string{"3005 S3"}, criticality: supporting, phi: phiNone, network: domain.Yes, why: "bed-exit alarms to nurse call through iBed Wireless",
		patch: vendorOnly, oui: "stryker", serial: "######-####", bought: [2]int{2016, 2016},
		endOfSale: on(2020, 12, 31), endOfSupport: on(2028, 12, 31), lifeYears: 10, costUSD: 22000},
	{key: "ec40", manufacturer: "Philips", model: "IntelliBridge EC40", category: other,
		firmware: []string{"C.00.04"}, criticality: supporting, phi: phiTransmits, network: domain.Yes, why: "brings bedside device data to the monitor and the EHR",
		patch: vendorOnly, oui: "philips-pm", serial: "DE########", bought: [2]int{2019, 2019},
		endOfSupport: fromNow(4), lifeYears: 7, costUSD: 3000},
	{key: "neuron2", manufacturer: "Capsule Technologies", model: "SmartLinx Neuron 2", category: other, os: "Linux",
		firmware: []string{"9.0.3"}, criticality: supporting, phi: phiTransmits, network: domain.Yes, why: "collects device data for the EHR",
		patch: vendorOnly, serial: "N2-########", host: "neuron", bought: [2]int{2017, 2017},
		endOfSale: on(2019, 12, 31), endOfSupport: on(2024, 6, 30), lifeYears: 7, costUSD: 4000},
	{key: "b3000n", manufacturer: "Vocera", model: "B3000n", category: other,
		firmware: []string{"5.3.0"}, criticality: supporting, phi: phiTransmits, network: domain.Yes, why: "staff communication and alarm notification over Wi-Fi",
		patch: vendorOnly, oui: "vocera", serial: "B3N#######", bought: [2]int{2021, 2022},
		endOfSale: on(2022, 12, 31), endOfSupport: fromNow(5), lifeYears: 5, costUSD: 600},
	{key: "unknown-lantronix", manufacturer: "Lantronix", category: other,
		oui: "lantronix", network: domain.Unknown},
}
