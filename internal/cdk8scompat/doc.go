// Package cdk8scompat holds the differential compatibility test between
// tsumiki's constructs package and cdk8s itself.
//
// Every case of a corpus of construct trees is described once, as plain Go
// values, and built twice: through github.com/cdk8s-team/cdk8s-core-go (the
// reference, which runs cdk8s's JavaScript in a Node.js process via jsii) and
// through gitlab.com/tsumiki/tsumiki/constructs. Both apps synthesize into
// temporary directories, and every file must match byte for byte.
//
// tsumiki departs from cdk8s on purpose in a few places, listed in
// docs/architecture.md. The test applies those changes to cdk8s's output as
// explicit, narrow transformations — replacing the exact name strings,
// deleting the exact namespace and status lines, inserting generated names
// where cdk8s writes none, renaming the per-resource files — and requires
// the result to equal tsumiki's output, so any other difference fails. It
// also counts each change and fails if one of them is never exercised, so
// the corpus cannot silently stop covering them. Both frameworks include
// the same files through their Include.
//
// The test needs the node binary on PATH. Without it the test skips with a
// message starting "SKIP-NODE:"; with TSUMIKI_REQUIRE_NODE=1 in the
// environment (as CI sets it) it fails instead.
//
// The package has no non-test code.
package cdk8scompat
