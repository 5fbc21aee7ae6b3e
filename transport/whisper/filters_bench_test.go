package whisper

import (
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// BenchmarkDeliverSharedKey: the cost of delivering one envelope to N
// polled filters that share one key (symmetric, or one key pair), which
// must not grow with N beyond handing each filter its message: the key is
// tried once per envelope.
func BenchmarkDeliverSharedKey(b *testing.B) {
	for _, kind := range []string{"sym", "asym"} {
		for _, n := range []int{10, 10000} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				w := newTestWhisper(b, func(c *Config) { c.MaxFilters = n + 10 })
				topic := wproto.TopicFromName("shared")
				params := &wproto.MessageParams{TTL: 50, Topic: topic, Payload: []byte("hello")}
				var asym *ecdsa.PrivateKey
				var sym *wproto.SymKey
				if kind == "sym" {
					sym = testKey(b)
					params.KeySym = sym
				} else {
					asym, _ = crypto.GenerateKey()
					params.Dst = &asym.PublicKey
				}
				var ids []string
				for range n {
					f := &Filter{Topics: []wproto.Topic{topic}}
					if sym != nil {
						k := *sym
						f.KeySym = &k
					} else {
						k := *asym // a copy: filters of one key pair need not share a pointer
						f.KeyAsym = &k
					}
					id, err := w.Filters().Install(f)
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, id)
				}
				env, err := wproto.Wrap(params, time.Now(), rand.Reader)
				if err != nil {
					b.Fatal(err)
				}
				e := w.newEntry(env)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					w.filters.deliver(e, false, time.Now())
					if i%512 == 511 {
						b.StopTimer()
						for _, id := range ids {
							f, _ := w.Filters().Get(id)
							f.Retrieve(0)
						}
						b.StartTimer()
					}
				}
			})
		}
	}
}
