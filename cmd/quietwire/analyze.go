package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/hugeheap"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/logs"
	"github.com/quietwire/quietwire/internal/store"
)

type runFlags struct {
	logDir     string
	site       string
	workers    int
	dissectors string
	ignoreVLAN bool
	checksums  bool
	readOnly   bool
	quiet      bool
	jsonOut    bool
	noLogs     bool
	logExclude string
	cpuProfile string
	memProfile string
	dataDir    string
	hugeMiB    int
	det        detectFlags
}

// maxWorkers bounds --workers: each worker has its own flow table, decoder, log buffers and
// evidence ring (4 MiB by default), and the reader keeps 16 batches per worker in flight. The
// mix with 64 workers on this project's 2-core VM: 2.13 s and 414 MiB, against 0.7 s and
// 90 MiB with two.
const maxWorkers = 256

// warnWorkers says when the workers outnumber the CPUs: the extra ones only share them.
func warnWorkers(errOut io.Writer, n int) {
	if n > runtime.NumCPU() {
		fmt.Fprintf(errOut, "quietwire: warning: %d workers on %d CPUs: workers beyond one per CPU share the CPUs and slow the run down\n", n, runtime.NumCPU())
	}
}

func (f *runFlags) engineConfig() (engine.Config, error) {
	if f.workers < 0 || f.workers > maxWorkers {
		return engine.Config{}, fmt.Errorf("--workers %d: want 1 to %d, or 0 for one per CPU (%d here)", f.workers, maxWorkers, runtime.NumCPU())
	}
	c := engine.Config{Site: f.site, Workers: f.workers, IgnoreVLAN: f.ignoreVLAN, VerifyChecksums: f.checksums}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	switch f.dissectors {
	case "", "all":
	case "none":
		c.Dissectors = []string{}
	default:
		c.Dissectors = strings.Split(f.dissectors, ",")
	}
	return c, nil
}

// engineLogs are the logs the engine and the log writer write themselves; the dissectors'
// logs come from their factories.
var engineLogs = []string{"conn", "weird", "stats", "facts", "events"}

// openLogs opens the log directory with the --log-exclude list applied. Names are checked
// against the logs this build can write, so a typo fails the run instead of silently
// excluding nothing.
func openLogs(f *runFlags) (*logs.Dir, error) {
	var skip []string
	if f.logExclude != "" {
		known := map[string]bool{}
		for _, n := range engineLogs {
			known[n] = true
		}
		for _, fac := range dissect.Factories() {
			for _, n := range fac.Logs {
				known[n] = true
			}
		}
		for _, n := range strings.Split(f.logExclude, ",") {
			n = strings.TrimSuffix(strings.TrimSpace(n), ".log")
			if !known[n] {
				names := make([]string, 0, len(known))
				for k := range known {
					names = append(names, k)
				}
				sort.Strings(names)
				return nil, fmt.Errorf("--log-exclude: unknown log %q (alerts.log is always written; known: %s)", n, strings.Join(names, ", "))
			}
			skip = append(skip, n)
		}
	}
	dir, err := logs.Open(f.logDir)
	if err != nil {
		return nil, err
	}
	dir.Exclude(skip...)
	return dir, nil
}

func addLogExclude(fl *pflag.FlagSet, f *runFlags) {
	fl.StringVar(&f.logExclude, "log-exclude", "", "comma-separated logs not to write, e.g. opcua_binary_read_nodes_to_read,modbus_detailed (inventory and detection still see everything)")
}

// addHugePages adds --hugepages-mib: the heap span advised for transparent huge pages.
func addHugePages(fl *pflag.FlagSet, f *runFlags) {
	fl.IntVar(&f.hugeMiB, "hugepages-mib", 256, "advise this much of the heap for transparent huge pages where the system leaves them to madvise (first-touch page faults cost a tenth of a one-core run otherwise); 0: off")
}

// reserveHugePages applies --hugepages-mib. A refusal is not an error: the run is the same
// with small pages, only slower, so it is reported on errOut and the run goes on; a system
// with huge pages turned off is said nothing about.
func reserveHugePages(errOut io.Writer, f *runFlags) {
	if f.hugeMiB <= 0 {
		return
	}
	if _, err := hugeheap.Reserve(f.hugeMiB << 20); err != nil && !errors.Is(err, hugeheap.ErrUnavailable) && !f.quiet {
		fmt.Fprintln(errOut, "quietwire:", err, "(running with small pages)")
	}
}

func analyzeCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "analyze CAPTURE...",
		Short: "Run the pipeline over pcap/pcapng files (gzip too) with packet time as the clock",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reserveHugePages(cmd.ErrOrStderr(), &f)
			return analyze(cmd.OutOrStdout(), cmd.ErrOrStderr(), &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.logDir, "logs", "logs", "directory for the Zeek-style JSON logs")
	fl.StringVar(&f.site, "site", "", "site name added to every record")
	fl.IntVar(&f.workers, "workers", 1, "worker goroutines (flows sharded by symmetric address hash); 0: one per CPU")
	fl.StringVar(&f.dissectors, "dissectors", "all", "comma-separated dissectors to run, or all, or none")
	fl.BoolVar(&f.ignoreVLAN, "ignore-vlan", false, "key flows without their VLAN id (as Zeek does)")
	fl.BoolVar(&f.checksums, "verify-checksums", false, "drop TCP/UDP packets with wrong checksums (as Zeek does; off for offloaded host captures)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing on success")
	fl.BoolVar(&f.jsonOut, "json", false, "print the summary as JSON")
	fl.BoolVar(&f.noLogs, "no-logs", false, "do not write log files (benchmarks)")
	addLogExclude(fl, &f)
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	fl.StringVar(&f.memProfile, "memprofile", "", "write an allocation profile (every allocation of the run) to this file")
	fl.BoolVar(&f.readOnly, "read-only", false, "only read the captures and count packets (the bare-read baseline of bench/run.sh)")
	fl.MarkHidden("read-only")
	fl.StringVar(&f.dataDir, "data", "", "data directory: keep inventory, baseline and alerts in its SQLite store (a second run updates them)")
	addHugePages(fl, &f)
	f.det.add(cmd)
	return cmd
}

