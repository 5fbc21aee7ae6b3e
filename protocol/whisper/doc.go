// Package whisper is the pure core of Whisper v6 (EIP-627 plus the Status
// fork status-im/whisper) as Status used it in 2019: envelopes and their RLP,
// proof of work, topics and blooms, the message plaintext layout, AES-GCM and
// ECIES sealing, PBKDF2 keys and deterministic key IDs, and the envelope
// acceptance rules. The wire facts come from docs/PROTOCOL.md §4.1, §4.2,
// §5 and §9; section numbers in comments refer to that file.
//
// The package does no I/O, reads no clock, starts no goroutines and has no
// global mutable state: time arrives as a `now time.Time` argument and
// randomness as an io.Reader, so every result can be replayed from a test
// vector. The envelope pool, peers, filters and the key store live in
// transport/whisper, which also holds the parallel, clocked PoW sealer
// (transport/whisper.Seal) built on Work and Searcher from this package.
//
// Contracts: functions are safe for concurrent use on distinct values. A
// Work may be shared between goroutines, a Searcher may not. Returned slices
// belong to the caller; ReceivedMessage and Plaintext slices alias the
// decrypted buffer they came from. Errors wrap the package sentinels
// ("whisper: …"); compare them with errors.Is. Hostile input yields an error,
// never a panic (fuzzed: FuzzDecodeEnvelope, FuzzDecodeEnvelopes,
// FuzzParsePlaintext, FuzzOpen, FuzzDecodeStatus, FuzzDecodePoWRequirement,
// FuzzDecodeBloomPacket).
//
// Status packet (§5.2). DecodeStatus reads the version and whichever
// optional elements follow (PoW, bloom, light flag, confirmations, rate
// limits) and ignores elements after the sixth; EncodeStatus writes the
// Status fork's five elements. Bodies over MaxStatusPacketSize are refused
// unparsed.
//
// # Which behaviour each choice follows
//
// PoW (§5.4, §9 item 13). Envelope.PoW is the status-im/whisper ≥ v1.5 /
// go-ethereum v1.9.20 formula: keccak256(RLP-without-nonce ‖ nonce as 8 bytes
// big-endian), 2^(leading zero bits) / (len(RLP-without-nonce) × (TTL + diff)),
// with diff = sent − now + 1 when the envelope claims a sent time after now.
// PoWBatch computes the same values for many envelopes at once, hashing
// their inputs eight (AVX-512) or four (AVX2) at a time with
// lib/multikeccak, one by one on other CPUs; its results equal
// Envelope.PoW bit for bit. Envelope.PoWLegacy is the ≤ v1.4.14 formula (trailing zero bits of the
// double hash, divided by (20 + len(Data)) × (TTL + diff)) so old peers'
// numbers can be explained; nothing here uses it to decide. TTL + diff is
// uint32 arithmetic as in the peers, so a TTL of 0 gives +Inf, which the
// reference accepts too; such an envelope is expired within the second.
//
// Sealing target. TargetBits is ceil(log2(target × (20 + len(Data)) × TTL)),
// at least 1: the reference sealer uses size() and the bare TTL while PoW
// divides by the RLP length, and we keep that mismatch so a sealed envelope
// scores what peers expect. Target 0 means no work; a negative target means
// "best nonce within WorkTime", and Wrap then adds WorkTime to Expiry. With
// no clock here, SealNonces takes a nonce budget instead of WorkTime. A
// Searcher absorbs the RLP once and then tries eight consecutive nonces per
// call of lib/multikeccak's eight-state permutation where the CPU has
// AVX-512 or AVX2, one at a time otherwise; the nonce found is the same.
//
// Payload size field (§5.5, UNCONFIRMED "1–4 bytes"). Flag bits 0–1 hold the
// field length, so only 1–3 bytes can be expressed: a fourth byte would set
// the signature flag. We refuse payloads over 2^24 − 1 bytes when sending
// (unreachable anyway under the 10 MiB cap) and read the length from bits
// 0–1 when parsing. A field length of 0 is accepted on receive and means "no
// payload, all padding", as the reference parser does. Flag bits 3–7 are
// ignored.
//
// Strict parsing (§5.5). The payload must end at or before the padding and
// the signature. The reference bound check (payloadSize + fieldLen > end)
// is one byte loose and lets a payload overlap the signature; we reject such
// malformed messages. Honest senders never produce them. A signature's V must
// be 0 or 1 (§0, §9 item 15); 27/28 or any other value is rejected.
//
// Signer recovery. OpenSymmetric and OpenAsymmetric recover the signer at
// once and fail when the signature does not recover a key. The Known opens
// the router uses check the signature's form only and leave the recovery
// — a secp256k1 public-key recovery, the dearest step — to the message's
// Signer, which runs it once on first use: a v1-wrapped public message,
// whose author the wrapper's signature names, never pays for it
// (docs/PROTOCOL.md §1.2).
//
// Padding (§5.5). Without caller padding, random bytes from the given reader
// bring flags + size field + payload (+ 65 when signed) to the next multiple
// of 256, adding a full 256 bytes when already aligned. Caller padding is
// used as is. The §5.10 vector uses 184 zero bytes of caller padding.
//
// Encryption (§5.6). Symmetric: AES-256-GCM, 12-byte random nonce appended
// after the tag, no additional data; all-zero keys and an all-zero nonce
// (a broken random source) are refused, as in the reference. Asymmetric:
// go-ethereum crypto/ecies with the curve's default parameters
// (ECIES_AES128_SHA256 for secp256k1) and no shared info.
//
// Keys (§4.2, §5.9, §9 item 22). SymKeyFromPassword is PBKDF2-HMAC-SHA256
// with a nil salt and 65356 iterations (not 65536), from the Go standard
// library's crypto/pbkdf2. Key-pair IDs are hex(PBKDF2(password = "0x" +
// hex(pub65), nil salt, 4096, 32)); ToDeterministicID leaves any 64-character
// string alone and maps everything else through the same PBKDF2.
//
// Bloom (§5.7, §9 item 14). TopicToBloom reproduces the reference's
// assignment quirk (b[i] = 1<<bit instead of |=). An empty bloom on the wire
// means a full node; a filter without topics contributes nothing.
//
// RLP (§5.3). Envelopes are encoded by hand and decoded with zero-copy
// splitting; decoding accepts exactly what go-ethereum's reflective decoder
// accepts for [uint32, uint32, [4]byte, []byte, uint64] (canonical integers
// and sizes, exactly five elements, no trailing bytes; checked by the fuzz
// target), so the hash of a decoded envelope is the hash of its wire bytes.
// Size limits are checked before Data is copied; Data never aliases the
// input. A P2P Message body (code 127) is either one envelope or a list of
// them (§4.5): the first element being a list tells them apart.
//
// Acceptance (§5.8). CheckEnvelope follows the Status fork's add: future by
// more than 10 s and expired by more than 20 s are time-sync errors, expired
// envelopes within 20 s are dropped silently, then size, PoW (against the
// minimum or the recent previous minimum) and bloom (current or previous).
package whisper
