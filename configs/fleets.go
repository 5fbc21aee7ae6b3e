// Package configs holds statusd's configuration data files:
// statusd.example.toml (the defaults, as `statusd dumpconfig` prints them)
// and fleets.json (the built-in fleets, read through internal/fleet).
package configs

import (
	"bytes"
	_ "embed" // fleets.json
)

// fleetsJSON is fleets.json. Its node lists are data copied from
// status-react's resources/config/fleets.json
// (https://github.com/status-im/status-react, commit f8674c0ee1 of
// 2019-04-05, unchanged until 2020-01-12): what https://fleets.status.im
// published for eth.beta, eth.staging and eth.test in 2019, with the nodes
// listening on port 443. status-go v0.35.1 (November 2019) shipped the same
// node keys on ports 30404 (boot), 30504 (mail) and 30305 (whisper).
//
//go:embed fleets.json
var fleetsJSON []byte

// FleetsJSON returns a copy of fleets.json.
func FleetsJSON() []byte { return bytes.Clone(fleetsJSON) }
