// Package config holds the daemon's configuration: one struct with the
// defaults in one place, validation, and the three ways to set each field —
// a TOML file, STATUSD_* environment variables and command-line flags, applied
// in that order so a flag wins over the environment, which wins over the file.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/statusnode/statusd/internal/fleet"
	"github.com/statusnode/statusd/transport/timesource"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("config: invalid")

// Config is the effective configuration of one statusd. The toml tags are
// the keys of the config file; settings.go maps each field to its flag and
// environment variable.
type Config struct {
	DataDir      string `toml:"datadir" comment:"Directory for keys, the database and the IPC socket (flag --datadir)."`
	PasswordFile string `toml:"password" comment:"File holding the account password; STATUSD_PASSWORD may hold the password itself (flag --password)."`
	NetworkID    uint64 `toml:"networkid" comment:"Network identifier reported by net_version (flag --networkid)."`
	LightKDF     bool   `toml:"lightkdf" comment:"Weaker, faster key derivation for new keystore files; for tests only (flag --lightkdf)."`
	Fleet        string `toml:"fleet" comment:"Built-in 2019 fleet to join: eth.beta, eth.staging or eth.test adds its boot nodes, two of its Whisper nodes as static peers and its mailservers; none joins no fleet (flag --fleet)."`

	P2P        P2P        `toml:"p2p"`
	HTTP       HTTP       `toml:"http"`
	WS         WS         `toml:"ws"`
	IPC        IPC        `toml:"ipc"`
	RPC        RPC        `toml:"rpc"`
	Log        Log        `toml:"log"`
	Metrics    Metrics    `toml:"metrics"`
	Whisper    Whisper    `toml:"whisper"`
	Mailserver Mailserver `toml:"mailserver"`
	DataSync   DataSync   `toml:"datasync"`
	NTP        NTP        `toml:"ntp"`
	ENS        ENS        `toml:"ens"`
}

// P2P configures the devp2p server.
type P2P struct {
	Port         int      `toml:"port" comment:"devp2p TCP listen port; 0 picks a free one (flag --port)."`
	NoDiscover   bool     `toml:"nodiscover" comment:"Disable peer discovery (flag --nodiscover)."`
	DiscoveryV5  bool     `toml:"v5disc" comment:"Also run discovery v5 (flag --v5disc)."`
	Topics       bool     `toml:"topics" comment:"Advertise this node's roles in its node record (ENR entry whisper on a Whisper node that forwards, whispermail on a mailserver) and search discovery v4 and v5 for other nodes' roles, in place of 2019's discovery v5 topics: dial only the relays found, and add the mailservers found to mailserver selection; needs discovery (flag --discovery.topics)."`
	TopicRelays  int      `toml:"topicrelays" comment:"Relays found by the search that are kept connected or being dialled, status-go's 2 by default (flag --discovery.relays)."`
	TopicMail    int      `toml:"topicmailservers" comment:"Mailservers found by the search that are added to mailserver selection in one run, and remembered; 0 adds none (flag --discovery.mailservers)."`
	BootNodes    []string `toml:"bootnodes" comment:"Enode URLs used to find peers (flag --bootnodes, comma-separated)."`
	StaticNodes  []string `toml:"staticnodes" comment:"Enode URLs kept connected (flag --staticnodes, comma-separated)."`
	TrustedNodes []string `toml:"trustednodes" comment:"Enode URLs always allowed to connect (flag --trustednodes, comma-separated)."`
	MaxPeers     int      `toml:"maxpeers" comment:"Maximum number of peers (flag --maxpeers)."`
}

// HTTP configures the JSON-RPC HTTP endpoint.
type HTTP struct {
	Enabled    bool     `toml:"enabled" comment:"Serve JSON-RPC over HTTP (flag --http)."`
	Addr       string   `toml:"addr" comment:"HTTP listen address (flag --http.addr)."`
	Port       int      `toml:"port" comment:"HTTP listen port (flag --http.port)."`
	CORSDomain []string `toml:"corsdomain" comment:"Browser origins allowed by CORS (flag --http.corsdomain, comma-separated)."`
	VHosts     []string `toml:"vhosts" comment:"Host header names accepted; * accepts any (flag --http.vhosts, comma-separated)."`
	TLSCert    string   `toml:"tlscert" comment:"PEM certificate (chain) file: serve HTTP and WebSocket over TLS; reloaded on SIGHUP (flag --http.tls.cert)."`
	TLSKey     string   `toml:"tlskey" comment:"PEM private key file of --http.tls.cert (flag --http.tls.key)."`
	Insecure   bool     `toml:"insecure" comment:"Allow HTTP and WebSocket on a non-loopback address without TLS, e.g. behind a TLS reverse proxy (flag --http.insecure)."`
}

