// Command statusd is the Status messenger node daemon.
//
//	statusd [flags]             run the node
//	statusd dumpconfig [flags]  print the effective configuration as TOML
//	statusd version             print version, commit and Go version (also --version)
//	statusd account new|import  create the account from a recovery phrase
//	statusd help                print the commands and flags (also --help)
//
// Every flag can also be set by a STATUSD_* environment variable and by the
// TOML file given with --config; see configs/statusd.example.toml.
//
// The garbage collector runs at GC percent 200 under a soft memory limit
// that follows the live heap (lib/gctune) unless GOGC or GOMEMLIMIT is set.
// On Linux the heap's growth past start-up goes onto transparent huge pages
// (lib/hugepages) unless GODEBUG has disablethp=1.
//
// SIGINT and SIGTERM stop it cleanly; SIGHUP reloads the TLS certificate of
// the HTTP and WebSocket endpoints (--http.tls.cert, --http.tls.key).
//
// Under systemd (contrib/systemd/statusd.service) it reports readiness and
// stopping through NOTIFY_SOCKET and reads the account password from the
// credential "password" (LoadCredential=).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/node"
	"github.com/statusnode/statusd/internal/version"
	"github.com/statusnode/statusd/lib/gctune"
	"github.com/statusnode/statusd/lib/hugepages"
	"github.com/statusnode/statusd/lib/logging"
)

// DevPassword is the password `make run` uses. A node started with it says
// loudly that it is for development only.
const DevPassword = "statusd-dev-password"

// stopTimeout bounds a clean shutdown after SIGINT/SIGTERM.
const stopTimeout = 5 * time.Second

// usageHead opens `statusd --help`; the flags follow.
const usageHead = `usage: statusd [flags]              run the node
       statusd dumpconfig [flags]   print the effective configuration as TOML
       statusd version              print version, commit and Go version (also --version)
       statusd account new|import   create the account from a new or a given recovery phrase
       statusd help                 print this text (also --help)

Flags may come before or after the command. Each is also a STATUSD_* environment
variable and a key of the TOML file given with --config; flags win over the
environment, which wins over the file. The account password comes from
--password FILE, the systemd credential "password", or STATUSD_PASSWORD.

Flags:
`

func main() {
	// go-ethereum's RPC server looks up its OpenTelemetry tracer several
	// times for every call. statusd exports no traces; with the global
	// provider left unset each look-up builds a tracer configuration under
	// a lock (about 7 % of the daemon's CPU for a trivial call over HTTP).
	// The no-op provider answers at once.
	otel.SetTracerProvider(noop.NewTracerProvider())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr, sigs))
}

// run is main without process globals, so tests can drive it. It returns
// the exit status.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	for _, a := range args {
		switch a {
		case "--version", "-version":
			fmt.Fprint(stdout, version.Get().String())
			return 0
		case "--help", "-help", "-h", "--h":
			printUsage(stdout)
			return 0
		}
	}
	if code, ok := runAccountCommand(args, getenv, os.Stdin, stdout, stderr); ok {
		return code
	}
	res, err := config.Load(args, getenv, io.Discard)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\nRun 'statusd --help' for the commands and flags.\n", err)
		return 2
	}
	switch res.Command {
	case "":
		return runNode(res, getenv, stderr, sigs)
	case "version":
		fmt.Fprint(stdout, version.Get().String())
		return 0
	case "help":
		printUsage(stdout)
		return 0
	case "dumpconfig":
		if err := config.Dump(stdout, &res.Config); err != nil {
			fmt.Fprintf(stderr, "statusd: %v\n", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "statusd: unknown command %q (commands: dumpconfig, version, account, help; run 'statusd help')\n", res.Command)
		return 2
	}
}

func printUsage(w io.Writer) {
	io.WriteString(w, usageHead)
	config.PrintFlags(w)
}

