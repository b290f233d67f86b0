package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDemoInBrowser: a fresh demo, seen the way a user sees it: log in with the printed
// one-time password, find a populated inventory and, after the learning period, alerts.
// Screenshots go to $QUIETWIRE_SCREENSHOTS (or a temporary directory).
func TestDemoInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := os.Getenv("QUIETWIRE_CHROMIUM")
	if bin == "" {
		for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(n); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium): demo browser test skipped")
	}
	shots := os.Getenv("QUIETWIRE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, stopDemo := context.WithCancel(context.Background())
	f := &demoFlags{serveFlags: serveFlags{dataDir: t.TempDir(), listen: "127.0.0.1:0", insecureHTTP: true},
		profile: "mixed", seed: 5, speed: 60, cycle: 4 * time.Minute, learning: time.Minute}
	out := &syncBuf{}
	done := make(chan error, 1)
	go func() { done <- demo(ctx, out, f) }()
	defer func() {
		stopDemo()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("demo did not stop")
		}
	}()
	pw := regexp.MustCompile(`one-time password (\S+)`)
	var base, password string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && (base == "" || !strings.Contains(out.String(), "Unauthorized PLC Programming")) {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if m := pw.FindStringSubmatch(out.String()); m != nil {
			password = m[1]
		}
		time.Sleep(100 * time.Millisecond)
	}
	if base == "" || password == "" || !strings.Contains(out.String(), "Unauthorized PLC Programming") {
		t.Fatalf("demo did not reach its scenarios:\n%s", out.String())
	}
	time.Sleep(6 * time.Second) // the demo saves its state every 5 s
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 960))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	bctx, cancelT := context.WithTimeout(bctx, 60*time.Second)
	defer cancelT()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	count := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			t.Logf("screenshot %s", filepath.Join(shots, name+".png"))
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	do("login", chromedp.Navigate(base+"/devices"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("device-table")), shot("demo-inventory"))
	if n := count(`document.querySelectorAll("#device-table tbody tr.device-row").length`); n < 20 {
		t.Fatalf("inventory shows %d devices", n)
	}
	do("alerts", chromedp.Navigate(base+"/alerts"), chromedp.WaitVisible(chromedp.ID("alert-table")), shot("demo-alerts"))
	if n := count(`document.querySelectorAll("#alert-table tbody tr").length`); n < 5 {
		t.Fatalf("alerts page shows %d alerts", n)
	}
	do("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("kpi-devices")), shot("demo-dashboard"))
}
