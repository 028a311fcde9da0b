package web

import (
	"net/http"
	"sort"
)

// handle registers a route and remembers it, so tests can enumerate every
// page the console serves (the tenant-isolation matrix walks them all and
// so covers a new route without being told).
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, h)
}

// Routes lists the registered route patterns ("METHOD /path/{param}").
func (s *Server) Routes() []string {
	out := append([]string(nil), s.patterns...)
	sort.Strings(out)
	return out
}
