// Package markdown prepares the text of a chat message for display as
// status-go v0.35's shhext_prepareContent did: the markdown syntax tree
// of the text, in the JSON form the frontends of that era render, the
// number of line breaks, and whether the text reads right to left.
//
// The tree comes from github.com/status-im/markdown at the version
// status-go v0.35.1 pinned (a fork of github.com/gomarkdown/markdown,
// which go.mod replaces with it): its parser with the common extensions
// and its JSON encoding of each node ("type", "literal", "children", …),
// so the output is byte for byte status-go's. testdata/vectors.json holds
// texts with the answers status-go v0.35.1 gave for them.
//
// The package is pure: no I/O, no clock, no goroutines. The parser is
// not ours and was written for trusted input, so Parse bounds the text's
// size and turns a panic of the parser into an error.
package markdown