// TLS reports whether the HTTP and WebSocket endpoints serve TLS.
func (h *HTTP) TLS() bool { return h.TLSCert != "" }

// WS configures the JSON-RPC WebSocket endpoint.
type WS struct {
	Enabled bool   `toml:"enabled" comment:"Serve JSON-RPC over WebSocket (flag --ws)."`
	Addr    string `toml:"addr" comment:"WebSocket listen address (flag --ws.addr)."`
	Port    int    `toml:"port" comment:"WebSocket listen port (flag --ws.port)."`
}

// IPC configures the JSON-RPC Unix socket.
type IPC struct {
	Disable bool   `toml:"disable" comment:"Do not serve JSON-RPC over IPC (flag --ipcdisable)."`
	Path    string `toml:"path" comment:"IPC socket path; empty means <datadir>/statusd.ipc (flag --ipcpath)."`
}

// RPC holds settings shared by the JSON-RPC endpoints.
type RPC struct {
	Modules          []string `toml:"modules" comment:"Namespaces served over HTTP and WebSocket; IPC serves all (flag --rpc.modules, comma-separated)."`
	NoAuth           bool     `toml:"noauth" comment:"Serve HTTP and WebSocket without the bearer token in <datadir>/rpc.token (flag --rpc.noauth)."`
	MaxSubscriptions int      `toml:"maxsubscriptions" comment:"Subscriptions one WebSocket or IPC connection may hold (flag --rpc.maxsubscriptions)."`
}

// Log configures logging.
type Log struct {
	Level  string `toml:"level" comment:"debug, info, warn or error (flag --log.level)."`
	Format string `toml:"format" comment:"console or json (flag --log.format)."`
}

// Metrics configures the Prometheus endpoint.
type Metrics struct {
	Enabled bool     `toml:"enabled" comment:"Serve Prometheus metrics (flag --metrics)."`
	Addr    string   `toml:"addr" comment:"Metrics listen address host:port (flag --metrics.addr)."`
	Pprof   bool     `toml:"pprof" comment:"Also serve Go runtime profiles under /debug/pprof/ on the metrics address (flag --metrics.pprof)."`
	VHosts  []string `toml:"vhosts" comment:"Host header names the metrics address accepts; * accepts any (flag --metrics.vhosts, comma-separated)."`
	Auth    bool     `toml:"auth" comment:"Require the RPC bearer token on the metrics address (flag --metrics.auth)."`
}

// Whisper configures the Whisper v6 router and the shh_ namespace.
type Whisper struct {
	MinPoW         float64 `toml:"minpow" comment:"Minimum PoW of accepted envelopes (flag --shh.pow)."`
	MaxMessageSize int     `toml:"maxmessagesize" comment:"Largest accepted envelope or packet in bytes, at most 10 MiB (flag --shh.maxmessagesize)."`
	LightClient    bool    `toml:"lightclient" comment:"Light client: do not forward other peers' envelopes (flag --shh.lightclient)."`
	RateEnvelopes  int     `toml:"ratelimitenvelopes" comment:"Envelopes per second read from one untrusted peer after a burst of 40 seconds' worth; a faster peer is slowed, never dropped; 0 is unlimited (flag --shh.ratelimit.envelopes)."`
	RateBytes      int     `toml:"ratelimitbytes" comment:"Envelope bytes per second read from one untrusted peer after a burst of 40 seconds' worth; a faster peer is slowed, never dropped; 0 is unlimited (flag --shh.ratelimit.bytes)."`
	GetPrivateKey  bool    `toml:"getprivatekey" comment:"Allow shh_getPrivateKey to return private keys (flag --shh.getprivatekey)."`
	MaxFilters     int     `toml:"maxfilters" comment:"Message filters the node holds at once (flag --shh.maxfilters)."`
	FilterBytes    int     `toml:"filterbytes" comment:"Bytes one polled filter holds between two polls; past it the next poll reports how many messages were lost (flag --shh.filterbytes)."`
	MaxKeys        int     `toml:"maxkeys" comment:"Key pairs and symmetric keys the node holds at once (flag --shh.maxkeys)."`
}

