package interop

import (
	"os"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/statusnode/statusd/interop/whispersuite"
)

// TestMain removes the binaries the harness built once the tests are done.
func TestMain(m *testing.M) { os.Exit(whispersuite.Main(m)) }

// TestReferences runs every check between the two references
// (status-im/whisper v1.6.2 and go-ethereum v1.9.20): it proves the
// harness and the checks before they judge statusd.
func TestReferences(t *testing.T) {
	whispersuite.RunPair(t, whispersuite.KindStatusRef, whispersuite.KindGethRef)
}

// TestStatusd runs every check between statusd and status-im/whisper
// v1.6.2, with statusd sending first, then receiving.
func TestStatusd(t *testing.T) {
	whispersuite.RunPair(t, whispersuite.KindStatusd, whispersuite.KindStatusRef)
}

// TestPublicChat: a Status public chat between statusd's messenger and the
// status-im/whisper v1.6.2 reference speaking it over shh_ (see
// whispersuite.PublicChat), with the crypto of the go-ethereum that
// reference is built against.
func TestPublicChat(t *testing.T) {
	whispersuite.PublicChat(t, whispersuite.KindStatusRef, whispersuite.Crypto{
		Keccak256: crypto.Keccak256, SigToPub: crypto.SigToPub, FromECDSAPub: crypto.FromECDSAPub,
	})
}
