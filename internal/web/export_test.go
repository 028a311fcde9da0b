package web

import "time"

// SetClock makes the server check second-factor codes against now.
func (s *Server) SetClock(now func() time.Time) { s.clock.Store(&now) }
