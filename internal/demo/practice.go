package demo

// The demo practice: its sites, their networks, and where each device is.
// People, addresses, asset tags and serial numbers are fictional.

const (
	practiceName  = "Cedar Valley Health"
	practiceNotes = "Demo practice created by `vigil demo`. Products are real; people, addresses, " +
		"serial numbers, asset tags and lifecycle figures are fictional."
	assetPrefix = "CVH-"
	dnsSuffix   = ".cvh.local"
)

// siteSpec is a site and its network: every zone is a VLAN whose IPv4
// subnet is 10.<octet>.<vlan-100>.0/24.
type siteSpec struct {
	slug, name, address, timeZone string
	octet                         int    // second octet of the site's 10.x.0.0/16
	host                          string // hostname prefix
}

var sites = []siteSpec{
	{slug: "main", name: "Main Campus", address: "1400 Riverside Parkway", timeZone: "America/Chicago", octet: 10, host: "mc"},
	{slug: "northgate", name: "Northgate Clinic", address: "220 Northgate Road", timeZone: "America/Chicago", octet: 20, host: "ng"},
	{slug: "surgery-center", name: "Riverside Surgery & Endoscopy Center", address: "75 Mill Street", timeZone: "America/Indiana/Indianapolis", octet: 30, host: "sc"},
}

// zones gives each category its VLAN. Dental and eye equipment shares the
// imaging VLAN; bedside clinical equipment shares one clinical VLAN.
var zones = map[string]int{
	"imaging": 110, "dental": 110, "ophthalmic": 110,
	"patient-monitoring": 120,
	"infusion":           130,
	"laboratory":         140,
	"cardiology":         150, "respiratory": 150, "therapeutic": 150, "surgical": 150,
	"workstation": 160,
	"building":    170,
	"other":       180,
}

// Staff and service organisations with administrative access.
const (
	itManager = "Jordan Ellis (IT manager)"
	pacsAdmin = "Priya Raman (PACS administrator)"
	biomed    = "Tom Kowalski (biomedical engineering)"
	labLead   = "Alicia Moreno (laboratory manager)"
	dentalMgr = "Renee Park (dental office manager)"
	eyeTech   = "Luis Ortega (ophthalmic technician)"
	ascLead   = "Hannah Brooks (surgery center manager)"
	facility  = "Marcus Lee (facilities)"
	geSvc     = "GE HealthCare field service"
	phSvc     = "Philips remote service"
	shSvc     = "Siemens Healthineers remote service"
)

// placement puts n units of a model at a site. Names and rooms may number
// the units: "%d" in name becomes 1..n, and rooms are used in turn.
type placement struct {
	site, model string
	n           int
	dept, name  string
	rooms       []string
	admins      []string
	firmware    string // pins one version for every unit
	osVersion   string // overrides the model's
	lifecycle   string // default in-service
	unreviewed  bool   // found by discovery, not yet confirmed by anyone
	notes       string
}

