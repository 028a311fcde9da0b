// Package demo builds the demo practice that `vigil demo` serves: a small
// multi-site practice with real makes and models (several of them named in
// published CISA ICS medical advisories), network identities, lifecycle
// dates, a few unpatchable and end-of-support devices, and vendors whose
// security contacts need checking. Everything is generated here from the
// tables below; nothing is downloaded.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Options tune the demo; the zero value is the standard demo.
type Options struct {
	Now  time.Time // reference date for support dates; zero means time.Now()
	Seed uint64    // varies serial numbers, dates and addresses; 0 is the standard demo
}

// TenantName is the demo practice's name.
const TenantName = "Lakeside Family Medicine"

type site struct {
	name, tz, address, subnet string
	vlan                      int
}

var sites = []site{
	{"Main Clinic", "America/Chicago", "1200 Lakeshore Dr, Madison, WI", "10.10", 110},
	{"Riverside Imaging Center", "America/Chicago", "45 River Rd, Madison, WI", "10.20", 120},
	{"Northgate Outpatient Surgery", "America/Chicago", "980 Northgate Blvd, Sun Prairie, WI", "10.30", 130},
}

// vendor is a manufacturer's public details. PSIRT pages are the vendors'
// published product-security pages; the demo marks them as needing
// verification, as any contact list should be checked.
type vendor struct {
	name, website, psirtURL string
	oui                     string // a MAC prefix registered to the vendor in the IEEE registry
	verifiedMonthsAgo       int    // 0: never verified
}

var vendors = []vendor{
	{"GE HealthCare", "https://www.gehealthcare.com", "https://www.gehealthcare.com/productsecurity", "44:4b:5d", 3},
	{"Philips", "https://www.philips.com", "https://www.philips.com/a-w/security/security-advisories.html", "00:09:5c", 2},
	{"Siemens Healthineers", "https://www.siemens-healthineers.com", "https://www.siemens-healthineers.com/support-documentation/cybersecurity", "00:18:65", 8},
	{"BD", "https://www.bd.com", "https://www.bd.com/en-us/about-bd/cybersecurity", "f8:c6:78", 5},
	{"Baxter", "https://www.baxter.com", "", "58:46:e1", 0},
	{"B. Braun", "https://www.bbraun.com", "", "00:12:21", 20},
	{"Dräger", "https://www.draeger.com", "", "00:10:5d", 14},
	{"Mindray", "https://www.mindray.com", "", "00:a0:37", 0},
	{"Medtronic", "https://www.medtronic.com", "", "dc:16:a2", 26},
	{"Abbott", "https://www.abbott.com", "", "00:13:dd", 0},
	{"Sysmex", "https://www.sysmex.com", "", "00:06:6b", 0},
	{"Fujifilm", "https://www.fujifilm.com", "", "88:b4:36", 9},
	{"Carestream", "https://www.carestream.com", "", "00:1d:4a", 0},
	{"Dentsply Sirona", "https://www.dentsplysirona.com", "", "00:10:19", 0},
	{"Planmeca", "https://www.planmeca.com", "", "00:09:21", 0},
	{"ZEISS", "https://www.zeiss.com", "", "f0:95:f1", 0},
	{"Topcon", "https://www.topconhealthcare.com", "", "d4:90:e0", 0},
	{"Olympus", "https://www.olympus.com", "", "00:01:13", 0},
	{"Stryker", "https://www.stryker.com", "", "00:0d:d1", 30},
	{"Masimo", "https://www.masimo.com", "", "e0:c2:b7", 0},
	{"Fresenius", "https://www.freseniusmedicalcare.com", "", "b0:4c:05", 0},
	{"Hamilton Medical", "https://www.hamilton-medical.com", "", "", 0},
	{"Nihon Kohden", "https://www.nihonkohden.com", "", "00:a0:9a", 0},
	{"Dell", "https://www.dell.com", "", "98:e7:43", 4},
	{"Omnicell", "https://www.omnicell.com", "", "", 0},
	{"ZOLL", "https://www.zoll.com", "", "", 0},
}

