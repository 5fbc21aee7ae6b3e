// Package account derives a Status account from a recovery phrase the way
// status-go v0.35 did for Status clients of 2019: the BIP-39 seed of the
// phrase (with an optional BIP-39 passphrase; Status clients passed none),
// its BIP-32 master key, then
//
//   - the chat key, which signs and decrypts messages and is the user's
//     identity on the network, at the EIP-1581 path m/43'/60'/1581'/0'/0
//     (https://eips.ethereum.org/EIPS/eip-1581: purpose 43', coin 60',
//     subpurpose 1581', key type 0' = chat, index 0);
//   - the default wallet key at the BIP-44 path m/44'/60'/0'/0/0, whose
//     Ethereum address Status showed as the wallet address.
//
// The package is pure: no I/O, no clock, no randomness, no global mutable
// state. Keys holds secrets and prints only the public parts.
package account