var placements = []placement{
	// Main Campus: radiology, emergency, observation, laboratory, cardiology, dialysis.
	{site: "main", model: "revo-evo", n: 1, dept: "Radiology", name: "CT 1", rooms: []string{"R-104"}, admins: []string{pacsAdmin, geSvc}},
	{site: "main", model: "aera", n: 1, dept: "Radiology", name: "MRI 1", rooms: []string{"R-110"}, admins: []string{pacsAdmin, shSvc}},
	{site: "main", model: "drx-evo", n: 1, dept: "Radiology", name: "X-ray Room 1", rooms: []string{"R-102"}, admins: []string{pacsAdmin}},
	{site: "main", model: "xr220amx", n: 1, dept: "Emergency", name: "Portable X-ray", rooms: []string{"E-120 equipment alcove"}},
	{site: "main", model: "fcr-capsula-x", n: 1, dept: "Radiology", name: "CR Reader", rooms: []string{"R-103"}, admins: []string{pacsAdmin},
		notes: "Kept for the portable cassettes; replacement is in next year's capital budget."},
	{site: "main", model: "sequoia", n: 1, dept: "Radiology", name: "Ultrasound 1", rooms: []string{"R-106"}},
	{site: "main", model: "epiq7", n: 1, dept: "Radiology", name: "Ultrasound 2", rooms: []string{"R-107"}, firmware: "VM5.0"},
	{site: "main", model: "logiq-e10", n: 1, dept: "Radiology", name: "Ultrasound 3", rooms: []string{"R-108"}},
	{site: "main", model: "vivid-e95", n: 1, dept: "Cardiology", name: "Echo 1", rooms: []string{"C-204"}},
	{site: "main", model: "sonosite-px", n: 2, dept: "Emergency", name: "ED POCUS %d", rooms: []string{"E-101"}},

	{site: "main", model: "b650", n: 4, dept: "Emergency", name: "ED Bay %d Monitor", rooms: []string{"E-111", "E-112", "E-113", "E-114"}},
	{site: "main", model: "cscs", n: 1, dept: "Emergency", name: "ED Central Station", rooms: []string{"E-100 nurse station"}, admins: []string{biomed, geSvc}},
	{site: "main", model: "mx450", n: 3, dept: "Observation Unit", name: "Obs %d Monitor", rooms: []string{"O-301", "O-302", "O-303"}},
	{site: "main", model: "mx450", n: 1, dept: "Observation Unit", name: "Obs 4 Monitor", rooms: []string{"B-012 biomed shop"}, lifecycle: "under-repair",
		notes: "Out for a failed NBP module; loaner in O-304."},
	{site: "main", model: "mx40", n: 2, dept: "Observation Unit", name: "Telemetry %d", rooms: []string{"O-300"}},
	{site: "main", model: "picix", n: 1, dept: "Observation Unit", name: "Obs Central (PIC iX)", rooms: []string{"B-001 server room"}, admins: []string{biomed, phSvc}},
	{site: "main", model: "n12", n: 2, dept: "Observation Unit", name: "Obs Flex %d Monitor", rooms: []string{"O-305", "O-306"}},
	{site: "main", model: "n12", n: 1, unreviewed: true},
	{site: "main", model: "connex-vsm", n: 2, dept: "Emergency", name: "Triage Vitals %d", rooms: []string{"E-105", "E-106"}},

	{site: "main", model: "alaris-8015", n: 2, dept: "Emergency", name: "ED Pump %d", rooms: []string{"E-111", "E-113"}},
	{site: "main", model: "alaris-8015", n: 3, dept: "Observation Unit", name: "Obs Pump %d", rooms: []string{"O-301", "O-302", "O-303"}},
	{site: "main", model: "alaris-8015", n: 1, dept: "Observation Unit", name: "Spare Pump", rooms: []string{"B-012 biomed shop"}, lifecycle: "spare"},
	{site: "main", model: "alaris-sm", n: 1, dept: "IT", name: "Alaris Systems Manager", rooms: []string{"B-001 server room"}, admins: []string{itManager, biomed}},
	{site: "main", model: "infusomat", n: 3, dept: "Infusion Suite", name: "Infusion Chair %d Pump", rooms: []string{"I-210", "I-211", "I-212"}},
	{site: "main", model: "spacestation", n: 1, dept: "Infusion Suite", name: "SpaceStation", rooms: []string{"I-210"}},

	{site: "main", model: "xn1000", n: 1, dept: "Laboratory", name: "Hematology Analyzer", rooms: []string{"L-150"}, admins: []string{labLead}},
	{site: "main", model: "c311", n: 1, dept: "Laboratory", name: "Chemistry Analyzer", rooms: []string{"L-150"}, admins: []string{labLead}},
	{site: "main", model: "e411", n: 1, dept: "Laboratory", name: "Immunoassay Analyzer", rooms: []string{"L-150"}, admins: []string{labLead}},
	{site: "main", model: "rp500e", n: 1, dept: "Laboratory", name: "Blood Gas Analyzer", rooms: []string{"L-151"}, admins: []string{labLead}},
	{site: "main", model: "istat", n: 2, dept: "Emergency", name: "ED i-STAT %d", rooms: []string{"E-100 nurse station"}},

	{site: "main", model: "tc50", n: 2, dept: "Cardiology", name: "ECG Cart %d", rooms: []string{"C-201", "E-100 nurse station"}},
	{site: "main", model: "mac5500", n: 1, dept: "Cardiology", name: "Stress ECG", rooms: []string{"C-206"}},
	{site: "main", model: "holter", n: 1, dept: "Cardiology", name: "Holter Analysis PC", rooms: []string{"C-203"}},
	{site: "main", model: "rseries", n: 2, dept: "Emergency", name: "Crash Cart Defibrillator %d", rooms: []string{"E-100 nurse station", "O-300"}},

	{site: "main", model: "pb980", n: 2, dept: "Emergency", name: "Ventilator %d", rooms: []string{"E-115", "E-116"}},
	{site: "main", model: "t1", n: 1, dept: "Emergency", name: "Transport Ventilator", rooms: []string{"E-120 equipment alcove"}, firmware: "2.2.3"},

	{site: "main", model: "2008t", n: 3, dept: "Dialysis", name: "Dialysis Station %d", rooms: []string{"D-220", "D-221", "D-222"}},

	{site: "main", model: "vue-pacs", n: 1, dept: "IT", name: "PACS Server", rooms: []string{"B-001 server room"}, admins: []string{pacsAdmin, itManager, phSvc}},
	{site: "main", model: "ra1000", n: 1, dept: "Radiology", name: "Reading Station 1", rooms: []string{"R-120"}, admins: []string{pacsAdmin}},
	{site: "main", model: "ra1000", n: 1, dept: "Radiology", name: "Reading Station 2", rooms: []string{"R-121"}, admins: []string{pacsAdmin},
		osVersion: "XP Professional SP3", firmware: "3.1.1", notes: "Oldest reading station; used for comparison studies only."},
	{site: "main", model: "precision", n: 2, dept: "Radiology", name: "Diagnostic Reading Station %d", rooms: []string{"R-122", "R-123"}, admins: []string{pacsAdmin, itManager}},
	{site: "main", model: "iscv", n: 1, dept: "IT", name: "Cardiology Server", rooms: []string{"B-001 server room"}, admins: []string{itManager, phSvc}},
	{site: "main", model: "im", n: 1, dept: "Laboratory", name: "Lab Middleware", rooms: []string{"B-001 server room"}, admins: []string{itManager, labLead}},
	{site: "main", model: "mirth", n: 1, dept: "IT", name: "Interface Engine", rooms: []string{"B-001 server room"}, admins: []string{itManager}},
	{site: "main", model: "optiplex-7010", n: 1, dept: "Radiology", name: "Tech QC PC", rooms: []string{"R-105"}},

	{site: "main", model: "omnicell", n: 1, dept: "Pharmacy", name: "ED Medication Cabinet", rooms: []string{"E-102"}},
	{site: "main", model: "navicare", n: 1, dept: "Observation Unit", name: "Nurse Call Server", rooms: []string{"B-001 server room"}, admins: []string{itManager}},
	{site: "main", model: "ilr120", n: 1, dept: "Laboratory", name: "Reagent Refrigerator", rooms: []string{"L-152"}},
	{site: "main", model: "translogic", n: 1, dept: "Facilities", name: "Pneumatic Tube Control Panel", rooms: []string{"B-010 plant room"}, admins: []string{facility}},

	{site: "main", model: "s3", n: 2, dept: "Observation Unit", name: "Obs Bed %d", rooms: []string{"O-301", "O-302"}},
	{site: "main", model: "ec40", n: 1, dept: "Observation Unit", name: "IntelliBridge Hub", rooms: []string{"O-303"}},
	{site: "main", model: "neuron2", n: 1, dept: "Emergency", name: "Device Integration Hub", rooms: []string{"E-100 nurse station"}},
	{site: "main", model: "b3000n", n: 2, dept: "Emergency", name: "ED Badge %d", rooms: []string{"E-100 nurse station"}},
	{site: "main", model: "b3000n", n: 1, unreviewed: true},

	// Northgate Clinic: family medicine, dental, eye clinic.
	{site: "northgate", model: "affiniti50", n: 1, dept: "Imaging", name: "Ultrasound", rooms: []string{"N-120"}, firmware: "VM4.0"},
	{site: "northgate", model: "drx-ascend", n: 1, dept: "Imaging", name: "X-ray Room", rooms: []string{"N-118"}},
	{site: "northgate", model: "connex-spot", n: 4, dept: "Family Medicine", name: "Exam %d Vitals", rooms: []string{"N-101", "N-102", "N-103", "N-104"}},
	{site: "northgate", model: "efficia-cm12", n: 1, dept: "Family Medicine", name: "Procedure Room Monitor", rooms: []string{"N-110"}},
	{site: "northgate", model: "suresigns-vs4", n: 1, dept: "Family Medicine", name: "Old Vitals Monitor", rooms: []string{"N-B02 storage"}, lifecycle: "retired",
		notes: "Replaced by the Connex monitors; awaiting disposal with data wipe."},
	{site: "northgate", model: "eli280", n: 1, dept: "Family Medicine", name: "ECG", rooms: []string{"N-110"}},
	{site: "northgate", model: "aed3", n: 1, dept: "Family Medicine", name: "Lobby AED", rooms: []string{"N-100 lobby"}},
	{site: "northgate", model: "afinion2", n: 1, dept: "Laboratory", name: "HbA1c Analyzer", rooms: []string{"N-130"}},
	{site: "northgate", model: "dca", n: 1, dept: "Laboratory", name: "DCA Analyzer", rooms: []string{"N-130"}},
	{site: "northgate", model: "vyntus", n: 1, dept: "Family Medicine", name: "Spirometer", rooms: []string{"N-111"}},
	{site: "northgate", model: "ipr120", n: 1, dept: "Family Medicine", name: "Vaccine Refrigerator", rooms: []string{"N-131"}},
	{site: "northgate", model: "optiplex-7090", n: 2, dept: "Family Medicine", name: "Nurse Station PC %d", rooms: []string{"N-105", "N-106"}, admins: []string{itManager}},

	{site: "northgate", model: "orthophos-sl", n: 1, dept: "Dental", name: "CBCT", rooms: []string{"N-210"}, admins: []string{dentalMgr}},
	{site: "northgate", model: "promax2d", n: 1, dept: "Dental", name: "Panoramic 2", rooms: []string{"N-211"}},
	{site: "northgate", model: "orthophos-xg5", n: 1, dept: "Dental", name: "Old Panoramic", rooms: []string{"N-B02 storage"}, lifecycle: "spare"},
	{site: "northgate", model: "primescan", n: 1, dept: "Dental", name: "Intraoral Scanner", rooms: []string{"N-212"}},
	{site: "northgate", model: "sidexis", n: 1, dept: "Dental", name: "Dental Imaging Server", rooms: []string{"N-B01 IT closet"}, admins: []string{itManager, dentalMgr}},

	{site: "northgate", model: "cirrus", n: 1, dept: "Eye Clinic", name: "OCT", rooms: []string{"N-310"}, admins: []string{eyeTech}},
	{site: "northgate", model: "hfa3", n: 1, dept: "Eye Clinic", name: "Visual Field", rooms: []string{"N-311"}},
	{site: "northgate", model: "nw8", n: 1, dept: "Eye Clinic", name: "Fundus Camera", rooms: []string{"N-312"}},
	{site: "northgate", model: "maestro2", n: 1, dept: "Eye Clinic", name: "OCT 2", rooms: []string{"N-313"}},
	{site: "northgate", model: "forum", n: 1, dept: "Eye Clinic", name: "ZEISS FORUM Server", rooms: []string{"N-B01 IT closet"}, admins: []string{itManager, eyeTech}},

	{site: "northgate", model: "unknown-lantronix", n: 1, unreviewed: true},

	// Riverside Surgery & Endoscopy Center.
	{site: "surgery-center", model: "cv190", n: 3, dept: "Endoscopy", name: "Endoscopy Video Processor %d", rooms: []string{"S-201", "S-202", "S-203"}},
	{site: "surgery-center", model: "image1s", n: 2, dept: "Operating Rooms", name: "OR %d Camera", rooms: []string{"S-101", "S-102"}},
	{site: "surgery-center", model: "aida", n: 1, dept: "Operating Rooms", name: "OR Documentation", rooms: []string{"S-101"}, admins: []string{ascLead}},
	{site: "surgery-center", model: "ft10", n: 1, dept: "Operating Rooms", name: "OR 1 Electrosurgical Unit", rooms: []string{"S-101"}, firmware: "2.0.3"},
	{site: "surgery-center", model: "ft10", n: 1, dept: "Operating Rooms", name: "OR 2 Electrosurgical Unit", rooms: []string{"S-102"}, firmware: "4.0.0"},
	{site: "surgery-center", model: "amsco400", n: 1, dept: "Sterile Processing", name: "Steam Sterilizer", rooms: []string{"S-150"}},
	{site: "surgery-center", model: "oer-elite", n: 1, dept: "Sterile Processing", name: "Endoscope Reprocessor", rooms: []string{"S-151"}},

	{site: "surgery-center", model: "perseus", n: 2, dept: "Anesthesia", name: "OR %d Anesthesia Workstation", rooms: []string{"S-101", "S-102"}},
	{site: "surgery-center", model: "aisys", n: 1, dept: "Anesthesia", name: "Endoscopy Anesthesia Workstation", rooms: []string{"S-203"}},
	{site: "surgery-center", model: "capnostream", n: 2, dept: "Endoscopy", name: "Endoscopy %d Capnography", rooms: []string{"S-201", "S-202"}},

	{site: "surgery-center", model: "delta", n: 3, dept: "PACU", name: "PACU Bay %d Monitor", rooms: []string{"S-301", "S-302", "S-303"}},
	{site: "surgery-center", model: "kappa", n: 1, dept: "PACU", name: "Spare Monitor", rooms: []string{"S-B01 storage"}, lifecycle: "spare"},
	{site: "surgery-center", model: "n12", n: 2, dept: "Pre-op", name: "Pre-op %d Monitor", rooms: []string{"S-010", "S-011"}},
	{site: "surgery-center", model: "sonosite-px", n: 1, unreviewed: true},

	{site: "surgery-center", model: "spectrum", n: 3, dept: "Pre-op", name: "Pump %d", rooms: []string{"S-010", "S-011", "S-012"}},
	{site: "surgery-center", model: "spectrum", n: 1, dept: "PACU", name: "Pump 4", rooms: []string{"Sent to Baxter depot"}, lifecycle: "under-repair"},
	{site: "surgery-center", model: "medfusion", n: 1, dept: "Anesthesia", name: "Syringe Pump", rooms: []string{"S-101"}},

	{site: "surgery-center", model: "rseries", n: 1, dept: "PACU", name: "PACU Defibrillator", rooms: []string{"S-300"}},
	{site: "surgery-center", model: "tc30", n: 1, dept: "Pre-op", name: "Pre-op ECG", rooms: []string{"S-012"}},
	{site: "surgery-center", model: "istat", n: 1, dept: "PACU", name: "PACU i-STAT", rooms: []string{"S-300"}},

	{site: "surgery-center", model: "optiplex-3020", n: 1, unreviewed: true},
	{site: "surgery-center", model: "omnicell", n: 1, dept: "Pharmacy", name: "OR Medication Cabinet", rooms: []string{"S-110"}},
	{site: "surgery-center", model: "totalalert", n: 1, dept: "Facilities", name: "Medical Air Compressor", rooms: []string{"S-B03 plant room"}, admins: []string{facility}},
	{site: "surgery-center", model: "responder5", n: 1, dept: "PACU", name: "Nurse Call Head-End", rooms: []string{"S-B01 IT closet"}, admins: []string{ascLead}},
	{site: "surgery-center", model: "b3000n", n: 1, dept: "PACU", name: "PACU Badge", rooms: []string{"S-300"}},
}
