// Package domain holds Vigil's plain types and their rules. It imports only
// the standard library; every other package depends on it, never the reverse.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. One table in the web package maps them to HTTP status codes
// and one in the cli package to exit codes.
const (
	CodeInvalid      = "invalid"      // the input breaks a rule; the message says which
	CodeNotFound     = "not_found"    // the object does not exist in the caller's scope
	CodeConflict     = "conflict"     // the change clashes with existing data (duplicate key…)
	CodeUnauthorized = "unauthorized" // the caller is not identified
	CodeForbidden    = "forbidden"    // the caller may not do this (wrong tenant, role)
	CodeInternal     = "internal"     // a fault of Vigil's; details are logged, not shown
)

// Problem is one located complaint about input: where it is, which field,
// and what is wrong, in a sentence a user can act on.
type Problem struct {
	Location string `json:"location,omitempty"` // file:line:column, JSON path…
	Row      int    `json:"row,omitempty"`      // the data row, for import problems
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

// String renders the problem as "location: field: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.Location != "" {
		b.WriteString(p.Location)
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is Vigil's one error type. Message is safe to show to a user; Err
// keeps the cause for logs. Problems lists every located complaint when
// several were found at once (an import that failed validation).
type Error struct {
	Code     string
	Message  string
	Problems []Problem
	Err      error
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code
	}
	if e.Err != nil && e.Code == CodeInternal {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the code and a formatted user message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected fault. The user sees only a generic message.
func Internal(err error, format string, args ...any) *Error {
	return &Error{Code: CodeInternal, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of err, CodeInternal for foreign errors and ""
// for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-safe message of err. Foreign errors get a
// generic message, so internals never leak to users.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Code == CodeInternal {
			if e.Message != "" {
				return e.Message + " (internal error; see the log)"
			}
			return "internal error; see the log"
		}
		return e.Error()
	}
	return "internal error; see the log"
}

// ErrorProblems returns the located problems carried by err, if any.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}
