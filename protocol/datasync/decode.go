package datasync

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// errParse marks a protobuf-level parse failure inside the walker; the
// decoder maps it to ErrNotPayload or ErrMalformedPayload.
var errParse = errors.New("datasync: protobuf parse error")

// DecodePayload parses b as an MVDS payload in the 2019 numbering.
//
// It never panics and never aliases b: the returned payload owns its memory.
// It checks len(b) against l.MaxPayloadBytes first, then counts every
// repeated field in a first pass and checks the counts against l before
// allocating, then fills the payload in a second pass.
//
// Errors: ErrTooLarge for a limit, ErrNotPayload when b is not protobuf or
// carries none of the MVDS fields (the "try and fall back" case of
// docs/PROTOCOL.md §0), ErrMalformedPayload when MVDS fields are present but
// wrong. Unknown fields are skipped, as protobuf does.
func DecodePayload(b []byte, l Limits) (Payload, error) {
	if len(b) > l.MaxPayloadBytes {
		return Payload{}, fmt.Errorf("%w: payload of %d bytes, limit %d", ErrTooLarge, len(b), l.MaxPayloadBytes)
	}
	var c payloadCounts
	if err := walkFields(b, c.count); err != nil {
		return Payload{}, c.classify(err)
	}
	if c.known() == 0 {
		return Payload{}, ErrNotPayload
	}
	if err := c.check(l); err != nil {
		return Payload{}, err
	}
	p := Payload{
		Acks:     makeIDs(c.acks),
		Offers:   makeIDs(c.offers),
		Requests: makeIDs(c.requests),
	}
	if c.messages > 0 {
		p.Messages = make([]Message, 0, c.messages)
	}
	if err := walkFields(b, p.fill); err != nil {
		// The first pass accepted b, so this is unreachable; keep it an error.
		return Payload{}, fmt.Errorf("%w: %w", ErrMalformedPayload, err)
	}
	return p, nil
}

func makeIDs(n int) []MessageID {
	if n == 0 {
		return nil
	}
	return make([]MessageID, 0, n)
}

// payloadCounts is the result of the first, validating pass.
type payloadCounts struct {
	acks, offers, requests, messages int
}

func (c *payloadCounts) known() int { return c.acks + c.offers + c.requests + c.messages }

func (c *payloadCounts) classify(err error) error {
	if errors.Is(err, errParse) && c.known() == 0 {
		return fmt.Errorf("%w: %w", ErrNotPayload, err)
	}
	if errors.Is(err, ErrMalformedPayload) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrMalformedPayload, err)
}

func (c *payloadCounts) check(l Limits) error {
	for _, f := range []struct {
		name     string
		n, limit int
	}{{"acks", c.acks, l.MaxIDs}, {"offers", c.offers, l.MaxIDs}, {"requests", c.requests, l.MaxIDs}, {"messages", c.messages, l.MaxMessages}} {
		if f.n > f.limit {
			return fmt.Errorf("%w: %d %s, limit %d", ErrTooLarge, f.n, f.name, f.limit)
		}
	}
	return nil
}

func (c *payloadCounts) count(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
	switch num {
	case fieldAcks, fieldOffers, fieldRequests, fieldMessages:
	default:
		return nil // unknown field, skipped
	}
	if typ != protowire.BytesType {
		return fmt.Errorf("%w: %s has wire type %d", ErrMalformedPayload, fieldName(num), typ)
	}
	switch num {
	case fieldAcks:
		c.acks++
	case fieldOffers:
		c.offers++
	case fieldRequests:
		c.requests++
	case fieldMessages:
		c.messages++
		_, err := decodeMessage(v)
		return err
	}
	if len(v) != IDLength {
		return fmt.Errorf("%w: %s entry of %d bytes", ErrMalformedPayload, fieldName(num), len(v))
	}
	return nil
}

func (p *Payload) fill(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
	switch num {
	case fieldAcks:
		p.Acks = append(p.Acks, MessageID(v))
	case fieldOffers:
		p.Offers = append(p.Offers, MessageID(v))
	case fieldRequests:
		p.Requests = append(p.Requests, MessageID(v))
	case fieldMessages:
		m, err := decodeMessage(v)
		if err != nil {
			return err
		}
		m.Body = append([]byte(nil), m.Body...)
		p.Messages = append(p.Messages, m)
	}
	return nil
}

// decodeMessage parses one Message. Body aliases b; the caller copies it.
// Repeated scalar fields follow protobuf's last-one-wins rule.
func decodeMessage(b []byte) (Message, error) {
	var m Message
	haveGroup := false
	err := walkFields(b, func(num protowire.Number, typ protowire.Type, v []byte, u uint64) error {
		want := protowire.BytesType
		switch num {
		case fieldGroupID, fieldBody:
		case fieldTimestamp:
			want = protowire.VarintType
		default:
			return nil
		}
		if typ != want {
			return fmt.Errorf("%w: %s has wire type %d", ErrMalformedPayload, fieldName(num), typ)
		}
		switch num {
		case fieldGroupID:
			if len(v) != IDLength {
				return fmt.Errorf("%w: group_id of %d bytes", ErrMalformedPayload, len(v))
			}
			m.GroupID, haveGroup = GroupID(v), true
		case fieldTimestamp:
			m.Timestamp = int64(u)
		case fieldBody:
			m.Body = v
		}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	if !haveGroup {
		return Message{}, fmt.Errorf("%w: message without group_id", ErrMalformedPayload)
	}
	return m, nil
}

// walkFields calls fn once per top-level field of b, in order. For a
// length-delimited field v is its content (aliasing b); for a varint u is
// its value; other wire types are skipped after fn sees them with zero
// values. A protobuf syntax error, a field number protobuf does not allow
// among them, is reported wrapping errParse.
func walkFields(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, u uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %w", errParse, protowire.ParseError(n))
		}
		if num > protowire.MaxValidNumber {
			// ConsumeTag takes numbers up to 2³¹−1; protobuf (and so the
			// 2019 decoders) rejects any above 2²⁹−1.
			return fmt.Errorf("%w: field number %d out of range", errParse, num)
		}
		b = b[n:]
		var v []byte
		var u uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			u, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: %w", errParse, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v, u); err != nil {
			return err
		}
	}
	return nil
}
