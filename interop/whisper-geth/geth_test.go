package interop

import (
	"os"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/statusnode/statusd/interop/whispersuite"
)

// TestMain removes the binaries the harness built once the tests are done.
func TestMain(m *testing.M) { os.Exit(whispersuite.Main(m)) }

// TestReferences runs every check between the two references (go-ethereum
// v1.9.20 and status-im/whisper v1.6.2): it proves the harness and the
// checks before they judge statusd.
func TestReferences(t *testing.T) {
	whispersuite.RunPair(t, whispersuite.KindGethRef, whispersuite.KindStatusRef)
}

// TestStatusd runs every check between statusd and go-ethereum v1.9.20
// whisperv6, with statusd sending first, then receiving.
func TestStatusd(t *testing.T) {
	whispersuite.RunPair(t, whispersuite.KindStatusd, whispersuite.KindGethRef)
}

// TestPublicChat: a Status public chat between statusd's messenger and the
// go-ethereum v1.9.20 reference speaking it over shh_ (see
// whispersuite.PublicChat), with go-ethereum v1.9.20's crypto.
func TestPublicChat(t *testing.T) {
	whispersuite.PublicChat(t, whispersuite.KindGethRef, whispersuite.Crypto{
		Keccak256: crypto.Keccak256, SigToPub: crypto.SigToPub, FromECDSAPub: crypto.FromECDSAPub,
	})
}
