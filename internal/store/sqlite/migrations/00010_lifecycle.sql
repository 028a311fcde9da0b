-- +goose Up
-- Lifecycle, patch and firmware workflow, vendor follow-up (docs/lifecycle.md).
ALTER TABLE vendors ADD COLUMN account_manager TEXT NOT NULL DEFAULT '';
ALTER TABLE vendors ADD COLUMN support_contract TEXT NOT NULL DEFAULT '';
ALTER TABLE vendors ADD COLUMN support_contract_end TEXT NOT NULL DEFAULT '';
ALTER TABLE vendors ADD COLUMN advisory_feed_url TEXT NOT NULL DEFAULT '';
ALTER TABLE models ADD COLUMN sbom_available INTEGER NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN mds2_available INTEGER NOT NULL DEFAULT 0;

-- A practice's own replacement cost for one device, overriding the model's.
CREATE TABLE device_costs (
    tenant_id               INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    device_id               INTEGER NOT NULL PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    replacement_cost_cents  INTEGER NOT NULL
);
CREATE INDEX device_costs_tenant ON device_costs (tenant_id);

CREATE TABLE firmware_releases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    model_id      INTEGER NOT NULL REFERENCES models (id),
    version       TEXT NOT NULL,
    released_on   TEXT NOT NULL,
    notes         TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'manual',
    advisory_ref  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    UNIQUE (tenant_id, model_id, version)
);

CREATE TABLE maintenance_windows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id     INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    department  TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    weekdays    TEXT NOT NULL,
    start_min   INTEGER NOT NULL,
    end_min     INTEGER NOT NULL,
    timezone    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX maintenance_windows_tenant ON maintenance_windows (tenant_id, site_id);

CREATE TABLE patch_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    release_id       INTEGER NOT NULL REFERENCES firmware_releases (id) ON DELETE CASCADE,
    device_id        INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    state            TEXT NOT NULL,
    validated_by     TEXT NOT NULL DEFAULT '',
    validated_at     TEXT NOT NULL DEFAULT '',
    evidence         TEXT NOT NULL DEFAULT '',
    scheduled_for    TEXT NOT NULL DEFAULT '',
    window_id        INTEGER NOT NULL DEFAULT 0,
    applied_at       TEXT NOT NULL DEFAULT '',
    applied_by       TEXT NOT NULL DEFAULT '',
    verified_at      TEXT NOT NULL DEFAULT '',
    verified_by      TEXT NOT NULL DEFAULT '',
    override_reason  TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (release_id, device_id)
);
CREATE INDEX patch_items_tenant ON patch_items (tenant_id, state, id);
CREATE INDEX patch_items_device ON patch_items (device_id);

-- +goose Down
DROP TABLE patch_items;
DROP TABLE maintenance_windows;
DROP TABLE firmware_releases;
DROP TABLE device_costs;
ALTER TABLE models DROP COLUMN mds2_available;
ALTER TABLE models DROP COLUMN sbom_available;
ALTER TABLE vendors DROP COLUMN advisory_feed_url;
ALTER TABLE vendors DROP COLUMN support_contract_end;
ALTER TABLE vendors DROP COLUMN support_contract;
ALTER TABLE vendors DROP COLUMN account_manager;
