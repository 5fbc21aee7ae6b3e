// Package datasynctest builds MVDS wire bytes for tests outside the data
// sync packages — a hostile peer's payload, say — so that MVDS encoding
// stays within protocol/datasync, internal/datasync and
// storage/datasyncstore.
package datasynctest

import (
	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// MessagePayload returns the encoded MVDS payload carrying one message with
// body in the 1:1 group of from and to, stamped ts (Unix seconds).
func MessagePayload(from, to mvds.PeerID, ts int64, body []byte) ([]byte, error) {
	g, err := mvds.OneToOneGroupID(from, to)
	if err != nil {
		return nil, err
	}
	return mvds.Payload{Messages: []mvds.Message{{GroupID: g, Timestamp: ts, Body: body}}}.Marshal()
}
