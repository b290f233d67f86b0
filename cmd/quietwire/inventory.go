package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
)

const defaultSite = "default"

// loadInventory opens the data dir's store and returns the site's inventory with its saved state.
func loadInventory(dataDir, site string) (*store.Store, *inventory.Inventory, error) {
	st, err := store.Open(dataDir)
	if err != nil {
		return nil, nil, err
	}
	inv := inventory.New(inventory.Config{Site: site})
	saved, err := st.LoadInventory(context.Background(), site)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	inv.Import(saved)
	return st, inv, nil
}

func saveInventory(st *store.Store, inv *inventory.Inventory) error {
	return st.SaveInventory(context.Background(), inv.Site(), inv.Export(), time.Now().Unix())
}

func siteOrDefault(s string) string {
	if s == "" {
		return defaultSite
	}
	return s
}

// userColumns are the device fields users own (CSV import/export, API updates).
var userColumns = []string{"name", "zone", "purdue_level", "device_type", "authorized", "notes", "tags"}

func devicesCmd() *cobra.Command {
	var dataDir, site, format string
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List the device inventory of a site",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, inv, err := loadInventory(dataDir, siteOrDefault(site))
			if err != nil {
				return err
			}
			defer st.Close()
			return printDevices(cmd.OutOrStdout(), inv.Snapshot(), format)
		},
	}
	cmd.PersistentFlags().StringVar(&dataDir, "data", "data", "data directory (SQLite store)")
	cmd.PersistentFlags().StringVar(&site, "site", "", "site (default \"default\")")
	cmd.Flags().StringVarP(&format, "output", "o", "table", "table, json or csv")
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE.csv",
		Short: "Set user-owned device fields from CSV (id plus any of name, zone, purdue_level, device_type, authorized, notes, tags)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, inv, err := loadInventory(dataDir, siteOrDefault(site))
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := importCSV(args[0], inv)
			if err != nil {
				return err
			}
			if err := saveInventory(st, inv); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d devices\n", n)
			return nil
		},
	})
	return cmd
}

func importCSV(path string, inv *inventory.Inventory) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%s: reading header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	idc, ok := col["id"]
	if !ok {
		return 0, fmt.Errorf("%s: line 1: no id column", path)
	}
	allowed := map[string]bool{}
	for _, c := range userColumns {
		allowed[c] = true
	}
	for h := range col {
		if h != "id" && !allowed[h] && !isInferredColumn(h) {
			return 0, fmt.Errorf("%s: line 1: unknown column %q (user columns: id, %s)", path, h, strings.Join(userColumns, ", "))
		}
	}
	type row struct {
		id   string
		vals map[string]string
	}
	var rows []row
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		if idc >= len(rec) || strings.TrimSpace(rec[idc]) == "" {
			return 0, fmt.Errorf("%s: line %d: empty id", path, line)
		}
		rw := row{id: strings.TrimSpace(rec[idc]), vals: map[string]string{}}
		if !strings.HasPrefix(rw.id, inv.Site()+"/") {
			return 0, fmt.Errorf("%s: line %d: device %q is not in site %q", path, line, rw.id, inv.Site())
		}
		for _, c := range userColumns {
			if i, ok := col[c]; ok && i < len(rec) {
				v := strings.TrimSpace(rec[i])
				switch c {
				case "purdue_level":
					if v != "" {
						if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 5 {
							return 0, fmt.Errorf("%s: line %d: purdue_level %q is not 0–5", path, line, v)
						}
					}
				case "authorized":
					if v != "" && v != "true" && v != "false" {
						return 0, fmt.Errorf("%s: line %d: authorized %q is not true or false", path, line, v)
					}
				}
				rw.vals[c] = v
			}
		}
		rows = append(rows, rw)
	}
	// Validate everything first, then apply: a bad file changes nothing.
	for _, rw := range rows {
		for k, v := range rw.vals {
			inv.SetUser(rw.id, k, v)
		}
	}
	return len(rows), nil
}

func isInferredColumn(h string) bool {
	switch h {
	case "ips", "macs", "vendor", "model", "firmware", "serial", "type", "class", "first_seen", "last_seen", "roles", "flags", "routed":
		return true
	}
	return false
}

