package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/api/apitest"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
)

func TestMain(m *testing.M) {
	// Cheap hashes keep the suite fast; production uses 64 MiB, 3 passes.
	api.PasswordParams.Time, api.PasswordParams.MemKiB, api.PasswordParams.Threads = 1, 1024, 1
	os.Exit(m.Run())
}

const password = "correct horse battery"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t      *testing.T
	dir    string
	st     *store.Store
	a      *api.Server
	srv    *httptest.Server
	clk    *clock
	tokens map[string]string // user → bearer token
	alerts map[string]string // site → id of a learnable alert
	other  map[string]string // site → id of another alert
	dev    map[string]string // site → a device id
}

// users of the matrix: a global admin and one user of each role limited to plant-a.
var matrixUsers = []struct {
	name, role string
	sites      []string
}{
	{"root", api.RoleAdmin, nil},
	{"admin-a", api.RoleAdmin, []string{"plant-a"}},
	{"analyst-a", api.RoleAnalyst, []string{"plant-a"}},
	{"reader-a", api.RoleReadOnly, []string{"plant-a"}},
}

func newEnv(t *testing.T, live bool) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: &clock{t: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)}, tokens: map[string]string{},
		alerts: map[string]string{}, other: map[string]string{}, dev: map[string]string{}}
	st, err := store.Open(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	res := apitest.Fill(t, st, apitest.PlantA, apitest.PlantB)
	var b api.Backend = api.NewStoreBackend(st)
	if live {
		var invs []*inventory.Inventory
		var dets []*detect.Detector
		for _, s := range []string{"plant-a", "plant-b"} {
			invs, dets = append(invs, res.Inventories[s]), append(dets, res.Detectors[s])
		}
		sum := res.Summary
		b = api.NewLiveBackend(st, func() *engine.Summary { return sum }, invs, dets)
	}
	e.a = api.New(b, api.Config{Now: e.clk.Now})
	e.srv = httptest.NewTLSServer(e.a)
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	for _, u := range matrixUsers {
		h, _ := api.HashPassword(password)
		if _, err := st.CreateUser(ctx, &store.User{Username: u.name, PasswordHash: h, Role: u.role, Sites: u.sites, Created: 1}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := api.CreateToken(ctx, st, u.name, "matrix", 1)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.name] = tok
	}
	as, _ := st.LoadAlerts(ctx, "")
	for _, a := range as {
		if a.LearnEdge != nil {
			e.alerts[a.Site] = a.ID
		} else {
			e.other[a.Site] = a.ID
		}
	}
	for _, site := range []string{"plant-a", "plant-b"} {
		if e.alerts[site] == "" || e.other[site] == "" {
			t.Fatalf("fixture: site %s lacks alerts: %v %v", site, e.alerts, e.other)
		}
		st2, _ := st.LoadInventory(ctx, site)
		for _, ep := range st2.Endpoints {
			if ep.Key == "10.10.1.20" {
				for _, m := range ep.MACs {
					e.dev[site] = fmt.Sprintf("%s/mac:%02x:%02x:%02x:%02x:%02x:%02x", site, m[0], m[1], m[2], m[3], m[4], m[5])
				}
			}
		}
		if e.dev[site] == "" {
			t.Fatalf("fixture: no PLC in %s", site)
		}
	}
	return e
}

type resp struct {
	status int
	body   []byte
	hdr    http.Header
}

func (r *resp) json(t *testing.T) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (r *resp) errCode() (string, string) {
	var m struct {
		Error struct{ Code, Field string }
	}
	json.Unmarshal(r.body, &m)
	return m.Error.Code, m.Error.Field
}

