package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/net/bpf"

	"context"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
)

func sensorCmd() *cobra.Command {
	var f runFlags
	var ifaces, bpfExpr, listen string
	var insecureHTTP bool
	cmd := &cobra.Command{
		Use:   "sensor --iface IF[,IF…] --site NAME",
		Short: "Capture live from monitoring interfaces (AF_PACKET TPACKET_V3, receive-only)",
		Long: `sensor watches SPAN/TAP interfaces. It opens receive-only AF_PACKET rings (one per worker,
joined in a fanout group by flow hash), never transmits, warns when a monitoring interface has an
IP address, and watches the interface's tx_packets counter, which must never move. SIGINT or
SIGTERM stops it cleanly: flows are ended and the logs flushed.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if ifaces == "" {
				return errors.New("sensor: --iface is required")
			}
			if f.site == "" {
				return errors.New("sensor: --site is required")
			}
			reserveHugePages(cmd.ErrOrStderr(), &f)
			return sensor(cmd.OutOrStdout(), cmd.ErrOrStderr(), &f, strings.Split(ifaces, ","), bpfExpr,
				&serveFlags{dataDir: f.dataDir, listen: listen, insecureHTTP: insecureHTTP})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&ifaces, "iface", "", "monitoring interfaces, comma-separated")
	fl.StringVar(&bpfExpr, "bpf", "", "capture filter (tcpdump syntax; compiled with tcpdump)")
	fl.StringVar(&f.logDir, "logs", "logs", "directory for the Zeek-style JSON logs")
	fl.StringVar(&f.site, "site", "", "site name added to every record")
	fl.IntVar(&f.workers, "workers", 1, "workers per interface (AF_PACKET fanout by flow hash); 0: one per CPU")
	fl.StringVar(&f.dissectors, "dissectors", "all", "comma-separated dissectors to run, or all, or none")
	fl.BoolVar(&f.ignoreVLAN, "ignore-vlan", false, "key flows without their VLAN id")
	addLogExclude(fl, &f)
	addHugePages(fl, &f)
	fl.StringVar(&f.dataDir, "data", "data", "data directory: inventory, baseline and alerts (SQLite), saved every 30 s and at stop")
	f.det.add(cmd)
	fl.StringVar(&listen, "listen", "", "serve the API and web UI on this address while capturing (e.g. 127.0.0.1:8443)")
	fl.BoolVar(&insecureHTTP, "insecure-http", false, "with --listen: plain HTTP (loopback only)")
	return cmd
}

func sensor(out, errOut io.Writer, f *runFlags, ifaces []string, bpfExpr string, web *serveFlags) error {
	var bpfProg []bpf.RawInstruction
	if bpfExpr != "" {
		var err error
		if bpfProg, err = capture.CompileBPF(bpfExpr); err != nil {
			return err
		}
	}
	for _, ifc := range ifaces {
		addrs, err := capture.IfaceAddrs(ifc)
		if err != nil {
			return fmt.Errorf("sensor: %w", err)
		}
		if len(addrs) > 0 {
			fmt.Fprintf(errOut, "quietwire: warning: monitoring interface %s has IP configuration %v; a monitoring port should have none\n", ifc, addrs)
		}
	}
	cfg, err := f.engineConfig()
	if err != nil {
		return fmt.Errorf("sensor: %w", err)
	}
	cfg.Workers *= len(ifaces) // --workers is per interface
	warnWorkers(errOut, cfg.Workers)
	dir, err := openLogs(f)
	if err != nil {
		return err
	}
	st, inv, err := loadInventory(f.dataDir, f.site)
	if err != nil {
		return err
	}
	defer st.Close()
	obs := engine.Observers{inv}
	var det *detect.Detector
	if !f.det.off {
		if det, err = newDetector(&f.det, st, f.site, hostname()); err != nil {
			return err
		}
		det.OnAlert = func(a *detect.Alert, isNew bool) {
			if isNew {
				fmt.Fprintf(out, "quietwire: alert %s %s [%s] %s → %s: %s\n", a.Severity, a.Title, a.Engine, a.Src, a.Dst, a.Message)
			}
		}
		obs = append(obs, det)
		cfg.EvidenceBytes = f.det.ringMiB << 20
	}
	cfg.Observer = obs
	save := func() error {
		var errs error
		if err := applyRetention(context.Background(), &f.det, st, f.site, inv, det); err != nil {
			errs = errors.Join(errs, err)
		}
		if err := saveInventory(st, inv); err != nil {
			errs = errors.Join(errs, err)
		}
		if det != nil {
			if err := st.SaveBaseline(context.Background(), det.BaselineCopy(), time.Now().Unix()); err != nil {
				errs = errors.Join(errs, err)
			}
			if err := st.SaveAlerts(context.Background(), det.AlertCopies()); err != nil {
				errs = errors.Join(errs, err)
			}
		}
		return errs
	}
	eng, err := engine.New(cfg, dir)
	if err != nil {
		return err
	}
	if web.listen != "" {
		var dets []*detect.Detector
		if det != nil {
			dets = append(dets, det)
		}
		stopWeb, err := startServer(context.Background(), out, st, api.NewLiveBackend(st, eng.Live, []*inventory.Inventory{inv}, dets), web)
		if err != nil {
			return err
		}
		defer stopWeb()
	}
	var srcs []capture.Source
	for i, ifc := range ifaces {
		s, err := capture.OpenLive(capture.LiveConfig{Iface: ifc, BPF: bpfProg, Sockets: f.workers, Fanout: uint16(os.Getpid()+i) & 0xffff})
		if err != nil {
			for _, x := range srcs {
				x.Close()
			}
			return err
		}
		srcs = append(srcs, s...)
	}
	tx0 := map[string]uint64{}
	for _, ifc := range ifaces {
		tx0[ifc], _ = capture.TxPackets(ifc)
	}
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- eng.RunSources(srcs, stop) }()
	fmt.Fprintf(out, "quietwire: sensor on %s (site %s), logs in %s\n", strings.Join(ifaces, ","), f.site, f.logDir)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastSave := time.Now()
	var runErr error
loop:
	for {
		select {
		case s := <-sig:
			fmt.Fprintf(out, "quietwire: %v: stopping\n", s)
			close(stop)
			runErr = <-done
			break loop
		case runErr = <-done:
			break loop
		case <-tick.C:
			dir.Flush()
			if time.Since(lastSave) >= 30*time.Second {
				lastSave = time.Now()
				if err := save(); err != nil {
					fmt.Fprintf(errOut, "quietwire: saving state: %v\n", err)
				}
			}
			for _, ifc := range ifaces {
				if tx, err := capture.TxPackets(ifc); err == nil && tx != tx0[ifc] {
					fmt.Fprintf(errOut, "quietwire: ALERT: tx_packets on monitoring interface %s moved from %d to %d: something transmitted on it\n", ifc, tx0[ifc], tx)
					tx0[ifc] = tx
				}
			}
		}
	}
	for _, s := range srcs {
		s.Close()
	}
	sum := eng.Finish()
	if err := dir.Close(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if det != nil {
		if err := finishDetector(det, nil, f.logDir); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if err := save(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	printSummary(out, sum)
	return runErr
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
