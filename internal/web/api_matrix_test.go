package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

// matrixTarget is what a probe aims at in one practice.
type matrixTarget struct {
	slug                              string
	deviceID, siteID, tokenID, vendor int64
	patchID, windowID, modelID        int64 // lifecycle (api_lifecycle_test.go)
	evidenceID                        int64 // a work item validated with an evidence file
}

// probe says how the isolation matrix exercises one route: the permission
// it expects the route to demand (stated here, apart from the route
// table, so a route that asks too little fails), whether the path names a
// practice's object (or a shared one), and how to build a request aimed at
// a target. fresh asks for an object the request may destroy.
type probe struct {
	perm   domain.Permission
	ids    bool
	shared bool
	build  func(e *apiEnv, tg matrixTarget, fresh bool) (path string, body any)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func fixed(path string) func(*apiEnv, matrixTarget, bool) (string, any) {
	return func(*apiEnv, matrixTarget, bool) (string, any) { return path, nil }
}

// matrixProbes has one probe per API route; the test fails for a route
// without one, so a new route cannot skip the matrix.
var matrixProbes = map[string]probe{
	"GET /openapi.json": {build: fixed("/openapi.json")},
	"GET /tenants":      {perm: domain.PermReadInventory, build: fixed("/tenants")},
	"GET /devices":      {perm: domain.PermReadInventory, build: fixed("/devices?limit=500")},
	"POST /devices": {perm: domain.PermEditInventory, build: func(e *apiEnv, _ matrixTarget, _ bool) (string, any) {
		e.seq++
		return "/devices", map[string]any{"serial": fmt.Sprintf("PROBE-%d", e.seq), "name": "probe"}
	}},
	"GET /devices/{id}": {perm: domain.PermReadInventory, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/devices/" + itoa64(tg.deviceID), nil
	}},
	"PATCH /devices/{id}": {perm: domain.PermEditInventory, ids: true, build: func(e *apiEnv, tg matrixTarget, _ bool) (string, any) {
		e.seq++
		return "/devices/" + itoa64(tg.deviceID), map[string]any{"notes": fmt.Sprintf("probe %d", e.seq)}
	}},
	"DELETE /devices/{id}": {perm: domain.PermEditInventory, ids: true, build: func(e *apiEnv, tg matrixTarget, fresh bool) (string, any) {
		if !fresh {
			return "/devices/" + itoa64(tg.deviceID), nil
		}
		e.seq++
		d := e.mustDevice(tg.slug, map[domain.Field]string{domain.FieldSerial: fmt.Sprintf("DOOMED-%d", e.seq), domain.FieldSite: "main"})
		return "/devices/" + itoa64(d.ID), nil
	}},
	"GET /devices/{id}/history": {perm: domain.PermReadInventory, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/devices/" + itoa64(tg.deviceID) + "/history", nil
	}},
	"GET /devices/{id}/observations": {perm: domain.PermReadInventory, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/devices/" + itoa64(tg.deviceID) + "/observations", nil
	}},
	"GET /devices/{id}/flows": {perm: domain.PermReadInventory, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/devices/" + itoa64(tg.deviceID) + "/flows", nil
	}},
	"GET /flows": {perm: domain.PermReadInventory, build: fixed("/flows?limit=500")},
	"GET /sites": {perm: domain.PermReadInventory, build: fixed("/sites")},
	"GET /sites/{id}": {perm: domain.PermReadInventory, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/sites/" + itoa64(tg.siteID), nil
	}},
	"POST /sites": {perm: domain.PermManageSites, build: func(e *apiEnv, _ matrixTarget, _ bool) (string, any) {
		e.seq++
		return "/sites", map[string]any{"name": fmt.Sprintf("Probe site %d", e.seq)}
	}},
	"GET /vendors": {perm: domain.PermReadInventory, build: fixed("/vendors")},
	"GET /vendors/{id}": {perm: domain.PermReadInventory, ids: true, shared: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/vendors/" + itoa64(tg.vendor), nil
	}},
	"GET /models":       {perm: domain.PermReadInventory, build: fixed("/models")},
	"GET /audit":        {perm: domain.PermReadAudit, build: fixed("/audit?limit=500")},
	"GET /audit/verify": {perm: domain.PermReadAudit, build: fixed("/audit/verify")},
	"GET /tokens":       {perm: domain.PermManageUsers, build: fixed("/tokens")},
	"POST /tokens": {perm: domain.PermManageUsers, build: func(e *apiEnv, _ matrixTarget, _ bool) (string, any) {
		e.seq++
		return "/tokens", map[string]any{"name": fmt.Sprintf("probe-%d", e.seq), "role": "viewer"}
	}},
	"GET /advisories": {perm: domain.PermReadInventory, build: fixed("/advisories")},
	"GET /advisories/{id}": {perm: domain.PermReadInventory, build: func(e *apiEnv, _ matrixTarget, _ bool) (string, any) {
		e.mustAdvisory()
		return "/advisories/" + matrixAdvisory, nil
	}},
	"GET /vulnerabilities": {perm: domain.PermReadInventory, build: fixed("/vulnerabilities")},
	"GET /devices/{id}/vulnerabilities": {perm: domain.PermReadInventory, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
		return "/devices/" + itoa64(tg.deviceID) + "/vulnerabilities", nil
	}},
	"PATCH /devices/{id}/vulnerabilities": {perm: domain.PermEditInventory, ids: true, build: func(e *apiEnv, tg matrixTarget, _ bool) (string, any) {
		e.mustVuln(tg)
		e.seq++
		return "/devices/" + itoa64(tg.deviceID) + "/vulnerabilities", map[string]any{"advisory_id": matrixAdvisory, "cve": "CVE-2099-0001",
			"status": "mitigated", "reason": fmt.Sprintf("probe %d", e.seq)}
	}},
	"DELETE /tokens/{id}": {perm: domain.PermManageUsers, ids: true, build: func(e *apiEnv, tg matrixTarget, fresh bool) (string, any) {
		if !fresh {
			return "/tokens/" + itoa64(tg.tokenID), nil
		}
		e.seq++
		return "/tokens/" + itoa64(e.newToken(tg.slug, domain.RoleViewer, fmt.Sprintf("doomed-%d", e.seq)).token.ID), nil
	}},
}