func runNode(res config.Result, getenv func(string) string, stderr io.Writer, sigs <-chan os.Signal) int {
	cfg := res.Config
	log, err := logging.New(cfg.Log.Level, cfg.Log.Format, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return 2
	}
	defer log.Sync()
	password, err := readPassword(cfg.PasswordFile, getenv)
	if err != nil {
		log.Error("cannot start", zap.Error(err))
		return 1
	}
	if password == DevPassword {
		log.Warn("using the development password: for development only, never for a real account; pass --password FILE")
	}
	if res.File != "" {
		log.Info("loaded config file", zap.String("file", res.File))
	}
	// The collector: GC percent 200 under a soft limit that follows the
	// live heap (lib/gctune); GOGC or GOMEMLIMIT set in the environment
	// leave it as the runtime sets it.
	defer gctune.Start(gctune.DefaultConfig(), getenv).Stop()
	n, err := node.New(node.Options{Config: cfg, Password: password, Log: log})
	if err != nil {
		log.Error("cannot start", zap.Error(err))
		return 1
	}
	if err := n.Start(); err != nil {
		log.Error("cannot start", zap.Error(err))
		return 1
	}
	// The heap's growth past start-up goes onto huge pages
	// (lib/hugepages); GODEBUG disablethp=1 leaves it on the kernel's
	// default pages.
	defer hugepages.Start(hugepages.DefaultConfig(), getenv, hugePagesReport(log)).Stop()
	notifier := newNotifier(getenv)
	if err := notifier.notify("READY=1\nSTATUS=serving JSON-RPC"); err != nil {
		log.Warn("cannot notify systemd of readiness", zap.Error(err))
	}
	sig := waitForStop(sigs, n, log)
	log.Info("shutting down", zap.String("signal", sig.String()))
	if err := notifier.notify("STOPPING=1"); err != nil {
		log.Warn("cannot notify systemd of stopping", zap.Error(err))
	}
	done := make(chan error, 1)
	go func() { done <- n.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			return 1
		}
		return 0
	case <-time.After(stopTimeout):
		log.Error("shutdown took too long; exiting", zap.Duration("timeout", stopTimeout))
		return 1
	case sig := <-sigs:
		log.Error("second signal; exiting without a clean shutdown", zap.String("signal", sig.String()))
		return 1
	}
}

// hugePagesReport logs what lib/hugepages did: the range it advised, or
// why it advised none.
func hugePagesReport(log *zap.Logger) func(hugepages.Report) {
	return func(r hugepages.Report) {
		switch {
		case r.Err != nil:
			log.Warn("cannot advise huge pages for the heap", zap.Error(r.Err))
		case r.Advised > 0:
			log.Debug("the heap's growth goes onto transparent huge pages", zap.Uint64("advised_mib", r.Advised>>20), zap.Uint64("heap_mib", r.Heap>>20))
		default:
			log.Debug("the heap stays on the kernel's default pages", zap.String("reason", r.Reason), zap.Uint64("heap_mib", r.Heap>>20))
		}
	}
}

// waitForStop returns the first SIGINT or SIGTERM. SIGHUP reloads the TLS
// certificate of the RPC endpoints and waits on.
func waitForStop(sigs <-chan os.Signal, n *node.Node, log *zap.Logger) os.Signal {
	for sig := range sigs {
		if sig != syscall.SIGHUP {
			return sig
		}
		if err := n.ReloadTLS(); err != nil {
			log.Error("SIGHUP: cannot reload the TLS certificate; keeping the current one", zap.Error(err))
		}
	}
	return syscall.SIGTERM // the channel closed: stop
}

// credentialName is the systemd credential holding the account password
// (LoadCredential=password:FILE in the unit).
const credentialName = "password"

// readPassword returns the account password, from the first of: the
// --password file, the systemd credential "password" in
// $CREDENTIALS_DIRECTORY, and STATUSD_PASSWORD. A trailing newline of a
// file is removed.
func readPassword(file string, getenv func(string) string) (string, error) {
	if file != "" {
		return readPasswordFile(file)
	}
	if dir := getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		path := filepath.Join(dir, credentialName)
		if _, err := os.Stat(path); err == nil {
			return readPasswordFile(path)
		}
	}
	if pw := getenv("STATUSD_PASSWORD"); pw != "" {
		return pw, nil
	}
	return "", errors.New("no account password: pass --password FILE, set STATUSD_PASSWORD, or under systemd use LoadCredential=password:FILE")
}

func readPasswordFile(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return "", fmt.Errorf("password file %s: %w", file, err)
	}
	if len(data) > 4096 {
		return "", fmt.Errorf("password file %s is longer than 4096 bytes", file)
	}
	pw := strings.TrimRight(string(data), "\r\n")
	if pw == "" {
		return "", fmt.Errorf("password file %s is empty", file)
	}
	return pw, nil
}
