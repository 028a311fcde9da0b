-- +goose Up
-- Bearer tokens for the REST API. A token acts with one role, either
-- provider-wide (tenant_id 0) or within one practice. Only the SHA-256 of
-- the token is stored, so a copy of the database yields no usable token.
-- user_id is the account that created the token (0: the command line on
-- the database host); a token stops working when that account is disabled.
-- Revoked tokens stay for the record; a name is unique among a scope's
-- live tokens, so the audit trail's "token:NAME" names one token at a time.
-- expires_at and last_used_at are '' for never.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     INTEGER NOT NULL DEFAULT 0,
    user_id       INTEGER NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL DEFAULT '',
    last_used_at  TEXT NOT NULL DEFAULT '',
    revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (tenant_id, name) WHERE revoked = 0;

-- +goose Down
DROP TABLE api_tokens;
