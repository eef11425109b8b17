//go:build !unix

package constructs

// lockDir does nothing where flock(2) is missing: writers are not
// serialized there.
func lockDir(string, func()) (func(), error) { return func() {}, nil }

// writable assumes a directory is writable; a failure shows when removing.
func writable(string) error { return nil }
