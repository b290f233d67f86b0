package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
)

// detectFlags are analyze's and sensor's detection options.
type detectFlags struct {
	off         bool
	learn       bool
	period      time.Duration
	indicators  string
	exclusions  string
	retention   time.Duration
	evidenceMiB int64
	ringMiB     int
}

func (f *detectFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.off, "no-detect", false, "do not run detection")
	fl.BoolVar(&f.learn, "learn", false, "learn only: add everything seen to the site's baseline, then make the site operational")
	fl.DurationVar(&f.period, "learning-period", time.Hour, "learning period of a new site, in packet time")
	fl.StringVar(&f.indicators, "indicators", "", "indicator file (one IP, CIDR or domain per line, or a STIX 2.1 bundle)")
	fl.StringVar(&f.exclusions, "exclusions", "", `exclusion rules and maintenance windows (JSON: {"exclusions":[{"name":…,"rules":[…],"devices":[…],"protocols":[…],"from":…,"to":…}]})`)
	fl.DurationVar(&f.retention, "retention", 90*24*time.Hour, "keep devices, connections and alerts seen within this time of the site's newest packet")
	fl.Int64Var(&f.evidenceMiB, "evidence-max-mib", 1024, "keep alert evidence pcaps up to this many MiB in all, newest first")
	fl.IntVar(&f.ringMiB, "evidence-ring-mib", 4, "per-worker ring of recent packets that alerts take their evidence from: records of packets read back from the capture file, or copies of live ones (0: alerts without packets)")
}

// newDetector builds the detector of a run, with the site's baseline and alerts from st (nil: in memory).
func newDetector(f *detectFlags, st *store.Store, site, sensor string) (*detect.Detector, error) {
	cfg := detect.Config{Site: site, Sensor: sensor, Learn: f.learn, LearningPeriod: int64(f.period)}
	if f.indicators != "" {
		data, err := os.ReadFile(f.indicators)
		if err != nil {
			return nil, err
		}
		if cfg.Indicators, err = detect.ParseIndicators(f.indicators, data); err != nil {
			return nil, err
		}
	}
	if f.exclusions != "" {
		data, err := os.ReadFile(f.exclusions)
		if err != nil {
			return nil, err
		}
		if cfg.Exclusions, err = detect.ParseExclusions(f.exclusions, data); err != nil {
			return nil, err
		}
	}
	var base *detect.Baseline
	if st != nil {
		var err error
		if base, err = st.LoadBaseline(context.Background(), site); err != nil {
			return nil, err
		}
	}
	d := detect.New(cfg, base)
	if st != nil {
		as, err := st.LoadAlerts(context.Background(), site)
		if err != nil {
			return nil, err
		}
		d.LoadAlerts(as)
	}
	return d, nil
}

// finishDetector ends a run: saves baseline and alerts and writes alerts.log.
func finishDetector(d *detect.Detector, st *store.Store, logDir string) error {
	d.Finish()
	var errs error
	if st != nil {
		if err := st.SaveBaseline(context.Background(), d.Baseline(), time.Now().Unix()); err != nil {
			errs = errors.Join(errs, err)
		}
		if err := st.SaveAlerts(context.Background(), d.Alerts()); err != nil {
			errs = errors.Join(errs, err)
		}
	}
	if logDir != "" {
		if err := writeAlertsLog(logDir+"/alerts.log", d.Alerts()); err != nil {
			errs = errors.Join(errs, err)
		}
	}
	return errs
}

func writeAlertsLog(path string, as []*detect.Alert) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, a := range as {
		if err := enc.Encode(alertRecord(a)); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// alertRecord is an alert as a Zeek-style log line (ts first, epoch seconds).
func alertRecord(a *detect.Alert) map[string]any {
	return map[string]any{
		"ts": float64(a.First) / 1e9, "id": a.ID, "rule": a.Rule, "title": a.Title, "engine": a.Engine,
		"severity": a.Severity, "category": a.Category, "mitre_attack_ics": a.Techniques, "message": a.Message,
		"src": a.Src, "dst": a.Dst, "protocol": a.Protocol, "detail": a.Detail, "count": a.Count,
		"last_seen": float64(a.Last) / 1e9, "status": a.Status, "site": a.Site, "uid": a.FlowUID,
		"evidence_packets": len(a.Evidence),
	}
}

func printAlerts(w io.Writer, as []*detect.Alert) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tENGINE\tTITLE\tSRC\tDST\tCOUNT\tSTATUS")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Severity, a.Engine, a.Title, a.Src, a.Dst, a.Count, a.Status)
	}
	tw.Flush()
}

func alertsCmd() *cobra.Command {
	var dataDir, site, format, status string
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List alerts",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := store.Open(dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			as, err := st.LoadAlerts(context.Background(), site)
			if err != nil {
				return err
			}
			var keep []*detect.Alert
			for _, a := range as {
				if status == "" || strings.EqualFold(a.Status, status) {
					keep = append(keep, a)
				}
			}
			detect.SortAlerts(keep)
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(keep)
			}
			printAlerts(cmd.OutOrStdout(), keep)
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "data", "data directory")
	cmd.Flags().StringVar(&site, "site", "", "only this site")
	cmd.Flags().StringVar(&status, "status", "", "only alerts with this status")
	cmd.Flags().StringVarP(&format, "output", "o", "table", "table or json")
	return cmd
}

