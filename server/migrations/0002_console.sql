-- rolegate-server schema, version 2: console sign-in.

-- Per-user passwords (argon2id PHC strings), set by an administrator or `rolegate passwords
-- set`. Kept apart from `users`, which an import replaces wholesale: a re-import keeps the
-- passwords of the users it keeps. Removing a user removes their password.
CREATE TABLE passwords (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (organization, user_id)
);

-- Console sessions. Only the SHA-256 of the cookie's token is stored, so a copy of the
-- database signs nobody in. `csrf` must come back in `X-CSRF-Token` on every
-- state-changing request made with the cookie.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (organization, user_id);
CREATE INDEX users_by_email ON users (email);

-- Users as an identity provider sees them (SCIM): an external id, whether they are active
-- (a deactivated user is denied everything but keeps their assignments), and the metadata
-- SCIM reports — when they were created and last changed, and at which revision (their
-- version, for `If-Match`).
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_by_external_id ON users (organization, external_id);

-- Who publishes each organization: one server at a time, on a lease it renews while it
-- publishes, so replicas on one database never compile the same revision twice. The others
-- serve what the holder stored.
CREATE TABLE publish_leases (
    organization TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
