package encryption

import (
	"crypto/ecdsa"
	"fmt"
)

func resendKey(identity []byte) []byte {
	return append([]byte(metaResend), identity...)
}

// PendingResends lists the identities that showed installations we did not
// know (Received.NewPeerInstallations) and whose resend the caller has not
// marked done with ResendDone. The mark is committed with the bundle that
// showed them, so a process that stopped between that commit and the
// resend finds the identity here at its next start. Order is by
// compressed key.
func (m *Manager) PendingResends() ([]*ecdsa.PublicKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*ecdsa.PublicKey
	t := newTxn(m.store)
	err := t.iterate(KindMeta, []byte(metaResend), func(k, _ []byte) error {
		pub, err := decompress(k[len(metaResend):])
		if err != nil {
			return t.corrupt(fmt.Errorf("%w: resend mark %x: %w", ErrCorrupt, k, err))
		}
		out = append(out, pub)
		return nil
	})
	return out, err
}

// ResendDone clears peer's mark (PendingResends) once the messages sent to
// it recently went out again to all its installations. A mark set by a
// bundle handled after the caller read what to resend is cleared too: call
// it only from the goroutine that handles messages, right after the
// resend, so no bundle comes between.
func (m *Manager) ResendDone(peer *ecdsa.PublicKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	t.del(KindMeta, resendKey(compress(peer)))
	return t.commit()
}