// Mailserver configures the mailserver roles (docs/PROTOCOL.md §4.5, §8):
// the server archives and serves history; the client requests it.
type Mailserver struct {
	Enabled   bool     `toml:"enabled" comment:"Run the mailserver server role: archive envelopes and serve history requests (flag --mailserver)."`
	DB        string   `toml:"db" comment:"Archive backend: a postgres:// DSN, or empty for goleveldb in <datadir>/mailserver (flag --mailserver.db)."`
	Password  string   `toml:"password" comment:"Password whose key opens symmetric requests; requests to the node key always work (flag --mailserver.password)."`
	Retention string   `toml:"retention" comment:"How long archived envelopes are kept, a Go duration (flag --mailserver.retention)."`
	Topics    []string `toml:"topics" comment:"Archive only these 4-byte hex topics; empty archives all (flag --mailserver.topics, comma-separated)."`
	RateLimit int      `toml:"ratelimit" comment:"History requests per minute accepted from one peer; -1 is unlimited (flag --mailserver.ratelimit)."`
	Servers   []string `toml:"servers" comment:"Client role: mailserver enode URLs, before the fleet's; the one used last, else the fastest to answer a ping, is kept connected, and replaced after 2 failed requests (flag --mailserver.servers, comma-separated)."`
	Timeout   string   `toml:"timeout" comment:"Client role: time to wait for each request page, a Go duration (flag --mailserver.timeout)."`
	Backfill  bool     `toml:"backfill" comment:"Client role: on start, fetch tracked topics from their last covered time when a mailserver connects (flag --mailserver.backfill)."`
	// Confirmations is status-go's MailServerConfirmations.
	Confirmations bool `toml:"confirmations" comment:"A message posted is marked sent only on a mailserver's word (its code-11 acknowledgement, or a write to one that does not confirm), not on any peer's: status-go's MailServerConfirmations, off by default as there (flag --mailserver.confirmations)."`
}

// DataSync configures the data-sync layer (MVDS) under 1:1 and group
// chats (docs/PROTOCOL.md §6.3).
type DataSync struct {
	RetainIDs string `toml:"retainids" comment:"How long the IDs of data-sync messages already delivered are kept, a Go duration: a retransmitted copy within it is acknowledged without being processed again, one after it is dropped as a duplicate message; each ID kept costs about 100 bytes of memory (flag --datasync.retainids)."`
}

func (d *DataSync) validate() error {
	if v, err := time.ParseDuration(d.RetainIDs); err != nil || v <= 0 {
		return fmt.Errorf("%w: --datasync.retainids %q is not a positive duration", ErrInvalid, d.RetainIDs)
	}
	return nil
}

// NTP configures the clock correction (transport/timesource): the node's
// clock is the host clock plus the median offset of the SNTP servers.
type NTP struct {
	Enabled bool     `toml:"enabled" comment:"Correct the host clock by the median offset of the SNTP servers, for envelope timestamps, acceptance windows and Status clocks (flag --ntp.enabled)."`
	Servers []string `toml:"servers" comment:"SNTP servers, host or host:port; an empty list turns the correction off (flag --ntp.servers, comma-separated)."`
}

// ENS configures shhext_verifyENSNames (internal/ens) and our own ENS name.
type ENS struct {
	RPC  string `toml:"rpc" comment:"Ethereum JSON-RPC endpoint (http:// or https:// URL) that shhext_verifyENSNames asks, with eth_call, for the public key an ENS name records; empty leaves the method answering an error (flag --ens.rpc)."`
	Name string `toml:"name" comment:"Our ENS name, put in every text and emoji message we send, as 2019 clients did for users who chose to show theirs; not verified; empty sends none (flag --ens.name)."`
}

func (e *ENS) validate() error {
	if e.RPC == "" {
		return nil
	}
	u, err := url.Parse(e.RPC)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: --ens.rpc %q is not an http:// or https:// URL", ErrInvalid, e.RPC)
	}
	return nil
}

// NTPServers returns the SNTP servers to query: none when the correction
// is off.
func (c *Config) NTPServers() []string {
	if !c.NTP.Enabled {
		return nil
	}
	return c.NTP.Servers
}

