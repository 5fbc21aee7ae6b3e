// Package bip32 derives secp256k1 private keys along a path from a seed, as
// BIP-32 specifies (https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki)
// and status-go's extkeys implemented it for Status accounts.
//
// Only private derivation is provided (the node always holds the seed's
// keys); public-only derivation and the xprv/xpub text form are not needed
// by statusd. Paths are written "m/44'/60'/0'/0/0", ' marking a hardened
// index (index + 2^31).
//
// The package is pure: no I/O, no clock, no global mutable state. A Key
// holds a secret and prints only its depth.
package bip32
