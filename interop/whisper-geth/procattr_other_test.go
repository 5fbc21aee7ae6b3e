// Shared with ../whisper-status (see harness_test.go).

//go:build !linux

package interop

import "os/exec"

// killWithParent does nothing here: reference nodes still exit when their
// stdin closes; statusd relies on the test's Cleanup.
func killWithParent(cmd *exec.Cmd) {}