// Default returns the embedded defaults. Every default lives here.
func Default() Config {
	return Config{
		DataDir:   "data",
		NetworkID: 1,
		Fleet:     fleet.Default,
		P2P: P2P{
			Port:         30303,
			BootNodes:    []string{},
			StaticNodes:  []string{},
			TrustedNodes: []string{},
			MaxPeers:     25,
			Topics:       true,
			TopicRelays:  2, // status-go v0.35's limits for its whisper
			TopicMail:    3, // and whispermail topics
		},
		HTTP: HTTP{
			Addr:       "127.0.0.1",
			Port:       8545,
			CORSDomain: []string{},
			VHosts:     []string{"localhost"},
		},
		WS:      WS{Addr: "127.0.0.1", Port: 8546},
		RPC:     RPC{Modules: []string{"web3", "net", "admin", "shh", "shhext", "statusd", "mailserver", "mailservers"}, MaxSubscriptions: 1000},
		Log:     Log{Level: "info", Format: "console"},
		Metrics: Metrics{Addr: "127.0.0.1:6060", VHosts: []string{"localhost"}},
		Whisper: Whisper{
			MinPoW:         0.001,
			MaxMessageSize: 1 << 20,
			RateEnvelopes:  500,
			RateBytes:      4 << 20,
			MaxFilters:     5000,
			FilterBytes:    16 << 20,
			MaxKeys:        10000,
		},
		Mailserver: Mailserver{
			Password:  "status-offline-inbox",
			Retention: "720h",
			Topics:    []string{},
			RateLimit: 60,
			Servers:   []string{},
			Timeout:   "10s",
		},
		DataSync: DataSync{RetainIDs: "168h"},
		NTP:      NTP{Enabled: true, Servers: timesource.DefaultServers()},
	}
}

// IPCPath returns the IPC socket path, or "" when IPC is disabled.
func (c *Config) IPCPath() string {
	if c.IPC.Disable {
		return ""
	}
	if c.IPC.Path != "" {
		return c.IPC.Path
	}
	return filepath.Join(c.DataDir, "statusd.ipc")
}

// Validate reports the first setting that cannot work, naming its flag.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("%w: --datadir must not be empty", ErrInvalid)
	}
	for _, p := range []struct {
		flag string
		v    int
	}{{"port", c.P2P.Port}, {"http.port", c.HTTP.Port}, {"ws.port", c.WS.Port}} {
		if p.v < 0 || p.v > 65535 {
			return fmt.Errorf("%w: --%s %d is not a TCP port (0-65535)", ErrInvalid, p.flag, p.v)
		}
	}
	if err := c.validateRPCExposure(); err != nil {
		return err
	}
	if _, err := fleet.Get(c.Fleet); err != nil {
		return fmt.Errorf("%w: --fleet: %v", ErrInvalid, err)
	}
	if c.P2P.MaxPeers < 0 {
		return fmt.Errorf("%w: --maxpeers must not be negative", ErrInvalid)
	}
	if c.P2P.TopicRelays < 1 {
		return fmt.Errorf("%w: --discovery.relays must be at least 1", ErrInvalid)
	}
	if c.P2P.TopicMail < 0 {
		return fmt.Errorf("%w: --discovery.mailservers must not be negative", ErrInvalid)
	}
	if c.RPC.MaxSubscriptions < 1 {
		return fmt.Errorf("%w: --rpc.maxsubscriptions must be at least 1", ErrInvalid)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("%w: --log.level %q is not one of debug, info, warn, error", ErrInvalid, c.Log.Level)
	}
	switch c.Log.Format {
	case "console", "json":
	default:
		return fmt.Errorf("%w: --log.format %q is not one of console, json", ErrInvalid, c.Log.Format)
	}
	if c.Metrics.Pprof && !c.Metrics.Enabled {
		return fmt.Errorf("%w: --metrics.pprof serves on the metrics address and needs --metrics", ErrInvalid)
	}
	if c.Metrics.Enabled {
		if _, _, err := net.SplitHostPort(c.Metrics.Addr); err != nil {
			return fmt.Errorf("%w: --metrics.addr %q: %v", ErrInvalid, c.Metrics.Addr, err)
		}
	}
	if err := c.Whisper.validate(); err != nil {
		return err
	}
	if err := c.Mailserver.validate(); err != nil {
		return err
	}
	if err := c.DataSync.validate(); err != nil {
		return err
	}
	if err := c.ENS.validate(); err != nil {
		return err
	}
	for _, s := range c.NTP.Servers {
		if s == "" || strings.ContainsAny(s, " /") {
			return fmt.Errorf("%w: --ntp.servers entry %q is not a host or host:port", ErrInvalid, s)
		}
	}
	for _, m := range c.RPC.Modules {
		if m == "" || strings.ContainsAny(m, " _") {
			return fmt.Errorf("%w: --rpc.modules entry %q is not a namespace name", ErrInvalid, m)
		}
	}
	return nil
}

