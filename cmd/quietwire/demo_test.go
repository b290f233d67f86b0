package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quietwire/quietwire/internal/store"
)

// The demo runs one accelerated cycle of the simulated plant through the whole sensor: the web
// UI answers while it runs, scenario alerts are printed and stored, and a one-time admin
// password is printed.
func TestDemoOneCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("demo run skipped in -short mode")
	}
	data := t.TempDir()
	f := &demoFlags{serveFlags: serveFlags{dataDir: data, listen: "127.0.0.1:0", insecureHTTP: true},
		profile: "mixed", seed: 3, speed: 120, cycle: 4 * time.Minute, learning: time.Minute, loops: 1}
	out := &syncBuf{}
	done := make(chan error, 1)
	go func() { done <- demo(context.Background(), out, f) }()
	var base string
	for i := 0; i < 100 && base == ""; i++ {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("no address printed:\n%s", out.String())
	}
	resp, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Quietwire") {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("demo did not finish its cycle:\n%s", out.String())
	}
	text := out.String()
	for _, want := range []string{"one-time password", "Unauthorized PLC Programming", "An S7 Stop PLC Command was Sent", "Port Scan Detected"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as, err := st.LoadAlerts(context.Background(), "demo-plant")
	if err != nil || len(as) < 10 {
		t.Fatalf("%d alerts stored (%v)", len(as), err)
	}
}
