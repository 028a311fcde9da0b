-- +goose Up
-- Server-side sessions, so several vigil serve replicas can share them.
-- The cookie carries a random token; only its SHA-256 is stored, so a copy
-- of the database does not yield live sessions. tenant_id is the practice
-- the session works in (a practice user's own; the one a provider user
-- chose; 0 for none yet).
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id     BIGINT NOT NULL DEFAULT 0,
    csrf_token    TEXT NOT NULL,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
