// Command statusctl controls a running statusd over JSON-RPC: identity and
// peers, public, 1:1 and group chats, history from a mailserver, events,
// and any method with `call`. `statusctl help` lists the commands;
// `statusctl help COMMAND` (or COMMAND --help) explains one, with examples.
//
// Options may stand anywhere on the command line; `--` ends them (for a
// text that starts with "-"). By default statusctl talks to
// <datadir>/statusd.ipc. With --rpc URL it uses HTTP or WebSocket and sends
// the bearer token from --token (default <datadir>/rpc.token).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// options are the global flags, valid with every command.
type options struct {
	datadir, ipc, url, token, cacert string
	json                             bool
	timeout                          time.Duration
}

// bind declares the global flags on fs.
func (o *options) bind(fs *flag.FlagSet, getenv func(string) string) {
	defDir := getenv("STATUSD_DATADIR")
	if defDir == "" {
		defDir = "data"
	}
	fs.StringVar(&o.datadir, "datadir", defDir, "statusd data directory (env STATUSD_DATADIR)")
	fs.StringVar(&o.ipc, "ipc", "", "IPC socket path (default <datadir>/statusd.ipc)")
	fs.StringVar(&o.url, "rpc", "", "HTTP(S) or WebSocket endpoint instead of IPC, e.g. http://127.0.0.1:8545")
	fs.StringVar(&o.token, "token", "", "bearer token file for --rpc (default <datadir>/rpc.token)")
	fs.StringVar(&o.cacert, "cacert", "", "PEM certificate to trust for an https:// or wss:// --rpc (a self-signed one)")
	fs.BoolVar(&o.json, "json", false, "print JSON for scripts")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up after this long (watch and history ignore it)")
}

// command is one statusctl command.
type command struct {
	name    string
	args    string // argument synopsis, e.g. "CHAT TEXT…"
	short   string // the synopsis in the command list, when not name and args
	summary string // one line for the command list
	help    string // what it does, with examples
	min     int    // fewest positional arguments
	max     int    // most positional arguments; -1 = any
	// flags declares the command's own flags (may be nil).
	flags func(fs *flag.FlagSet, f *cmdFlags)
	run   func(s *session, args []string) error
}

// cmdFlags holds every command-specific flag.
type cmdFlags struct {
	limit     int
	count     int
	since     string
	mailsrv   string
	noMarking bool
	photo     string
	noPhoto   bool
}

func (c *command) usage() string {
	if c.args == "" {
		return "statusctl " + c.name
	}
	return "statusctl " + c.name + " " + c.args
}

// synopsis is the command's line in the command list.
func (c *command) synopsis() string {
	if c.short != "" {
		return c.short
	}
	return strings.TrimPrefix(c.usage(), "statusctl ")
}

// usageError is a mistake on the command line (exit status 2).
type usageError string

func (e usageError) Error() string { return string(e) }

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var o options
	global := flag.NewFlagSet("statusctl", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	o.bind(global, getenv)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printOverview(stdout, global)
			return 0
		}
		fmt.Fprintf(stderr, "statusctl: %v\nRun 'statusctl help' for the commands and options.\n", err)
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 {
		printOverview(stderr, global)
		return 2
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return help(rest, stdout, stderr, global)
	}
	cmd := lookupCommand(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "statusctl: unknown command %q; the commands are: %s\nRun 'statusctl help' for what each does.\n", name, strings.Join(commandNames(), ", "))
		return 2
	}
	var f cmdFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	before := o
	o.bind(fs, getenv) // sets the defaults again…
	o = before         // …so restore the global flags given before the command
	if cmd.flags != nil {
		cmd.flags(fs, &f)
	}
	pos, err := parseAnywhere(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(stdout, cmd, fs)
		return 0
	}
	if err == nil {
		err = checkArgCount(cmd, pos)
	}
	if err != nil {
		fmt.Fprintf(stderr, "statusctl %s: %v\nusage: %s (see 'statusctl help %s')\n", name, err, cmd.usage(), name)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	s := &session{ctx: ctx, o: o, f: f, out: stdout, errw: stderr}
	defer s.close()
	if err := cmd.run(s, pos); err != nil {
		fmt.Fprintf(stderr, "statusctl: %v\n", s.explain(err))
		var usage usageError
		if errors.As(err, &usage) {
			return 2
		}
		return 1
	}
	return 0
}

