package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/api/apidocs"
	mailapi "github.com/statusnode/statusd/api/mailserver"
	"github.com/statusnode/statusd/api/mailservers"
	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/api/shhext"
	"github.com/statusnode/statusd/api/statusd"
	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/ens"
	"github.com/statusnode/statusd/internal/fleet"
	"github.com/statusnode/statusd/internal/identity"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/version"
	"github.com/statusnode/statusd/lib/metrics"
	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/atrest"
	storemailservers "github.com/statusnode/statusd/storage/mailservers"
	"github.com/statusnode/statusd/storage/topichistory"
	"github.com/statusnode/statusd/transport/devp2p"
	"github.com/statusnode/statusd/transport/mailserver"
	"github.com/statusnode/statusd/transport/timesource"
	"github.com/statusnode/statusd/transport/whisper"
)

// maxRPCBody is the request body limit of the JSON-RPC endpoints.
const maxRPCBody = 5 << 20

// Options configure a Node.
type Options struct {
	Config   config.Config
	Password string      // account password; required
	Log      *zap.Logger // nil means no logging
	// P2PListenHost is the host part of the devp2p listen address; ""
	// listens on every interface. Tests use 127.0.0.1.
	P2PListenHost string
	// Protocols are devp2p sub-protocols to run (the registration point
	// for Whisper and others).
	Protocols []p2p.Protocol
	// HostClock is the clock the SNTP offset corrects; nil means
	// time.Now. Tests pass a skewed clock to play a host whose clock is
	// wrong.
	HostClock func() time.Time
}

// Node is one running statusd. Start and Stop may be called from any
// goroutine; Stop is idempotent.
type Node struct {
	opts Options
	cfg  config.Config
	log  *zap.Logger

	mu      sync.Mutex
	started bool
	stopped bool
	stack   stack

	metrics     *metrics.Registry
	peers       peerLists // configured and fleet peers
	clock       *timesource.Source
	account     *identity.Account
	db          storage.Store
	ldb         *storage.LevelDB // the same database, for Health
	whisper     *whisper.Whisper
	mailserver  *mailserver.Server
	mailclient  *mailserver.Client
	messenger   *messenger.Messenger
	p2p         *devp2p.Server
	rpc         *api.Server
	tls         *certReloader // nil without --http.tls.cert
	metricsAddr string

	// settled is the messenger once started, for the mailserver client's
	// Settle (settle), which runs on the client's goroutines.
	settled atomic.Pointer[messenger.Messenger]
}

// New checks the options; it starts nothing and touches no files.
func New(opts Options) (*Node, error) {
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	f, err := fleet.Get(opts.Config.Fleet) // validated above
	if err != nil {
		return nil, err
	}
	peers := fleetPeers(opts.Config, f, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	return &Node{opts: opts, cfg: opts.Config, log: opts.Log, metrics: metrics.NewRegistry(), peers: peers}, nil
}

// TokenPath is the RPC bearer token file.
func (n *Node) TokenPath() string { return filepath.Join(n.cfg.DataDir, "rpc.token") }

// Start brings the node up. On error every component already started is
// stopped again and the error says which step failed.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started {
		return errors.New("node: already started")
	}
	n.started = true
	begin := time.Now()
	for _, step := range []struct {
		name string
		fn   func() error
	}{
		{"data directory", n.openDataDir},
		{"keys", n.loadKeys},
		{"database", n.openDB},
		{"clock", n.startClock},
		{"whisper", n.startWhisper},
		{"mailserver", n.startMailserver},
		{"messenger", n.startMessenger},
		{"devp2p", n.startP2P},
		{"mailserver selection", n.startSelection},
		{"rpc", n.startRPC},
		{"metrics", n.startMetrics},
	} {
		stepBegin := time.Now()
		if err := step.fn(); err != nil {
			n.stack.unwind()
			return stepError(step.name, err)
		}
		n.log.Debug("start step done", zap.String("step", step.name), zap.Duration("took", time.Since(stepBegin)))
	}
	n.log.Info("statusd started",
		zap.String("version", version.Get().ClientVersion()),
		zap.String("chat_key", n.messenger.ChatKey()),
		zap.String("alias", alias.Alias(&n.account.PrivateKey.PublicKey)),
		zap.String("fleet", n.cfg.Fleet),
		zap.String("enode", n.p2p.Self().URLv4()),
		zap.String("http", n.rpc.HTTPURL()),
		zap.String("ws", n.rpc.WSURL()),
		zap.String("ipc", n.rpc.IPCPath()),
		zap.String("token_file", n.tokenFileForLog()),
		zap.String("metrics", n.metricsAddr),
		zap.Duration("startup", time.Since(begin)))
	return nil
}

