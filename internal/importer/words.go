package importer

import "github.com/vigil-med/vigil/internal/domain"

// Located returns a CodeInvalid domain.Error whose message starts with the
// location and which carries it as a Problem; the cause is kept for logs.
// Format readers use it for errors that stop reading a file.
func Located(loc, msg string, cause error) error {
	return &domain.Error{
		Code:     domain.CodeInvalid,
		Message:  loc + ": " + msg,
		Problems: []domain.Problem{{Location: loc, Message: msg}},
		Err:      cause,
	}
}

// Plural returns "s" unless n is 1, for messages like "3 rows".
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// WasWere returns "was" for 1 and "were" otherwise.
func WasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}
