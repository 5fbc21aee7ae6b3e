// Package transit is the Transit-JSON codec for Status 2019 payloads
// (docs/PROTOCOL.md §1.3; the Transit format of cognitect/transit-format as
// implemented by transit-js, which status-react used through transit-cljs).
// It is pure: no I/O, no clocks, no goroutines; every function is safe for
// concurrent use and returned values share no memory with the input.
//
// Read side (Decode, DecodeLimits) accepts everything a Transit JSON reader
// accepts for the value types in value.go:
//   - tagged values ["~#tag", rep] and verbose {"~#tag": rep}; the quote
//     tag "'" is unwrapped; "list", "set" and "cmap" are built in; any other
//     tag becomes Tagged;
//   - maps as ["^ ", k, v, …], as ["~#cmap", [k, v, …]] and as JSON objects;
//   - the read cache in every position: map keys, keywords/symbols/tags in
//     value position, tags at the head of an array, one- and two-digit
//     codes, wrap-around after 1936 entries (base 48 / 44 digits, as the
//     real implementations and the Status vectors require; the format
//     README's base-33/94 text is not followed, §1.3);
//   - escaped strings ("~~", "~^", "~`"), ~i (int64, *big.Int if it does not
//     fit), ~n, ~d, ~z, ~?, ~_, and other scalar tags kept verbatim as Ext.
//
// Input size and nesting depth are checked before any value is built.
// Choices: duplicate scalar map keys are rejected (ErrDuplicateKey); lone
// UTF-16 surrogates in \u escapes become U+FFFD; raw invalid UTF-8 and
// control characters in strings are rejected (ErrSyntax); a string of '~'
// and a non-ASCII character, which no writer produces (tags are ASCII,
// and a string starting with '~' is escaped), is rejected (ErrMalformed).
//
// Write side (Encode) reproduces transit-js (status-react) byte for byte:
// write cache on, maps as ["^ ", …] (cmap only when a key is composite), map
// order preserved, JSON.stringify escaping (only '"', '\\' and control
// characters; '<', '>', '&' and non-ASCII raw), JavaScript number
// formatting, integers beyond ±(2^53−1) and integer map keys as "~i"
// strings (transit-java/russolsen rule; status-react never produces them
// because its clocks stay below 2^53), *big.Int as "~n", top-level scalars
// quoted. A float with an integral value is written without a fraction as
// JavaScript does, so it decodes back as int64.
package transit
