// Package bip39 turns a recovery phrase into a seed as BIP-39 specifies
// (https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki), with the
// English word list, as Status clients of 2019 did through status-go.
//
// A phrase of 12, 15, 18, 21 or 24 words encodes 128 to 256 bits of entropy
// followed by the first entropy/32 bits of its SHA-256; Parse checks the
// words and that checksum. The seed is PBKDF2-HMAC-SHA512 of the phrase
// (NFKD) with the salt "mnemonic" + passphrase (NFKD), 2048 iterations, 64
// bytes. Status clients used an empty passphrase; status-go accepted one.
//
// english.txt is the BIP-39 English word list (the file of that name in the
// bip-0039 folder of the public bitcoin/bips repository; SHA-256
// 2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda).
//
// A Mnemonic holds a secret: its String and GoString methods print only the
// word count, so it cannot reach a log by accident; Phrase returns the text.
//
// The package is pure: no I/O, no clock, no randomness (FromEntropy takes
// the entropy), no global mutable state.
package bip39
