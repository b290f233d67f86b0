package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/api/apitest"
	"github.com/quietwire/quietwire/internal/store"
	"github.com/quietwire/quietwire/internal/web"
)

const password = "correct horse battery"

func TestMain(m *testing.M) {
	api.PasswordParams.Time, api.PasswordParams.MemKiB, api.PasswordParams.Threads = 1, 1024, 1
	os.Exit(m.Run())
}

type fixture struct {
	dir string
	st  *store.Store
	srv *httptest.Server
	res *apitest.Result
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir()}
	st, err := store.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.res = apitest.Fill(t, st, apitest.PlantA, apitest.PlantB)
	ctx := context.Background()
	for _, u := range []struct{ name, role string }{{"alice", api.RoleAdmin}, {"rita", api.RoleReadOnly}} {
		h, _ := api.HashPassword(password)
		if _, err := st.CreateUser(ctx, &store.User{Username: u.name, PasswordHash: h, Role: u.role, Created: time.Now().Unix()}); err != nil {
			t.Fatal(err)
		}
	}
	a := api.New(api.NewStoreBackend(st), api.Config{})
	f.srv = httptest.NewTLSServer(web.Handler(a))
	t.Cleanup(f.srv.Close)
	return f
}

func chromium(t *testing.T) string {
	if p := os.Getenv("QUIETWIRE_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skip("no chromium binary found (apt-get install chromium, or set QUIETWIRE_CHROMIUM): browser tests skipped")
	return ""
}

func shotDir(t *testing.T) string {
	if d := os.Getenv("QUIETWIRE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowser drives Debian's chromium through the UI over a store the real pipeline filled.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	f := newFixture(t)
	shots := shotDir(t)
	dl := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("ignore-certificate-errors", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 960),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser before any timeout
		t.Fatalf("starting %s: %v", bin, err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	ctx = tctx
	base := f.srv.URL
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	location := func() string {
		l, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			p := filepath.Join(shots, name+".png")
			t.Logf("screenshot %s", p)
			return os.WriteFile(p, buf, 0o644)
		})
	}
	rows := func() int { return eval(`document.querySelectorAll("#device-table tbody tr.device-row").length`) }

	// Log in: an anonymous visit lands on the login page, which returns to the page asked for.
	do("login page", chromedp.Navigate(base+"/devices"), chromedp.WaitVisible(chromedp.ID("username")), shot("01-login"))
	if loc := location(); !strings.Contains(loc, "/login?next=") {
		t.Errorf("anonymous visit went to %s", loc)
	}
	do("wrong password", chromedp.SendKeys(chromedp.ID("username"), "alice"), chromedp.SendKeys(chromedp.ID("password"), "not the password"),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("login-error")))
	do("login", chromedp.SetValue(chromedp.ID("username"), "alice"), chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("device-table")))
	if loc := location(); !strings.HasSuffix(loc, "/devices") {
		t.Errorf("after login: %s", loc)
	}

	// Dashboard.
	do("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("kpi-devices")), chromedp.Sleep(300*time.Millisecond), shot("02-dashboard"))
	total := 0
	for _, inv := range f.res.Inventories {
		total += len(inv.Snapshot().Devices)
	}
	if kpi := text("kpi-devices"); kpi != fmt.Sprint(total) {
		t.Errorf("dashboard shows %q devices, want %d", kpi, total)
	}

	// Inventory: filter by search, then by type.
	do("inventory", chromedp.Navigate(base+"/devices?sort=ip"), chromedp.WaitVisible(chromedp.ID("device-table")), shot("03-inventory"))
	if n := rows(); n != total {
		t.Errorf("inventory lists %d rows, want %d", n, total)
	}
	do("filter", chromedp.SendKeys(chromedp.ID("device-search"), "M580"), chromedp.Click(chromedp.ID("device-filter-submit")),
		chromedp.WaitVisible(chromedp.Search(`//span[@id="device-count"][contains(., "of 1")]`)))
	if n := rows(); n != 1 {
		t.Errorf("search M580: %d rows (%s)", n, text("device-count"))
	}
	do("filter type", chromedp.Navigate(base+"/devices?type=PLC"), chromedp.WaitVisible(chromedp.ID("device-table")))
	if n := rows(); n != 5 {
		t.Errorf("type PLC: %d rows, want 5", n)
	}

	// Device page: every attribute with its evidence.
	do("device", chromedp.Navigate(base+"/devices?q=M580"), chromedp.WaitVisible(chromedp.CSS(".device-link")), chromedp.Click(chromedp.CSS(".device-link")),
		chromedp.WaitVisible(chromedp.ID("evidence-table")), shot("04-device"))
	evidence := text("evidence-table")
	for _, want := range []string{"vendor", "Schneider Electric", "read_device_identification.vendor_name", "firmware", "v3.11", "modbus", "90%"} {
		if !strings.Contains(evidence, want) {
			t.Errorf("evidence table lacks %q:\n%s", want, evidence)
		}
	}

	// Network map with every device, and a click through to a device.
	do("map", chromedp.Navigate(base+"/map"), chromedp.WaitVisible(chromedp.ID("netmap")), shot("05-map"))
	if n := eval(`document.querySelectorAll("#netmap g.node").length`); n != total {
		t.Errorf("map draws %d devices, want %d", n, total)
	}
	do("map by subnet", chromedp.Navigate(base+"/map?group=subnet&protocol=modbus"), chromedp.WaitVisible(chromedp.ID("netmap")))
	if n := eval(`document.querySelectorAll("#netmap g.node").length`); n != total {
		t.Errorf("map by subnet draws %d devices, want %d", n, total)
	}
	do("map again", chromedp.Navigate(base+"/map"), chromedp.WaitVisible(chromedp.ID("netmap")))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#netmap a.node-link").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	do("map click", chromedp.Click(chromedp.CSS("#netmap a.node-link circle")), chromedp.WaitVisible(chromedp.ID("evidence-table")))
	if u, _ := url.Parse(location()); u == nil || u.Path != href {
		t.Errorf("clicking a map node went to %s, want %s", location(), href)
	}

	// Alerts: list, change a status with a comment, download the evidence.
	var id string
	for _, a := range f.res.Detectors["plant-a"].Alerts() {
		if a.LearnEdge != nil {
			id = a.ID
		}
	}
	do("alerts", chromedp.Navigate(base+"/alerts"), chromedp.WaitVisible(chromedp.ID("alert-table")), shot("06-alerts"))
	do("alert status", chromedp.Navigate(base+"/alerts/"+id), chromedp.WaitVisible(chromedp.ID("alert-form")), shot("07-alert"),
		chromedp.SetValue(chromedp.ID("status-select"), "Active"), chromedp.SendKeys(chromedp.ID("comment"), "Called the plant: kiln maintenance"),
		chromedp.Click(chromedp.ID("status-submit")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	if st := text("alert-status"); st != "Active" {
		t.Errorf("alert status after the change: %q", st)
	}
	stored, err := f.st.LoadAlert(context.Background(), id)
	if err != nil || stored.Status != "Active" || len(stored.Comments) != 1 || stored.Comments[0].User != "alice" {
		t.Errorf("stored alert: %+v %v", stored, err)
	}
	if attack := text("attack-table"); !strings.Contains(attack, "T0836") || !strings.Contains(attack, "Modify Parameter") {
		t.Errorf("ATT&CK table: %q", attack)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 4)
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	do("download", chromedp.Click(chromedp.ID("pcap-download")))
	select {
	case guid := <-done:
		b, err := os.ReadFile(filepath.Join(dl, guid))
		if err != nil {
			t.Fatal(err)
		}
		r, err := pcapgo.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("downloaded pcap: %v", err)
		}
		n := 0
		for {
			if _, _, err := r.ReadPacketData(); err != nil {
				break
			}
			n++
		}
		if n == 0 {
			t.Errorf("downloaded pcap has no packet")
		}
		t.Logf("downloaded pcap: %d bytes, %d packets", len(b), n)
	case <-time.After(20 * time.Second):
		t.Fatal("pcap download did not complete")
	}

	do("health", chromedp.Navigate(base+"/health"), chromedp.WaitVisible(chromedp.ID("health")), shot("08-health"))
	do("events", chromedp.Navigate(base+"/events"), chromedp.WaitVisible(chromedp.ID("events")), shot("09-events"))
	do("users", chromedp.Navigate(base+"/users"), chromedp.WaitVisible(chromedp.ID("users-table")), shot("10-users"))
}

func ptr[T any](v T) *T { return &v }

// TestFormCSRF checks the UI's forms: a post without the session's token is refused.
func TestFormCSRF(t *testing.T) {
	f := newFixture(t)
	c := f.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.PostForm(f.srv.URL+"/login", url.Values{"username": {"alice"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == api.SessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie: %+v", cookie)
	}
	var id string
	for _, a := range f.res.Detectors["plant-a"].Alerts() {
		id = a.ID
	}
	post := func(form url.Values) int {
		req, _ := http.NewRequest("POST", f.srv.URL+"/alerts/"+id, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := post(url.Values{"status": {"Closed"}}); s != 403 {
		t.Errorf("form without CSRF token: %d", s)
	}
	if s := post(url.Values{"status": {"Closed"}, "csrf_token": {"forged"}}); s != 403 {
		t.Errorf("form with a wrong CSRF token: %d", s)
	}
	a, _ := f.st.LoadAlert(context.Background(), id)
	if a.Status == "Closed" {
		t.Error("a forged form changed the alert")
	}
	// Read-only users get 403 on changes even with the right token (checked server-side).
	res, _ = c.PostForm(f.srv.URL+"/login", url.Values{"username": {"rita"}, "password": {password}})
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == api.SessionCookie {
			cookie = ck
		}
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/me", nil)
	req.AddCookie(cookie)
	res, _ = c.Do(req)
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	res.Body.Close()
	tok := between(buf.String(), `"csrf_token": "`, `"`)
	if s := post(url.Values{"status": {"Closed"}, "csrf_token": {tok}}); s != 403 {
		t.Errorf("read-only user's change: %d", s)
	}
	// Pages carry a CSP and refuse framing.
	req, _ = http.NewRequest("GET", f.srv.URL+"/alerts", nil)
	req.AddCookie(cookie)
	res, _ = c.Do(req)
	res.Body.Close()
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers: %v", res.Header)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
