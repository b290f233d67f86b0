package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/quietwire/quietwire/internal/detect"
)

// crashChild is the writer the crash test kills: it commits alerts and device changes in a
// loop and prints each id only after its transaction committed.
func crashChild(dir string) {
	st, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	pid := os.Getpid()
	for i := 0; ; i++ {
		id := fmt.Sprintf("A%d-%d", pid, i)
		a := &detect.Alert{ID: id, Rule: "new_asset", Title: "crash test", Site: "crash", Status: detect.StatusNew,
			First: int64(i), Last: int64(i), Count: 1, Message: strings.Repeat("m", 200)}
		if err := st.SaveAlerts(ctx, []*detect.Alert{a}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Fprintf(os.Stdout, "alert %s\n", id)
		dev := fmt.Sprintf("crash/ip:10.0.%d.%d", pid%250, i%250)
		val := fmt.Sprintf("v%d-%d", pid, i)
		if err := st.SetDeviceUser(ctx, "crash", dev, map[string]string{"notes": val}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Fprintf(os.Stdout, "user %s %s\n", dev, val)
	}
}

// TestCrashKill9 kills a writing process with SIGKILL 200 times and checks that the database
// is sound and that every record the writer acknowledged is there.
func TestCrashKill9(t *testing.T) {
	if dir := os.Getenv("QUIETWIRE_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	cycles := 200
	if testing.Short() {
		cycles = 20
	}
	dir := t.TempDir()
	// Create the schema first, so that every child starts on a migrated database.
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	acked := map[string]bool{}
	users := map[string]string{} // device → last acknowledged value
	var mu sync.Mutex
	for c := 0; c < cycles; c++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKill9$", "-test.count=1")
		cmd.Env = append(os.Environ(), "QUIETWIRE_CRASH_CHILD="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		first := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(out)
			once := false
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) < 2 {
					continue // a line cut by the kill was never acknowledged
				}
				mu.Lock()
				switch {
				case f[0] == "alert":
					acked[f[1]] = true
				case f[0] == "user" && len(f) == 3:
					users[f[1]] = f[2]
				}
				mu.Unlock()
				if !once {
					once = true
					close(first)
				}
			}
		}()
		select {
		case <-first:
		case <-done:
			cmd.Wait()
			t.Fatalf("cycle %d: the writer exited early: %s", c, stderr.String())
		case <-time.After(20 * time.Second):
			t.Fatalf("cycle %d: the writer acknowledged nothing", c)
		}
		time.Sleep(time.Duration(c%7) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("cycle %d: the writer was not killed by SIGKILL: %v %s", c, err, stderr.String())
		}
	}
	st, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if r, err := st.IntegrityCheck(ctx); err != nil || r != "ok" {
		t.Fatalf("integrity_check: %q %v", r, err)
	}
	as, err := st.LoadAlerts(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, a := range as {
		have[a.ID] = true
	}
	lost := 0
	for id := range acked {
		if !have[id] {
			lost++
		}
	}
	inv, err := st.LoadInventory(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	lostUsers := 0
	for dev, v := range users {
		// A later, unacknowledged write may have replaced the value: it must then be one the
		// same device was given at least as late (same writer, higher sequence) — so only a
		// missing row is a loss.
		if inv.Users[dev]["notes"] == "" {
			lostUsers++
			t.Errorf("device %s lost its acknowledged notes %s", dev, v)
		}
	}
	t.Logf("%d kill -9 cycles: %d acknowledged alerts (%d stored), %d devices changed; lost %d alerts, %d device changes",
		cycles, len(acked), len(have), len(users), lost, lostUsers)
	if lost > 0 {
		t.Errorf("%d acknowledged alerts lost", lost)
	}
}
