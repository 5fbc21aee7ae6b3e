// Package version reports what build of statusd is running. Version and
// Commit are set at link time by the Makefile
// (-X github.com/statusnode/statusd/internal/version.Version=…); without
// them the commit comes from the Go build information.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by the linker.
var (
	Version = "0.1.0-dev"
	Commit  = ""
)

// Info describes the running build.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// Get returns the build description.
func Get() Info {
	commit := Commit
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					commit = s.Value[:12]
				}
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return Info{Version: Version, Commit: commit, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// ClientVersion is the geth-style client string used in the devp2p
// handshake and web3_clientVersion: statusd/v0.1.0/linux-amd64/go1.26.
func (i Info) ClientVersion() string {
	return fmt.Sprintf("statusd/v%s/%s-%s/%s", i.Version, i.OS, i.Arch, i.Go)
}

// String is the multi-line text printed by `statusd version`.
func (i Info) String() string {
	return fmt.Sprintf("statusd %s\ncommit %s\ngo %s %s/%s\n", i.Version, i.Commit, i.Go, i.OS, i.Arch)
}
