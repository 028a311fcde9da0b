package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var tokenRe = regexp.MustCompile(`vgl_[A-Za-z0-9_-]{43}`)

// Ensure API tokens through the CLI: printed once, provider-wide or for
// one practice, roles checked against the scope, listed without the token,
// usable against `vigil serve`, and dead once revoked.
func TestToken(t *testing.T) {
	db := newPractice(t)
	run(t, db, "import", "inventory", "testdata/assets.csv").must(t)
	const practice = "lakeside-family-medicine"
	r := run(t, db, "--tenant", practice, "token", "create", "cmms-sync", "--role", "technician", "--expires", "90d").must(t)
	token := tokenRe.FindString(r.stdout)
	if token == "" || !strings.Contains(r.stdout, "technician") || !strings.Contains(r.stdout, "expires: 20") {
		t.Fatalf("create: %s", r.stdout)
	}
	r = run(t, db, "--json", "token", "create", "nightly-report", "--role", "auditor").must(t)
	var wide map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &wide); err != nil || !tokenRe.MatchString(wide["token"].(string)) || wide["tenant_id"] != float64(0) {
		t.Fatalf("create --json: %v %s", err, r.stdout)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"token", "create", "x", "--role", "janitor"}, ExitUsage, "--role"},
		{[]string{"token", "create", "x", "--role", "viewer", "--expires", "soon"}, ExitUsage, "--expires"},
		{[]string{"token", "create", "x", "--role", "practice-admin"}, ExitFailure, "belongs to a practice"},
		{[]string{"--tenant", practice, "token", "create", "x", "--role", "provider-admin"}, ExitFailure, "provider-wide"},
		{[]string{"--tenant", practice, "token", "create", "cmms-sync", "--role", "viewer"}, ExitFailure, "already in use"},
		{[]string{"token", "revoke", "abc"}, ExitUsage, "not a number"},
		{[]string{"token", "create", "--role", "viewer"}, ExitUsage, "NAME"},
	} {
		r := run(t, db, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("vigil %v: exit %d %q; want %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
	r = run(t, db, "token", "list").must(t)
	if !strings.Contains(r.stdout, "nightly-report") || strings.Contains(r.stdout, "cmms-sync") || !strings.Contains(r.stdout, "provider-wide") {
		t.Fatalf("provider list: %s", r.stdout)
	}
	r = run(t, db, "--json", "--tenant", practice, "token", "list").must(t)
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 || list[0]["name"] != "cmms-sync" {
		t.Fatalf("practice list: %v %s", err, r.stdout)
	}
	if strings.Contains(r.stdout, token) || strings.Contains(r.stdout, "hash") {
		t.Fatalf("the list shows the token: %s", r.stdout)
	}

	// The token works against the server, in its practice.
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		done <- MainWithHooks(ctx, []string{"--db", db, "serve", "--listen", "127.0.0.1:0"}, strings.NewReader(""), &out, &errb,
			Hooks{Listening: func(addr string) { addrc <- addr }})
	}()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	get := func(tok, path string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(token, "/api/v1/devices?q=alaris"); code != 200 || !strings.Contains(body, "Alaris 8015") || !strings.Contains(body, `"total":1`) {
		t.Fatalf("GET /api/v1/devices: %d %s", code, body)
	}
	if code, body := get(wide["token"].(string), "/api/v1/audit/verify"); code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("provider-wide auditor: %d %s", code, body)
	}
	id := strconv.FormatInt(int64(list[0]["id"].(float64)), 10)
	run(t, db, "--tenant", practice, "token", "revoke", id).must(t)
	if code, _ := get(token, "/api/v1/devices"); code != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", code)
	}
	if r := run(t, db, "--tenant", practice, "token", "revoke", id); r.code != ExitFailure {
		t.Fatalf("second revoke: %d", r.code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d: %s", code, errb.String())
	}
	r = run(t, db, "--json", "audit", "list", "--type", "token", "--tenant", practice).must(t)
	if !strings.Contains(r.stdout, "token.revoke") || strings.Contains(r.stdout, token) || strings.Contains(r.stdout, token[4:16]) {
		t.Fatalf("token audit: %s", r.stdout)
	}
	run(t, db, "audit", "verify").must(t)
}
