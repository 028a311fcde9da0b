package auth

import (
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// NewAPIToken returns a new API token ("vgl_" and 256 random bits) and the
// hash the store keeps of it. The token is shown to its owner once.
func NewAPIToken() (token, hash string, err error) {
	t, err := NewToken()
	if err != nil {
		return "", "", err
	}
	token = domain.APITokenPrefix + t
	return token, HashToken(token), nil
}

// BearerToken returns the API token carried by an Authorization header
// value: "Bearer vgl_…" (RFC 6750 §2.1; the scheme is case-insensitive).
// ok is false for another scheme or a value that is not a Vigil token.
func BearerToken(header string) (token string, ok bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(rest)
	ok = strings.EqualFold(scheme, "Bearer") && strings.HasPrefix(token, domain.APITokenPrefix) &&
		len(token) > len(domain.APITokenPrefix) && !strings.ContainsAny(token, " \t")
	return token, ok
}
