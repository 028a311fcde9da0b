package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date without a time zone (purchase, install, end of
// support). The zero Date means "not known".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOrder says how to read ambiguous numeric dates like 03/04/2021.
type DateOrder int

// Date orders.
const (
	MonthFirst DateOrder = iota // 03/04/2021 is March 4 (US spreadsheets)
	DayFirst                    // 03/04/2021 is 3 April
)

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.Year == 0 }

// String renders d as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText renders d as YYYY-MM-DD ("" when unset), so JSON output
// (the API, --json, feeds) shows dates as people and standards write them.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; "" is the unset date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return Errorf(CodeInvalid, "%q is not a date (YYYY-MM-DD)", b)
	}
	*d = DateOf(t)
	return nil
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }

// DateOf returns the calendar date of t in its own location.
func DateOf(t time.Time) Date {
	y, m, dd := t.Date()
	return Date{y, m, dd}
}

// ParseDate reads YYYY-MM-DD, YYYY/MM/DD, numeric dates with slashes, dots or
// dashes in the given order, "14 Mar 2021", "Mar 14, 2021", and ISO
// timestamps (the date part). Impossible dates (2021-02-30) are errors.
func ParseDate(s string, order DateOrder) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	if len(s) > 10 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	for _, layout := range []string{"2 Jan 2006", "2 January 2006", "Jan 2, 2006", "January 2, 2006", "2-Jan-2006", "02-Jan-06", "2-Jan-06"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		return Date{}, Errorf(CodeInvalid, "date %q is not in a known format (use YYYY-MM-DD)", s)
	}
	nums := [3]int{}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Date{}, Errorf(CodeInvalid, "date %q is not in a known format (use YYYY-MM-DD)", s)
		}
		nums[i] = n
	}
	var y, m, d int
	switch {
	case len(parts[0]) == 4:
		y, m, d = nums[0], nums[1], nums[2]
	case len(parts[2]) == 4 || len(parts[2]) == 2:
		y = nums[2]
		if len(parts[2]) == 2 {
			y += 2000
			if y > time.Now().Year()+10 {
				y -= 100
			}
		}
		if order == DayFirst {
			d, m = nums[0], nums[1]
		} else {
			m, d = nums[0], nums[1]
		}
	default:
		return Date{}, Errorf(CodeInvalid, "date %q is not in a known format (use YYYY-MM-DD)", s)
	}
	return MakeDate(y, m, d)
}

// MakeDate checks that y-m-d is a real calendar date.
func MakeDate(y, m, d int) (Date, error) {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return Date{}, Errorf(CodeInvalid, "impossible date %04d-%02d-%02d", y, m, d)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return Date{}, Errorf(CodeInvalid, "impossible date %04d-%02d-%02d (that month has %d days)", y, m, d, daysIn(y, time.Month(m)))
	}
	return Date{y, time.Month(m), d}, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DateFromExcelSerial converts a spreadsheet serial day number (1900 date
// system, with Lotus's phantom 1900-02-29) to a Date.
func DateFromExcelSerial(serial float64) (Date, error) {
	if serial < 1 || serial > 200000 {
		return Date{}, Errorf(CodeInvalid, "spreadsheet date number %v is out of range", serial)
	}
	days := int(serial)
	if days >= 60 {
		days-- // 1900-02-29 does not exist
	}
	t := time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	return DateOf(t), nil
}