func printDevices(w io.Writer, snap *inventory.Snapshot, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(snap.Devices)
	case "csv":
		cw := csv.NewWriter(w)
		head := append([]string{"id", "ips", "macs", "vendor", "model", "firmware", "serial", "type", "class", "roles", "flags", "routed", "first_seen", "last_seen"}, userColumns...)
		cw.Write(head)
		for _, d := range snap.Devices {
			rec := []string{d.ID, strings.Join(d.IPs, " "), strings.Join(d.MACs, " "), d.Get(dissect.AttrVendor), d.Get(dissect.AttrModel),
				d.Get(dissect.AttrFirmware), d.Get(dissect.AttrSerial), d.Type, d.Class, strings.Join(d.Roles, " "), strings.Join(d.Flags, " "),
				strconv.FormatBool(d.Routed), tsString(d.First), tsString(d.Last)}
			for _, c := range userColumns {
				rec = append(rec, d.User[c])
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tIP\tVENDOR\tMODEL\tFIRMWARE\tTYPE\tPURDUE\tROLES")
		for _, d := range snap.Devices {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, strings.Join(d.IPs, ","), trunc(d.Get(dissect.AttrVendor), 28),
				trunc(d.Get(dissect.AttrModel), 28), d.Get(dissect.AttrFirmware), d.Type, d.Purdue, strings.Join(d.Roles, ","))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown output format %q (table, json, csv)", format)
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func tsString(ns int64) string {
	if ns == 0 {
		return ""
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339)
}

func deviceCmd() *cobra.Command {
	var dataDir, site string
	cmd := &cobra.Command{
		Use:   "device ID",
		Short: "Show one device with every attribute and its evidence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, inv, err := loadInventory(dataDir, siteOrDefault(site))
			if err != nil {
				return err
			}
			defer st.Close()
			snap := inv.Snapshot()
			for _, d := range snap.Devices {
				if d.ID == args[0] || contains(d.Aliases, args[0]) || contains(d.IPs, args[0]) || contains(d.MACs, args[0]) {
					return printDevice(cmd.OutOrStdout(), d, snap)
				}
			}
			return fmt.Errorf("device %q not found in site %q", args[0], inv.Site())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "data", "data directory (SQLite store)")
	cmd.Flags().StringVar(&site, "site", "", "site (default \"default\")")
	return cmd
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func printDevice(w io.Writer, d *inventory.Device, snap *inventory.Snapshot) error {
	fmt.Fprintf(w, "%s\n  type %s, class %s, Purdue level %s, routed %v\n  IPs %s  MACs %s  VLANs %v\n  roles %s\n  flags %s\n  first %s  last %s  packets %d  bytes %d\n",
		d.ID, d.Type, d.Class, d.Purdue, d.Routed, strings.Join(d.IPs, ","), strings.Join(d.MACs, ","), d.VLANs,
		strings.Join(d.Roles, ","), strings.Join(d.Flags, ","), tsString(d.First), tsString(d.Last), d.Packets, d.Bytes)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ATTRIBUTE\tVALUE\tSOURCE\tFIELD\tCONFIDENCE\tFIRST\tLAST\tCHANGES")
	names := make([]string, 0, len(d.Attrs))
	for k := range d.Attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a := d.Attrs[k]
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%d\n", k, a.Value, a.Proto, a.Field, a.Confidence, tsString(a.First), tsString(a.Last), len(a.History))
	}
	for _, k := range userColumns {
		if v, ok := d.User[k]; ok {
			fmt.Fprintf(tw, "  %s\t%s\tuser\t\t1.0\t\t\t\n", k, v)
		}
	}
	tw.Flush()
	n := 0
	for _, c := range snap.Connections {
		if c.Client == d.ID || c.Server == d.ID {
			n++
		}
	}
	fmt.Fprintf(w, "  connections: %d (quietwire connections --device %s)\n", n, d.ID)
	return nil
}

func connectionsCmd() *cobra.Command {
	var dataDir, site, device, format string
	cmd := &cobra.Command{
		Use:   "connections",
		Short: "List the topology: one line per (client, server, protocol, port)",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, inv, err := loadInventory(dataDir, siteOrDefault(site))
			if err != nil {
				return err
			}
			defer st.Close()
			snap := inv.Snapshot()
			var conns []*inventory.Connection
			for _, c := range snap.Connections {
				if device == "" || c.Client == device || c.Server == device {
					conns = append(conns, c)
				}
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(conns)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CLIENT\tSERVER\tPROTOCOL\tPORT\tFLOWS\tPACKETS\tPERIOD_S\tCOMMANDS")
			for _, c := range conns {
				var cmds []string
				for k, v := range c.Commands {
					cmds = append(cmds, fmt.Sprintf("%s=%d", k, v))
				}
				sort.Strings(cmds)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%g\t%s\n", c.ClientAddr, c.ServerAddr, c.Proto, c.Port, c.Flows, c.Packets, c.PeriodS, trunc(strings.Join(cmds, " "), 80))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "data", "data directory (SQLite store)")
	cmd.Flags().StringVar(&site, "site", "", "site (default \"default\")")
	cmd.Flags().StringVar(&device, "device", "", "only connections of this device id")
	cmd.Flags().StringVarP(&format, "output", "o", "table", "table or json")
	return cmd
}