func (e *env) do(client *http.Client, method, path, token string, body []byte, hdr map[string]string) *resp {
	e.t.Helper()
	if client == nil {
		client = e.srv.Client()
	}
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil && hdr["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &resp{status: res.StatusCode, body: b, hdr: res.Header}
}

// request builds a valid request for a route, aimed at an object of site.
func (e *env) request(rt *api.Route, site string, n int) (method, path string, body []byte, hdr map[string]string) {
	ctx := context.Background()
	p := rt.Path
	p = strings.ReplaceAll(p, "{id...}", e.dev[site])
	p = strings.ReplaceAll(p, "{site}", site)
	p = strings.ReplaceAll(p, "{name}", "victim")
	hdr = map[string]string{}
	switch {
	case strings.HasPrefix(rt.Path, "/api/v1/alerts/{id}"):
		id := e.alerts[site]
		if strings.HasSuffix(rt.Path, "/mute") {
			id = e.other[site]
		}
		p = strings.ReplaceAll(p, "{id}", id)
	case rt.Path == "/api/v1/tokens/{id}":
		_, id, err := api.CreateToken(ctx, e.st, "root", fmt.Sprint("del", n), 1)
		if err != nil {
			e.t.Fatal(err)
		}
		p = strings.ReplaceAll(p, "{id}", fmt.Sprint(id))
	}
	switch rt.Method + " " + rt.Path {
	case "POST /api/v1/setup":
		body = []byte(`{"token":"qws_nope","username":"x","password":"123456789012"}`)
	case "POST /api/v1/login":
		body = []byte(`{"username":"reader-a","password":"` + password + `"}`)
	case "GET /api/v1/devices", "GET /api/v1/devices/export", "GET /api/v1/alerts", "GET /api/v1/connections", "GET /api/v1/events", "GET /api/v1/zones", "GET /api/v1/dashboard":
		p += "?site=" + site
	case "POST /api/v1/devices/import":
		p += "?site=" + site
		body = []byte("id,zone,authorized\n" + e.dev[site] + ",Cell 1,true\n")
		hdr["Content-Type"] = "text/csv"
	case "PATCH /api/v1/devices/{id...}":
		body = []byte(`{"name":"Line 1 PLC","purdue_level":"1","tags":["line1"],"authorized":true}`)
	case "PATCH /api/v1/alerts/{id}":
		body = []byte(`{"status":"Active","comment":"checking"}`)
	case "PUT /api/v1/baseline/{site}":
		b, _ := e.st.LoadBaseline(ctx, site)
		body, _ = b.MarshalIndent()
	case "POST /api/v1/users":
		body = []byte(fmt.Sprintf(`{"username":"new%d","password":"%s","role":"readonly","sites":["plant-a"]}`, n, password))
	case "PATCH /api/v1/users/{name}":
		body = []byte(`{"role":"readonly"}`)
	case "POST /api/v1/tokens":
		body = []byte(`{"username":"reader-a","name":"script"}`)
	}
	return rt.Method, p, body, hdr
}

// expected is the status a route must answer for a user and a target site.
func expected(rt *api.Route, role string, sites []string, target string) int {
	p := &api.Principal{Role: role, Sites: sites}
	switch rt.Method + " " + rt.Path {
	case "POST /api/v1/setup":
		return http.StatusConflict
	}
	if !p.Can(rt.Perm) {
		return http.StatusForbidden
	}
	if rt.SiteScoped && !p.CanSee(target) {
		return http.StatusNotFound
	}
	if rt.Method == "POST" && (rt.Path == "/api/v1/users" || rt.Path == "/api/v1/tokens") {
		return http.StatusCreated
	}
	return http.StatusOK
}

// TestRouteMatrix walks every route × every role × own/other site.
func TestRouteMatrix(t *testing.T) {
	e := newEnv(t, false)
	e.st.CreateUser(context.Background(), &store.User{Username: "victim", PasswordHash: "x", Role: api.RoleReadOnly, Created: 1})
	n, cases := 0, 0
	for _, rt := range e.a.Routes() {
		for _, u := range matrixUsers {
			for _, target := range []string{"plant-a", "plant-b"} {
				n++
				method, path, body, hdr := e.request(rt, target, n)
				want := expected(rt, u.role, u.sites, target)
				r := e.do(nil, method, path, e.tokens[u.name], body, hdr)
				cases++
				if r.status != want {
					t.Errorf("%s %s as %s (%s, sites %v) on %s: got %d, want %d: %s", method, path, u.name, u.role, u.sites, target, r.status, want, trunc(r.body))
				}
				if r.status >= 500 {
					t.Errorf("%s %s: server error", method, path)
				}
				// Lists never leak another site's objects to a site-limited user.
				if len(u.sites) > 0 && r.status == 200 && method == "GET" && bytes.Contains(r.body, []byte(`"plant-b`)) {
					t.Errorf("%s %s as %s leaks plant-b: %s", method, path, u.name, trunc(r.body))
				}
			}
		}
	}
	// Anonymous: every non-public route answers 401.
	for _, rt := range e.a.Routes() {
		if rt.Perm == api.PermPublic {
			continue
		}
		method, path, body, hdr := e.request(rt, "plant-a", 0)
		if r := e.do(nil, method, path, "", body, hdr); r.status != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: %d, want 401", method, path, r.status)
		}
		cases++
	}
	t.Logf("%d routes, %d cases", len(e.a.Routes()), cases)
	// Failed authorizations were audited.
	es, _, _ := e.st.AuditLog(context.Background(), 10000, 0)
	var denied, site int
	for _, x := range es {
		if x.Action == "authz.denied" {
			denied++
			if strings.Contains(x.Detail, "site") {
				site++
			}
		}
	}
	if denied == 0 || site == 0 {
		t.Errorf("audit: %d denials, %d for other sites", denied, site)
	}
}

