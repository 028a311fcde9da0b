// Package sqlstore implements store.Store once over database/sql. The
// engine packages (sqlite, postgres) open the database and supply a Dialect
// for the few things that differ. Every practice-owned query here takes its
// tenant from the context, and every change writes its audit events in the
// same transaction.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Dialect is what differs between database engines.
type Dialect interface {
	// Name is the engine name ("sqlite", "postgres").
	Name() string
	// Placeholder returns the n-th (1-based) bind parameter.
	Placeholder(n int) string
	// ReserveIDs reserves n consecutive ids of table inside tx and returns
	// the first, so bulk inserts can link rows without reading ids back.
	ReserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) (int64, error)
	// LockAuditChain serialises appends to the audit chain until tx ends.
	LockAuditChain(ctx context.Context, tx *sql.Tx) error
	// ForUpdate is appended to a SELECT that reads a row about to be changed.
	ForUpdate() string
	// Search turns a free-text search combined with the filters in sp into
	// SQL (see SearchSQL).
	Search(sp SearchSpec) SearchSQL
	// Translate turns an engine error into a domain error where it can.
	Translate(err error) error
	// MaxParams is the most bind parameters one statement may carry.
	MaxParams() int
	// BulkInsert writes many rows into table on conn, inside the
	// transaction open on it, faster than INSERT statements can (COPY on
	// PostgreSQL). It returns ErrNoBulk when the engine has no such path.
	BulkInsert(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error
	// Ping checks the schema is current.
	Ping(ctx context.Context, db *sql.DB) error
	// Optimize refreshes the query planner's statistics after a bulk change
	// (so, for example, a rare search word is looked up by id rather than
	// by scanning a practice's whole index).
	Optimize(ctx context.Context, db *sql.DB) error
}

// SearchSpec is a free-text search and the filters it is combined with.
type SearchSpec struct {
	Words    []string // lowercase; each must start a word of the search text
	TenantID int64
	SiteID   int64
	VendorID int64
	Category string
	// Broad says the words match many devices, so a plan that walks the
	// listing order and tests each device beats one that looks up every
	// match and sorts them.
	Broad bool
}

// SearchSQL is a dialect's rendering of a search.
type SearchSQL struct {
	// Cond (alias d) and Args select the matching devices in any query.
	Cond string
	Args []any
	// IDs, when the engine's search index alone can answer the search and
	// its filters, is a query returning the number of matches and an
	// opaque id set; InIDs is a condition (alias d) taking that id set as
	// its one argument, used for the page instead of Cond so the index is
	// read once per page. BroadInIDs is the same for many matches.
	IDs        string
	IDsArgs    []any
	InIDs      string
	BroadInIDs string
}

// Store implements store.Store.
type Store struct {
	w, r *sql.DB // writer and reader pools (the same pool on PostgreSQL)
	d    Dialect

	mu    sync.RWMutex
	binds map[string]string

	cache *listCache
}

var _ store.Store = (*Store)(nil)

// New returns a Store over the writer and reader pools.
func New(w, r *sql.DB, d Dialect) *Store {
	return &Store{w: w, r: r, d: d, binds: map[string]string{}, cache: newListCache(512)}
}

// Engine names the database engine.
func (s *Store) Engine() string { return s.d.Name() }

// Ping checks the database answers and its schema is current.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return domain.Internal(err, "database unreachable")
	}
	return s.d.Ping(ctx, s.w)
}

// Close closes both pools.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// bind rewrites ? placeholders for the dialect, caching the result.
func (s *Store) bind(q string) string {
	if s.d.Placeholder(1) == "?" {
		return q
	}
	s.mu.RLock()
	b, ok := s.binds[q]
	s.mu.RUnlock()
	if ok {
		return b
	}
	var sb strings.Builder
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\'' {
			inQuote = !inQuote
		}
		if c == '?' && !inQuote {
			n++
			sb.WriteString(s.d.Placeholder(n))
			continue
		}
		sb.WriteByte(c)
	}
	b = sb.String()
	if len(s.binds) < 10000 {
		s.mu.Lock()
		s.binds[q] = b
		s.mu.Unlock()
	}
	return b
}

// query runs a read on the reader pool.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := s.r.QueryContext(ctx, s.bind(q), args...)
	if err != nil {
		return nil, s.d.Translate(err)
	}
	return rows, nil
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.r.QueryRowContext(ctx, s.bind(q), args...)
}

// Tx is a write transaction with a fixed clock and the caller's actor and
// tenant. Audit events are collected and chained at commit.
type Tx struct {
	*sql.Tx
	conn   *sql.Conn // the connection the transaction runs on
	s      *Store
	ctx    context.Context
	now    time.Time
	actor  domain.Actor
	events []*domain.AuditEvent
	err    error // a failure a helper recorded for its caller
}

// begin starts a write transaction.
func (s *Store) begin(ctx context.Context) (*Tx, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, domain.Internal(s.d.Translate(err), "cannot reach the database")
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, domain.Internal(s.d.Translate(err), "cannot start a database transaction")
	}
	return &Tx{Tx: tx, conn: conn, s: s, ctx: ctx, now: domain.Now(ctx), actor: domain.ActorFrom(ctx)}, nil
}

// ErrNoBulk is returned by Dialect.BulkInsert when the engine has no bulk
// path; plain multi-row INSERTs are used instead.
var ErrNoBulk = errors.New("sqlstore: no bulk insert path")

