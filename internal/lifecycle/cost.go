package lifecycle

import (
	"context"

	"github.com/vigil-med/vigil/internal/domain"
)

// Cost is one device's replacement cost as the budget uses it: the
// device's own when it has one, else its model's, else unknown.
type Cost struct {
	DeviceID int64 `json:"device_id"`
	// Cents is the cost the budget uses; nil when neither the device nor
	// its model has one.
	Cents *int64 `json:"cost_cents"`
	// Currency is the model's (USD when the model names none).
	Currency string `json:"currency"`
	// Source says which: "device", "model", or nil when unknown.
	Source *string `json:"source"`
	// DeviceCents is the device's own cost, nil when it has none.
	DeviceCents *int64 `json:"device_cost_cents"`
	// ModelCents is the model's default, nil when the model has none (or
	// the device has no model).
	ModelCents *int64 `json:"model_cost_cents"`
}

// Describe renders the cost for people: "12,500.00 USD (this device's own;
// the model's default is 18,500.00)".
func (c Cost) Describe() string {
	if c.Cents == nil {
		return "unknown"
	}
	s := FormatCents(*c.Cents) + " " + c.Currency
	switch {
	case *c.Source == "model":
		return s + " (the model's default)"
	case c.ModelCents != nil:
		return s + " (this device's own; the model's default is " + FormatCents(*c.ModelCents) + ")"
	default:
		return s + " (this device's own; the model has none)"
	}
}

// DeviceCost works out one device's replacement cost the way Items does
// for the budget.
func (s *Service) DeviceCost(ctx context.Context, d *domain.Device) (Cost, error) {
	c := Cost{DeviceID: d.ID, Currency: "USD"}
	if d.ModelID != 0 && d.Model != "" {
		m, err := s.Store.FindModel(ctx, d.Manufacturer, d.Model)
		if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
			return Cost{}, err
		}
		if m != nil {
			if m.Currency != "" {
				c.Currency = m.Currency
			}
			if m.ReplacementCostCents > 0 {
				v := m.ReplacementCostCents
				c.ModelCents = &v
			}
		}
	}
	overrides, err := s.Store.DeviceReplacementCosts(ctx)
	if err != nil {
		return Cost{}, err
	}
	if v, ok := overrides[d.ID]; ok {
		c.DeviceCents = &v
	}
	var src string
	switch {
	case c.DeviceCents != nil:
		c.Cents, src = c.DeviceCents, "device"
	case c.ModelCents != nil:
		c.Cents, src = c.ModelCents, "model"
	default:
		return c, nil
	}
	c.Source = &src
	return c, nil
}