func alertCmd() *cobra.Command {
	var dataDir, comment, user string
	cmd := &cobra.Command{Use: "alert", Short: "Act on one alert: pcap, learn, status"}
	cmd.PersistentFlags().StringVar(&dataDir, "data", "data", "data directory")
	withDetector := func(id string, fn func(d *detect.Detector, st *store.Store) error) error {
		st, err := store.Open(dataDir)
		if err != nil {
			return err
		}
		defer st.Close()
		as, err := st.LoadAlerts(context.Background(), "")
		if err != nil {
			return err
		}
		var site string
		for _, a := range as {
			if a.ID == id {
				site = a.Site
			}
		}
		if site == "" {
			return fmt.Errorf("alert %s not found", id)
		}
		d, err := newDetector(&detectFlags{}, st, site, "")
		if err != nil {
			return err
		}
		if err := fn(d, st); err != nil {
			return err
		}
		if err := st.SaveBaseline(context.Background(), d.Baseline(), time.Now().Unix()); err != nil {
			return err
		}
		return st.SaveAlerts(context.Background(), d.Alerts())
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "pcap ID",
		Short: "Write the alert's evidence packets as pcap to standard output",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := store.Open(dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			b, err := st.AlertPcap(context.Background(), args[0])
			if err != nil {
				return err
			}
			if len(b) == 0 {
				return fmt.Errorf("alert %s has no evidence packets", args[0])
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "learn ID",
		Short: "Add the alert's cause to the site's baseline and mark it Learned",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDetector(args[0], func(d *detect.Detector, _ *store.Store) error { return d.Learn(args[0]) })
		},
	})
	statusCmd := &cobra.Command{
		Use:   "status ID New|Active|Closed|Muted",
		Short: "Change an alert's status (and comment on it)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withDetector(args[0], func(d *detect.Detector, _ *store.Store) error {
				return d.SetStatus(args[0], args[1], user, comment, time.Now().UnixNano())
			})
		},
	}
	statusCmd.Flags().StringVar(&comment, "comment", "", "comment to add")
	statusCmd.Flags().StringVar(&user, "user", os.Getenv("USER"), "who comments")
	cmd.AddCommand(statusCmd)
	return cmd
}

func baselineCmd() *cobra.Command {
	var dataDir, site string
	cmd := &cobra.Command{Use: "baseline", Short: "Export, import and diff a site's baseline (a reviewable JSON file)"}
	cmd.PersistentFlags().StringVar(&dataDir, "data", "data", "data directory")
	cmd.PersistentFlags().StringVar(&site, "site", "", "site (default \"default\")")
	load := func() (*store.Store, *detect.Baseline, error) {
		st, err := store.Open(dataDir)
		if err != nil {
			return nil, nil, err
		}
		b, err := st.LoadBaseline(context.Background(), siteOrDefault(site))
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		if b == nil {
			st.Close()
			return nil, nil, fmt.Errorf("site %q has no baseline in %s", siteOrDefault(site), dataDir)
		}
		return st, b, nil
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "export",
		Short: "Write the baseline to standard output",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, b, err := load()
			if err != nil {
				return err
			}
			defer st.Close()
			data, err := b.MarshalIndent()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), string(data))
			return err
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE",
		Short: "Replace the site's baseline with FILE (checked first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			b, err := detect.ParseBaseline(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			st, err := store.Open(dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.SaveBaseline(context.Background(), b, time.Now().Unix()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported baseline of site %s: %d devices, %d edges\n", b.Site, len(b.Devices), len(b.Edges))
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "diff FILE",
		Short: "Show what FILE adds to (+) or removes from (-) the stored baseline",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			other, err := detect.ParseBaseline(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			st, b, err := load()
			if err != nil {
				return err
			}
			defer st.Close()
			for _, l := range detect.Diff(b, other) {
				fmt.Fprintln(cmd.OutOrStdout(), l)
			}
			return nil
		},
	})
	return cmd
}

// applyRetention forgets what is older than the retention before the site's newest packet, in
// memory and in the store, and trims evidence to its size budget.
func applyRetention(ctx context.Context, f *detectFlags, st *store.Store, site string, inv *inventory.Inventory, det *detect.Detector) error {
	if f.retention <= 0 || inv == nil {
		return nil
	}
	latest := inv.Latest()
	if latest == 0 {
		return nil
	}
	cutoff := latest - int64(f.retention)
	inv.Prune(cutoff)
	if det != nil {
		det.Prune(cutoff)
	}
	if st == nil {
		return nil
	}
	_, _, err := st.PruneAlerts(ctx, site, cutoff, f.evidenceMiB<<20)
	return err
}
