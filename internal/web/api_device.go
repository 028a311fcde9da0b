package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// apiDevice is a device in the API's JSON form: the inventory JSON form
// (docs/inventory-format.md: canonical field names in export order, lists
// as arrays, id, phi_records and vlans as numbers, empty fields left out)
// plus version, provenance (field → source) and timestamps.
type apiDevice struct{ d *domain.Device }

// MarshalJSON writes the members in field order, as the inventory does.
func (a apiDevice) MarshalJSON() ([]byte, error) {
	d := a.d
	o := newObject()
	o.put("id", d.ID)
	for _, fi := range domain.DeviceFields() {
		f := fi.Field
		if f == domain.FieldID || d.Get(f) == "" {
			continue
		}
		switch f {
		case domain.FieldMACs:
			o.put(string(f), d.MACs)
		case domain.FieldIPs:
			o.put(string(f), d.IPs)
		case domain.FieldHostnames:
			o.put(string(f), d.Hostnames)
		case domain.FieldVLANs:
			o.put(string(f), d.VLANs)
		case domain.FieldAdmins:
			o.put(string(f), d.Admins)
		case domain.FieldPHIRecords:
			o.put(string(f), d.PHIRecords)
		default:
			o.put(string(f), d.Get(f))
		}
	}
	o.put("version", d.Version)
	prov := newObject()
	for _, fi := range domain.DeviceFields() {
		if src, ok := d.Provenance.Of(fi.Field); ok {
			prov.put(string(fi.Field), src)
		}
	}
	o.put("provenance", prov.raw())
	o.put("created_at", d.CreatedAt)
	o.put("updated_at", d.UpdatedAt)
	return o.raw(), nil
}

// object builds a JSON object whose members keep the order they are put
// in (encoding/json sorts map keys).
type object struct{ b bytes.Buffer }

func newObject() *object {
	o := &object{}
	o.b.WriteByte('{')
	return o
}

func (o *object) put(name string, v any) {
	if o.b.Len() > 1 {
		o.b.WriteByte(',')
	}
	k, _ := json.Marshal(name)
	val, err := json.Marshal(v)
	if err != nil {
		val = []byte("null")
	}
	o.b.Write(k)
	o.b.WriteByte(':')
	o.b.Write(val)
}

func (o *object) raw() json.RawMessage {
	return append(bytes.Clone(o.b.Bytes()), '}')
}

// readOnlyDeviceMembers may appear in a request body, so a device read
// from the API can be sent back, but are not set from it.
var readOnlyDeviceMembers = []string{"version", "provenance", "created_at", "updated_at"}

// deviceValues reads a device object from a request body into field text
// values, with a problem for each member of the wrong shape. id is the
// device the body is for (0 for a new one); a body "id" must match it.
func deviceValues(members []member, id int64) (map[domain.Field]string, []domain.Problem) {
	set := map[domain.Field]string{}
	var problems []domain.Problem
	for _, m := range members {
		ptr := []string{m.name}
		if slices.Contains(readOnlyDeviceMembers, m.name) {
			continue
		}
		if m.name == string(domain.FieldID) {
			var n int64
			if err := json.Unmarshal(m.value, &n); err != nil || n != id {
				msg := "Vigil assigns the id of a new device; leave it out"
				if id != 0 {
					msg = "the id cannot change; leave it out or send " + strconv.FormatInt(id, 10)
				}
				problems = append(problems, bodyProblem(ptr, m.name, msg))
			}
			continue
		}
		fi, ok := domain.LookupField(m.name)
		if !ok {
			problems = append(problems, bodyProblem(ptr, m.name, "unknown field; fields are: "+strings.Join(domain.FieldNames(), ", ")))
			continue
		}
		text, p := memberText(m, fi)
		if p != nil {
			problems = append(problems, *p)
			continue
		}
		set[fi.Field] = text
	}
	return set, problems
}

