-- +goose Up
-- The file attached when a work item is validated: the report of the test
-- in a non-clinical setting (docs/lifecycle.md). It is kept in the database,
-- beside the item, so every replica serves it and a backup holds it; at
-- most 10 MiB (checked before it gets here), one per work item because an
-- item is validated once. sha256 is recorded in the audit trail too.
CREATE TABLE patch_evidence (
    patch_id      INTEGER NOT NULL PRIMARY KEY REFERENCES patch_items (id) ON DELETE CASCADE,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX patch_evidence_tenant ON patch_evidence (tenant_id);

-- +goose Down
DROP TABLE patch_evidence;
