package web

import (
	"net/http"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
)

// flowCursor is the position after the last flow of a page.
type flowCursor struct {
	AfterID int64 `json:"a"`
}

// handleAPIDeviceObservations lists what discovery observed about a device.
func (s *Server) handleAPIDeviceObservations(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	obs, err := s.st.FindObservations(c.ctx, id)
	if err != nil {
		return err
	}
	ids, err := s.st.FindNetworkIdentities(c.ctx, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Items      []*domain.DeviceObservation `json:"items"`
		Identities []*domain.NetworkIdentity   `json:"identities"`
		Total      *int                        `json:"total"`
	}{nonNil(obs), nonNil(ids), intPtr(len(obs))})
}

// handleAPIDeviceFlows lists one device's flows.
func (s *Server) handleAPIDeviceFlows(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	if _, err := s.st.FindDeviceByID(c.ctx, id); err != nil {
		return err
	}
	return s.listFlows(w, c, id)
}

// handleAPIFlowIndex lists the practice's flows.
func (s *Server) handleAPIFlowIndex(w http.ResponseWriter, c *apiCall) error {
	var problems []domain.Problem
	var device int64
	if v := c.r.URL.Query().Get("device"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			problems = append(problems, queryProblem("device", "not a device id"))
		}
		device = n
	}
	if err := invalid(problems); err != nil {
		return err
	}
	return s.listFlows(w, c, device)
}

// listFlows answers one page of flows filtered by the query (peer,
// transport, port, app) with a keyset cursor.
func (s *Server) listFlows(w http.ResponseWriter, c *apiCall, device int64) error {
	q := c.r.URL.Query()
	f := domain.FlowFilter{DeviceID: device, PeerIP: q.Get("peer"), Transport: q.Get("transport"), App: q.Get("app")}
	var problems []domain.Problem
	if v := q.Get("port"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // Check says it is not a port number
		}
		f.Port = n
	}
	for _, p := range f.Check() {
		problems = append(problems, queryProblem(p.Field, p.Message))
	}
	limit, err := pageLimit(c)
	if err != nil {
		problems = append(problems, domain.ErrorProblems(err)...)
	}
	if v := q.Get("cursor"); v != "" {
		k, ok := decodeCursor[flowCursor](v)
		if !ok || k.AfterID <= 0 {
			problems = append(problems, queryProblem("cursor", "not a cursor this listing gave out; start again without it"))
		}
		f.AfterID = k.AfterID
	}
	if err := invalid(problems); err != nil {
		return err
	}
	f.Limit = limit
	flows, more, err := s.st.FindFlows(c.ctx, f)
	if err != nil {
		return err
	}
	var p apiPage
	if more && len(flows) > 0 {
		next := encodeCursor(flowCursor{AfterID: flows[len(flows)-1].ID})
		p.NextCursor = &next
	}
	p.Items = nonNil(flows)
	return writeJSON(w, http.StatusOK, p)
}
