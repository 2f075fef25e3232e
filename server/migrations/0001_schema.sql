-- rolegate-server schema, version 1. One file for SQLite and PostgreSQL: only types and
-- statements both accept (TEXT, BIGINT, BYTEA — SQLite stores blobs as given in a BYTEA
-- column — composite primary keys, REFERENCES, ON DELETE CASCADE).

-- One row per organization. `revision` is bumped by every committed change, in the same
-- transaction as the change and its audit row; writers compare-and-swap it.
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    revision BIGINT NOT NULL,
    -- The core's `Settings`, as JSON.
    settings TEXT NOT NULL,
    -- Permissions beyond the default catalog (the policy's `permissions`), as a JSON array.
    permissions TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Accounts (parent NULL) and subaccounts (parent = their account).
CREATE TABLE accounts (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT,
    PRIMARY KEY (organization, id)
);

CREATE TABLE users (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    PRIMARY KEY (organization, id)
);

-- Custom roles; the default catalog comes from the core. `definition` is the core's `Role`
-- as JSON.
CREATE TABLE roles (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (organization, id)
);

CREATE TABLE resources (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    resource_type TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (organization, resource_type, id)
);

CREATE TABLE assignments (
    organization TEXT NOT NULL,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    resource_type TEXT,
    resource_id TEXT,
    PRIMARY KEY (organization, id),
    FOREIGN KEY (organization, user_id) REFERENCES users (organization, id)
);
CREATE INDEX assignments_by_user ON assignments (organization, user_id);

-- Every committed revision: when, by whom, what kind of change.
CREATE TABLE revisions (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (organization, revision)
);

-- Append-only, hash-chained audit log, one row per revision:
-- hash = sha256(prev_hash || "\n" || record), record = the entry's canonical JSON.
CREATE TABLE audit (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (organization, revision)
);

-- Published, signed snapshots and the deltas to them.
CREATE TABLE snapshots (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (organization, revision)
);

CREATE TABLE deltas (
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    base_revision BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (organization, revision, base_revision)
);

-- OAuth 2.0 clients (client credentials). `secret_hash` is an argon2 PHC string; the
-- client acts in its organization as user `actor`.
CREATE TABLE oauth_clients (
    id TEXT PRIMARY KEY,
    organization TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The server's keys, one per slot (`snapshot-ed25519`, `token-hs256`), created on first
-- start. Whichever process inserts first wins; the others read its key.
CREATE TABLE signing_keys (
    slot TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    secret BYTEA NOT NULL,
    public BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
