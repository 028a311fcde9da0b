package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics counts requests for Prometheus in its text exposition format
// (written by hand: a few counters and one histogram need no library).
type metrics struct {
	mu       sync.Mutex
	requests map[reqKey]int64
	duration map[string]*histogram // by route pattern
	counters map[string]int64      // named counters, e.g. vigil_imports_total{result="ok"}
}

type reqKey struct{ method, route, status string }

// Latency buckets in seconds.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []int64 // per bucket, cumulative at exposition time
	sum    float64
	n      int64
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]int64{}, duration: map[string]*histogram{}, counters: map[string]int64{}}
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{method, route, fmt.Sprint(status)}]++
	h := m.duration[route]
	if h == nil {
		h = &histogram{counts: make([]int64, len(buckets))}
		m.duration[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
		}
	}
	h.sum += sec
	h.n++
}

// add increments a named counter (name with labels, e.g.
// `vigil_imports_total{result="ok"}`).
func (m *metrics) add(name string, n int64) {
	m.mu.Lock()
	m.counters[name] += n
	m.mu.Unlock()
}

func (m *metrics) handle(w http.ResponseWriter, _ *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	b.WriteString("# HELP vigil_http_requests_total HTTP requests by method, route and status.\n# TYPE vigil_http_requests_total counter\n")
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		fmt.Fprintf(&b, "vigil_http_requests_total{method=%q,route=%q,status=%q} %d\n", k.method, k.route, k.status, m.requests[k])
	}
	b.WriteString("# HELP vigil_http_request_duration_seconds HTTP request latency by route.\n# TYPE vigil_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.duration))
	for r := range m.duration {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.duration[r]
		for i, le := range buckets {
			fmt.Fprintf(&b, "vigil_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", r, le, h.counts[i])
		}
		fmt.Fprintf(&b, "vigil_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.n)
		fmt.Fprintf(&b, "vigil_http_request_duration_seconds_sum{route=%q} %g\nvigil_http_request_duration_seconds_count{route=%q} %d\n", r, h.sum, r, h.n)
	}
	names := make([]string, 0, len(m.counters))
	for n := range m.counters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s %d\n", n, m.counters[n])
	}
	w.Write([]byte(b.String()))
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// requestID keeps a well-formed X-Request-ID from a proxy, or makes one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); id != "" && len(id) <= 64 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == "" {
		return id
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
