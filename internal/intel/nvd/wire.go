package nvd

// Wire structs for the three record formats. Members not listed are
// ignored (assigner, vulnStatus, evaluator notes, cpe_name lists,
// exploitability and impact sub-scores, SSVC, x_legacyV4Record…).

// item11 is one entry of an NVD JSON 1.1 feed's CVE_Items array
// (NVD JSON 1.1 schema, nvd_cve_feed_json_1.1).
type item11 struct {
	CVE struct {
		Meta struct {
			ID string `json:"ID"`
		} `json:"CVE_data_meta"`
		ProblemType struct {
			Data []struct {
				Description []langValue `json:"description"`
			} `json:"problemtype_data"`
		} `json:"problemtype"`
		References struct {
			Data []struct {
				URL string `json:"url"`
			} `json:"reference_data"`
		} `json:"references"`
		Description struct {
			Data []langValue `json:"description_data"`
		} `json:"description"`
	} `json:"cve"`
	Configurations struct {
		Nodes []node11 `json:"nodes"`
	} `json:"configurations"`
	Impact struct {
		V3 *struct {
			CVSS cvssData `json:"cvssV3"`
		} `json:"baseMetricV3"`
		V2 *struct {
			CVSS     cvssData `json:"cvssV2"`
			Severity string   `json:"severity"`
		} `json:"baseMetricV2"`
	} `json:"impact"`
	Published string `json:"publishedDate"`
	Modified  string `json:"lastModifiedDate"`
}

// node11 is a 1.1 configuration node: an operator over CPE matches and
// child nodes.
type node11 struct {
	Operator string    `json:"operator"`
	Negate   bool      `json:"negate"`
	Children []node11  `json:"children"`
	Matches  []match11 `json:"cpe_match"`
}

type match11 struct {
	Vulnerable            bool   `json:"vulnerable"`
	CPE23                 string `json:"cpe23Uri"`
	VersionStartIncluding string `json:"versionStartIncluding"`
	VersionStartExcluding string `json:"versionStartExcluding"`
	VersionEndIncluding   string `json:"versionEndIncluding"`
	VersionEndExcluding   string `json:"versionEndExcluding"`
}

type langValue struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

// cvssData is the part of any CVSS object Vigil keeps (1.1 cvssV3/cvssV2,
// 2.0 cvssData, CVE JSON 5 cvssV*_*).
type cvssData struct {
	Version      string   `json:"version"`
	VectorString string   `json:"vectorString"`
	BaseScore    *float64 `json:"baseScore"`
	BaseSeverity string   `json:"baseSeverity"`
}

// item20 is one entry of an NVD API 2.0 response's vulnerabilities array.
type item20 struct {
	CVE *cve20 `json:"cve"`
}

// cve20 is an NVD CVE API 2.0 record (the "cve" object; alone in the
// per-CVE files of nvd-json-data-feeds).
type cve20 struct {
	ID           string      `json:"id"`
	Published    string      `json:"published"`
	Modified     string      `json:"lastModified"`
	Descriptions []langValue `json:"descriptions"`
	Metrics      struct {
		V40 []metric20 `json:"cvssMetricV40"`
		V31 []metric20 `json:"cvssMetricV31"`
		V30 []metric20 `json:"cvssMetricV30"`
		V2  []metric20 `json:"cvssMetricV2"`
	} `json:"metrics"`
	Weaknesses []struct {
		Description []langValue `json:"description"`
	} `json:"weaknesses"`
	Configurations []config20 `json:"configurations"`
	References     []struct {
		URL string `json:"url"`
	} `json:"references"`
	Affected []struct { // nvd-json-data-feeds adds the CNA's affected data
		AffectedData []affected5 `json:"affectedData"`
	} `json:"affected"`
}

type metric20 struct {
	Source       string   `json:"source"`
	CVSS         cvssData `json:"cvssData"`
	BaseSeverity string   `json:"baseSeverity"` // v2 keeps it outside cvssData
}

type config20 struct {
	Operator string   `json:"operator"`
	Negate   bool     `json:"negate"`
	Nodes    []node20 `json:"nodes"`
}

type node20 struct {
	Operator string    `json:"operator"`
	Negate   bool      `json:"negate"`
	Matches  []match20 `json:"cpeMatch"`
}

type match20 struct {
	Vulnerable            bool   `json:"vulnerable"`
	Criteria              string `json:"criteria"`
	VersionStartIncluding string `json:"versionStartIncluding"`
	VersionStartExcluding string `json:"versionStartExcluding"`
	VersionEndIncluding   string `json:"versionEndIncluding"`
	VersionEndExcluding   string `json:"versionEndExcluding"`
}

// record5 is a CVE JSON 5.x record (CVE Record Format, CVE_RECORD).
type record5 struct {
	DataType string `json:"dataType"`
	Meta     struct {
		ID        string `json:"cveId"`
		State     string `json:"state"` // PUBLISHED, REJECTED
		Published string `json:"datePublished"`
		Updated   string `json:"dateUpdated"`
	} `json:"cveMetadata"`
	Containers struct {
		CNA container5   `json:"cna"`
		ADP []container5 `json:"adp"`
	} `json:"containers"`
}

type container5 struct {
	Provider struct {
		ShortName string `json:"shortName"`
	} `json:"providerMetadata"`
	Descriptions []langValue `json:"descriptions"`
	Affected     []affected5 `json:"affected"`
	ProblemTypes []struct {
		Descriptions []struct {
			CWE         string `json:"cweId"`
			Description string `json:"description"`
		} `json:"descriptions"`
	} `json:"problemTypes"`
	Metrics []struct {
		V40 *cvssData `json:"cvssV4_0"`
		V31 *cvssData `json:"cvssV3_1"`
		V30 *cvssData `json:"cvssV3_0"`
		V20 *cvssData `json:"cvssV2_0"`
	} `json:"metrics"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
}

// affected5 is one product of a CVE JSON 5 affected list.
type affected5 struct {
	Vendor        string   `json:"vendor"`
	Product       string   `json:"product"`
	CPEs          []string `json:"cpes"`
	DefaultStatus string   `json:"defaultStatus"`
	Versions      []struct {
		Version         string `json:"version"`
		Status          string `json:"status"`
		LessThan        string `json:"lessThan"`
		LessThanOrEqual string `json:"lessThanOrEqual"`
	} `json:"versions"`
}