// stepError names the start step that failed, once: an error that already
// begins with the step's name ("devp2p: listen on …") is not prefixed again.
func stepError(step string, err error) error {
	if strings.HasPrefix(err.Error(), step+": ") {
		return fmt.Errorf("node: %w", err)
	}
	return fmt.Errorf("node: %s: %w", step, err)
}

func (n *Node) tokenFileForLog() string {
	if n.cfg.RPC.NoAuth {
		return "(disabled by --rpc.noauth)"
	}
	return n.TokenPath()
}

// Stop takes the node down in reverse order. It blocks until every
// component has stopped and is safe to call more than once.
func (n *Node) Stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped || !n.started {
		n.stopped = true
		return nil
	}
	n.stopped = true
	err := n.stack.unwind()
	if err != nil {
		n.log.Error("statusd stopped with errors", zap.Error(err))
	} else {
		n.log.Info("statusd stopped")
	}
	return err
}

func (n *Node) openDataDir() error {
	dir := n.cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tightened, err := tightenPermissions(dir)
	if err != nil {
		return err
	}
	if tightened > 0 {
		n.log.Warn("data directory was readable by other users; restricted it to its owner",
			zap.String("dir", dir), zap.Int("entries", tightened))
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return err
	}
	n.stack.push("data directory lock", lock.release)
	return nil
}

func (n *Node) loadKeys() error {
	kdf := identity.KDFStandard
	if n.cfg.LightKDF {
		kdf = identity.KDFLight
	}
	// Key derivation (scrypt) takes seconds; say so before it starts.
	ks := filepath.Join(n.cfg.DataDir, "keystore")
	if entries, _ := os.ReadDir(ks); len(entries) > 0 {
		n.log.Info("unlocking the account, this takes a few seconds", zap.String("keystore", ks))
	} else {
		n.log.Info("creating the account, this takes a few seconds", zap.String("keystore", ks))
	}
	begin := time.Now()
	acc, created, err := identity.LoadOrCreateAccount(ks, n.opts.Password, kdf)
	if err != nil {
		return err
	}
	n.account = acc
	n.log.Info("account unlocked", zap.String("address", acc.Address.Hex()), zap.Bool("created", created),
		zap.Duration("kdf", time.Since(begin)))
	if !n.cfg.RPC.NoAuth {
		if _, created, err := identity.LoadOrCreateToken(n.TokenPath()); err != nil {
			return err
		} else if created {
			n.log.Info("created RPC token", zap.String("file", n.TokenPath()))
		}
	}
	return nil
}

