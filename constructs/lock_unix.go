//go:build unix

package constructs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockDir takes an exclusive advisory lock on directory dir, waiting for
// another holder to let go (and calling waiting first, if it must), and
// returns its release. Locking the output's parent, not the output, means
// the lock survives the output directory being swapped.
func lockDir(dir string, waiting func()) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		if waiting != nil {
			waiting()
		}
		err = flockRetry(fd)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = unix.Flock(fd, unix.LOCK_UN)
		f.Close()
	}, nil
}

// flockRetry waits for the lock, resuming after signals.
func flockRetry(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// writable reports, as an error, whether the process may create and
// remove entries in directory dir.
func writable(dir string) error {
	return unix.Access(dir, unix.W_OK|unix.X_OK)
}
