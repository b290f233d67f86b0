// Command quietwire is the passive OT/ICS network sensor: analyze captures, watch live
// interfaces. Subcommands wire packages together; no logic lives here.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	_ "github.com/quietwire/quietwire/dissect/all"
)

func main() {
	root := &cobra.Command{
		Use:           "quietwire",
		Short:         "Passive OT/ICS network security sensor",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(analyzeCmd(), sensorCmd(), dissectorsCmd(), devicesCmd(), deviceCmd(), connectionsCmd(),
		alertsCmd(), alertCmd(), baselineCmd(), simulateCmd(), serveCmd(), userCmd(), tokenCmd(), demoCmd())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "quietwire:", err)
		os.Exit(1)
	}
}