// openDB opens the database encrypted at rest under a key derived from
// the account key (storage/atrest), encrypting in place a plaintext
// database that an earlier statusd wrote.
func (n *Node) openDB() error {
	key, err := atrest.DeriveKey(n.account.PrivateKey)
	if err != nil {
		return err
	}
	db, res, err := atrest.Open(filepath.Join(n.cfg.DataDir, "db"), key)
	if err != nil {
		return err
	}
	if res.Recovered {
		n.log.Warn("finished encrypting the database after an interrupted start")
	}
	if res.Migrated > 0 {
		n.log.Info("database encrypted at rest", zap.Int("records", res.Migrated))
	}
	db.OnHealth(func(err error) {
		if err != nil {
			n.log.Error("database writes are failing; retrying every second, nothing is lost while reads go on", zap.Error(err))
		} else {
			n.log.Info("database writes work again")
		}
	})
	n.metrics.GaugeFunc("statusd_storage_healthy", "1 while database writes work, 0 while they fail (a full disk, say).", func() float64 {
		if db.Health() != nil {
			return 0
		}
		return 1
	})
	n.metrics.GaugeFunc("statusd_storage_sync_calls_total", "Requests to make the database's writes durable (before an MVDS ACK leaves, before a mailserver record is written).", func() float64 {
		calls, _ := db.SyncStats()
		return float64(calls)
	})
	n.metrics.GaugeFunc("statusd_storage_fsyncs_total", "Synced database journal writes; concurrent sync requests share one.", func() float64 {
		_, fsyncs := db.SyncStats()
		return float64(fsyncs)
	})
	n.stack.push("database", db.Close)
	before, err := storage.Migrate(db, storage.FormatVersion, nil)
	if err != nil {
		return err
	}
	if before != 0 && before != storage.FormatVersion {
		n.log.Info("database migrated", zap.Uint32("from", before), zap.Uint32("to", storage.FormatVersion))
	}
	n.db, n.ldb = db, db
	// Opening a database that exists replays its journal into a buffer of
	// goleveldb's write-buffer size (4 MiB) that is garbage once the open
	// returns. The next allocation of that size (the devp2p node table's
	// write buffer) would take those pages, and the runtime zeroes reused
	// pages unless they were returned to the OS, so they would stay
	// resident for the daemon's life. Returning them now lets it find
	// them as the kernel's untouched zero pages.
	debug.FreeOSMemory()
	return nil
}

// Health returns nil while the node can store what it receives and sends,
// else an error saying why (database writes failing, e.g. a full disk);
// asking also retries a failing database.
func (n *Node) Health() error {
	if n.ldb == nil { // set by openDB, before the RPC servers start
		return errors.New("node not started")
	}
	return n.ldb.Health()
}

// DB is the node's database; valid between Start and Stop.
func (n *Node) DB() storage.Store { return n.db }

func (n *Node) startP2P() error {
	key, _, err := identity.LoadOrCreateNodeKey(filepath.Join(n.cfg.DataDir, "nodekey"))
	if err != nil {
		return err
	}
	nodeDB := ""
	if !n.cfg.P2P.NoDiscover {
		nodeDB = filepath.Join(n.cfg.DataDir, "nodes")
	}
	srv, err := devp2p.New(devp2p.Config{
		PrivateKey:   key,
		Name:         version.Get().ClientVersion(),
		ListenAddr:   net.JoinHostPort(n.opts.P2PListenHost, strconv.Itoa(n.cfg.P2P.Port)),
		NoDiscovery:  n.cfg.P2P.NoDiscover,
		DiscoveryV5:  n.cfg.P2P.DiscoveryV5,
		BootNodes:    n.peers.boot,
		StaticNodes:  n.peers.static,
		TrustedNodes: n.cfg.P2P.TrustedNodes,
		MaxPeers:     n.cfg.P2P.MaxPeers,
		NodeDatabase: nodeDB,
		PeersFile:    filepath.Join(n.cfg.DataDir, "peers.json"),
		Topics:       n.topics(),
	}, n.log)
	if err != nil {
		return err
	}
	protos := append([]p2p.Protocol{n.whisper.Protocol()}, n.opts.Protocols...)
	if err := srv.Register(protos...); err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	n.p2p = srv
	n.stack.push("devp2p", srv.Stop)
	n.metrics.GaugeFunc("p2p_peers", "Connected devp2p peers.", func() float64 { return float64(srv.PeerCount()) })
	return nil
}