// parseAnywhere parses flags wherever they stand among the positional
// arguments, which it returns in order. After "--" everything is
// positional.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func checkArgCount(cmd *command, pos []string) error {
	switch {
	case len(pos) < cmd.min && cmd.min == cmd.max:
		return fmt.Errorf("needs %d argument(s), got %d", cmd.min, len(pos))
	case len(pos) < cmd.min:
		return fmt.Errorf("needs at least %d argument(s), got %d", cmd.min, len(pos))
	case cmd.max >= 0 && len(pos) > cmd.max:
		return fmt.Errorf("takes at most %d argument(s), got %d: %q (quote a text with spaces, or put options before --)", cmd.max, len(pos), pos)
	}
	return nil
}

func help(args []string, stdout, stderr io.Writer, global *flag.FlagSet) int {
	if len(args) == 0 {
		printOverview(stdout, global)
		return 0
	}
	cmd := lookupCommand(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "statusctl: unknown command %q; the commands are: %s\n", args[0], strings.Join(commandNames(), ", "))
		return 2
	}
	var f cmdFlags
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	var o options
	o.bind(fs, func(string) string { return "" })
	if cmd.flags != nil {
		cmd.flags(fs, &f)
	}
	printCommandHelp(stdout, cmd, fs)
	return 0
}

func printOverview(w io.Writer, global *flag.FlagSet) {
	fmt.Fprintf(w, "statusctl controls a running statusd.\n\nusage: statusctl [options] COMMAND [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-44s %s\n", c.synopsis(), c.summary)
	}
	fmt.Fprintf(w, "  %-44s %s\n", "help [COMMAND]", "this text, or a command's help with examples")
	fmt.Fprintf(w, "\nOptions (anywhere on the line; -- ends them):\n")
	global.SetOutput(w)
	global.PrintDefaults()
	global.SetOutput(io.Discard)
	fmt.Fprintf(w, "\nCHAT is a public chat name, a 0x04… chat key, a contact's name, or the short reference `statusctl chats` shows.\n")
}

func printCommandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", cmd.usage(), strings.TrimSpace(cmd.help))
	own := false
	fs.VisitAll(func(f *flag.Flag) {
		if isGlobalFlag(f.Name) {
			return
		}
		if !own {
			fmt.Fprintf(w, "\nOptions:\n")
			own = true
		}
		fmt.Fprintf(w, "  --%s\t%s (default %q)\n", f.Name, f.Usage, f.DefValue)
	})
	fmt.Fprintf(w, "\nGlobal options (--datadir, --ipc, --rpc, --token, --cacert, --json, --timeout): see 'statusctl help'.\n")
}

func isGlobalFlag(name string) bool {
	switch name {
	case "datadir", "ipc", "rpc", "token", "cacert", "json", "timeout":
		return true
	}
	return false
}

func lookupCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return append(names, "help")
}

// session is one command's connection to the node, dialled on first use.
type session struct {
	ctx  context.Context
	o    options
	f    cmdFlags
	out  io.Writer
	errw io.Writer

	client       *rpc.Client
	endpoint     string // what was dialled, for messages
	tokenMissing string // the token file looked for and not found ("" = found or not needed)

	people     []contactRow // statusd_contacts, once read (contactList)
	peopleRead bool
}

// rpc returns the connection, dialling it on first use.
func (s *session) rpc() (*rpc.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	c, err := s.dial()
	if err != nil {
		return nil, err
	}
	s.client = c
	return c, nil
}

func (s *session) close() {
	if s.client != nil {
		s.client.Close()
	}
}

// call is rpc.Client.CallContext on the session's connection.
func (s *session) call(result any, method string, params ...any) error {
	c, err := s.rpc()
	if err != nil {
		return err
	}
	return c.CallContext(s.ctx, result, method, params...)
}
