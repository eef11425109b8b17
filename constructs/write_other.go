//go:build !linux

package constructs

import (
	"errors"
	"io/fs"
	"os"
)

// swapDir puts tmp in dir's place and removes the old output. Without
// an atomic exchange the old directory is moved aside first; a crash between
// the two renames leaves it at tmp+".old".
func swapDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}