func trunc(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// TestOpenAPIDocument checks that the document lists exactly the registered routes.
func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t, false)
	r := e.do(nil, "GET", "/api/v1/openapi.json", "", nil, nil)
	if r.status != 200 {
		t.Fatal(r.status)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	registered := map[string]bool{}
	for _, rt := range e.a.Routes() {
		k := strings.ToLower(rt.Method) + " " + api.OpenAPIPath(rt.Path)
		registered[k] = true
		if doc.Paths[api.OpenAPIPath(rt.Path)][strings.ToLower(rt.Method)] == nil {
			t.Errorf("route %s %s missing from the document", rt.Method, rt.Path)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !registered[m+" "+p] {
				t.Errorf("document has %s %s, which is not a route", m, p)
			}
			// And the server really answers it (not the catch-all's 404 route / 405).
			_ = m
		}
	}
	// Every documented path is served: a request is not answered "no such route".
	for _, rt := range e.a.Routes() {
		method, path, body, hdr := e.request(rt, "plant-a", 999)
		rr := e.do(nil, method, path, e.tokens["root"], body, hdr)
		if code, _ := rr.errCode(); code == api.CodeMethodNotAllowed || (rr.status == 404 && strings.Contains(string(rr.body), "route not found")) {
			t.Errorf("%s %s is documented but not served: %d %s", method, path, rr.status, rr.body)
		}
	}
	if r := e.do(nil, "DELETE", "/api/v1/devices", e.tokens["root"], nil, nil); r.status != 405 {
		t.Errorf("wrong method: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "GET", "/api/v1/nothing", e.tokens["root"], nil, nil); r.status != 404 {
		t.Errorf("unknown route: %d", r.status)
	}
}

// login logs in through the API and returns a client with the session cookie and the CSRF token.
func (e *env) login(user string) (*http.Client, string) {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := e.srv.Client()
	c.Jar = jar
	r := e.do(c, "POST", "/api/v1/login", "", []byte(`{"username":"`+user+`","password":"`+password+`"}`), nil)
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	var sc string
	for _, c := range r.hdr.Values("Set-Cookie") {
		sc = c
	}
	for _, want := range []string{api.SessionCookie + "=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(sc, want) {
			e.t.Errorf("session cookie %q lacks %s", sc, want)
		}
	}
	return c, r.json(e.t)["csrf_token"].(string)
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, false)
	c, csrf := e.login("analyst-a")
	path := "/api/v1/alerts/" + e.alerts["plant-a"]
	body := []byte(`{"status":"Active"}`)
	if r := e.do(c, "GET", path, "", nil, nil); r.status != 200 {
		t.Fatalf("GET with cookie: %d", r.status)
	}
	for name, hdr := range map[string]map[string]string{"missing": {}, "wrong": {api.CSRFHeader: "nope"}, "empty": {api.CSRFHeader: ""}} {
		r := e.do(c, "PATCH", path, "", body, hdr)
		if code, _ := r.errCode(); r.status != 403 || code != api.CodeCSRF {
			t.Errorf("%s CSRF token: %d %s", name, r.status, r.body)
		}
	}
	if r := e.do(c, "PATCH", path, "", body, map[string]string{api.CSRFHeader: csrf}); r.status != 200 {
		t.Errorf("right CSRF token: %d %s", r.status, r.body)
	}
	// A form post with the token in the body works too; without it, it does not.
	form := url.Values{"csrf_token": {csrf}}.Encode()
	if r := e.do(c, "POST", "/api/v1/logout", "", []byte("x=1"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.status != 403 {
		t.Errorf("logout without token: %d", r.status)
	}
	if r := e.do(c, "POST", "/api/v1/logout", "", []byte(form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.status != 200 {
		t.Errorf("logout with form token: %d %s", r.status, r.body)
	}
	if r := e.do(c, "GET", path, "", nil, nil); r.status != 401 {
		t.Errorf("after logout: %d", r.status)
	}
	// Bearer tokens need no CSRF token (no ambient credential).
	if r := e.do(nil, "PATCH", path, e.tokens["analyst-a"], body, nil); r.status != 200 {
		t.Errorf("bearer change: %d", r.status)
	}
	es, _, _ := e.st.AuditLog(context.Background(), 1000, 0)
	n := 0
	for _, x := range es {
		if x.Action == "csrf.denied" {
			n++
		}
	}
	if n < 4 {
		t.Errorf("%d CSRF denials audited", n)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, false)
	c, _ := e.login("reader-a")
	e.clk.Add(29 * time.Minute)
	if r := e.do(c, "GET", "/api/v1/me", "", nil, nil); r.status != 200 {
		t.Fatalf("after 29 min: %d", r.status)
	}
	e.clk.Add(29 * time.Minute) // idle clock moved at the last request
	if r := e.do(c, "GET", "/api/v1/me", "", nil, nil); r.status != 200 {
		t.Fatalf("29 min after the last request: %d", r.status)
	}
	e.clk.Add(31 * time.Minute)
	if r := e.do(c, "GET", "/api/v1/me", "", nil, nil); r.status != 401 {
		t.Fatalf("after 31 idle minutes: %d", r.status)
	}
}

func TestLoginThrottling(t *testing.T) {
	e := newEnv(t, false)
	bad := []byte(`{"username":"reader-a","password":"wrong password!"}`)
	good := []byte(`{"username":"reader-a","password":"` + password + `"}`)
	for i := 0; i < 3; i++ {
		if r := e.do(nil, "POST", "/api/v1/login", "", bad, nil); r.status != 401 {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	r := e.do(nil, "POST", "/api/v1/login", "", good, nil)
	if code, _ := r.errCode(); r.status != 429 || code != api.CodeThrottled || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("4th attempt (right password) while throttled: %d %s %v", r.status, r.body, r.hdr)
	}
	// Another user from the same address is throttled too (per-address counter).
	if r := e.do(nil, "POST", "/api/v1/login", "", []byte(`{"username":"root","password":"`+password+`"}`), nil); r.status != 429 {
		t.Errorf("same address, other user: %d", r.status)
	}
	e.clk.Add(2 * time.Second)
	if r := e.do(nil, "POST", "/api/v1/login", "", bad, nil); r.status != 401 {
		t.Fatalf("after the wait: %d", r.status)
	}
	// The 4th failure doubles the wait: 1 s is not enough now.
	e.clk.Add(1500 * time.Millisecond)
	if r := e.do(nil, "POST", "/api/v1/login", "", good, nil); r.status != 429 {
		t.Errorf("backoff did not grow: %d", r.status)
	}
	e.clk.Add(time.Second)
	if r := e.do(nil, "POST", "/api/v1/login", "", good, nil); r.status != 200 {
		t.Errorf("after backoff: %d %s", r.status, r.body)
	}
	es, _, _ := e.st.AuditLog(context.Background(), 100, 0)
	var fails, throttled, oks int
	for _, x := range es {
		if x.Action == "login" {
			switch x.Detail {
			case "bad credentials":
				fails++
			case "throttled":
				throttled++
			case "ok":
				oks++
			}
		}
	}
	if fails != 4 || throttled != 3 || oks != 1 {
		t.Errorf("audit: %d failed, %d throttled, %d ok", fails, throttled, oks)
	}
	m := e.do(nil, "GET", "/metrics", e.tokens["root"], nil, nil)
	if !bytes.Contains(m.body, []byte(`quietwire_logins_total{result="throttled"} 3`)) {
		t.Errorf("metrics: %s", grep(m.body, "logins"))
	}
}

func grep(b []byte, s string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMalformed sends bad input: each answer is a 4xx naming the field, never a 500.
func TestMalformed(t *testing.T) {
	e := newEnv(t, false)
	tok := e.tokens["root"]
	alert := "/api/v1/alerts/" + e.alerts["plant-a"]
	dev := "/api/v1/devices/" + e.dev["plant-a"]
	big := bytes.Repeat([]byte("x"), 100<<10)
	// An operational alert has nothing to learn.
	if err := e.st.SaveAlerts(context.Background(), []*detect.Alert{{ID: "Astop00000001", Rule: "controller_stop", Title: "Controller Stop",
		Site: "plant-a", Status: "New", Severity: "Major", Engine: "Operational", First: 1, Last: 1, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path, body string
		status             int
		code, field        string
	}{
		{"PATCH", alert, `{"status":"Bogus"}`, 400, api.CodeInvalidField, "status"},
		{"PATCH", alert, `{"status":"Learned"}`, 400, api.CodeInvalidField, "status"},
		{"PATCH", alert, `{"status":7}`, 400, api.CodeInvalidField, "status"},
		{"PATCH", alert, `{"statuz":"New"}`, 400, api.CodeUnknownField, "statuz"},
		{"PATCH", alert, `{"status":"New"`, 400, api.CodeBadRequest, ""},
		{"PATCH", alert, `{"status":"New"} {}`, 400, api.CodeBadRequest, ""},
		{"PATCH", alert, `[]`, 400, api.CodeBadRequest, ""},
		{"PATCH", alert, ``, 400, api.CodeBadRequest, ""},
		{"PATCH", alert, `{}`, 400, api.CodeBadRequest, ""},
		{"PATCH", alert, `{"comment":"` + string(big) + `"}`, 413, api.CodeBodyTooLarge, ""},
		{"PATCH", alert, `{"comment":"` + strings.Repeat("y", 5000) + `"}`, 400, api.CodeInvalidField, "comment"},
		{"PATCH", dev, `{"purdue_level":"9"}`, 400, api.CodeInvalidField, "purdue_level"},
		{"PATCH", dev, `{"purdue_level":1}`, 400, api.CodeInvalidField, "purdue_level"},
		{"PATCH", dev, `{"authorized":"yes"}`, 400, api.CodeInvalidField, "authorized"},
		{"PATCH", dev, `{"tags":["a,b"]}`, 400, api.CodeInvalidField, "tags"},
		{"PATCH", dev, `{"vendor":"ACME"}`, 400, api.CodeUnknownField, "vendor"},
		{"PATCH", dev, `{"name":"` + strings.Repeat("n", 200) + `"}`, 400, api.CodeInvalidField, "name"},
		{"PATCH", "/api/v1/devices/plant-a/mac:00:00:00:00:00:99", `{"name":"x"}`, 404, api.CodeNotFound, ""},
		{"GET", "/api/v1/devices?limit=-1", "", 400, api.CodeInvalidField, "limit"},
		{"GET", "/api/v1/devices?limit=abc", "", 400, api.CodeInvalidField, "limit"},
		{"GET", "/api/v1/devices?limit=100000", "", 400, api.CodeInvalidField, "limit"},
		{"GET", "/api/v1/devices?sort=colour", "", 400, api.CodeInvalidField, "sort"},
		{"GET", "/api/v1/devices?order=up", "", 400, api.CodeInvalidField, "order"},
		{"GET", "/api/v1/devices?colour=red", "", 400, api.CodeUnknownField, "colour"},
		{"GET", "/api/v1/alerts?severity=Huge", "", 400, api.CodeInvalidField, "severity"},
		{"GET", "/api/v1/alerts?engine=Magic", "", 400, api.CodeInvalidField, "engine"},
		{"GET", "/api/v1/alerts?status=Gone", "", 400, api.CodeInvalidField, "status"},
		{"GET", "/api/v1/events?kind=x", "", 400, api.CodeInvalidField, "kind"},
		{"GET", "/api/v1/events?since=yesterday", "", 400, api.CodeInvalidField, "since"},
		{"GET", "/api/v1/connections?device=nope", "", 400, api.CodeInvalidField, "device"},
		{"GET", "/api/v1/alerts/A000000000000", "", 404, api.CodeNotFound, ""},
		{"GET", "/api/v1/baseline/no-such-site", "", 404, api.CodeNotFound, ""},
		{"GET", "/api/v1/baseline/bad%20site", "", 404, api.CodeNotFound, ""},
		{"PUT", "/api/v1/baseline/plant-a", `not json`, 400, api.CodeBadRequest, ""},
		{"PUT", "/api/v1/baseline/plant-a", `{"version":1,"site":"plant-b","devices":{},"edges":{}}`, 400, api.CodeInvalidField, "site"},
		{"POST", "/api/v1/devices/import?site=plant-a", "name\nx\n", 400, api.CodeInvalidField, "id"},
		{"POST", "/api/v1/devices/import?site=plant-a", "id,colour\nx,red\n", 400, api.CodeUnknownField, "colour"},
		{"POST", "/api/v1/devices/import?site=plant-a", "id,zone\nplant-b/mac:00:00:00:00:00:01,z\n", 400, api.CodeInvalidField, "id"},
		{"POST", "/api/v1/devices/import?site=plant-a", "id,purdue_level\n" + e.dev["plant-a"] + ",7\n", 400, api.CodeInvalidField, "purdue_level"},
		{"POST", "/api/v1/devices/import", "id\n", 400, api.CodeInvalidField, "site"},
		{"POST", "/api/v1/users", `{"username":"a b","password":"` + password + `","role":"admin"}`, 400, api.CodeInvalidField, "username"},
		{"POST", "/api/v1/users", `{"username":"ab","password":"short","role":"admin"}`, 400, api.CodeInvalidField, "password"},
		{"POST", "/api/v1/users", `{"username":"ab","password":"` + password + `","role":"god"}`, 400, api.CodeInvalidField, "role"},
		{"POST", "/api/v1/users", `{"username":"ab","password":"` + password + `","role":"admin","sites":["a b"]}`, 400, api.CodeInvalidField, "sites"},
		{"POST", "/api/v1/users", `{"username":"root","password":"` + password + `","role":"admin"}`, 409, api.CodeConflict, "username"},
		{"PATCH", "/api/v1/users/root", `{"disabled":true}`, 409, api.CodeConflict, "username"},
		{"PATCH", "/api/v1/users/nobody", `{"disabled":true}`, 404, api.CodeNotFound, ""},
		{"POST", "/api/v1/tokens", `{"username":"nobody","name":"x"}`, 400, api.CodeInvalidField, "username"},
		{"POST", "/api/v1/tokens", `{"name":""}`, 400, api.CodeInvalidField, "name"},
		{"DELETE", "/api/v1/tokens/abc", "", 400, api.CodeInvalidField, "id"},
		{"DELETE", "/api/v1/tokens/99999", "", 404, api.CodeNotFound, ""},
		{"POST", "/api/v1/login", `{"username":"","password":"x"}`, 400, api.CodeInvalidField, "username"},
		{"POST", "/api/v1/login", `{"username":"x"}`, 400, api.CodeInvalidField, "password"},
		{"POST", "/api/v1/setup", `{"username":"x"}`, 400, api.CodeInvalidField, "token"},
		{"POST", "/api/v1/alerts/Astop00000001/learn", "", 409, api.CodeNotLearnable, ""},
	}
	for _, c := range cases {
		hdr := map[string]string{}
		if strings.Contains(c.path, "import") {
			hdr["Content-Type"] = "text/csv"
		}
		var body []byte
		if c.body != "" || c.method != "GET" {
			body = []byte(c.body)
		}
		r := e.do(nil, c.method, c.path, tok, body, hdr)
		code, field := r.errCode()
		if r.status != c.status || code != c.code || field != c.field {
			t.Errorf("%s %s %.60q: got %d %s field %q, want %d %s field %q (%s)", c.method, c.path, c.body, r.status, code, field, c.status, c.code, c.field, trunc(r.body))
		}
	}
	// Wrong content type.
	r := e.do(nil, "PATCH", alert, tok, []byte(`status=New`), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != 415 {
		t.Errorf("form body on a JSON route: %d", r.status)
	}
	r = e.do(nil, "GET", "/api/v1/me", "qw_wrong", nil, nil)
	if r.status != 401 {
		t.Errorf("bad token: %d", r.status)
	}
}

// TestChangesCommitted checks that an answered change is in the database file: a second
// connection sees it.
func TestChangesCommitted(t *testing.T) {
	e := newEnv(t, false)
	id := e.alerts["plant-b"]
	tok := e.tokens["root"]
	if r := e.do(nil, "PATCH", "/api/v1/alerts/"+id, tok, []byte(`{"status":"Closed","comment":"maintenance window"}`), nil); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	st2, err := store.Open(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	a, err := st2.LoadAlert(context.Background(), id)
	if err != nil || a.Status != "Closed" || len(a.Comments) != 1 || a.Comments[0].User != "root" {
		t.Fatalf("stored: %+v %v", a, err)
	}
	if r := e.do(nil, "POST", "/api/v1/alerts/"+id+"/learn", tok, nil, nil); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	a, _ = st2.LoadAlert(context.Background(), id)
	b, _ := st2.LoadBaseline(context.Background(), "plant-b")
	found := false
	for _, ed := range b.Edges {
		if ed.Client == a.LearnEdge.Client && ed.Server == a.LearnEdge.Server {
			for _, c := range ed.Commands {
				found = found || c == a.LearnEdge.Commands[0]
			}
		}
	}
	if a.Status != "Learned" || !found {
		t.Fatalf("learn not stored: %s %v", a.Status, found)
	}
	dev := e.dev["plant-a"]
	if r := e.do(nil, "PATCH", "/api/v1/devices/"+dev, tok, []byte(`{"name":"Kiln PLC","zone":"Kiln","tags":["kiln","critical"]}`), nil); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	st, _ := st2.LoadInventory(context.Background(), "plant-a")
	if st.Users[dev]["name"] != "Kiln PLC" || st.Users[dev]["tags"] != "kiln,critical" {
		t.Fatalf("device fields not stored: %v", st.Users[dev])
	}
	// And the list reflects them, filtered and sorted.
	r := e.do(nil, "GET", "/api/v1/devices?q=kiln&site=plant-a", tok, nil, nil)
	var page struct {
		Items []api.DeviceRow
		Total int
	}
	json.Unmarshal(r.body, &page)
	if page.Total != 1 || page.Items[0].Name != "Kiln PLC" || page.Items[0].Zone != "Kiln" {
		t.Fatalf("search: %s", r.body)
	}
	// CSV round trip.
	csvR := e.do(nil, "GET", "/api/v1/devices/export?site=plant-a", tok, nil, nil)
	if !strings.HasPrefix(string(csvR.body), "id,site,name") || !strings.Contains(string(csvR.body), "Kiln PLC") {
		t.Fatalf("csv: %s", csvR.body)
	}
	imp := "id,name,notes\n" + dev + ",Kiln PLC 2,\"replaced 2026, spare in store\"\n"
	if r := e.do(nil, "POST", "/api/v1/devices/import?site=plant-a", tok, []byte(imp), map[string]string{"Content-Type": "text/csv"}); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	st, _ = st2.LoadInventory(context.Background(), "plant-a")
	if st.Users[dev]["name"] != "Kiln PLC 2" || st.Users[dev]["zone"] != "Kiln" {
		t.Fatalf("import: %v", st.Users[dev])
	}
}

func TestSetupToken(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := api.New(api.NewStoreBackend(st), api.Config{})
	srv := httptest.NewTLSServer(a)
	defer srv.Close()
	tok, err := a.PrepareSetup(context.Background())
	if err != nil || !strings.HasPrefix(tok, "qws_") {
		t.Fatal(tok, err)
	}
	post := func(body string) int {
		res, err := srv.Client().Post(srv.URL+"/api/v1/setup", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := post(`{"token":"qws_wrong","username":"boss","password":"` + password + `"}`); s != 403 {
		t.Errorf("wrong token: %d", s)
	}
	if s := post(`{"token":"` + tok + `","username":"boss","password":"short"}`); s != 400 {
		t.Errorf("short password: %d", s)
	}
	if s := post(`{"token":"` + tok + `","username":"boss","password":"` + password + `"}`); s != 200 {
		t.Errorf("setup: %d", s)
	}
	if s := post(`{"token":"` + tok + `","username":"boss2","password":"` + password + `"}`); s != 409 {
		t.Errorf("second setup: %d", s)
	}
	u, err := st.UserByName(context.Background(), "boss")
	if err != nil || u.Role != api.RoleAdmin {
		t.Fatal(u, err)
	}
	if tok2, _ := a.PrepareSetup(context.Background()); tok2 != "" {
		t.Error("a setup token was issued although a user exists")
	}
}

func TestMetricsAndHealth(t *testing.T) {
	e := newEnv(t, true)
	r := e.do(nil, "GET", "/metrics", "", nil, nil)
	if r.status != 401 {
		t.Errorf("anonymous metrics: %d", r.status)
	}
	e.do(nil, "GET", "/api/v1/devices", e.tokens["root"], nil, nil)
	r = e.do(nil, "GET", "/metrics", e.tokens["reader-a"], nil, nil)
	for _, want := range []string{"quietwire_packets_total ", `quietwire_pdus_total{protocol="modbus"}`, "quietwire_flows_total",
		`quietwire_alerts{engine="Policy violation",severity="Major"`, "quietwire_store_latency_seconds_bucket", `quietwire_devices{site="plant-a"} 5`} {
		if !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
	h := e.do(nil, "GET", "/api/v1/health", e.tokens["root"], nil, nil).json(t)
	if h["mode"] != "live" || h["engine"] == nil {
		t.Errorf("health: %v", h)
	}
}
