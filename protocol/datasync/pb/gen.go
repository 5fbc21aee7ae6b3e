// Package pb holds the generated protobuf types of the MVDS wire format
// (docs/PROTOCOL.md §6.1). Only package datasync uses them: wire types stay at
// the edge and never leave datasync's codec.
//
// The generated file is committed; regenerating needs protoc (Debian
// protobuf-compiler) and protoc-gen-go v1.36.12 on PATH.
package pb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative sync.proto
