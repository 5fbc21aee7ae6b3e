package whispersuite

import (
	"os/exec"
	"syscall"
)

// KillWithParent makes the kernel kill cmd, which is not started yet, if
// the test binary dies first (for example on a -timeout panic, when no
// Cleanup runs). It sets cmd.SysProcAttr.
func KillWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
