// Package pb holds the generated protobuf types of the conversational-security
// wire format (docs/PROTOCOL.md §3.1). Only package encryption uses them:
// wire types stay at the edge and never leave encryption's codec.
//
// The generated file is committed; regenerating needs protoc (Debian
// protobuf-compiler) and protoc-gen-go v1.36.12 on PATH (`make proto`).
package pb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative encryption.proto
