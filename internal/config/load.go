package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// maxConfigFile bounds the config file read into memory.
const maxConfigFile = 1 << 20

// ErrFile is wrapped by errors about the config file.
var ErrFile = errors.New("config: bad config file")

// Result is what Load found on the command line besides the settings.
type Result struct {
	Config  Config
	Command string   // first positional argument ("" when none)
	Args    []string // positional arguments after Command
	File    string   // config file used, "" when none
}

// Load builds the effective configuration: defaults, then the TOML file named
// by --config (or STATUSD_CONFIG), then STATUSD_* variables from getenv, then
// flags. Flags may stand before and after the command word
// ("statusd --datadir x dumpconfig --port 1"). Errors name the flag,
// variable, or file key and line at fault. flag.ErrHelp is returned for -h.
func Load(args []string, getenv func(string) string, usage io.Writer) (Result, error) {
	res := Result{Config: Default()}
	fs, raw, configFlag := newFlagSet(usage)

	rest := args
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			return res, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
	if len(positional) > 0 {
		res.Command, res.Args = positional[0], positional[1:]
	}

	res.File = *configFlag
	if res.File == "" {
		res.File = getenv("STATUSD_CONFIG")
	}
	if res.File != "" {
		if err := LoadFile(res.File, &res.Config); err != nil {
			return res, err
		}
	}
	settings := Settings(&res.Config)
	for _, s := range settings {
		if v, ok := lookup(getenv, s.Env); ok {
			if err := s.Set(v); err != nil {
				return res, fmt.Errorf("%w: environment %s: %v", ErrInvalid, s.Env, err)
			}
		}
	}
	for _, s := range settings {
		for _, v := range raw[s.Flag] {
			if err := s.Set(v); err != nil {
				return res, fmt.Errorf("%w: flag --%s: %v", ErrInvalid, s.Flag, err)
			}
		}
	}
	return res, res.Config.Validate()
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// rawFlag records every occurrence of a flag as text, to be applied after
// the config file and the environment.
type rawFlag struct {
	name   string
	isBool bool
	seen   map[string][]string
}

func (r *rawFlag) String() string   { return "" }
func (r *rawFlag) IsBoolFlag() bool { return r.isBool }
func (r *rawFlag) Set(v string) error {
	r.seen[r.name] = append(r.seen[r.name], v)
	return nil
}

// newFlagSet declares every setting's flag plus --config. Values are kept as
// text in the returned map, keyed by flag name.
func newFlagSet(usage io.Writer) (*flag.FlagSet, map[string][]string, *string) {
	fs := flag.NewFlagSet("statusd", flag.ContinueOnError)
	fs.SetOutput(usage)
	raw := make(map[string][]string)
	defaults := Default()
	for _, s := range Settings(&defaults) {
		help := fmt.Sprintf("%s (env %s, default %q)", s.Usage, s.Env, s.String())
		fs.Var(&rawFlag{name: s.Flag, isBool: s.IsBool(), seen: raw}, s.Flag, help)
	}
	configFile := fs.String("config", "", "TOML config file (env STATUSD_CONFIG)")
	return fs, raw, configFile
}

// PrintFlags writes every flag with its help text, environment variable
// and default, as flag.FlagSet.PrintDefaults formats them.
func PrintFlags(w io.Writer) {
	fs, _, _ := newFlagSet(w)
	fs.PrintDefaults()
}

// LoadFile applies the TOML file at path on top of c. An unknown key or a
// syntax error is an error naming the file, line and key.
func LoadFile(path string, c *Config) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFile, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return fmt.Errorf("%w: read %s: %v", ErrFile, path, err)
	}
	if len(data) > maxConfigFile {
		return fmt.Errorf("%w: %s is larger than %d bytes", ErrFile, path, maxConfigFile)
	}
	return Decode(path, data, c)
}

// Decode applies TOML text on top of c; name labels errors.
func Decode(name string, data []byte, c *Config) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(c)
	if err == nil {
		return nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		msgs := make([]string, 0, len(strict.Errors))
		for _, e := range strict.Errors {
			line, _ := e.Position()
			msgs = append(msgs, fmt.Sprintf("line %d: unknown key %q", line, strings.Join(e.Key(), ".")))
		}
		return fmt.Errorf("%w: %s: %s", ErrFile, name, strings.Join(msgs, "; "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		key := ""
		if k := de.Key(); len(k) > 0 {
			key = fmt.Sprintf(" (key %q)", strings.Join(k, "."))
		}
		return fmt.Errorf("%w: %s: line %d, column %d%s: %s", ErrFile, name, line, col, key,
			strings.TrimPrefix(de.Error(), "toml: "))
	}
	return fmt.Errorf("%w: %s: %v", ErrFile, name, err)
}

// Dump writes c as a commented TOML file that LoadFile reads back.
func Dump(w io.Writer, c *Config) error {
	out, err := toml.Marshal(c)
	if err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	_, err = fmt.Fprintf(w, "# statusd configuration (statusd dumpconfig).\n# Precedence: flags, then STATUSD_* environment variables, then this file, then defaults.\n\n%s", out)
	return err
}
