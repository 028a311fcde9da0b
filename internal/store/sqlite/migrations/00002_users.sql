-- +goose Up
-- Accounts. A user belongs to the provider (the MSP; tenant_id 0) or to one
-- practice. The password is an argon2id hash in PHC form; no clear text is
-- ever stored. E-mail addresses are unique across Vigil because sign-in
-- starts from the address alone.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id            INTEGER NOT NULL DEFAULT 0,
    email                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,
    disabled             INTEGER NOT NULL DEFAULT 0,
    password_hash        TEXT NOT NULL DEFAULT '',
    password_changed_at  TEXT NOT NULL DEFAULT '',
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id, email);

-- +goose Down
DROP TABLE users;
