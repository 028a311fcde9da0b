package domain

import (
	"context"
	"time"
)

// ActorKind says which face a change came from.
type ActorKind string

// Actor kinds.
const (
	ActorCLI       ActorKind = "cli"
	ActorUser      ActorKind = "user"
	ActorAPI       ActorKind = "api"
	ActorSystem    ActorKind = "system"
	ActorDiscovery ActorKind = "discovery"
)

// Actor is who is making a change and from where; it is written into every
// audit event.
type Actor struct {
	Kind      ActorKind `json:"kind"`
	Name      string    `json:"name"`
	IP        string    `json:"ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
}

// String renders the actor as "kind:name".
func (a Actor) String() string {
	if a.Name == "" {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + a.Name
}

type ctxKey int

const (
	actorKey ctxKey = iota
	tenantKey
	nowKey
)

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the actor on the context, or a "system" actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey).(Actor); ok {
		return a
	}
	return Actor{Kind: ActorSystem}
}

// WithTenant returns a context scoped to one tenant. The storage layer reads
// it on every tenant-owned query; there is no other way to name a tenant.
func WithTenant(ctx context.Context, tenantID int64) context.Context {
	return context.WithValue(ctx, tenantKey, tenantID)
}

// TenantFrom returns the tenant scope of ctx.
func TenantFrom(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(tenantKey).(int64)
	return id, ok && id > 0
}

// RequireTenant returns the tenant scope of ctx or a forbidden error.
func RequireTenant(ctx context.Context) (int64, error) {
	id, ok := TenantFrom(ctx)
	if !ok {
		return 0, Errorf(CodeForbidden, "no practice (tenant) selected")
	}
	return id, nil
}

// WithNow fixes the clock for everything done with ctx (tests, and one
// consistent timestamp across a transaction).
func WithNow(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, nowKey, t)
}

// Now returns the context's fixed time, or the current time, in UTC with
// microsecond precision (what both database engines keep).
func Now(ctx context.Context) time.Time {
	if t, ok := ctx.Value(nowKey).(time.Time); ok {
		return t.UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}
