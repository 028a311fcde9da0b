-- +goose Up
-- Passive discovery. Observations are facts learned from traffic or other
-- tools' results, kept per device and deduplicated by kind and value;
-- network_identities is the history of a device's IP↔MAC pairings; flows
-- aggregate a device's conversations per peer, transport, port and
-- application protocol, with packets per hour of day (h00..h23, UTC).
CREATE TABLE observations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '',
    confidence  REAL NOT NULL DEFAULT 0,
    seen        INTEGER NOT NULL DEFAULT 1,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    UNIQUE (tenant_id, device_id, kind, value)
);
CREATE INDEX observations_device ON observations (device_id);

CREATE TABLE network_identities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    mac         TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    UNIQUE (tenant_id, device_id, mac, ip)
);
CREATE INDEX network_identities_ip ON network_identities (tenant_id, ip);
CREATE INDEX network_identities_device ON network_identities (device_id);

CREATE TABLE flows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    local_ip    TEXT NOT NULL DEFAULT '',
    peer_ip     TEXT NOT NULL,
    peer_mac    TEXT NOT NULL DEFAULT '',
    transport   TEXT NOT NULL,
    port        INTEGER NOT NULL DEFAULT 0,
    app         TEXT NOT NULL DEFAULT '',
    outbound    INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0,
    packets     INTEGER NOT NULL DEFAULT 0,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    h00 INTEGER NOT NULL DEFAULT 0,
    h01 INTEGER NOT NULL DEFAULT 0,
    h02 INTEGER NOT NULL DEFAULT 0,
    h03 INTEGER NOT NULL DEFAULT 0,
    h04 INTEGER NOT NULL DEFAULT 0,
    h05 INTEGER NOT NULL DEFAULT 0,
    h06 INTEGER NOT NULL DEFAULT 0,
    h07 INTEGER NOT NULL DEFAULT 0,
    h08 INTEGER NOT NULL DEFAULT 0,
    h09 INTEGER NOT NULL DEFAULT 0,
    h10 INTEGER NOT NULL DEFAULT 0,
    h11 INTEGER NOT NULL DEFAULT 0,
    h12 INTEGER NOT NULL DEFAULT 0,
    h13 INTEGER NOT NULL DEFAULT 0,
    h14 INTEGER NOT NULL DEFAULT 0,
    h15 INTEGER NOT NULL DEFAULT 0,
    h16 INTEGER NOT NULL DEFAULT 0,
    h17 INTEGER NOT NULL DEFAULT 0,
    h18 INTEGER NOT NULL DEFAULT 0,
    h19 INTEGER NOT NULL DEFAULT 0,
    h20 INTEGER NOT NULL DEFAULT 0,
    h21 INTEGER NOT NULL DEFAULT 0,
    h22 INTEGER NOT NULL DEFAULT 0,
    h23 INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, device_id, local_ip, peer_ip, transport, port, app)
);
CREATE INDEX flows_device ON flows (device_id);
CREATE INDEX flows_tenant ON flows (tenant_id, id);

-- +goose Down
DROP TABLE flows;
DROP TABLE network_identities;
DROP TABLE observations;