// model is one make and model and how many the practice has at each site.
type model struct {
	vendor, name string
	category     domain.Category
	os, osVer    string
	firmware     []string // versions found in the fleet
	counts       [3]int   // devices at each site, in sites order
	dept         [3]string
	crit         domain.Criticality
	phi          domain.PHI
	records      int64
	netWhy       string // why it needs the network; "" = it does not
	patch        domain.Patchability
	bought       int // year the first ones were bought
	// Lifecycle: end of support relative to the demo's "now", in months
	// (negative: already past), service life and replacement cost.
	eosMonths   int
	lifeYears   int
	costDollars int64
	advisory    string // a published advisory naming this product, for the notes
}

var models = []model{
	// Patient monitoring.
	{"GE HealthCare", "CARESCAPE B650", "patient-monitoring", "", "", []string{"2.0.6", "2.0.8"}, [3]int{6, 0, 4}, [3]string{"ICU", "", "PACU"}, "life-sustaining", "transmits", 0,
		"streams waveforms and alarms to the central station", "vendor-only", 2016, 30, 10, 23000, "ICSMA-20-023-01 (CARESCAPE/B650 1.x)"},
	{"GE HealthCare", "CARESCAPE Central Station", "patient-monitoring", "Windows", "7 Embedded", []string{"2.0.3"}, [3]int{1, 0, 1}, [3]string{"ICU", "", "PACU"}, "life-sustaining", "stores-transmits", 18000,
		"collects alarms and waveforms from bedside monitors", "vendor-only", 2015, -4, 10, 61000, "ICSMA-20-023-01 (CSCS 2.x)"},
	{"Philips", "IntelliVue MX450", "patient-monitoring", "", "", []string{"M.00.03", "L.01.19"}, [3]int{5, 2, 3}, [3]string{"Emergency", "Radiology", "Pre-op"}, "life-sustaining", "transmits", 0,
		"sends vital signs to the PIC iX central station", "vendor-only", 2018, 40, 10, 19500, "ICSMA-20-254-01"},
	{"Philips", "Patient Information Center iX (PIC iX)", "patient-monitoring", "Windows", "Server 2012 R2", []string{"C.02"}, [3]int{1, 0, 0}, [3]string{"Emergency", "", ""}, "diagnostic", "stores-transmits", 42000,
		"central monitoring and HL7 export to the EHR", "vendor-only", 2017, 8, 8, 85000, "ICSMA-20-254-01 (PIC iX C.02)"},
	{"Mindray", "BeneVision N12", "patient-monitoring", "", "", []string{"01.40.00"}, [3]int{3, 0, 0}, [3]string{"Observation", "", ""}, "life-sustaining", "transmits", 0,
		"sends vital signs to the central station", "vendor-only", 2021, 70, 10, 14000, ""},
	{"Masimo", "Root with Radical-7", "patient-monitoring", "", "", []string{"3.1.2"}, [3]int{2, 0, 2}, [3]string{"ICU", "", "PACU"}, "diagnostic", "transmits", 0,
		"pulse oximetry to the EHR through the gateway", "vendor-patchable", 2020, 55, 8, 9000, ""},
	// Infusion.
	{"BD", "Alaris 8015 PC Unit", "infusion", "", "", []string{"12.1.2", "12.3.0"}, [3]int{9, 0, 5}, [3]string{"ICU", "", "Surgery"}, "life-sustaining", "transmits", 0,
		"drug library updates and infusion records through the Alaris server", "vendor-only", 2017, 36, 10, 4200, ""},
	{"Baxter", "Sigma Spectrum", "infusion", "", "", []string{"8.00.01"}, [3]int{6, 0, 0}, [3]string{"Medical/Surgical", "", ""}, "life-sustaining", "none", 0,
		"drug library updates over Wi-Fi", "vendor-only", 2015, -10, 10, 3900, ""},
	{"B. Braun", "Infusomat Space with Battery Pack SP WiFi", "infusion", "", "", []string{"L81", "U61"}, [3]int{4, 0, 4}, [3]string{"ICU", "", "Surgery"}, "life-sustaining", "none", 0,
		"SpaceCom connection for drug library and status", "vendor-only", 2019, 24, 10, 5100, "ICSMA-21-294-01, ICSMA-23-103-01 (Battery Pack SP with Wi-Fi)"},
	{"Medtronic", "MiniMed 630G", "infusion", "", "", []string{"MMT-1715"}, [3]int{1, 0, 0}, [3]string{"Endocrinology", "", ""}, "life-sustaining", "none", 0,
		"", "not-patchable", 2018, -2, 5, 6000, "ICSMA-22-263-01 (MiniMed 630G)"},
	// Imaging.
	{"Siemens Healthineers", "SOMATOM go.Up", "imaging", "Windows", "10 IoT Enterprise", []string{"VA30A"}, [3]int{0, 1, 0}, [3]string{"", "CT", ""}, "diagnostic", "stores-transmits", 60000,
		"sends studies to PACS and receives worklists", "vendor-only", 2020, 60, 10, 650000, ""},
	{"GE HealthCare", "SIGNA Explorer 1.5T", "imaging", "Linux", "", []string{"SV25.1"}, [3]int{0, 1, 0}, [3]string{"", "MRI", ""}, "diagnostic", "stores-transmits", 48000,
		"sends studies to PACS and receives worklists", "vendor-only", 2018, 30, 12, 1200000, ""},
	{"GE HealthCare", "Optima MR360 1.5T", "imaging", "Linux", "", []string{"SV23.0"}, [3]int{0, 1, 0}, [3]string{"", "MRI", ""}, "diagnostic", "stores-transmits", 70000,
		"sends studies to PACS", "vendor-only", 2011, -30, 12, 900000, "ICSMA-20-343-01 (Optima MR360 SV23.0)"},
	{"GE HealthCare", "LOGIQ E10", "imaging", "Windows", "10 IoT Enterprise", []string{"R3"}, [3]int{1, 2, 0}, [3]string{"Obstetrics", "Ultrasound", ""}, "diagnostic", "stores-transmits", 9000,
		"sends studies to PACS", "vendor-only", 2019, 45, 8, 120000, "ICSMA-20-049-02 (LOGIQ)"},
	{"Philips", "EPIQ 7", "imaging", "Windows", "10 IoT Enterprise", []string{"VM5.0"}, [3]int{0, 2, 0}, [3]string{"", "Ultrasound", ""}, "diagnostic", "stores-transmits", 12000,
		"sends studies to PACS", "vendor-only", 2019, 20, 8, 140000, "ICSMA-20-177-01 (EPIQ/Affiniti <= VM5.0)"},
	{"Carestream", "DRX-Evolution Plus", "imaging", "Windows", "10", []string{"5.7.412"}, [3]int{0, 2, 0}, [3]string{"", "X-ray", ""}, "diagnostic", "stores-transmits", 35000,
		"sends studies to PACS", "vendor-patchable", 2017, 16, 10, 180000, ""},
	{"Fujifilm", "FCR Capsula X", "imaging", "Windows", "XP Embedded", []string{"CR-IR 357"}, [3]int{0, 1, 0}, [3]string{"", "X-ray", ""}, "diagnostic", "stores-transmits", 80000,
		"sends computed radiography images to PACS", "not-patchable", 2009, -60, 10, 45000, "ICSMA-19-113-01 (FCR Capsula X CR-IR 357)"},
	{"Fujifilm", "Sonosite PX", "imaging", "", "", []string{"1.2.1"}, [3]int{1, 0, 1}, [3]string{"Emergency", "", "Anesthesia"}, "diagnostic", "stores", 800,
		"", "vendor-patchable", 2022, 80, 7, 45000, ""},
	// Laboratory.
	{"Abbott", "i-STAT 1 Wireless", "laboratory", "", "", []string{"JAMS 2.4"}, [3]int{3, 0, 2}, [3]string{"Emergency", "", "Pre-op"}, "diagnostic", "transmits", 0,
		"sends results to the laboratory system", "vendor-only", 2018, 26, 7, 8500, ""},
	{"Sysmex", "XN-1000", "laboratory", "Windows", "10", []string{"00-23"}, [3]int{1, 0, 0}, [3]string{"Laboratory", "", ""}, "diagnostic", "stores-transmits", 150000,
		"results to the LIS over HL7", "vendor-only", 2016, 10, 10, 120000, ""},
	{"Siemens Healthineers", "RAPIDPoint 500e", "laboratory", "Windows", "10 IoT Enterprise", []string{"5.1"}, [3]int{1, 0, 1}, [3]string{"Laboratory", "", "Surgery"}, "diagnostic", "stores-transmits", 20000,
		"blood gas results to the LIS", "vendor-only", 2020, 50, 8, 30000, ""},
	// Cardiology.
	{"Philips", "PageWriter TC70", "cardiology", "Windows", "7 Embedded", []string{"PW05.01.02"}, [3]int{2, 0, 1}, [3]string{"Cardiology", "", "Pre-op"}, "diagnostic", "stores-transmits", 15000,
		"sends ECGs to the cardiology management system", "vendor-only", 2014, -16, 10, 14000, ""},
	{"GE HealthCare", "MAC 5500 HD", "cardiology", "Windows", "XP Embedded", []string{"010A"}, [3]int{1, 0, 0}, [3]string{"Cardiology", "", ""}, "diagnostic", "stores-transmits", 22000,
		"sends ECGs to MUSE", "not-patchable", 2010, -40, 10, 12000, ""},
	{"ZOLL", "R Series", "cardiology", "", "", []string{"13.04"}, [3]int{2, 1, 2}, [3]string{"Emergency", "Radiology", "Surgery"}, "life-sustaining", "stores", 0,
		"uploads code event records for review", "vendor-patchable", 2017, 12, 10, 28000, ""},
	// Respiratory and anesthesia.
	{"Dräger", "Perseus A500", "respiratory", "", "", []string{"2.03"}, [3]int{0, 0, 4}, [3]string{"", "", "Surgery"}, "life-sustaining", "transmits", 0,
		"sends anesthesia records to the AIMS", "vendor-only", 2019, 44, 12, 95000, ""},
	{"Dräger", "Infinity Delta", "patient-monitoring", "", "", []string{"VF9"}, [3]int{0, 0, 2}, [3]string{"", "", "PACU"}, "life-sustaining", "transmits", 0,
		"sends vital signs to the Infinity central station", "vendor-only", 2012, -24, 10, 15000, "ICSMA-19-022-01 (Infinity Delta, all versions)"},
	{"Hamilton Medical", "HAMILTON-T1", "respiratory", "", "", []string{"2.2.3"}, [3]int{2, 0, 0}, [3]string{"ICU", "", ""}, "life-sustaining", "none", 0,
		"", "vendor-only", 2018, 34, 10, 32000, "ICSMA-21-047-01 (T1 Ventilator <= 2.2.3)"},
	{"GE HealthCare", "Aisys CS2", "respiratory", "", "", []string{"11"}, [3]int{0, 0, 2}, [3]string{"", "", "Surgery"}, "life-sustaining", "transmits", 0,
		"sends anesthesia records to the AIMS through a terminal server", "vendor-only", 2016, 14, 12, 110000, "ICSMA-19-190-01 (Aisys CS2)"},
	// Dental and ophthalmic.
	{"Dentsply Sirona", "Orthophos SL", "dental", "Windows", "10", []string{"2.2"}, [3]int{1, 0, 0}, [3]string{"Oral Surgery", "", ""}, "diagnostic", "stores-transmits", 6000,
		"images to the dental imaging server", "vendor-patchable", 2020, 66, 10, 85000, ""},
	{"Planmeca", "ProMax 2D", "dental", "Windows", "7", []string{"1.5"}, [3]int{1, 0, 0}, [3]string{"Oral Surgery", "", ""}, "diagnostic", "stores-transmits", 9000,
		"images to Romexis", "vendor-only", 2013, -20, 10, 40000, ""},
	{"ZEISS", "CIRRUS HD-OCT 5000", "ophthalmic", "Windows", "10", []string{"11.5"}, [3]int{1, 0, 0}, [3]string{"Ophthalmology", "", ""}, "diagnostic", "stores-transmits", 14000,
		"scans to FORUM", "vendor-only", 2019, 28, 8, 75000, ""},
	{"Topcon", "TRC-NW400", "ophthalmic", "", "", []string{"1.10"}, [3]int{1, 0, 0}, [3]string{"Ophthalmology", "", ""}, "diagnostic", "stores-transmits", 5000,
		"fundus images to the viewer", "vendor-only", 2017, 6, 8, 25000, ""},
	// Surgical and therapeutic.
	{"Olympus", "EVIS EXERA III CV-190", "surgical", "", "", []string{"2.05"}, [3]int{0, 0, 2}, [3]string{"", "", "Endoscopy"}, "diagnostic", "stores", 0,
		"images to the endoscopy reporting system", "vendor-only", 2016, 18, 10, 60000, ""},
	{"Medtronic", "Valleylab FT10 Energy Platform", "surgical", "", "", []string{"4.0.0"}, [3]int{0, 0, 3}, [3]string{"", "", "Surgery"}, "life-sustaining", "none", 0,
		"Valleylab Exchange updates", "vendor-only", 2018, 38, 10, 30000, "ICSMA-19-311-02 (FT10 <= 4.0.0)"},
	{"Fresenius", "5008S CorDiax", "therapeutic", "", "", []string{"4.56"}, [3]int{2, 0, 0}, [3]string{"Dialysis", "", ""}, "life-sustaining", "transmits", 0,
		"treatment data to the dialysis EMR", "vendor-only", 2016, 22, 10, 28000, ""},
	// Workstations and servers.
	{"Dell", "OptiPlex 7090 (PACS reading station)", "workstation", "Windows", "10 Enterprise 22H2", []string{"2.19.0"}, [3]int{2, 3, 0}, [3]string{"Radiology", "Radiology", ""}, "supporting", "stores-transmits", 250000,
		"reads studies from PACS", "vendor-patchable", 2021, 12, 5, 2200, ""},
	{"Dell", "PowerEdge R740 (PACS server)", "workstation", "Windows", "Server 2016", []string{"2.12.2"}, [3]int{0, 1, 0}, [3]string{"", "IT", ""}, "diagnostic", "stores-transmits", 900000,
		"stores and serves every study", "vendor-patchable", 2019, 4, 6, 28000, ""},
	{"Philips", "Vue PACS", "workstation", "Windows", "Server 2019", []string{"12.2.1"}, [3]int{0, 1, 0}, [3]string{"", "IT", ""}, "diagnostic", "stores-transmits", 900000,
		"the image archive and viewer", "vendor-only", 2019, 30, 8, 150000, "ICSMA-21-187-01, ICSMA-24-200-01 (Vue PACS < 12.2.8.410)"},
	// Building and clinical support.
	{"Omnicell", "XT Automated Dispensing Cabinet", "building", "Windows", "10 IoT Enterprise", []string{"23.2"}, [3]int{2, 0, 1}, [3]string{"Pharmacy", "", "Surgery"}, "supporting", "stores-transmits", 30000,
		"medication orders from the pharmacy system", "vendor-only", 2020, 40, 10, 45000, ""},
	{"Stryker", "S3 MedSurg Bed with iBed Wireless", "building", "", "", []string{"3005"}, [3]int{4, 0, 0}, [3]string{"Medical/Surgical", "", ""}, "supporting", "none", 0,
		"bed-exit alarms to nurse call", "vendor-only", 2014, -8, 10, 18000, "ICSMA-19-029-01 (S3 MedSurg Bed)"},
	// Other.
	{"Nihon Kohden", "Neurofax EEG-1200", "other", "Windows", "10", []string{"07-11"}, [3]int{1, 0, 0}, [3]string{"Neurology", "", ""}, "diagnostic", "stores-transmits", 4000,
		"recordings to the review station", "vendor-only", 2017, 8, 10, 60000, ""},
}

