package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/store"
)

func userCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{Use: "user", Short: "Manage the accounts of the web UI and API"}
	cmd.PersistentFlags().StringVar(&dataDir, "data", "", "data directory holding quietwire.db (required)")
	open := func() (*store.Store, error) {
		if dataDir == "" {
			return nil, errors.New("user: --data is required")
		}
		return store.Open(dataDir)
	}
	var role, sites, pwFile string
	add := &cobra.Command{
		Use:   "add NAME --role admin|analyst|readonly",
		Short: "Add a user; the password is read from --password-file or standard input",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !api.ValidUsername(args[0]) {
				return fmt.Errorf("user: %q is not a valid user name (letters, digits, . _ - @)", args[0])
			}
			if !api.ValidRole(role) {
				return fmt.Errorf("user: --role is one of %s", strings.Join(api.Roles, ", "))
			}
			pw, err := readPassword(cmd, pwFile)
			if err != nil {
				return err
			}
			if err := api.ValidatePassword(pw); err != nil {
				return fmt.Errorf("user: %w", err)
			}
			st, err := open()
			if err != nil {
				return err
			}
			defer st.Close()
			hash, err := api.HashPassword(pw)
			if err != nil {
				return err
			}
			var sl []string
			for _, s := range strings.Split(sites, ",") {
				if s = strings.TrimSpace(s); s != "" {
					sl = append(sl, s)
				}
			}
			ctx := context.Background()
			if _, err := st.CreateUser(ctx, &store.User{Username: args[0], PasswordHash: hash, Role: role, Sites: sl, Created: time.Now().Unix()}); err != nil {
				return fmt.Errorf("user: %w", err)
			}
			st.SetSetting(ctx, api.SetupTokenKey, "") // the setup token is void once a user exists
			st.Audit(ctx, &store.AuditEntry{TS: time.Now().Unix(), Username: "cli", Action: "user.create", Target: args[0], Detail: "role=" + role + " sites=" + strings.Join(sl, ","), OK: true})
			fmt.Fprintf(cmd.OutOrStdout(), "user %s added (%s)\n", args[0], api.RoleTitle(role))
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "admin, analyst (Security Analyst) or readonly")
	add.Flags().StringVar(&sites, "sites", "", "comma-separated sites the user is limited to (default: all)")
	add.Flags().StringVar(&pwFile, "password-file", "", "file whose first line is the password (default: standard input)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := open()
			if err != nil {
				return err
			}
			defer st.Close()
			us, err := st.Users(context.Background())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USER\tROLE\tSITES\tSTATE")
			for _, u := range us {
				state, s := "active", strings.Join(u.Sites, ",")
				if u.Disabled {
					state = "disabled"
				}
				if s == "" {
					s = "all"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, api.RoleTitle(u.Role), s, state)
			}
			return tw.Flush()
		},
	}
	disable := &cobra.Command{
		Use:   "disable NAME",
		Short: "Disable a user (ends its sessions; its tokens stop working)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := open()
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := context.Background()
			u, err := st.UserByName(ctx, args[0])
			if err != nil {
				return fmt.Errorf("user %s: %w", args[0], err)
			}
			u.Disabled = true
			if err := st.UpdateUser(ctx, u); err != nil {
				return err
			}
			st.Audit(ctx, &store.AuditEntry{TS: time.Now().Unix(), Username: "cli", Action: "user.update", Target: args[0], Detail: "disabled=true", OK: true})
			fmt.Fprintf(cmd.OutOrStdout(), "user %s disabled\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(add, list, disable)
	return cmd
}

func readPassword(cmd *cobra.Command, file string) (string, error) {
	var line string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		line, _, _ = strings.Cut(string(b), "\n")
	} else {
		fmt.Fprintln(cmd.ErrOrStderr(), "password (one line on standard input):")
		sc := bufio.NewScanner(cmd.InOrStdin())
		if !sc.Scan() {
			return "", errors.New("user: no password on standard input")
		}
		line = sc.Text()
	}
	return strings.TrimRight(line, "\r"), nil
}

func tokenCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	cmd.PersistentFlags().StringVar(&dataDir, "data", "", "data directory holding quietwire.db (required)")
	create := &cobra.Command{
		Use:   "create USER NAME",
		Short: "Create a bearer token for USER; the secret is printed once (only its hash is kept)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dataDir == "" {
				return errors.New("token: --data is required")
			}
			st, err := store.Open(dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := context.Background()
			secret, _, err := api.CreateToken(ctx, st, args[0], args[1], time.Now().Unix())
			if err != nil {
				return fmt.Errorf("token: %w", err)
			}
			st.Audit(ctx, &store.AuditEntry{TS: time.Now().Unix(), Username: "cli", Action: "token.create", Target: args[0], Detail: args[1], OK: true})
			fmt.Fprintln(cmd.OutOrStdout(), secret)
			return nil
		},
	}
	cmd.AddCommand(create)
	return cmd
}