func analyze(out, errOut io.Writer, f *runFlags, files []string) error {
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	if f.memProfile != "" {
		runtime.MemProfileRate = 1
		defer func() {
			if pf, err := os.Create(f.memProfile); err == nil {
				pprof.Lookup("allocs").WriteTo(pf, 0)
				pf.Close()
			}
		}()
	}
	if f.readOnly {
		return readOnly(out, files)
	}
	cfg, err := f.engineConfig()
	if err != nil {
		return err
	}
	if !f.quiet {
		warnWorkers(errOut, cfg.Workers)
	}
	dir, err := openLogs(f)
	if err != nil {
		return err
	}
	dir.Discard = f.noLogs
	var st *store.Store
	var inv *inventory.Inventory
	var obs engine.Observers
	if f.dataDir != "" {
		if st, inv, err = loadInventory(f.dataDir, siteOrDefault(f.site)); err != nil {
			return err
		}
		defer st.Close()
		obs = append(obs, inv)
	}
	var det *detect.Detector
	if !f.det.off {
		if det, err = newDetector(&f.det, st, siteOrDefault(f.site), ""); err != nil {
			return err
		}
		obs = append(obs, det)
		cfg.EvidenceBytes = f.det.ringMiB << 20
	}
	if len(obs) > 0 {
		cfg.Observer = obs
	}
	eng, err := engine.New(cfg, dir)
	if err != nil {
		return err
	}
	var runErr error
	for _, name := range files {
		src, err := capture.Open(name)
		if err != nil {
			runErr = errors.Join(runErr, err)
			continue
		}
		if err := eng.Run(src); err != nil {
			runErr = errors.Join(runErr, err)
		}
		src.Close()
	}
	sum := eng.Finish()
	if err := dir.Close(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if err := applyRetention(context.Background(), &f.det, st, siteOrDefault(f.site), inv, det); err != nil {
		runErr = errors.Join(runErr, err)
	}
	rep := runReport{Summary: sum}
	if det != nil {
		before := map[string]bool{}
		if st != nil {
			if prev, err := st.LoadAlerts(context.Background(), siteOrDefault(f.site)); err == nil {
				for _, a := range prev {
					before[a.ID] = true
				}
			}
		}
		alertsDir := dir.Path()
		if f.noLogs {
			alertsDir = "" // --no-logs: no alerts.log either
		}
		if err := finishDetector(det, st, alertsDir); err != nil {
			runErr = errors.Join(runErr, err)
		}
		dr := &detectionReport{Site: siteOrDefault(f.site), Mode: "learning", NewAlerts: []*detect.Alert{}}
		if det.Baseline().Operational {
			dr.Mode = "operational"
		}
		for _, a := range det.Alerts() {
			if !before[a.ID] {
				dr.NewAlerts = append(dr.NewAlerts, a)
			}
		}
		detect.SortAlerts(dr.NewAlerts)
		rep.Detection = dr
	}
	if st != nil {
		if err := api.SaveEngineSummary(context.Background(), st, sum); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if inv != nil {
		if err := saveInventory(st, inv); err != nil {
			runErr = errors.Join(runErr, err)
		} else {
			ir := &inventoryReport{Site: inv.Site(), Store: st.Path()}
			ir.Endpoints, ir.Edges = inv.Counts()
			rep.Inventory = ir
		}
	}
	if !f.quiet || runErr != nil {
		rep.print(out, f.jsonOut)
	}
	if err := sum.Ledger(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	return runErr
}

// runReport is what analyze prints: the engine summary, then what detection and the
// inventory made of the run. With --json it is one JSON object, so scripts can read stdout whole.
type runReport struct {
	*engine.Summary
	Detection *detectionReport `json:"detection,omitempty"`
	Inventory *inventoryReport `json:"inventory,omitempty"`
}

type detectionReport struct {
	Site      string          `json:"site"`
	Mode      string          `json:"mode"` // learning or operational
	NewAlerts []*detect.Alert `json:"new_alerts"`
}

type inventoryReport struct {
	Site      string `json:"site"`
	Endpoints int    `json:"endpoints"`
	Edges     int    `json:"edges"`
	Store     string `json:"store"`
}

func (r *runReport) print(out io.Writer, asJSON bool) {
	if asJSON {
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintln(out, string(b))
		return
	}
	printSummary(out, r.Summary)
	if d := r.Detection; d != nil {
		fmt.Fprintf(out, "detection: site %s is %s; %d new alerts (alerts.log)\n", d.Site, d.Mode, len(d.NewAlerts))
		if len(d.NewAlerts) > 0 {
			printAlerts(out, d.NewAlerts)
		}
	}
	if i := r.Inventory; i != nil {
		fmt.Fprintf(out, "inventory: %d endpoints, %d edges saved in %s (site %s)\n", i.Endpoints, i.Edges, i.Store, i.Site)
	}
}

func printSummary(out io.Writer, s *engine.Summary) {
	dur := float64(s.LastTS-s.FirstTS) / 1e9
	fmt.Fprintf(out, "packets %d  bytes %d  decoded %d  flows %d  capture span %.1fs\n",
		s.Packets, s.Bytes, s.Decoded, s.Flows, dur)
	section := func(title string, m map[string]uint64) {
		if len(m) == 0 {
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(out, "%s:", title)
		for _, k := range keys {
			fmt.Fprintf(out, " %s=%d", k, m[k])
		}
		fmt.Fprintln(out)
	}
	section("pdus", s.PDUs)
	section("drops", s.Drops)
	section("anomalies", s.Weirds)
	section("counters", s.Counters)
}

func dissectorsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "dissectors",
		Short: "List the protocol dissectors built in",
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, f := range dissect.Factories() {
				var tr []string
				if f.Transport&dissect.TCP != 0 {
					tr = append(tr, "tcp")
				}
				if f.Transport&dissect.UDP != 0 {
					tr = append(tr, "udp")
				}
				if f.Transport&dissect.Ether != 0 {
					tr = append(tr, "ether")
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-16s %-12s ports %v logs %s\n", f.Name, strings.Join(tr, "+"), f.Ports, strings.Join(f.Logs, ","))
			}
			return nil
		},
	}
}

// readOnly reads the captures without processing them: the speed limit of the reader.
func readOnly(out io.Writer, files []string) error {
	var n, bytes uint64
	for _, name := range files {
		src, err := capture.Open(name)
		if err != nil {
			return err
		}
		var p capture.Packet
		for {
			err := src.Next(&p)
			if err == io.EOF {
				break
			}
			if err != nil {
				src.Close()
				return err
			}
			n++
			bytes += uint64(len(p.Data))
		}
		src.Close()
	}
	fmt.Fprintf(out, "read %d packets, %d bytes\n", n, bytes)
	return nil
}
