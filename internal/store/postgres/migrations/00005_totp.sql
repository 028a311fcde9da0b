-- +goose Up
-- The TOTP second factor (RFC 6238). totp_secret is the base32 secret the
-- user's authenticator app holds, stored as is: encrypting it at rest, with
-- a key kept outside the database, is future work. A secret with
-- totp_enabled = 0 is an enrolment waiting for its first code; '' is none.
-- totp_last_step is the last 30-second step whose code was accepted, so
-- each code is good once.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
-- A pending session has passed the password and waits for the second
-- factor; it reaches nothing but the code page.
ALTER TABLE sessions ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN pending;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_enabled;
ALTER TABLE users DROP COLUMN totp_secret;