// validateRPCExposure refuses to serve JSON-RPC in clear text beyond this
// host: the bearer token and every message would cross the network
// readable. TLS (--http.tls.cert/--http.tls.key) or --http.insecure lifts it.
func (c *Config) validateRPCExposure() error {
	if (c.HTTP.TLSCert == "") != (c.HTTP.TLSKey == "") {
		return fmt.Errorf("%w: --http.tls.cert and --http.tls.key go together", ErrInvalid)
	}
	if c.HTTP.TLS() || c.HTTP.Insecure {
		return nil
	}
	for _, ep := range []struct {
		on         bool
		flag, addr string
	}{{c.HTTP.Enabled, "http.addr", c.HTTP.Addr}, {c.WS.Enabled, "ws.addr", c.WS.Addr}} {
		if ep.on && !isLoopback(ep.addr) {
			return fmt.Errorf("%w: --%s %s is reachable from other machines and JSON-RPC there would travel in clear text, token included: "+
				"serve TLS with --http.tls.cert and --http.tls.key, or pass --http.insecure to allow it (e.g. behind a TLS reverse proxy)",
				ErrInvalid, ep.flag, ep.addr)
		}
	}
	return nil
}

// isLoopback reports whether addr is "localhost" or a loopback IP address.
func isLoopback(addr string) bool {
	if addr == "localhost" {
		return true
	}
	ip := net.ParseIP(addr)
	return ip != nil && ip.IsLoopback()
}

// maxWhisperMessageSize is Whisper's hard cap (docs/PROTOCOL.md §4.4).
const maxWhisperMessageSize = 10 << 20

func (w *Whisper) validate() error {
	switch {
	case math.IsNaN(w.MinPoW) || math.IsInf(w.MinPoW, 0) || w.MinPoW < 0:
		return fmt.Errorf("%w: --shh.pow %v must be a non-negative number", ErrInvalid, w.MinPoW)
	case w.MaxMessageSize < 1 || w.MaxMessageSize > maxWhisperMessageSize:
		return fmt.Errorf("%w: --shh.maxmessagesize %d is not within 1-%d", ErrInvalid, w.MaxMessageSize, maxWhisperMessageSize)
	case w.RateEnvelopes < 0:
		return fmt.Errorf("%w: --shh.ratelimit.envelopes must not be negative", ErrInvalid)
	case w.RateBytes < 0:
		return fmt.Errorf("%w: --shh.ratelimit.bytes must not be negative", ErrInvalid)
	case w.MaxFilters < 1 || w.MaxKeys < 1:
		return fmt.Errorf("%w: --shh.maxfilters and --shh.maxkeys must be at least 1", ErrInvalid)
	case w.FilterBytes < 64<<10:
		return fmt.Errorf("%w: --shh.filterbytes must be at least 65536", ErrInvalid)
	}
	return nil
}

func (m *Mailserver) validate() error {
	for _, d := range []struct{ flag, v string }{{"mailserver.retention", m.Retention}, {"mailserver.timeout", m.Timeout}} {
		if v, err := time.ParseDuration(d.v); err != nil || v <= 0 {
			return fmt.Errorf("%w: --%s %q is not a positive duration", ErrInvalid, d.flag, d.v)
		}
	}
	for _, t := range m.Topics {
		if b, err := hex.DecodeString(strings.TrimPrefix(t, "0x")); err != nil || len(b) != 4 {
			return fmt.Errorf("%w: --mailserver.topics entry %q is not a 4-byte hex topic", ErrInvalid, t)
		}
	}
	if m.RateLimit < -1 {
		return fmt.Errorf("%w: --mailserver.ratelimit must be -1 or more", ErrInvalid)
	}
	if m.DB != "" && !strings.HasPrefix(m.DB, "postgres://") && !strings.HasPrefix(m.DB, "postgresql://") {
		return fmt.Errorf("%w: --mailserver.db must be a postgres:// DSN or empty", ErrInvalid)
	}
	return nil
}