// startWhisper creates the Whisper router and starts it before devp2p, so
// that its sweeper runs and it accepts peers from the first connection; its
// Protocol is registered by startP2P. Being pushed first, it stops after
// devp2p, once no peer is left.
func (n *Node) startWhisper() error {
	wc := n.cfg.Whisper
	cfg := whisper.DefaultConfig()
	cfg.MinPoW = wc.MinPoW
	cfg.MaxMessageSize = uint32(wc.MaxMessageSize)
	cfg.LightClient = wc.LightClient
	cfg.RateLimit.EnvelopesPerSecond = float64(wc.RateEnvelopes)
	cfg.RateLimit.BytesPerSecond = float64(wc.RateBytes)
	cfg.MaxFilters, cfg.FilterBytes, cfg.MaxKeys = wc.MaxFilters, wc.FilterBytes, wc.MaxKeys
	cfg.EnablePrivateKeyExport = wc.GetPrivateKey
	cfg.Now = n.clock.Now
	w, err := whisper.New(cfg, n.account.PrivateKey, n.log, n.metrics)
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return err
	}
	n.whisper = w
	n.stack.push("whisper", w.Stop)
	return nil
}

// startClock starts the node's clock: the host clock corrected by the SNTP
// servers' offset (none when [ntp] is off). Every component that stamps or
// judges times by the wall clock — Whisper envelopes, Status clocks,
// mailserver requests — takes its time from it. The first round runs in the
// background; until it succeeds the clock is the host's.
func (n *Node) startClock() error {
	src := timesource.New(timesource.Config{Servers: n.cfg.NTPServers(), Host: n.opts.HostClock}, n.log)
	if err := src.Start(); err != nil {
		return err
	}
	n.clock = src
	n.stack.push("clock", src.Stop)
	n.metrics.GaugeFunc("ntp_offset_seconds", "Correction applied to the host clock, from SNTP servers.",
		func() float64 { return src.Offset().Seconds() })
	return nil
}

// Clock is the node's corrected clock; valid between Start and Stop.
func (n *Node) Clock() *timesource.Source { return n.clock }

// Whisper is the Whisper router; valid between Start and Stop.
func (n *Node) Whisper() *whisper.Whisper { return n.whisper }

// P2P is the devp2p server; valid between Start and Stop.
func (n *Node) P2P() *devp2p.Server { return n.p2p }