// Seed fills an empty store with the demo and returns the practice. It
// refuses a store that already holds practices, so demo data never mixes
// with real data.
func Seed(ctx context.Context, st store.Store, opt Options) (*domain.Tenant, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	r := rand.New(rand.NewPCG(opt.Seed, 0x5EED))
	if existing, err := st.FindTenants(ctx); err != nil {
		return nil, err
	} else if len(existing) > 0 {
		return nil, domain.Errorf(domain.CodeConflict, "the database already holds %d practices; the demo needs an empty database", len(existing))
	}
	t := &domain.Tenant{Name: TenantName, Slug: "lakeside", Notes: "Demo practice generated by `vigil demo`."}
	if err := st.CreateTenant(ctx, t); err != nil {
		return nil, err
	}
	tctx := domain.WithTenant(ctx, t.ID)
	for _, s := range sites {
		if err := st.CreateSite(tctx, &domain.Site{Name: s.name, TimeZone: s.tz, Address: s.address}); err != nil {
			return nil, err
		}
	}
	ouis := map[string]string{}
	for _, v := range vendors {
		ouis[v.name] = v.oui
		rec := &domain.Vendor{Name: v.name, Website: v.website, PSIRTURL: v.psirtURL,
			Notes: "Demo data: confirm these contacts with the manufacturer before relying on them."}
		if v.verifiedMonthsAgo > 0 {
			rec.ContactVerified = domain.DateOf(now.AddDate(0, -v.verifiedMonthsAgo, 0))
		}
		if err := st.CreateVendor(ctx, rec); err != nil {
			return nil, err
		}
	}
	for _, m := range models {
		eos := domain.DateOf(now.AddDate(0, m.eosMonths, 0))
		entry := &domain.Model{Manufacturer: m.vendor, Name: m.name, Category: m.category, EndOfSupport: eos,
			EndOfSale: domain.DateOf(now.AddDate(0, m.eosMonths-36, 0)), EndOfLife: domain.DateOf(now.AddDate(0, m.eosMonths+24, 0)),
			ServiceLifeYears: m.lifeYears, ReplacementCostCents: m.costDollars * 100}
		if m.advisory != "" {
			entry.Notes = "Named in CISA advisory " + m.advisory + "."
		}
		if err := st.UpsertModel(ctx, entry); err != nil {
			return nil, err
		}
	}
	batch := &domain.ImportBatch{File: "demo inventory (built in)", Records: devices(r, now, ouis)}
	if _, err := st.ImportDevices(tctx, batch); err != nil {
		return nil, err
	}
	return t, nil
}

