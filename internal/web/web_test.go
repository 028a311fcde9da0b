package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

func setup(t *testing.T) (*httptest.Server, *sqlstore.Store, map[string]int64) {
	t.Helper()
	st := vigiltest.MustOpenSQLite(t)
	ids := map[string]int64{}
	for _, p := range []struct{ tenant, name string }{{"Alpha Clinic", "<script>alert(1)</script> pump"}, {"Beta Clinic", "Beta monitor"}} {
		tn := &domain.Tenant{Name: p.tenant}
		if err := st.CreateTenant(vigiltest.Context(0), tn); err != nil {
			t.Fatal(err)
		}
		ctx := vigiltest.Context(tn.ID)
		if err := st.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
			t.Fatal(err)
		}
		d := &domain.Device{}
		for f, v := range map[domain.Field]string{domain.FieldName: p.name, domain.FieldSerial: "S-" + tn.Slug, domain.FieldCategory: "infusion", domain.FieldManufacturer: "BD"} {
			if err := d.Set(f, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
			t.Fatal(err)
		}
		ids[tn.Slug] = d.ID
	}
	srv, err := web.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, st, ids
}

func get(t *testing.T, url string) (*http.Response, *html.Node) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

// find returns the elements with the tag whose class (if given) matches.
func find(n *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			if class == "" || attr(n, "class") == class {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// Ensure the device list shows the chosen practice's devices only, escapes
// what users typed, and sends the security headers.
func TestDeviceIndex(t *testing.T) {
	ts, _, _ := setup(t)
	resp, doc := get(t, ts.URL+"/devices?tenant=alpha-clinic")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rows := find(find(doc, "table", "devices")[0], "tr", "")
	if len(rows) != 2 { // header + one device
		t.Fatalf("rows = %d", len(rows))
	}
	if got := text(rows[1]); !strings.Contains(got, "<script>alert(1)</script> pump") || strings.Contains(got, "Beta") {
		t.Fatalf("row text = %q", got)
	}
	if len(find(doc, "script", "")) != 0 {
		t.Fatal("a device name became a script element")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("CSP = %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("nosniff missing")
	}
	_, doc = get(t, ts.URL+"/devices?tenant=alpha-clinic&q=nothing-like-this")
	if got := text(find(doc, "table", "devices")[0]); !strings.Contains(got, "No devices match") {
		t.Fatalf("empty search shows %q", got)
	}
}

// Ensure a device page shows provenance and that another practice's device
// id is not found.
func TestDeviceView(t *testing.T) {
	ts, _, ids := setup(t)
	resp, doc := get(t, ts.URL+"/devices/"+itoa(ids["alpha-clinic"])+"?tenant=alpha-clinic")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	srcs := find(doc, "td", "src")
	if len(srcs) == 0 || !strings.Contains(text(srcs[0])+text(srcs[1]), "set by hand by cli:tester") {
		t.Fatalf("provenance cells: %d", len(srcs))
	}
	resp, _ = get(t, ts.URL+"/devices/"+itoa(ids["beta-clinic"])+"?tenant=alpha-clinic")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("cross-practice device: status %d, want 404", resp.StatusCode)
	}
}

// Ensure assets are served under their content hash and cached, and other
// hashes are not found.
func TestStatic(t *testing.T) {
	ts, _, _ := setup(t)
	_, doc := get(t, ts.URL+"/devices")
	var href string
	for _, l := range find(doc, "link", "") {
		href = attr(l, "href")
	}
	resp, err := http.Get(ts.URL + href)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s = %v %v", href, resp, err)
	}
	resp.Body.Close()
	resp, _ = http.Get(ts.URL + "/static/000000000000/vigil.css")
	if resp.StatusCode != 404 {
		t.Fatalf("stale hash served: %d", resp.StatusCode)
	}
	resp.Body.Close()
	resp, _ = http.Get(ts.URL + "/readyz")
	if resp.StatusCode != 200 {
		t.Fatalf("readyz = %d", resp.StatusCode)
	}
	resp.Body.Close()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
