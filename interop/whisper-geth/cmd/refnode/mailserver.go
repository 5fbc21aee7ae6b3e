package main

import (
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/whisper/mailserver"
	"github.com/ethereum/go-ethereum/whisper/whisperv6"
)

// startMailServer runs go-ethereum's example mailserver
// (whisper/mailserver.WMailServer) on w with a LevelDB archive in a fresh
// temporary directory and the given password. The returned func closes it
// and removes the directory.
func startMailServer(w *whisperv6.Whisper, password string, minPoW float64) (func(), error) {
	dir, err := os.MkdirTemp("", "refnode-mailserver-")
	if err != nil {
		return nil, err
	}
	var ms mailserver.WMailServer
	if err := ms.Init(w, dir, password, minPoW); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	keyID, err := w.AddSymKeyFromPassword(password)
	if err != nil {
		ms.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	key, _ := w.GetSymKey(keyID)
	w.RegisterServer(loggedMailServer{&ms, key})
	return func() { ms.Close(); os.RemoveAll(dir) }, nil
}

// loggedMailServer is geth's mailserver, unchanged, plus one info log line
// per request saying how geth reads it ("mailserver request": peer, hash,
// pow, and when the password's key opens it: signed, payload length, and
// lower and upper as geth decodes them), so a test can tell why a request
// got nothing.
type loggedMailServer struct {
	*mailserver.WMailServer
	key []byte
}

func (m loggedMailServer) DeliverMail(p *whisperv6.Peer, req *whisperv6.Envelope) {
	attrs := []interface{}{"peer", fmt.Sprintf("%x", p.ID()), "hash", req.Hash().Hex(), "pow", req.PoW()}
	if msg := req.Open(&whisperv6.Filter{KeySym: m.key}); msg == nil {
		attrs = append(attrs, "opened", false)
	} else {
		attrs = append(attrs, "opened", true, "signed", msg.Src != nil, "payload", len(msg.Payload))
		if len(msg.Payload) >= 8 {
			attrs = append(attrs, "lower", binary.BigEndian.Uint32(msg.Payload), "upper", binary.BigEndian.Uint32(msg.Payload[4:]))
		}
	}
	log.Info("mailserver request", attrs...)
	m.WMailServer.DeliverMail(p, req)
}

// historyAPI is the debug_ namespace: it makes this node act as geth's
// whisperv6 mailserver client.
type historyAPI struct {
	w   *whisperv6.Whisper
	key *ecdsa.PrivateKey // signs requests: the node key, as status-go does
	pow float64           // PoW target of requests
}

// RequestHistory sends peer (an enode URL) a P2P Request (code 126) the way
// a go-ethereum whisperv6 client talks to whisper/mailserver: one envelope,
// signed with this node's key, encrypted with the symmetric key of
// password (PBKDF2, as shh_generateSymKeyFromPassword), whose payload is
// the binary lower(4, BE) ‖ upper(4, BE) ‖ bloom(64) of the topics (an
// empty topic list sends the full bloom). RequestHistoricMessages also
// marks the peer trusted, so its code-127 answers reach the filters created
// with allowP2P. It returns the request envelope's hash.
func (h *historyAPI) RequestHistory(url, password string, lower, upper uint32, topics []whisperv6.TopicType) (string, error) {
	n, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return "", fmt.Errorf("invalid enode: %v", err)
	}
	keyID, err := h.w.AddSymKeyFromPassword(password)
	if err != nil {
		return "", err
	}
	defer h.w.DeleteSymKey(keyID)
	key, err := h.w.GetSymKey(keyID)
	if err != nil {
		return "", err
	}
	bloom := whisperv6.MakeFullNodeBloom()
	if len(topics) > 0 {
		bloom = make([]byte, whisperv6.BloomFilterSize)
		for _, t := range topics {
			for i, b := range whisperv6.TopicToBloom(t) {
				bloom[i] |= b
			}
		}
	}
	payload := make([]byte, 8, 8+len(bloom))
	binary.BigEndian.PutUint32(payload, lower)
	binary.BigEndian.PutUint32(payload[4:], upper)
	payload = append(payload, bloom...)

	params := whisperv6.MessageParams{
		TTL:      50,
		Src:      h.key,
		KeySym:   key,
		Topic:    whisperv6.BytesToTopic(crypto.Keccak256([]byte("mailserver request"))[:4]),
		WorkTime: 5,
		PoW:      h.pow,
		Payload:  payload,
	}
	msg, err := whisperv6.NewSentMessage(&params)
	if err != nil {
		return "", err
	}
	env, err := msg.Wrap(&params)
	if err != nil {
		return "", err
	}
	id := n.ID()
	if err := h.w.RequestHistoricMessages(id[:], env); err != nil {
		return "", err
	}
	return env.Hash().Hex(), nil
}
