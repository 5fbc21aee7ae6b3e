// Command statusd is the Status messenger node daemon.
//
//	statusd [flags]             run the node
//	statusd dumpconfig [flags]  print the effective configuration as TOML
//	statusd version             print version, commit and Go version
//	statusd account new|import  create the account from a recovery phrase
//
// Every flag can also be set by a STATUSD_* environment variable and by the
// TOML file given with --config; see configs/statusd.example.toml.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/node"
	"github.com/statusnode/statusd/internal/version"
	"github.com/statusnode/statusd/lib/logging"
)

// DevPassword is the password `make run` uses. A node started with it says
// loudly that it is for development only.
const DevPassword = "statusd-dev-password"

// stopTimeout bounds a clean shutdown after SIGINT/SIGTERM.
const stopTimeout = 5 * time.Second

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr, sigs))
}

// run is main without process globals, so tests can drive it. It returns
// the exit status.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	if code, ok := runAccountCommand(args, getenv, os.Stdin, stdout, stderr); ok {
		return code
	}
	res, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return 2
	}
	switch res.Command {
	case "":
		return runNode(res, getenv, stderr, sigs)
	case "version":
		fmt.Fprint(stdout, version.Get().String())
		return 0
	case "dumpconfig":
		if err := config.Dump(stdout, &res.Config); err != nil {
			fmt.Fprintf(stderr, "statusd: %v\n", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "statusd: unknown command %q (commands: dumpconfig, version)\n", res.Command)
		return 2
	}
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
	n, err := node.New(node.Options{Config: cfg, Password: password, Log: log})
	if err != nil {
		log.Error("cannot start", zap.Error(err))
		return 1
	}
	if err := n.Start(); err != nil {
		log.Error("cannot start", zap.Error(err))
		return 1
	}
	sig := <-sigs
	log.Info("shutting down", zap.String("signal", sig.String()))
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

// readPassword returns the account password from the --password file
// (trailing newline removed) or from STATUSD_PASSWORD.
func readPassword(file string, getenv func(string) string) (string, error) {
	if file != "" {
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
	if pw := getenv("STATUSD_PASSWORD"); pw != "" {
		return pw, nil
	}
	return "", errors.New("no account password: pass --password FILE or set STATUSD_PASSWORD")
}