// matrixAdvisory is the advisory the intelligence probes read and decide on.
const matrixAdvisory = "ICSMA-99-000-01"

// mustAdvisory stores the probes' advisory once.
func (e *apiEnv) mustAdvisory() {
	a := &domain.Advisory{ID: matrixAdvisory, Title: "Probe advisory", Revision: "1",
		Vulns: []domain.AdvisoryVuln{{CVE: "CVE-2099-0001"}}}
	if _, err := e.st.SaveAdvisory(vigiltest.Context(0), a); err != nil {
		e.t.Fatal(err)
	}
}

// mustVuln gives the target's device a vulnerability row to decide on,
// unless it has one.
func (e *apiEnv) mustVuln(tg matrixTarget) {
	e.mustAdvisory()
	ctx := vigiltest.Context(e.tenants[tg.slug].ID)
	rows, err := e.st.FindVulnerabilities(ctx, domain.VulnFilter{DeviceID: tg.deviceID})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rows) > 0 {
		return
	}
	v := domain.DeviceVulnerability{DeviceID: tg.deviceID, AdvisoryID: matrixAdvisory, CVE: "CVE-2099-0001", Status: domain.VulnAffected, Reason: "SECRET-" + tg.slug + " probe"}
	if _, err := e.st.ReplaceVulnerabilities(ctx, []int64{tg.deviceID}, []domain.DeviceVulnerability{v}); err != nil {
		e.t.Fatal(err)
	}
}

// withTenant adds ?tenant=ref to a path.
func withTenant(path, ref string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "tenant=" + ref
}