// memberText renders a field's JSON value as the field's text: strings,
// numbers and booleans as written, null as empty, and for list fields an
// array of strings or numbers.
func memberText(m member, fi domain.FieldInfo) (string, *domain.Problem) {
	dec := json.NewDecoder(bytes.NewReader(m.value))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		p := bodyProblem([]string{m.name}, m.name, "unreadable value")
		return "", &p
	}
	scalar := func(v any) (string, bool) {
		switch x := v.(type) {
		case nil:
			return "", true
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
		return "", false
	}
	if s, ok := scalar(v); ok {
		return s, nil
	}
	list, isList := v.([]any)
	if !isList {
		p := bodyProblem([]string{m.name}, m.name, "expected a value, not an object")
		return "", &p
	}
	if !fi.List {
		p := bodyProblem([]string{m.name}, m.name, "this field holds one value, not a list")
		return "", &p
	}
	items := make([]string, 0, len(list))
	for i, x := range list {
		s, ok := scalar(x)
		if !ok || x == nil {
			p := bodyProblem([]string{m.name, strconv.Itoa(i)}, m.name, "list items must be strings or numbers")
			return "", &p
		}
		if s != "" {
			items = append(items, s)
		}
	}
	return strings.Join(items, domain.ListSeparator), nil
}

// applyValues sets the values on d in field order and returns a located
// problem for every value refused.
func applyValues(d *domain.Device, set map[domain.Field]string) []domain.Problem {
	var problems []domain.Problem
	for _, fi := range domain.DeviceFields() {
		v, ok := set[fi.Field]
		if !ok {
			continue
		}
		if err := d.Set(fi.Field, v); err != nil {
			problems = append(problems, bodyProblem([]string{string(fi.Field)}, string(fi.Field), domain.ErrorMessage(err)))
		}
	}
	return problems
}

var errAdmins = domain.Errorf(domain.CodeForbidden, "only administrators may change who holds administrative access to a device")

func (s *Server) handleAPIDeviceIndex(w http.ResponseWriter, c *apiCall) error {
	q := c.r.URL.Query()
	f := domain.DeviceFilter{Query: q.Get("q"), Manufacturer: q.Get("manufacturer"), Sort: q.Get("sort")}
	var problems []domain.Problem
	var err error
	if f.Category, err = domain.ParseCategory(q.Get("category")); err != nil {
		problems = append(problems, queryProblem("category", domain.ErrorMessage(err)))
	}
	if f.Criticality, err = domain.ParseCriticality(q.Get("criticality")); err != nil {
		problems = append(problems, queryProblem("criticality", domain.ErrorMessage(err)))
	}
	if f.Review, err = domain.ParseReview(q.Get("review")); err != nil {
		problems = append(problems, queryProblem("review", domain.ErrorMessage(err)))
	}
	if f.Sort != "" && !slices.Contains(domain.DeviceSorts, f.Sort) {
		problems = append(problems, queryProblem("sort", "use one of: "+strings.Join(domain.DeviceSorts, ", ")))
	}
	if ref := q.Get("site"); ref != "" {
		site, err := s.st.FindSite(c.ctx, ref)
		switch {
		case domain.ErrorCode(err) == domain.CodeNotFound:
			problems = append(problems, queryProblem("site", "no site "+strconv.Quote(ref)+" in this practice"))
		case err != nil:
			return err
		default:
			f.SiteID = site.ID
		}
	}
	limit, err := pageLimit(c)
	if err != nil {
		problems = append(problems, domain.ErrorProblems(err)...)
	}
	if v := q.Get("cursor"); v != "" {
		k, ok := decodeCursor[domain.DeviceKey](v)
		if ok && f.Sort == "" {
			f.Sort = k.Sort
		}
		if ok && k.Check(f.Sort) == nil {
			f.After = &k
		} else {
			problems = append(problems, queryProblem("cursor", "not a cursor this listing gave out (with this sort); start again without it"))
		}
	}
	if err := invalid(problems); err != nil {
		return err
	}
	f.Limit = limit + 1 // one more tells whether another page follows
	devices, total, err := s.st.FindDevices(c.ctx, f)
	if err != nil {
		return err
	}
	p := apiPage{Total: intPtr(total)}
	if len(devices) > limit {
		devices = devices[:limit]
		next := encodeCursor(domain.KeyOf(devices[limit-1], f.Sort))
		p.NextCursor = &next
	}
	items := make([]apiDevice, len(devices))
	for i, d := range devices {
		items[i] = apiDevice{d}
	}
	p.Items = items
	return writeJSON(w, http.StatusOK, p)
}

