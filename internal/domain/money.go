package domain

import (
	"strings"
)

// ParseCents reads an amount of money ("18500", "18,500.00", "$1,234.5",
// "0.285") into whole cents without going through floating point; a third
// decimal and beyond round half away from zero (0.285 → 29 cents).
func ParseCents(s string) (int64, error) {
	clean := strings.NewReplacer(",", "", " ", "", "$", "", "€", "", "£", "").Replace(strings.TrimSpace(s))
	bad := Errorf(CodeInvalid, "%q is not an amount of money", s)
	if clean == "" || strings.HasPrefix(clean, "-") {
		return 0, bad
	}
	whole, frac, _ := strings.Cut(clean, ".")
	if whole == "" && frac == "" {
		return 0, bad
	}
	var cents int64
	for _, r := range whole {
		if r < '0' || r > '9' {
			return 0, bad
		}
		cents = cents*10 + int64(r-'0')
		if cents > 1e13 {
			return 0, Errorf(CodeInvalid, "%q is too large an amount", s)
		}
	}
	cents *= 100
	for i, r := range frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
		switch {
		case i == 0:
			cents += int64(r-'0') * 10
		case i == 1:
			cents += int64(r - '0')
		case i == 2 && r >= '5':
			cents++
		}
	}
	return cents, nil
}
