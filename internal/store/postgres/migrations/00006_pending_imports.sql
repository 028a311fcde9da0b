-- +goose Up
-- Files uploaded on the console's import page, kept between the dry-run
-- preview and the user's confirmation (in the database, so any replica can
-- finish the import). They expire after an hour and are deleted when used.
CREATE TABLE pending_imports (
    id          TEXT PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL,
    file_name   TEXT NOT NULL,
    content     BYTEA NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- +goose Down
DROP TABLE pending_imports;
