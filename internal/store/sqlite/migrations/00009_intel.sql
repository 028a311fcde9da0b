-- +goose Up
-- Vulnerability intelligence. Advisories, CVEs, KEV, EPSS, VEX statements,
-- model SBOMs and rubric answers are shared reference data (like vendors
-- and models); device SBOMs and device_vulnerabilities belong to a
-- practice and carry its tenant_id. Documents are kept whole as JSON
-- (doc_json); the columns beside them are what lists filter and sort on.

-- One row per advisory tracking id: its newest revision.
CREATE TABLE advisories (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL DEFAULT '',
    publisher    TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    revision     TEXT NOT NULL DEFAULT '',
    released     TEXT NOT NULL DEFAULT '',
    updated      TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    cves         TEXT NOT NULL DEFAULT '',
    max_score    REAL NOT NULL DEFAULT 0,
    doc_json     TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
-- Every revision imported, newest last, so a change stays visible.
CREATE TABLE advisory_revisions (
    advisory_id  TEXT NOT NULL,
    revision     TEXT NOT NULL,
    updated      TEXT NOT NULL DEFAULT '',
    imported_at  TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (advisory_id, revision)
);

CREATE TABLE cves (
    id            TEXT PRIMARY KEY,
    published     TEXT NOT NULL DEFAULT '',
    modified      TEXT NOT NULL DEFAULT '',
    max_score     REAL NOT NULL DEFAULT 0,
    description   TEXT NOT NULL DEFAULT '',
    matches_json  TEXT NOT NULL DEFAULT '',
    doc_json      TEXT NOT NULL
);

CREATE TABLE kev (
    cve              TEXT PRIMARY KEY,
    vendor           TEXT NOT NULL DEFAULT '',
    product          TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL DEFAULT '',
    date_added       TEXT NOT NULL DEFAULT '',
    due_date         TEXT NOT NULL DEFAULT '',
    required_action  TEXT NOT NULL DEFAULT '',
    ransomware       TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT ''
);

CREATE TABLE epss (
    cve         TEXT PRIMARY KEY,
    epss        REAL NOT NULL,
    percentile  REAL NOT NULL,
    day         TEXT NOT NULL DEFAULT ''
);

-- key is a digest of the statement, so re-importing adds nothing.
CREATE TABLE vex_statements (
    key       TEXT PRIMARY KEY,
    cve       TEXT NOT NULL,
    status    TEXT NOT NULL,
    source    TEXT NOT NULL DEFAULT '',
    doc_json  TEXT NOT NULL
);
CREATE INDEX vex_statements_cve ON vex_statements (cve);

-- An SBOM describes a model (tenant_id 0, device_id 0) or one device of a
-- practice (tenant_id and device_id set).
CREATE TABLE sboms (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL DEFAULT 0,
    model_id    INTEGER NOT NULL DEFAULT 0,
    device_id   INTEGER NOT NULL DEFAULT 0,
    format      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    components  INTEGER NOT NULL DEFAULT 0,
    source      TEXT NOT NULL DEFAULT '',
    doc_json    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX sboms_model ON sboms (model_id);
CREATE INDEX sboms_device ON sboms (tenant_id, device_id);

CREATE TABLE rubric_answers (
    model_id      INTEGER PRIMARY KEY,
    answers_json  TEXT NOT NULL,
    reasons_json  TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);

-- What matching decided (matched) and what a person decided (status:
-- mitigated / risk_accepted, by whom, until when), per device and
-- advisory/CVE. advisory_id is '' for a CVE matched from NVD alone.
CREATE TABLE device_vulnerabilities (
    tenant_id          INTEGER NOT NULL,
    device_id          INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    advisory_id        TEXT NOT NULL DEFAULT '',
    cve                TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    matched            TEXT NOT NULL,
    reason             TEXT NOT NULL DEFAULT '',
    fixed_in           TEXT NOT NULL DEFAULT '',
    justification      TEXT NOT NULL DEFAULT '',
    decided_by         TEXT NOT NULL DEFAULT '',
    until              TEXT NOT NULL DEFAULT '',
    products_json      TEXT NOT NULL DEFAULT '',
    remediations_json  TEXT NOT NULL DEFAULT '',
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, device_id, advisory_id, cve)
);
CREATE INDEX device_vulnerabilities_cve ON device_vulnerabilities (tenant_id, cve);
CREATE INDEX device_vulnerabilities_advisory ON device_vulnerabilities (tenant_id, advisory_id);

-- +goose Down
DROP TABLE device_vulnerabilities;
DROP TABLE rubric_answers;
DROP TABLE sboms;
DROP TABLE vex_statements;
DROP TABLE epss;
DROP TABLE kev;
DROP TABLE cves;
DROP TABLE advisory_revisions;
DROP TABLE advisories;
