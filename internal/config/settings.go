package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// flagNames maps each config-file key (section.key) to its command-line flag,
// geth style. Every leaf field of Config must appear here; a test checks it.
func flagNames() map[string]string {
	return map[string]string{
		"datadir":              "datadir",
		"password":             "password",
		"networkid":            "networkid",
		"lightkdf":             "lightkdf",
		"fleet":                "fleet",
		"p2p.port":             "port",
		"p2p.nodiscover":       "nodiscover",
		"p2p.v5disc":           "v5disc",
		"p2p.topics":           "discovery.topics",
		"p2p.topicrelays":      "discovery.relays",
		"p2p.topicmailservers": "discovery.mailservers",
		"p2p.bootnodes":        "bootnodes",
		"p2p.staticnodes":      "staticnodes",
		"p2p.trustednodes":     "trustednodes",
		"p2p.maxpeers":         "maxpeers",
		"http.enabled":         "http",
		"http.addr":            "http.addr",
		"http.port":            "http.port",
		"http.corsdomain":      "http.corsdomain",
		"http.vhosts":          "http.vhosts",
		"http.tlscert":         "http.tls.cert",
		"http.tlskey":          "http.tls.key",
		"http.insecure":        "http.insecure",
		"ws.enabled":           "ws",
		"ws.addr":              "ws.addr",
		"ws.port":              "ws.port",
		"ipc.disable":          "ipcdisable",
		"ipc.path":             "ipcpath",
		"rpc.modules":          "rpc.modules",
		"rpc.noauth":           "rpc.noauth",
		"rpc.maxsubscriptions": "rpc.maxsubscriptions",
		"log.level":            "log.level",
		"log.format":           "log.format",
		"metrics.enabled":      "metrics",
		"metrics.addr":         "metrics.addr",
		"metrics.pprof":        "metrics.pprof",
		"metrics.vhosts":       "metrics.vhosts",
		"metrics.auth":         "metrics.auth",

		"whisper.minpow":             "shh.pow",
		"whisper.maxmessagesize":     "shh.maxmessagesize",
		"whisper.lightclient":        "shh.lightclient",
		"whisper.ratelimitenvelopes": "shh.ratelimit.envelopes",
		"whisper.ratelimitbytes":     "shh.ratelimit.bytes",
		"whisper.getprivatekey":      "shh.getprivatekey",
		"whisper.maxfilters":         "shh.maxfilters",
		"whisper.filterbytes":        "shh.filterbytes",
		"whisper.maxkeys":            "shh.maxkeys",

		"mailserver.enabled":       "mailserver",
		"mailserver.db":            "mailserver.db",
		"mailserver.password":      "mailserver.password",
		"mailserver.retention":     "mailserver.retention",
		"mailserver.topics":        "mailserver.topics",
		"mailserver.ratelimit":     "mailserver.ratelimit",
		"mailserver.servers":       "mailserver.servers",
		"mailserver.timeout":       "mailserver.timeout",
		"mailserver.backfill":      "mailserver.backfill",
		"mailserver.confirmations": "mailserver.confirmations",

		"datasync.retainids": "datasync.retainids",

		"ntp.enabled": "ntp.enabled",
		"ntp.servers": "ntp.servers",

		"ens.rpc":  "ens.rpc",
		"ens.name": "ens.name",
	}
}

// Setting is one configurable field: its file key, flag, environment
// variable and help text, bound to a field of a Config value.
type Setting struct {
	Key   string // config file key, "section.key"
	Flag  string // flag name without dashes
	Env   string // environment variable
	Usage string // help text (the field's comment without the flag hint)
	field reflect.Value
}

// IsBool reports whether the setting is a boolean switch.
func (s *Setting) IsBool() bool { return s.field.Kind() == reflect.Bool }

// Set parses text into the bound field. Lists are comma-separated; an empty
// string sets an empty list.
func (s *Setting) Set(text string) error {
	switch s.field.Kind() {
	case reflect.String:
		s.field.SetString(text)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not true or false", text)
		}
		s.field.SetBool(b)
	case reflect.Int:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
		if err != nil {
			return fmt.Errorf("%q is not an integer", text)
		}
		s.field.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a non-negative integer", text)
		}
		s.field.SetUint(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%q is not a number", text)
		}
		s.field.SetFloat(f)
	case reflect.Slice:
		list := []string{}
		for _, item := range strings.Split(text, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		s.field.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("unsupported setting type %s", s.field.Kind())
	}
	return nil
}

// String formats the bound field's current value as Set accepts it.
func (s *Setting) String() string {
	if s.field.Kind() == reflect.Slice {
		return strings.Join(s.field.Interface().([]string), ",")
	}
	return fmt.Sprint(s.field.Interface())
}

// envName is the environment variable of a flag: STATUSD_ and the flag name
// in upper case with dots as underscores. The password flag names a file, so
// its variable is STATUSD_PASSWORD_FILE; STATUSD_PASSWORD holds the password.
func envName(flag string) string {
	if flag == "password" {
		return "STATUSD_PASSWORD_FILE"
	}
	return "STATUSD_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(flag))
}

// Settings lists every setting bound to the fields of c, in declaration order.
func Settings(c *Config) []*Setting {
	names := flagNames()
	var out []*Setting
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := prefix + f.Tag.Get("toml")
			if f.Type.Kind() == reflect.Struct {
				walk(v.Field(i), key+".")
				continue
			}
			flag, ok := names[key]
			if !ok {
				panic("config: no flag for key " + key) // caught by the package tests
			}
			usage, _, _ := strings.Cut(f.Tag.Get("comment"), " (flag ")
			out = append(out, &Setting{Key: key, Flag: flag, Env: envName(flag), Usage: usage, field: v.Field(i)})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}
