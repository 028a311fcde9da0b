-- +goose Up
-- The inventory schema. Timestamps are UTC text in a fixed-width format so
-- they sort correctly and read the same on both engines; dates are
-- YYYY-MM-DD text. List attributes and provenance are JSON text on the
-- device row (one read per device); device_identities indexes the network
-- identities for matching and lookup.
CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    timezone    TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (tenant_id, slug)
);

CREATE TABLE vendors (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    key               TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    website           TEXT NOT NULL DEFAULT '',
    psirt_email       TEXT NOT NULL DEFAULT '',
    psirt_url         TEXT NOT NULL DEFAULT '',
    security_contact  TEXT NOT NULL DEFAULT '',
    contact_verified  TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- User-added aliases; the built-in table lives in the binary.
CREATE TABLE vendor_aliases (
    alias_key  TEXT PRIMARY KEY,
    alias      TEXT NOT NULL,
    vendor_id  INTEGER NOT NULL REFERENCES vendors (id) ON DELETE CASCADE
);

CREATE TABLE models (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id               INTEGER NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    key                     TEXT NOT NULL,
    name                    TEXT NOT NULL,
    category                TEXT NOT NULL DEFAULT 'other',
    end_of_sale             TEXT NOT NULL DEFAULT '',
    end_of_support          TEXT NOT NULL DEFAULT '',
    end_of_life             TEXT NOT NULL DEFAULT '',
    service_life_years      INTEGER NOT NULL DEFAULT 0,
    replacement_cost_cents  INTEGER NOT NULL DEFAULT 0,
    currency                TEXT NOT NULL DEFAULT 'USD',
    notes                   TEXT NOT NULL DEFAULT '',
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    UNIQUE (vendor_id, key)
);

CREATE TABLE devices (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id              INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id                INTEGER NOT NULL REFERENCES sites (id),
    asset_tag              TEXT NOT NULL DEFAULT '',
    serial                 TEXT NOT NULL DEFAULT '',
    name                   TEXT NOT NULL DEFAULT '',
    label                  TEXT NOT NULL DEFAULT '',
    category               TEXT NOT NULL,
    vendor_id              INTEGER REFERENCES vendors (id),
    manufacturer           TEXT NOT NULL DEFAULT '',
    model_id               INTEGER REFERENCES models (id),
    model                  TEXT NOT NULL DEFAULT '',
    os                     TEXT NOT NULL DEFAULT '',
    os_version             TEXT NOT NULL DEFAULT '',
    firmware               TEXT NOT NULL DEFAULT '',
    macs                   TEXT NOT NULL DEFAULT '[]',
    ips                    TEXT NOT NULL DEFAULT '[]',
    hostnames              TEXT NOT NULL DEFAULT '[]',
    vlans                  TEXT NOT NULL DEFAULT '[]',
    department             TEXT NOT NULL DEFAULT '',
    location               TEXT NOT NULL DEFAULT '',
    criticality            TEXT NOT NULL DEFAULT '',
    phi                    TEXT NOT NULL DEFAULT '',
    phi_records            INTEGER NOT NULL DEFAULT 0,
    network_required       TEXT NOT NULL DEFAULT '',
    network_justification  TEXT NOT NULL DEFAULT '',
    patchability           TEXT NOT NULL DEFAULT 'unknown',
    purchase_date          TEXT NOT NULL DEFAULT '',
    install_date           TEXT NOT NULL DEFAULT '',
    lifecycle              TEXT NOT NULL DEFAULT 'in-service',
    review                 TEXT NOT NULL DEFAULT 'reviewed',
    admins                 TEXT NOT NULL DEFAULT '[]',
    notes                  TEXT NOT NULL DEFAULT '',
    provenance             TEXT NOT NULL DEFAULT '[]',
    search_text            TEXT NOT NULL DEFAULT '',
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

-- Serial numbers and asset tags identify a device within a practice.
CREATE UNIQUE INDEX devices_serial ON devices (tenant_id, serial) WHERE serial <> '';
CREATE UNIQUE INDEX devices_asset_tag ON devices (tenant_id, asset_tag) WHERE asset_tag <> '';
-- Listing is ordered by label (or another sort key) within the filters
-- people use most. The other filter columns trail each index so a filtered
-- page and its count are read from the index alone, without table lookups.
CREATE INDEX devices_label ON devices (tenant_id, label, id, category, site_id, vendor_id);
CREATE INDEX devices_category ON devices (tenant_id, category, label, id, site_id, vendor_id);
CREATE INDEX devices_vendor ON devices (tenant_id, vendor_id, label, id, category, site_id);
CREATE INDEX devices_site ON devices (tenant_id, site_id, label, id, category, vendor_id);
CREATE INDEX devices_updated ON devices (tenant_id, updated_at, id);
CREATE INDEX devices_review ON devices (tenant_id, review);
CREATE INDEX devices_model ON devices (model_id);

CREATE TABLE device_identities (
    tenant_id  INTEGER NOT NULL,
    device_id  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, value, device_id)
) WITHOUT ROWID;
-- A MAC address belongs to one device of a practice; IPs and names may be
-- reused over time.
CREATE UNIQUE INDEX device_identities_mac ON device_identities (tenant_id, value) WHERE kind = 'mac';
CREATE INDEX device_identities_device ON device_identities (device_id);

-- Free-text search: a word index over the device's search text, kept in
-- step by triggers. Queries match words and the beginnings of words
-- ("intelli" finds IntelliVue, "10.20.1" finds 10.20.1.15), which stays fast
-- at 100,000 devices where a substring scan does not. '.' is part of a word
-- (IP addresses and versions are single words); ':' and '-' split words, so
-- a MAC is a phrase. The tags column carries the practice, site, vendor and
-- category as tokens (zt12 zs3 zv7 zcinfusion), so a filtered search can be
-- counted from the index alone; user words are matched in search_text only.
-- The index is contentless: it stores no copy of the text.
CREATE VIRTUAL TABLE devices_fts USING fts5 (tags, search_text, content = '', contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 2 tokenchars '.'");
-- +goose StatementBegin
CREATE TRIGGER devices_fts_insert AFTER INSERT ON devices BEGIN
    INSERT INTO devices_fts (rowid, tags, search_text) VALUES (new.id,
        'zt' || new.tenant_id || ' zs' || new.site_id || ' zv' || coalesce(new.vendor_id, 0) || ' zc' || replace(new.category, '-', ''),
        new.search_text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER devices_fts_delete AFTER DELETE ON devices BEGIN
    DELETE FROM devices_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER devices_fts_update AFTER UPDATE OF search_text, tenant_id, site_id, vendor_id, category ON devices BEGIN
    DELETE FROM devices_fts WHERE rowid = old.id;
    INSERT INTO devices_fts (rowid, tags, search_text) VALUES (new.id,
        'zt' || new.tenant_id || ' zs' || new.site_id || ' zv' || coalesce(new.vendor_id, 0) || ' zc' || replace(new.category, '-', ''),
        new.search_text);
END;
-- +goose StatementEnd

-- The audit trail: appended in the same transaction as each change, never
-- updated or deleted; each event carries the hash of the one before.
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL DEFAULT 0,
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_name   TEXT NOT NULL DEFAULT '',
    actor_ip     TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    INTEGER NOT NULL DEFAULT 0,
    label        TEXT NOT NULL DEFAULT '',
    before_json  TEXT NOT NULL DEFAULT '',
    after_json   TEXT NOT NULL DEFAULT '',
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE devices_fts;
DROP TABLE device_identities;
DROP TABLE devices;
DROP TABLE models;
DROP TABLE vendor_aliases;
DROP TABLE vendors;
DROP TABLE sites;
DROP TABLE tenants;
