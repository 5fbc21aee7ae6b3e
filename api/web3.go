package api

// Web3API is the "web3" namespace. It is stateless and safe for concurrent use.
type Web3API struct {
	clientVersion string
}

// NewWeb3API returns the web3 namespace answering clientVersion, e.g.
// "statusd/v0.1.0/linux-amd64/go1.26".
func NewWeb3API(clientVersion string) *Web3API {
	return &Web3API{clientVersion: clientVersion}
}

// ClientVersion is web3_clientVersion: the node's version string, as in the
// devp2p handshake: "statusd/v<version>/<os>-<arch>/<go version>".
//
// Example: Get the client version
//
//	params: []
//	result: "statusd/v0.1.0-dev/linux-amd64/go1.26.0"
//	task: 1
func (api *Web3API) ClientVersion() string {
	return api.clientVersion
}
