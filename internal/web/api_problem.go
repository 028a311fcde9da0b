package web

import (
	"encoding/json"
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
)

// problemDoc is an RFC 9457 problem details object (§3.1 members, plus
// the extension members code and errors).
type problemDoc struct {
	Type     string `json:"type"`               // §3.1.1: identifies the problem type; documented in docs/api.md
	Title    string `json:"title"`              // §3.1.4: the same for every occurrence of the type
	Status   int    `json:"status"`             // §3.1.2: the HTTP status code
	Detail   string `json:"detail"`             // §3.1.3: this occurrence, in words a user can act on
	Instance string `json:"instance,omitempty"` // §3.1.5: the request path
	// Code is Vigil's error code (domain.Code…), for clients that turn a
	// problem back into an error.
	Code string `json:"code"`
	// Errors lists each located complaint about the request (§3 shows
	// such a member): the field, where it is (a JSON Pointer into the body
	// such as "#/macs", or "?limit" for a query parameter), and what is
	// wrong.
	Errors []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field    string `json:"field,omitempty"`
	Location string `json:"location"`
	Message  string `json:"message"`
}

// problemTypeBase prefixes every problem type URI; the fragment is the
// error code, and docs/api.md has a heading for each.
const problemTypeBase = "https://github.com/vigil-med/vigil/blob/main/docs/api.md#"

var problemTitles = map[string]string{
	domain.CodeInvalid:      "The request is invalid",
	domain.CodeNotFound:     "Not found",
	domain.CodeConflict:     "Conflict with existing data",
	domain.CodeUnauthorized: "Authentication required",
	domain.CodeForbidden:    "Not allowed",
	domain.CodeInternal:     "Internal error",
}

// apiProblem writes err as a problem document (application/problem+json).
// The status comes from statusOf, the one code → status table, unless
// status is given (405, which no error code means). Internal errors are
// logged with their cause and shown only as Vigil's generic message.
func (s *Server) apiProblem(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status == 0 {
		status = statusOf(err)
	}
	code := domain.ErrorCode(err)
	p := problemDoc{Type: problemTypeBase + code, Title: problemTitles[code], Status: status, Detail: domain.ErrorMessage(err),
		Instance: r.URL.Path, Code: code}
	switch {
	case status == http.StatusMethodNotAllowed:
		p.Type, p.Title, p.Code = "about:blank", http.StatusText(status), "method_not_allowed"
	case status >= 500:
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		for _, x := range domain.ErrorProblems(err) {
			loc := x.Location
			if loc == "" && x.Field != "" {
				loc = bodyProblem([]string{x.Field}, "", "").Location // a field's problem is about the body member of its name
			}
			p.Errors = append(p.Errors, fieldError{Field: x.Field, Location: loc, Message: x.Message})
		}
	}
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