// devices builds the demo's device records.
func devices(r *rand.Rand, now time.Time, ouis map[string]string) []domain.ImportRecord {
	var out []domain.ImportRecord
	host := [3]int{20, 20, 20} // next host number per site
	tag := 1000
	for _, m := range models {
		for si, n := range m.counts {
			for i := 0; i < n; i++ {
				tag++
				host[si]++
				s := sites[si]
				year := m.bought + r.IntN(max(1, min(4, now.Year()-m.bought)))
				purchase := time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
				install := purchase.AddDate(0, 0, 7+r.IntN(50))
				vals := map[domain.Field]string{
					domain.FieldAssetTag:     fmt.Sprintf("LFM-%05d", tag),
					domain.FieldSerial:       serial(r, m),
					domain.FieldName:         fmt.Sprintf("%s %s %d", shortName(m.name), deptCode(m.dept[si]), i+1),
					domain.FieldCategory:     string(m.category),
					domain.FieldManufacturer: m.vendor,
					domain.FieldModel:        m.name,
					domain.FieldOS:           m.os,
					domain.FieldOSVersion:    m.osVer,
					domain.FieldFirmware:     m.firmware[r.IntN(len(m.firmware))],
					domain.FieldMACs:         mac(r, ouis[m.vendor]),
					domain.FieldIPs:          fmt.Sprintf("%s.%d.%d", s.subnet, 10+int(m.category[0])%40, host[si]),
					domain.FieldHostnames:    strings.ToLower(fmt.Sprintf("%s-%s-%03d", deptCode(m.dept[si]), slug(m.name), i+1)),
					domain.FieldVLANs:        fmt.Sprint(s.vlan),
					domain.FieldSite:         s.name,
					domain.FieldDepartment:   m.dept[si],
					domain.FieldLocation:     fmt.Sprintf("Room %d%02d", 1+r.IntN(3), 1+r.IntN(40)),
					domain.FieldCriticality:  string(m.crit),
					domain.FieldPHI:          string(m.phi),
					domain.FieldPatchability: string(m.patch),
					domain.FieldPurchaseDate: purchase.Format("2006-01-02"),
					domain.FieldInstallDate:  install.Format("2006-01-02"),
					domain.FieldLifecycle:    "in-service",
				}
				if m.records > 0 {
					vals[domain.FieldPHIRecords] = fmt.Sprint(m.records/int64(max(1, n)) + int64(r.IntN(500)))
				}
				if m.netWhy != "" {
					vals[domain.FieldNetworkRequired] = "yes"
					vals[domain.FieldNetworkJustification] = m.netWhy
				} else {
					vals[domain.FieldNetworkRequired] = "no"
				}
				if m.advisory != "" {
					vals[domain.FieldNotes] = "Model named in CISA advisory " + m.advisory + "; check the firmware against it."
				}
				switch {
				case m.crit == "life-sustaining" && i == 0:
					vals[domain.FieldAdmins] = "Dana Whitfield (biomed); " + m.vendor + " field service"
				case m.category == "workstation":
					vals[domain.FieldAdmins] = "Sam Ortiz (IT lead)"
				}
				// A few devices tell the lifecycle and review stories.
				switch tag % 29 {
				case 7:
					vals[domain.FieldLifecycle] = "spare"
				case 13:
					vals[domain.FieldLifecycle] = "under-repair"
				case 23:
					vals[domain.FieldReview] = "unreviewed"
					vals[domain.FieldNotes] = "Seen on the network; nobody has confirmed this record yet."
				}
				out = append(out, record(len(out)+1, vals))
			}
		}
	}
	return out
}

