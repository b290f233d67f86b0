package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/store"
	"github.com/quietwire/quietwire/internal/web"
)

type serveFlags struct {
	dataDir, listen, cert, key string
	demoPassword               string // demo: the generated admin password to print
	insecureHTTP               bool
}

func serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --data DIR",
		Short: "Serve the web UI, the REST API (/api/v1) and /metrics over the data directory's store",
		Long: `serve reads the SQLite store of a data directory (written by analyze --data or the sensor) and
serves the web UI, the REST API and Prometheus metrics. TLS is on by default with a self-signed
ECDSA certificate kept in DIR/tls (or --cert/--key). There is no default account: create the first
admin with 'quietwire user add NAME --role admin', or with the one-time setup token this command
prints when no user exists.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return serve(cmd.Context(), cmd.OutOrStdout(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dataDir, "data", "", "data directory holding quietwire.db (required)")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8443", "address to listen on")
	fl.StringVar(&f.cert, "cert", "", "TLS certificate (PEM); default: a generated self-signed one in DIR/tls")
	fl.StringVar(&f.key, "key", "", "TLS private key (PEM)")
	fl.BoolVar(&f.insecureHTTP, "insecure-http", false, "serve plain HTTP (tests only; refused unless --listen is a loopback address)")
	return cmd
}

func serve(ctx context.Context, out io.Writer, f *serveFlags) error {
	if f.dataDir == "" {
		return errors.New("serve: --data is required")
	}
	st, err := store.Open(f.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	stop, err := startServer(ctx, out, st, api.NewStoreBackend(st), f)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case <-ctx.Done():
	case s := <-sig:
		fmt.Fprintf(out, "quietwire: %v: stopping\n", s)
	}
	return stop()
}

// startServer serves the API and web UI over backend on f.listen (TLS unless --insecure-http on
// loopback), prints the address and, when no user exists, the one-time setup token. The
// returned function shuts the server down.
func startServer(ctx context.Context, out io.Writer, st *store.Store, backend api.Backend, f *serveFlags) (func() error, error) {
	if f.insecureHTTP && !api.IsLoopback(f.listen) {
		return nil, fmt.Errorf("serve: --insecure-http is only allowed on a loopback address, not %s", f.listen)
	}
	a := api.New(backend, api.Config{Logger: log.New(os.Stderr, "quietwire: ", log.LstdFlags)})
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	scheme := "https"
	if f.insecureHTTP {
		scheme = "http"
	} else {
		host, _, _ := net.SplitHostPort(f.listen)
		cert, err := api.LoadOrCreateCert(f.dataDir, f.cert, f.key, host)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("serve: %w", err)
		}
		ln = tls.NewListener(ln, api.TLSConfig(cert))
	}
	base := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	// The address and how to log in go out in one write: whoever reads the address (a
	// script, a test) has the login line with it.
	msg := fmt.Sprintf("quietwire: serving %s on %s\n", st.Path(), base)
	if f.demoPassword != "" {
		msg += fmt.Sprintf("quietwire: log in at %s as admin with the one-time password %s\n", base, f.demoPassword)
	} else if tok, err := a.PrepareSetup(ctx); err != nil {
		ln.Close()
		return nil, err
	} else if tok != "" {
		msg += fmt.Sprintf("quietwire: no user exists. Create the first admin at %s/setup with the one-time token\n  %s\n"+
			"or run: quietwire user add NAME --role admin --data %s\n", base, tok, f.dataDir)
	}
	io.WriteString(out, msg)
	srv := &http.Server{Handler: web.Handler(a), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	return func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}, nil
}