// Ensure tenant isolation and roles hold on every API route for every
// role, with tokens and with sessions: a practice's credential never reads
// or changes another practice's data, by the other's ids or by naming the
// other practice; a role never does what it lacks the permission for; and
// provider-wide credentials cannot reach one practice's objects through
// another.
func TestAPI_TenantIsolation(t *testing.T) {
	e := newAPIEnv(t)
	practices := []string{"alpha-clinic", "beta-clinic"}
	targets := map[string]matrixTarget{}
	for _, slug := range practices {
		ctx := vigiltest.Context(e.tenants[slug].ID)
		sites, _ := e.st.FindSites(ctx)
		d := e.devices[slug]
		tok := e.newToken(slug, domain.RoleViewer, "SECRET-"+slug+"-fixture")
		targets[slug] = matrixTarget{slug: slug, deviceID: d.ID, siteID: sites[0].ID, tokenID: tok.token.ID, vendor: d.VendorID}
		tg := targets[slug]
		tg.patchID, tg.windowID, tg.modelID = e.lifecycleFixture(slug)
		tg.evidenceID = e.evidenceFixture(tg)
		targets[slug] = tg
		// History to read: a change by the practice itself.
		if _, _, err := e.st.UpdateDevice(ctx, d.ID, map[domain.Field]string{domain.FieldFirmware: "SECRET-" + slug + " fw"}, domain.Source{Kind: domain.SourceManual}); err != nil {
			t.Fatal(err)
		}
	}
	var creds []cred
	practiceOf := map[string]int64{} // practice credentials' audit actor names → their practice
	for _, slug := range practices {
		for _, role := range []domain.Role{domain.RolePracticeAdmin, domain.RoleTechnician, domain.RoleViewer, domain.RoleAuditor} {
			tok := e.newToken(slug, role, "SECRET-"+slug+"-"+string(role))
			ses := e.newSession(slug, role, string(role)+"@secret-"+slug+".example")
			creds = append(creds, tok, ses)
			practiceOf[tok.actor], practiceOf[ses.actor] = e.tenants[slug].ID, e.tenants[slug].ID
		}
	}
	for _, role := range []domain.Role{domain.RoleProviderAdmin, domain.RoleTechnician, domain.RoleViewer, domain.RoleAuditor} {
		creds = append(creds, e.newToken("", role, "provider-"+string(role)), e.newSession("", role, string(role)+"@msp.example"))
	}
	other := map[string]string{"alpha-clinic": "beta-clinic", "beta-clinic": "alpha-clinic"}
	requests := 0
	// expect sends a request and fails unless the status is want (any 2xx
	// for http.StatusOK with ok2xx). A practice credential's answer must
	// not hold the other practice's marker.
	expect := func(c cred, method, path string, body any, want int, why string) *apiResp {
		t.Helper()
		requests++
		r := e.do(c, method, path, body)
		ok := r.status == want || (want == http.StatusOK && r.status >= 200 && r.status < 300)
		if !ok {
			t.Errorf("%s: %s %s (%s): %d, want %d: %s", c.name, method, path, why, r.status, want, r.body)
		}
		if c.tenant != "" && strings.Contains(strings.ToLower(string(r.body)), strings.ToLower("SECRET-"+other[c.tenant])) {
			t.Errorf("%s: %s %s (%s) shows the other practice's data: %s", c.name, method, path, why, r.body)
		}
		return r
	}
	routes := map[string]bool{}
	for _, rt := range web.APIRoutes() {
		key := rt.Method + " " + rt.Path
		routes[key] = true
		pr, ok := matrixProbes[key]
		if !ok {
			t.Errorf("route %s has no probe in the isolation matrix", key)
			continue
		}
		if pr.perm != rt.Perm {
			t.Errorf("route %s demands %q; the matrix expects %q", key, rt.Perm, pr.perm)
		}
		for _, c := range creds {
			if rt.Public {
				path, body := pr.build(e, targets["alpha-clinic"], true)
				expect(c, rt.Method, path, body, http.StatusOK, "public")
				continue
			}
			can := c.role.Can(pr.perm)
			deny := func(want int) int {
				if !can {
					return http.StatusForbidden
				}
				return want
			}
			own := c.tenant
			if own == "" {
				own = "alpha-clinic"
			}
			// Its own practice: allowed exactly when the role grants the
			// permission.
			path, body := pr.build(e, targets[own], true)
			if c.tenant == "" {
				path = withTenant(path, own)
			}
			r := expect(c, rt.Method, path, body, deny(http.StatusOK), "own practice")
			if can && r.status < 300 {
				checkOwn(t, e, c, key, own, r)
			}
			if c.tenant != "" {
				// The other practice's objects, from its own scope.
				if pr.ids {
					path, body := pr.build(e, targets[other[own]], false)
					want := http.StatusNotFound
					if pr.shared {
						want = http.StatusOK
					}
					r := expect(c, rt.Method, path, body, deny(want), "the other practice's id")
					if pr.shared && r.status == 200 && r.json(t)["device_count"] != float64(0) {
						t.Errorf("%s: %s counts the other practice's devices: %s", c.name, path, r.body)
					}
				}
				// The other practice named outright, by short name and id.
				for _, ref := range []string{other[own], itoa64(e.tenants[other[own]].ID)} {
					path, body := pr.build(e, targets[other[own]], false)
					expect(c, rt.Method, withTenant(path, ref), body, deny(http.StatusNotFound), "?tenant= the other practice")
				}
				continue
			}
			if !can {
				continue
			}
			// Provider-wide: one practice's objects are not reachable while
			// working in another, and practice routes need a practice.
			if pr.ids && !pr.shared {
				path, body := pr.build(e, targets["beta-clinic"], false)
				expect(c, rt.Method, withTenant(path, "alpha-clinic"), body, http.StatusNotFound, "Beta's id in Alpha")
			}
			if rt.Practice {
				path, body := pr.build(e, targets[own], false)
				expect(c, rt.Method, path, body, http.StatusBadRequest, "no practice named")
			}
		}
	}
	for key := range matrixProbes {
		if !routes[key] {
			t.Errorf("the matrix probes %s, which is not served", key)
		}
	}
	// Nothing a practice's credential did landed in another practice, and
	// none of them made a provider-wide token.
	events, err := e.st.FindAuditEvents(vigiltest.Context(0), domain.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		tid, isPractice := practiceOf[ev.Actor.Name]
		if isPractice && ev.TenantID != 0 && ev.TenantID != tid {
			t.Errorf("%s by %s landed in practice %d", ev.Action, ev.Actor, ev.TenantID)
		}
		if isPractice && ev.TenantID == 0 && ev.ObjectType == "token" {
			t.Errorf("%s made a provider-wide token: %s", ev.Actor, ev.After)
		}
	}
	for _, slug := range practices {
		if _, err := e.st.FindDeviceByID(vigiltest.Context(e.tenants[slug].ID), targets[slug].deviceID); err != nil {
			t.Errorf("%s's device is gone: %v", slug, err)
		}
		list, _ := e.st.FindTokens(vigiltest.Context(e.tenants[slug].ID))
		for _, x := range list {
			if x.ID == targets[slug].tokenID && x.Revoked {
				t.Errorf("%s's fixture token was revoked", slug)
			}
		}
	}
	if r, err := audit.Verify(vigiltest.Context(0), e.st); err != nil || !r.OK {
		t.Fatalf("audit chain: %+v %v", r, err)
	}
	t.Logf("%d credentials, %d routes, %d requests", len(creds), len(routes), requests)
}

