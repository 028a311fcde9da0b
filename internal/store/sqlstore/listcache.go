package sqlstore

import (
	"container/list"
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/vigil-med/vigil/internal/domain"
)

// listCache remembers device-list answers (the total of a filter, and a
// page of it) per practice until the practice next changes. The key holds
// the practice's change mark: the id of its newest audit event plus that of
// the newest shared one (vendors, models). Every change is audited in the
// transaction that makes it, so any change moves the mark and later reads
// miss. The mark comes from the database, so replicas sharing one
// PostgreSQL stay correct; each keeps its own cache.
//
// The mark is read before the answer is computed: an answer computed after
// a newer change than the mark says is at worst fresher than its key, never
// staler.
type listCache struct {
	mu      sync.Mutex
	max     int
	lru     *list.List // of *cacheEntry, most recent first
	entries map[string]*list.Element
	flying  map[string]*flight // answers being computed
}

// flight is an answer being computed; others asking for it wait.
type flight struct {
	done  chan struct{}
	entry *cacheEntry
	err   error
}

type cacheEntry struct {
	key     string
	devices []*domain.Device
	total   int
	stats   *domain.DeviceStats
}

func newListCache(max int) *listCache {
	return &listCache{max: max, lru: list.New(), entries: map[string]*list.Element{}, flying: map[string]*flight{}}
}

// do returns the entry under key, computing it with fn when missing. When
// many ask for the same missing answer at once (a ward's worth of screens
// opening the list after a change), one computes it and the rest wait.
func (c *listCache) do(ctx context.Context, key string, fn func() (*cacheEntry, error)) (*cacheEntry, error) {
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cacheEntry), nil
	}
	if f, ok := c.flying[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.entry, f.err
		case <-ctx.Done():
			return nil, domain.Internal(ctx.Err(), "the request ended")
		}
	}
	f := &flight{done: make(chan struct{})}
	c.flying[key] = f
	c.mu.Unlock()
	f.entry, f.err = fn()
	c.mu.Lock()
	delete(c.flying, key)
	c.mu.Unlock()
	if f.err == nil {
		f.entry.key = key
		c.put(f.entry)
	}
	close(f.done)
	return f.entry, f.err
}

func (c *listCache) get(key string) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry), true
}

func (c *listCache) put(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		el.Value = e
		c.lru.MoveToFront(el)
		return
	}
	c.entries[e.key] = c.lru.PushFront(e)
	for c.lru.Len() > c.max {
		old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
		delete(c.entries, old.key)
	}
}

// changeMark returns the practice's change mark (see listCache).
func (s *Store) changeMark(ctx context.Context, tid int64) (string, error) {
	var own, shared int64
	err := s.queryRow(ctx, "SELECT (SELECT COALESCE(MAX(id), 0) FROM audit_events WHERE tenant_id = ?),"+
		" (SELECT COALESCE(MAX(id), 0) FROM audit_events WHERE tenant_id = 0)", tid).Scan(&own, &shared)
	if err != nil {
		return "", domain.Internal(err, "cannot read the change mark")
	}
	return strconv.FormatInt(own, 10) + "." + strconv.FormatInt(shared, 10), nil
}

// listKeys returns the cache keys of a filter's total and of its page.
func listKeys(tid int64, mark string, f domain.DeviceFilter) (totalKey, pageKey string) {
	page, _ := json.Marshal(f)
	f.Offset, f.Limit, f.After, f.Sort = 0, 0, nil, ""
	all, _ := json.Marshal(f)
	prefix := strconv.FormatInt(tid, 10) + "|" + mark + "|"
	return prefix + "total|" + string(all), prefix + "page|" + string(page)
}

func cloneDevices(ds []*domain.Device) []*domain.Device {
	out := make([]*domain.Device, len(ds))
	for i, d := range ds {
		out[i] = d.Clone()
	}
	return out
}
