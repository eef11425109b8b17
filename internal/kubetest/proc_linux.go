package kubetest

import "syscall"

// sysProcAttr kills the programs with the test process, should it die
// without stopping them.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