// encodeCursor makes an opaque cursor of a listing position.
func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor.
func decodeCursor[T any](s string) (T, bool) {
	var v T
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return v, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return v, dec.Decode(&v) == nil
}

func (s *Server) handleAPIDeviceView(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	d, err := s.st.FindDeviceByID(c.ctx, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiDevice{d})
}

func (s *Server) handleAPIDeviceCreate(w http.ResponseWriter, c *apiCall) error {
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	set, problems := deviceValues(members, 0)
	d := &domain.Device{}
	if err := invalid(append(problems, applyValues(d, set)...)); err != nil {
		return err
	}
	if len(d.Admins) > 0 && !c.caller.role.Can(domain.PermManageDeviceAdmin) {
		return errAdmins
	}
	if err := s.st.CreateDevice(c.ctx, d, domain.Source{Kind: domain.SourceAPI}); err != nil {
		return err
	}
	return created(w, "/devices/"+strconv.FormatInt(d.ID, 10), apiDevice{d})
}

func (s *Server) handleAPIDeviceUpdate(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	cur, err := s.st.FindDeviceByID(c.ctx, id)
	if err != nil {
		return err
	}
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	set, problems := deviceValues(members, id)
	next := cur.Clone()
	if err := invalid(append(problems, applyValues(next, set)...)); err != nil {
		return err
	}
	if _, ok := set[domain.FieldAdmins]; ok {
		// Sending the access list back unchanged (a device read, edited
		// elsewhere, sent back whole) needs no extra right, and leaves it
		// alone.
		if next.Get(domain.FieldAdmins) == cur.Get(domain.FieldAdmins) {
			delete(set, domain.FieldAdmins)
		} else if !c.caller.role.Can(domain.PermManageDeviceAdmin) {
			return errAdmins
		}
	}
	d := cur
	if len(set) > 0 {
		if d, _, err = s.st.UpdateDevice(c.ctx, id, set, domain.Source{Kind: domain.SourceAPI}); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, apiDevice{d})
}

func (s *Server) handleAPIDeviceDelete(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	if err := s.st.DeleteDevice(c.ctx, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiChange is one event of a device's history with its field changes.
type apiChange struct {
	ID      int64                `json:"id"`
	At      time.Time            `json:"at"`
	Actor   domain.Actor         `json:"actor"`
	Action  string               `json:"action"`
	Changes []domain.FieldChange `json:"changes"`
}

func (s *Server) handleAPIDeviceHistory(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	if _, err := s.st.FindDeviceByID(c.ctx, id); err != nil {
		return err
	}
	events, err := s.st.FindAuditEvents(c.ctx, domain.AuditFilter{ObjectType: "device", ObjectID: id})
	if err != nil {
		return err
	}
	items := make([]apiChange, len(events))
	for i, e := range events {
		var before, after map[domain.Field]string
		_ = json.Unmarshal(e.Before, &before)
		_ = json.Unmarshal(e.After, &after)
		ch := apiChange{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Changes: []domain.FieldChange{}}
		for _, fi := range domain.DeviceFields() {
			old, hadOld := before[fi.Field]
			nu, hasNew := after[fi.Field]
			if hadOld || hasNew {
				ch.Changes = append(ch.Changes, domain.FieldChange{Field: fi.Field, Old: old, New: nu})
			}
		}
		items[i] = ch
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}
