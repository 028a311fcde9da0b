package web

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 description of the REST API. It is written
// by hand; TestOpenAPI_MatchesRoutes keeps it and apiRoutes in step, and
// the API tests check real responses against its schemas.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) handleAPIOpenAPI(w http.ResponseWriter, _ *apiCall) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
	return nil
}