// checkOwn checks what a successful request in the credential's own
// practice returned: only that practice's data, and tokens in its scope.
func checkOwn(t *testing.T, e *apiEnv, c cred, key, own string, r *apiResp) {
	t.Helper()
	ownID := float64(e.tenants[own].ID)
	switch key {
	case "GET /tenants":
		items := r.items(t)
		if c.tenant != "" && (len(items) != 1 || items[0]["id"] != ownID) {
			t.Errorf("%s: tenants %v", c.name, items)
		}
	case "GET /devices":
		for _, d := range r.items(t) {
			if _, err := e.st.FindDeviceByID(vigiltest.Context(e.tenants[own].ID), int64(d["id"].(float64))); err != nil {
				t.Errorf("%s: lists device %v, not %s's", c.name, d["id"], own)
			}
		}
	case "GET /audit":
		for _, ev := range r.items(t) {
			if ev["tenant_id"] != ownID {
				t.Errorf("%s: audit event of practice %v", c.name, ev["tenant_id"])
			}
		}
	case "GET /tokens":
		for _, x := range r.items(t) {
			if x["tenant_id"] != ownID {
				t.Errorf("%s: token of practice %v", c.name, x["tenant_id"])
			}
		}
	case "POST /tokens":
		made := r.json(t)
		if made["tenant_id"] != ownID || !strings.HasPrefix(made["token"].(string), "vgl_") {
			t.Errorf("%s: made %v", c.name, made)
		}
		// The new token reaches its practice and no other.
		nt := cred{name: "new token", bearer: made["token"].(string)}
		if r := e.send(nt, "GET", "/devices", nil); r.status != 200 {
			t.Errorf("new token: %d", r.status)
		}
		if r := e.send(nt, "GET", "/devices?tenant="+map[string]string{"alpha-clinic": "beta-clinic", "beta-clinic": "alpha-clinic"}[own], nil); r.status != 404 {
			t.Errorf("new token in the other practice: %d", r.status)
		}
	}
}