func record(row int, vals map[domain.Field]string) domain.ImportRecord {
	rec := domain.ImportRecord{Row: row, Location: fmt.Sprintf("demo:%d", row)}
	for _, fi := range domain.DeviceFields() {
		v, ok := vals[fi.Field]
		if !ok || v == "" {
			continue
		}
		if err := rec.Device.Set(fi.Field, v); err != nil {
			panic(fmt.Sprintf("demo table: %s = %q: %v", fi.Field, v, err)) // a bug in the tables above
		}
		rec.Fields = append(rec.Fields, fi.Field)
	}
	return rec
}

// serial makes a manufacturer-looking serial number.
func serial(r *rand.Rand, m model) string {
	prefix := strings.ToUpper(strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c
		}
		return -1
	}, m.vendor))
	if len(prefix) > 3 {
		prefix = prefix[:3]
	}
	return fmt.Sprintf("%s%02d%06d", prefix, m.bought%100, r.IntN(1_000_000))
}

// mac makes an address under the vendor's registered prefix, or a locally
// administered one when the vendor has none listed.
func mac(r *rand.Rand, oui string) string {
	if oui == "" {
		oui = fmt.Sprintf("02:%02x:%02x", r.IntN(256), r.IntN(256))
	}
	return fmt.Sprintf("%s:%02x:%02x:%02x", oui, r.IntN(256), r.IntN(256), r.IntN(256))
}

func shortName(name string) string {
	if i := strings.IndexAny(name, "(,"); i > 0 {
		name = strings.TrimSpace(name[:i])
	}
	return name
}

func slug(name string) string {
	s := domain.Slugify(shortName(name))
	if len(s) > 16 {
		s = strings.TrimRight(s[:16], "-")
	}
	return s
}

func deptCode(dept string) string {
	codes := map[string]string{"Medical/Surgical": "MS", "Emergency": "ED", "Observation": "OBS", "Obstetrics": "OB", "Oral Surgery": "OS"}
	if c, ok := codes[dept]; ok {
		return c
	}
	if len(dept) > 4 {
		return strings.ToUpper(dept[:4])
	}
	return strings.ToUpper(dept)
}
