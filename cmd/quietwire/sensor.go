package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func sensorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sensor --iface IF[,IF…] --site NAME",
		Short: "Capture live from monitoring interfaces (AF_PACKET, receive-only)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("sensor: live capture is being built")
		},
	}
}
