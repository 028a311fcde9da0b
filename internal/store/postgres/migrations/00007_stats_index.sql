-- +goose Up
-- The dashboard counts a practice's devices by category, by review,
-- criticality and patchability, and by model. Each count reads one index in
-- its own order, so the database groups as it reads, without sorting or
-- touching device rows: the category listing index already leads with the
-- category; the review index now carries criticality and patchability; the
-- model index leads with the practice.
DROP INDEX devices_review;
CREATE INDEX devices_review ON devices (tenant_id, review, criticality, patchability);
DROP INDEX devices_model;
CREATE INDEX devices_model ON devices (tenant_id, model_id);

-- +goose Down
DROP INDEX devices_model;
CREATE INDEX devices_model ON devices (model_id);
DROP INDEX devices_review;
CREATE INDEX devices_review ON devices (tenant_id, review);
