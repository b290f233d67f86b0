package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quietwire/quietwire/internal/api"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var servingRE = regexp.MustCompile(`on (https?://127\.0\.0\.1:\d+)`)

// startServe runs serve until the test ends and returns its base URL and output.
func startServe(t *testing.T, f *serveFlags) (string, *syncBuf) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuf{}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, out, f) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", out.String())
	return "", nil
}

// TestServeTLSByDefault: serve speaks TLS with a generated ECDSA certificate kept in the data
// directory, prints a one-time setup token while no user exists, and refuses plain HTTP.
func TestServeTLSByDefault(t *testing.T) {
	dir := t.TempDir()
	base, out := startServe(t, &serveFlags{dataDir: dir, listen: "127.0.0.1:0"})
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serve is not TLS by default: %s", base)
	}
	if !strings.Contains(out.String(), "qws_") {
		t.Errorf("no setup token printed:\n%s", out.String())
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := c.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil {
		t.Fatalf("openapi over TLS: %d", res.StatusCode)
	}
	if _, ok := res.TLS.PeerCertificates[0].PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("certificate key is %T, want ECDSA", res.TLS.PeerCertificates[0].PublicKey)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header")
	}
	plain := &http.Client{Timeout: 5 * time.Second}
	if res, err := plain.Get(strings.Replace(base, "https://", "http://", 1) + "/api/v1/openapi.json"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Error("plain HTTP was served")
		}
	}
	for _, f := range []string{"tls/cert.pem", "tls/key.pem"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "tls/key.pem" && fi.Mode().Perm() != 0o600 {
			t.Errorf("key mode %v", fi.Mode())
		}
	}
	// The page redirects to the login page; the login page works.
	res, err = c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/login" || res.StatusCode != 200 {
		t.Errorf("/ went to %s (%d)", res.Request.URL, res.StatusCode)
	}
}

func TestServeRefusesInsecureHTTPOffLoopback(t *testing.T) {
	err := serve(context.Background(), &bytes.Buffer{}, &serveFlags{dataDir: t.TempDir(), listen: "0.0.0.0:0", insecureHTTP: true})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("got %v", err)
	}
}

// TestUserAndTokenCommands creates the first admin from the CLI, which voids the setup token,
// then a token that the API accepts.
func TestUserAndTokenCommands(t *testing.T) {
	api.PasswordParams.Time, api.PasswordParams.MemKiB = 1, 1024
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("a long enough password\n"), 0o600)
	run := func(args ...string) string {
		t.Helper()
		var cmd = userCmd()
		if args[0] == "token" {
			cmd = tokenCmd()
		}
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetIn(strings.NewReader("short\n"))
		cmd.SetArgs(append(args[1:], "--data", dir))
		if err := cmd.Execute(); err != nil {
			return "error: " + err.Error()
		}
		return out.String()
	}
	if got := run("user", "add", "eve", "--role", "admin"); !strings.Contains(got, "12 characters") {
		t.Errorf("short password from stdin: %q", got)
	}
	if got := run("user", "add", "eve", "--role", "root", "--password-file", pw); !strings.Contains(got, "--role") {
		t.Errorf("bad role: %q", got)
	}
	if got := run("user", "add", "eve", "--role", "admin", "--password-file", pw); !strings.Contains(got, "added") {
		t.Fatalf("user add: %q", got)
	}
	if got := run("user", "add", "bob", "--role", "readonly", "--sites", "plant-a", "--password-file", pw); !strings.Contains(got, "added") {
		t.Fatalf("user add: %q", got)
	}
	if got := run("user", "list"); !strings.Contains(got, "eve") || !strings.Contains(got, "plant-a") {
		t.Errorf("user list: %q", got)
	}
	tok := strings.TrimSpace(run("token", "create", "bob", "script"))
	if !strings.HasPrefix(tok, "qw_") {
		t.Fatalf("token: %q", tok)
	}
	base, out := startServe(t, &serveFlags{dataDir: dir, listen: "127.0.0.1:0", insecureHTTP: true})
	if strings.Contains(out.String(), "qws_") {
		t.Error("a setup token was printed although users exist")
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("token rejected: %d", res.StatusCode)
	}
	if got := run("user", "disable", "bob"); !strings.Contains(got, "disabled") {
		t.Errorf("disable: %q", got)
	}
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("token of a disabled user: %d", res.StatusCode)
	}
}