// write runs fn in a write transaction and commits it with its audit events.
func (s *Store) write(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.conn.Close()
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.commit()
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	res, err := tx.ExecContext(tx.ctx, tx.s.bind(q), args...)
	if err != nil {
		return nil, tx.s.d.Translate(err)
	}
	return res, nil
}

func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	rows, err := tx.QueryContext(tx.ctx, tx.s.bind(q), args...)
	if err != nil {
		return nil, tx.s.d.Translate(err)
	}
	return rows, nil
}

func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	return tx.QueryRowContext(tx.ctx, tx.s.bind(q), args...)
}

// insertID inserts one row and returns its new id.
func (tx *Tx) insertID(table string, cols []string, args ...any) (int64, error) {
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + marks(len(cols)) + ") RETURNING id"
	var id int64
	if err := tx.queryRow(q, args...).Scan(&id); err != nil {
		return 0, tx.s.d.Translate(err)
	}
	return id, nil
}

// insertIfAbsent inserts one row unless one with the same unique key
// (conflictCols) exists, waiting for a concurrent inserter to finish first.
// It reports whether this call inserted the row.
func (tx *Tx) insertIfAbsent(table, conflictCols string, cols []string, args ...any) (bool, error) {
	res, err := tx.exec("INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+marks(len(cols))+") ON CONFLICT ("+conflictCols+") DO NOTHING", args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// insertRows inserts many rows with multi-row INSERT statements, as many
// rows per statement as the engine's parameter limit allows.
func (tx *Tx) insertRows(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if len(rows) >= bulkRows {
		err := tx.s.d.BulkInsert(tx.ctx, tx.conn, table, cols, rows)
		if err != ErrNoBulk {
			return tx.s.d.Translate(err)
		}
	}
	per := tx.s.d.MaxParams() / len(cols)
	if per > 500 {
		per = 500
	}
	one := "(" + marks(len(cols)) + ")"
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(one)
			args = append(args, rows[i]...)
		}
		if _, err := tx.exec(b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// bulkRows is the batch size from which insertRows takes the engine's bulk
// path.
const bulkRows = 200

func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// audit queues an event for the change; before and after are marshalled to
// JSON (nil means none).
func (tx *Tx) audit(tenantID int64, action, objType string, objID int64, label string, before, after any) {
	tx.events = append(tx.events, tx.event(tenantID, action, objType, objID, label, before, after))
}

// event builds an audit event without queueing it. It only reads tx, so
// another goroutine may call it.
func (tx *Tx) event(tenantID int64, action, objType string, objID int64, label string, before, after any) *domain.AuditEvent {
	ev := &domain.AuditEvent{
		TenantID: tenantID, At: tx.now, Actor: tx.actor, Action: action,
		ObjectType: objType, ObjectID: objID, Label: label,
	}
	ev.Before, ev.After = toJSON(before), toJSON(after)
	return ev
}

// toJSON marshals v for the audit trail; raw JSON passes through as is.
func toJSON(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return x
	}
	b, _ := json.Marshal(v)
	return b
}

// commit chains and writes the queued audit events, then commits.
func (tx *Tx) commit() error {
	if len(tx.events) > 0 {
		if err := tx.s.d.LockAuditChain(tx.ctx, tx.Tx); err != nil {
			return domain.Internal(err, "cannot lock the audit trail")
		}
		prev := ""
		err := tx.queryRow("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return domain.Internal(err, "cannot read the audit trail")
		}
		rows := make([][]any, len(tx.events))
		for i, ev := range tx.events {
			ev.PrevHash = prev
			ev.Hash = ev.ComputeHash()
			prev = ev.Hash
			rows[i] = []any{ev.TenantID, fmtTime(ev.At), string(ev.Actor.Kind), ev.Actor.Name, ev.Actor.IP, ev.Actor.UserAgent,
				ev.Action, ev.ObjectType, ev.ObjectID, ev.Label, string(ev.Before), string(ev.After), ev.PrevHash, ev.Hash}
		}
		if err := tx.insertRows("audit_events", auditCols, rows); err != nil {
			return domain.Internal(err, "cannot write the audit trail")
		}
	}
	if err := tx.Commit(); err != nil {
		return domain.Internal(tx.s.d.Translate(err), "cannot commit the change")
	}
	return nil
}

var auditCols = []string{"tenant_id", "at", "actor_kind", "actor_name", "actor_ip", "user_agent",
	"action", "object_type", "object_id", "label", "before_json", "after_json", "prev_hash", "hash"}

const timeFormat = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func parseDate(s string) domain.Date {
	d, _ := domain.ParseDate(s, domain.MonthFirst)
	return d
}

// isNumericRef reports whether ref is a database id.
func isNumericRef(ref string) (int64, bool) {
	id, err := strconv.ParseInt(ref, 10, 64)
	return id, err == nil && id > 0
}

func notFound(what, ref string) error {
	return domain.Errorf(domain.CodeNotFound, "no %s %q", what, ref)
}

func wrapScan(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.CodeNotFound, "%s not found", what)
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return domain.Internal(err, "cannot read %s", what)
}

func jsonList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func fromJSON[T any](s string) T {
	var v T
	if s != "" {
		_ = json.Unmarshal([]byte(s), &v)
	}
	return v
}

// errf is a short fmt.Errorf for internal wrapping.
func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// DB returns the writer pool, for operations tooling and tests that must
// reach under the store (for example to prove that tampering is detected).
func (s *Store) DB() *sql.DB { return s.w }
