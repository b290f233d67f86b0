package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// buildBinary builds quietwire into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quietwire")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	return bin
}

// TestSensorLiveInNamespaces runs the sensor on a veth end inside a network namespace the test
// creates. A second namespace sends to an address that exists only in the test topology (with a
// static neighbour entry, so no ARP is needed); the sensor's namespace has no IP address and
// IPv6 off, and its tx_packets must stay 0.
func TestSensorLiveInNamespaces(t *testing.T) {
	if testing.Short() {
		t.Skip("live capture test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root to create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("live capture test needs iproute2's ip")
	}
	id := fmt.Sprint(os.Getpid() % 100000)
	nsA, nsB := "qwA"+id, "qwB"+id
	vA, vB := "qwa"+id, "qwb"+id
	if out, err := exec.Command("ip", "netns", "add", nsA).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsA).Run() })
	run(t, "ip", "netns", "add", nsB)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsB).Run() })
	run(t, "ip", "link", "add", vA, "netns", nsA, "type", "veth", "peer", "name", vB, "netns", nsB)
	exec.Command("ip", "netns", "exec", nsA, "sysctl", "-qw", "net.ipv6.conf."+vA+".disable_ipv6=1").Run()
	exec.Command("ip", "netns", "exec", nsB, "sysctl", "-qw", "net.ipv6.conf."+vB+".disable_ipv6=1").Run()
	run(t, "ip", "-n", nsA, "link", "set", vA, "up")
	run(t, "ip", "-n", nsB, "addr", "add", "10.99.0.1/24", "dev", vB)
	run(t, "ip", "-n", nsB, "link", "set", vB, "up")
	mac := strings.TrimSpace(run(t, "ip", "netns", "exec", nsA, "cat", "/sys/class/net/"+vA+"/address"))
	run(t, "ip", "-n", nsB, "neigh", "add", "10.99.0.2", "lladdr", mac, "dev", vB, "nud", "permanent")

	bin := buildBinary(t)
	logDir, dataDir := t.TempDir(), t.TempDir()
	txBefore := strings.TrimSpace(run(t, "ip", "netns", "exec", nsA, "cat", "/sys/class/net/"+vA+"/statistics/tx_packets"))
	cmd := exec.Command("ip", "netns", "exec", nsA, bin, "sensor", "--iface", vA, "--site", "plant-a", "--logs", logDir, "--workers", "2", "--data", dataDir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	// UDP datagrams and a TCP connection attempt from nsB to 10.99.0.2.
	for i := 0; i < 3; i++ {
		run(t, "ip", "netns", "exec", nsB, "bash", "-c", "echo modbus-ish > /dev/udp/10.99.0.2/502")
	}
	exec.Command("ip", "netns", "exec", nsB, "timeout", "2", "bash", "-c", "echo x > /dev/tcp/10.99.0.2/102").Run()
	time.Sleep(1 * time.Second)
	cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("sensor exited with %v: %s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("sensor did not stop on SIGTERM: %s", out.String())
	}
	txAfter := strings.TrimSpace(run(t, "ip", "netns", "exec", nsA, "cat", "/sys/class/net/"+vA+"/statistics/tx_packets"))
	if txBefore != txAfter {
		t.Fatalf("tx_packets on the monitoring interface moved: %s → %s", txBefore, txAfter)
	}
	f, err := os.Open(filepath.Join(logDir, "conn.log"))
	if err != nil {
		t.Fatalf("no conn.log: %v\n%s", err, out.String())
	}
	defer f.Close()
	var udp, tcp bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		if m["site"] != "plant-a" {
			t.Fatalf("site missing: %v", m)
		}
		if m["id.resp_h"] == "10.99.0.2" && m["proto"] == "udp" && m["id.resp_p"] == float64(502) {
			udp = true
		}
		if m["id.resp_h"] == "10.99.0.2" && m["proto"] == "tcp" && m["id.resp_p"] == float64(102) {
			tcp = true
			if m["conn_state"] != "S0" {
				t.Errorf("tcp conn_state %v, want S0", m["conn_state"])
			}
		}
	}
	if !udp || !tcp {
		t.Fatalf("udp flow seen %v, tcp flow seen %v\nsensor output:\n%s", udp, tcp, out.String())
	}
	// The inventory was saved: the sender is a device of site plant-a.
	list, err := exec.Command(bin, "devices", "--data", dataDir, "--site", "plant-a", "-o", "json").CombinedOutput()
	if err != nil || !strings.Contains(string(list), "10.99.0.1") {
		t.Fatalf("inventory after the live run: %v\n%s", err, list)
	}
	if !strings.Contains(out.String(), "stopping") {
		t.Fatalf("no clean stop message: %s", out.String())
	}
}
