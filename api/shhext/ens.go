package shhext

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/api"
)

// ENSResolver looks up the public key an ENS name records
// (*internal/ens.Client): 65 bytes, 0x04 ‖ x ‖ y.
type ENSResolver interface {
	PublicKey(ctx context.Context, name string) ([]byte, error)
}

// ensRef holds the resolver and clock of shhext_verifyENSNames; unset,
// the method answers errNoENS.
type ensRef struct {
	p atomic.Pointer[ensSetting]
}

type ensSetting struct {
	r   ENSResolver
	now func() time.Time
}

// errNoENS names the setting that makes shhext_verifyENSNames work.
var errNoENS = errors.New("shhext: verifyENSNames needs an Ethereum JSON-RPC endpoint: set --ens.rpc (ens.rpc in the config file, STATUSD_ENS_RPC)")

// SetENS hands shhext_verifyENSNames its resolver and clock (nil now
// means time.Now). Call it before the RPC server starts; a nil r unsets
// it.
func (s *Service) SetENS(r ENSResolver, now func() time.Time) {
	if r == nil {
		s.core.ens.p.Store(nil)
		return
	}
	if now == nil {
		now = time.Now
	}
	s.core.ens.p.Store(&ensSetting{r: r, now: now})
}

// ENSDetails is one name to verify (status-go protocol/ens ENSDetails):
// the ENS name and the public key expected, hex without 0x as
// status-react sent it (a 0x prefix is accepted too).
type ENSDetails struct {
	Name            string `json:"name"`
	PublicKeyString string `json:"publicKey"`
}

// ENSResponse is the verdict on one name (status-go ENSResponse): Verified
// when the name's resolver records exactly PublicKeyString's key;
// VerifiedAt the Unix time in seconds of the check; Error the reason the
// name could not be checked, null otherwise (status-go encoded its error
// value, a truthy object, where statusd writes its text).
type ENSResponse struct {
	Name            string  `json:"name"`
	Verified        bool    `json:"verified"`
	VerifiedAt      int64   `json:"verifiedAt"`
	Error           *string `json:"error"`
	PublicKeyString string  `json:"publicKey"`
}

// VerifyENSNames is shhext_verifyENSNames(details): for each name, ask
// the ENS registry (status-go's mainnet registry,
// 0x314159265dd8dbb310642f98f50c066173c1259b) for the name's resolver and
// that resolver for its pubkey, over the Ethereum endpoint of --ens.rpc,
// and compare it with the expected key. The result maps each given
// publicKey string to its ENSResponse. A name that cannot be checked (bad
// key, no resolver, no key recorded, endpoint failing) has its error set,
// as in status-go; the call itself fails only without --ens.rpc (-32000
// naming the setting). Smaller than status-go: contacts' ENS fields are
// not updated.
//
// Example: Verify a Status username
//
//	params: [[{"name":"alice.stateofus.eth","publicKey":"04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"}]]
//	result: {"04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666":{"name":"alice.stateofus.eth","verified":true,"verifiedAt":1700000000,"error":null,"publicKey":"04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"}}
func (a *ShhExtAPI) VerifyENSNames(ctx context.Context, details []ENSDetails) (map[string]ENSResponse, error) {
	set := a.c.ens.p.Load()
	if set == nil {
		return nil, api.RPCError(fmt.Errorf("%w: %w", api.ErrUnavailable, errNoENS))
	}
	out := make(map[string]ENSResponse, len(details))
	for _, d := range details {
		out[d.PublicKeyString] = verifyENSName(ctx, set, d)
	}
	return out, nil
}

func verifyENSName(ctx context.Context, set *ensSetting, d ENSDetails) ENSResponse {
	r := ENSResponse{Name: d.Name, PublicKeyString: d.PublicKeyString, VerifiedAt: set.now().Unix()}
	fail := func(err error) ENSResponse {
		msg := err.Error()
		r.Error = &msg
		return r
	}
	want, err := hex.DecodeString(strings.TrimPrefix(d.PublicKeyString, "0x"))
	if err != nil {
		return fail(fmt.Errorf("publicKey: %w", err))
	}
	if _, err := crypto.UnmarshalPubkey(want); err != nil {
		return fail(fmt.Errorf("publicKey: not a 65-byte secp256k1 public key: %w", err))
	}
	got, err := set.r.PublicKey(ctx, d.Name)
	if err != nil {
		return fail(err)
	}
	r.Verified = bytes.Equal(got, want)
	return r
}
