//go:build !linux

package whispersuite

import "os/exec"

// KillWithParent does nothing outside Linux: reference nodes still exit
// when their stdin closes; statusd relies on the test's Cleanup.
func KillWithParent(cmd *exec.Cmd) {}