func (n *Node) startRPC() error {
	token := ""
	if !n.cfg.RPC.NoAuth {
		tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
		if err != nil {
			return err
		}
		token = tok
	}
	var tlsConfig *tls.Config
	if n.cfg.HTTP.TLS() {
		r, err := newCertReloader(n.cfg.HTTP.TLSCert, n.cfg.HTTP.TLSKey)
		if err != nil {
			return err
		}
		n.tls, tlsConfig = r, r.config()
	}
	srv, err := api.NewServer(api.Config{
		HTTPEnabled:  n.cfg.HTTP.Enabled,
		HTTPAddr:     n.cfg.HTTP.Addr,
		HTTPPort:     n.cfg.HTTP.Port,
		WSEnabled:    n.cfg.WS.Enabled,
		WSAddr:       n.cfg.WS.Addr,
		WSPort:       n.cfg.WS.Port,
		IPCPath:      n.cfg.IPCPath(),
		Modules:      n.cfg.RPC.Modules,
		NoAuth:       n.cfg.RPC.NoAuth,
		Token:        token,
		CORSDomains:  n.cfg.HTTP.CORSDomain,
		VHosts:       n.cfg.HTTP.VHosts,
		MaxBodyBytes: maxRPCBody,
		TLS:          tlsConfig,
	}, n.log, n.metrics)
	if err != nil {
		return err
	}
	srv.SetDocs(apidocs.Catalog) // for rpc_discover
	shhSvc := shh.New(n.whisper, shh.Config{AllowPrivateKeyExport: n.cfg.Whisper.GetPrivateKey, CallContext: srv.CallContext,
		MaxSubscriptions: n.cfg.RPC.MaxSubscriptions, Now: n.clock.Now})
	// Pushed before the RPC server, so subscriptions end after it stopped.
	n.stack.push("shh subscriptions", shhSvc.Close)
	statusdSvc := statusd.New(messengerAPI{n.messenger}, n.whisper).WithHealth(n.Health)
	n.stack.push("statusd subscriptions", statusdSvc.Close)
	mailCfg := mailapi.Config{Now: n.clock.Now, History: topichistory.New(storage.NewTable(n.db, topichistory.TableName))}
	if n.mailserver != nil {
		mailCfg.Syncer = n.mailserver
	}
	mailSvc := mailapi.New(n.mailclient, n.whisper.Keys(), mailCfg)
	n.stack.push("mailserver requests and subscriptions", mailSvc.Close)
	extSvc := shhext.New(messengerAPI{n.messenger}, n.whisper.Keys(), shhSvc.API())
	extSvc.SetMailserver(mailSvc)
	extSvc.SetSignalSources(n.messenger, n.mailclient)
	n.stack.push("shhext signal subscriptions", extSvc.Close)
	if n.cfg.ENS.RPC != "" {
		cl, err := ens.New(ens.Config{URL: n.cfg.ENS.RPC})
		if err != nil {
			return err
		}
		n.stack.push("ens client", cl.Close)
		extSvc.SetENS(cl, n.clock.Now)
	}
	mailserversSvc := mailservers.New(storemailservers.New(storage.NewTable(n.db, storemailservers.TableName)), mailservers.TCPPinger{})
	for ns, svc := range map[string]any{
		"web3":       api.NewWeb3API(version.Get().ClientVersion()),
		"net":        api.NewNetAPI(n.p2p, n.cfg.NetworkID),
		"admin":      api.NewAdminAPI(n.p2p, n.log),
		"shh":        shhSvc.API(),
		"shhext":     extSvc.ShhExt(),
		"statusd":    statusdSvc.API(),
		"mailserver": mailSvc.API(),
		// status-go v0.35's frontend records (docs/API.md).
		"mailservers": mailserversSvc.API(),
	} {
		if err := srv.Register(ns, svc); err != nil {
			return err
		}
	}
	if err := srv.Start(); err != nil {
		return err
	}
	n.rpc = srv
	n.stack.push("rpc", srv.Stop)
	return nil
}

// ReloadTLS reads the RPC endpoints' TLS certificate and key files again
// (statusd calls it on SIGHUP); new connections get the new certificate.
// Without TLS it does nothing. On error the previous certificate stays.
func (n *Node) ReloadTLS() error {
	n.mu.Lock()
	r := n.tls
	n.mu.Unlock()
	if r == nil {
		return nil
	}
	if err := r.Reload(); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.log.Info("reloaded the TLS certificate", zap.String("cert", r.certFile))
	return nil
}

// RPC is the JSON-RPC server; valid between Start and Stop.
func (n *Node) RPC() *api.Server { return n.rpc }

func (n *Node) startMetrics() error {
	if !n.cfg.Metrics.Enabled {
		return nil
	}
	l, err := net.Listen("tcp", n.cfg.Metrics.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", n.cfg.Metrics.Addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", n.metrics.Handler())
	if n.cfg.Metrics.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		n.log.Warn("serving Go runtime profiles", zap.String("url", "http://"+l.Addr().String()+"/debug/pprof/"))
	}
	protect := api.ProtectConfig{VHosts: n.cfg.Metrics.VHosts}
	if n.cfg.Metrics.Auth {
		tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
		if err != nil {
			l.Close()
			return err
		}
		protect.Token = tok
	}
	srv := &http.Server{Handler: api.ProtectHTTP(mux, protect, n.log.Named("metrics")), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("metrics server failed", zap.Error(err))
		}
	}()
	n.metricsAddr = l.Addr().String()
	n.stack.push("metrics", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		<-done
		return err
	})
	return nil
}

// MetricsAddr is the bound metrics address, "" when metrics are off.
func (n *Node) MetricsAddr() string { return n.metricsAddr }

// Metrics is the node's metrics registry.
func (n *Node) Metrics() *metrics.Registry { return n.metrics }
