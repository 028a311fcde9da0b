package sqlstore

import (
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// deviceKeyCols are the columns of each listing order before the id that
// breaks ties, as deviceOrder sorts them.
var deviceKeyCols = map[string][]string{
	"name":         {"d.label"},
	"id":           nil,
	"updated":      {"d.updated_at"},
	"category":     {"d.category", "d.label"},
	"manufacturer": {"d.manufacturer", "d.label"},
	"asset_tag":    {"d.asset_tag"},
	"serial":       {"d.serial"},
}

// keysetCond renders f.After as a condition (alias d) selecting the devices
// after that position in f's sort order: a row-value comparison over the
// order's columns and the id, which both engines evaluate with the same
// collation as the ORDER BY, so pages meet without overlap or gap.
func keysetCond(f domain.DeviceFilter) (string, []any, error) {
	k := f.After
	if err := k.Check(f.Sort); err != nil {
		return "", nil, err
	}
	desc := strings.HasPrefix(k.Sort, "-")
	cols := append(deviceKeyCols[strings.TrimPrefix(k.Sort, "-")], "d.id")
	args := make([]any, 0, len(cols))
	for _, v := range k.Values {
		args = append(args, v)
	}
	if strings.TrimPrefix(k.Sort, "-") == "updated" {
		t, _ := time.Parse(time.RFC3339Nano, k.Values[0])
		args[0] = fmtTime(t)
	}
	args = append(args, k.ID)
	op := " > "
	if desc {
		op = " < "
	}
	if len(cols) == 1 {
		return cols[0] + op + "?", args, nil
	}
	return "(" + strings.Join(cols, ", ") + ")" + op + "(" + marks(len(cols)) + ")", args, nil
}

// afterKey appends f.After's condition, if any, to a WHERE clause.
func afterKey(where string, args []any, f domain.DeviceFilter) (string, []any, error) {
	if f.After == nil {
		return where, args, nil
	}
	cond, kargs, err := keysetCond(f)
	if err != nil {
		return "", nil, err
	}
	return where + " AND " + cond, append(args[:len(args):len(args)], kargs...), nil
}
