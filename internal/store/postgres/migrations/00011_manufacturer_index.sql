-- +goose Up
-- The console's device list sorts by manufacturer as well as by name,
-- category and last change; with this index a page sorted by manufacturer
-- is read in order instead of sorting every device of the practice.
CREATE INDEX devices_manufacturer ON devices (tenant_id, manufacturer, label, id);

-- +goose Down
DROP INDEX devices_manufacturer;
