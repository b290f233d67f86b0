package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/logs"
	"github.com/quietwire/quietwire/internal/sim"
	"github.com/quietwire/quietwire/internal/store"
)

type demoFlags struct {
	serveFlags
	profile  string
	seed     uint64
	speed    float64
	cycle    time.Duration
	learning time.Duration
	loops    int
}

func demoCmd() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the sensor on a simulated plant in real time, with the store and the web UI",
		Long: `demo replays a simulated plant (quietwire simulate) through the whole sensor in real time,
looping: each cycle learns for --learning, then the scenarios (scans, unauthorized programming, PLC
stop, ARP spoofing, RDP into OT, …) arrive. Inventory, baseline and alerts are kept in --data; the
web UI is served on --listen with a one-time admin password printed at start.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return demo(cmd.Context(), cmd.OutOrStdout(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dataDir, "data", "demo-data", "data directory (created; SQLite store, logs, TLS certificate)")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8443", "address of the web UI")
	fl.StringVar(&f.cert, "cert", "", "TLS certificate (default: generated)")
	fl.StringVar(&f.key, "key", "", "TLS key")
	fl.BoolVar(&f.insecureHTTP, "insecure-http", false, "plain HTTP (loopback only)")
	fl.StringVar(&f.profile, "profile", "mixed", "plant, substation, building or mixed")
	fl.Uint64Var(&f.seed, "seed", 1, "simulation seed")
	fl.Float64Var(&f.speed, "speed", 1, "replay speed (1 = real time)")
	fl.DurationVar(&f.cycle, "cycle", 8*time.Minute, "length of one simulated cycle")
	fl.DurationVar(&f.learning, "learning", 2*time.Minute, "learning period at the start of the first cycle")
	fl.IntVar(&f.loops, "loops", 0, "cycles to run (0: until interrupted)")
	return cmd
}

// simSource feeds simulated frames to the engine in real time (or faster), looping. It is the
// demo's capture source: a tick (nil Data) every 200 ms of quiet keeps flows expiring and
// logs flowing.
type simSource struct {
	frames chan capture.Packet
	done   chan struct{}
	err    chan error
}

func (s *simSource) Next(p *capture.Packet) error {
	select {
	case f, ok := <-s.frames:
		if !ok {
			return errors.Join(io.EOF, <-s.err)
		}
		*p = f
		return nil
	case <-time.After(200 * time.Millisecond):
		*p = capture.Packet{TS: time.Now().UnixNano()}
		return nil
	case <-s.done:
		return capture.ErrClosed
	}
}

func (s *simSource) Close() error { return nil }

func newSimSource(f *demoFlags, start time.Time, out io.Writer) *simSource {
	s := &simSource{frames: make(chan capture.Packet, 4096), done: make(chan struct{}), err: make(chan error, 1)}
	go func() {
		defer close(s.frames)
		wall := time.Now()
		for loop := 0; f.loops == 0 || loop < f.loops; loop++ {
			cfg := sim.Config{Profile: f.profile, Duration: f.cycle, Learning: f.learning, Seed: f.seed, // the same plant every cycle
				Scenarios: sim.ScenarioNames(), Start: start.Add(time.Duration(loop) * f.cycle)}
			fmt.Fprintf(out, "quietwire: demo cycle %d: %s of simulated %s plant\n", loop+1, f.cycle, f.profile)
			_, err := sim.Frames(cfg, func(ts time.Time, frame []byte) error {
				due := wall.Add(time.Duration(float64(ts.Sub(start)) / f.speed))
				if d := time.Until(due); d > 0 {
					select {
					case <-time.After(d):
					case <-s.done:
						return capture.ErrClosed
					}
				}
				p := capture.Packet{TS: ts.UnixNano(), Data: append([]byte(nil), frame...), WireLen: len(frame), LinkType: capture.LinkEthernet}
				select {
				case s.frames <- p:
					return nil
				case <-s.done:
					return capture.ErrClosed
				}
			})
			if err != nil {
				if !errors.Is(err, capture.ErrClosed) {
					s.err <- err
				} else {
					s.err <- nil
				}
				return
			}
		}
		s.err <- nil
	}()
	return s
}

func demo(ctx context.Context, out io.Writer, f *demoFlags) error {
	if f.speed <= 0 {
		return errors.New("demo: --speed must be positive")
	}
	if f.learning >= f.cycle {
		return errors.New("demo: --learning must be shorter than --cycle")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	const site = "demo-plant"
	st, inv, err := loadInventory(f.dataDir, site)
	if err != nil {
		return err
	}
	defer st.Close()
	if n, err := st.UserCount(ctx); err == nil && n == 0 {
		pw := randomPassword()
		hash, err := api.HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := st.CreateUser(ctx, &store.User{Username: "admin", PasswordHash: hash, Role: "admin", Created: time.Now().Unix()}); err != nil {
			return err
		}
		f.demoPassword = pw
	}
	dir, err := logs.Open(f.dataDir + "/logs")
	if err != nil {
		return err
	}
	start := time.Now().Truncate(time.Second)
	det, err := newDetector(&detectFlags{period: f.learning}, st, site, "demo")
	if err != nil {
		return err
	}
	det.OnAlert = func(a *detect.Alert, isNew bool) {
		if isNew {
			fmt.Fprintf(out, "quietwire: alert %-8s %s: %s\n", a.Severity, a.Title, a.Message)
		}
	}
	eng, err := engine.New(engine.Config{Site: site, Observer: engine.Observers{inv, det}, EvidenceBytes: 8 << 20}, dir)
	if err != nil {
		return err
	}
	var last *engine.Summary
	backend := api.NewLiveBackend(st, eng.Live, []*inventory.Inventory{inv}, []*detect.Detector{det})
	if f.demoPassword == "" {
		fmt.Fprintf(out, "quietwire: %s already has users; log in with yours\n", f.dataDir)
	}
	stopServer, err := startServer(ctx, out, st, backend, &f.serveFlags)
	if err != nil {
		return err
	}
	defer stopServer()
	src := newSimSource(f, start, out)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- eng.RunSources([]capture.Source{src}, stop) }()
	save := func() error {
		return errors.Join(saveInventory(st, inv), st.SaveBaseline(ctx, det.BaselineCopy(), time.Now().Unix()), st.SaveAlerts(ctx, det.AlertCopies()))
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	var runErr error
loop:
	for {
		select {
		case <-tick.C:
			dir.Flush()
			if err := save(); err != nil {
				fmt.Fprintf(out, "quietwire: saving state: %v\n", err)
			}
		case s := <-sig:
			fmt.Fprintf(out, "quietwire: %v: stopping\n", s)
			close(src.done)
			close(stop)
			runErr = <-done
			break loop
		case <-ctx.Done():
			close(src.done)
			close(stop)
			runErr = <-done
			break loop
		case runErr = <-done:
			break loop
		}
	}
	if errors.Is(runErr, io.EOF) {
		runErr = nil
	}
	last = eng.Finish()
	det.Finish()
	dir.Close()
	if err := save(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	api.SaveEngineSummary(ctx, st, last)
	printSummary(out, last)
	return runErr
}

func randomPassword() string {
	b := make([]byte, 15)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
