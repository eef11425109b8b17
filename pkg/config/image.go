package config

import (
	"fmt"
	"regexp"
	"strings"
)

// imageReference is the grammar of github.com/distribution/reference, which
// container runtimes use to parse image names, written out here rather than
// imported for one regular expression:
//
//	reference  := name [ ":" tag ] [ "@" digest ]
//	name       := [ host [ ":" port ] "/" ] path
//	host       := domain-name | "[" IPv6 "]"
//	path       := component { "/" component }, lowercase letters and digits
//	              joined by ".", "_", "__" or runs of "-"
//	tag        := word character, then up to 127 word characters, "." or "-"
//	digest     := algorithm ":" hex, such as sha256:<64 hex digits>
var imageReference = func() *regexp.Regexp {
	const (
		domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		host            = `(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[a-fA-F0-9:]+\])`
		domain          = host + `(?::[0-9]+)?`
		pathComponent   = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
		path            = pathComponent + `(?:/` + pathComponent + `)*`
		tag             = `[\w][\w.-]{0,127}`
		digest          = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
	)
	return regexp.MustCompile(`^(?:` + domain + `/)?` + path + `(?::` + tag + `)?(?:@` + digest + `)?$`)
}()

// ValidateImageReference reports whether ref is a container image reference
// that pins an image: [host[:port]/]path, then a tag, a digest or both, as in
// registry.example.com/guestbook/frontend:1.4.2 or
// registry.example.com/web@sha256:<64 hex digits>.
//
// A reference without a tag means :latest, which names whatever was pushed
// last; keeping it in a configuration file would not pin anything, so it is
// an error here.
func ValidateImageReference(ref string) error {
	if !imageReference.MatchString(ref) {
		return fmt.Errorf("invalid image reference %q: want [host[:port]/]path[:tag][@digest], the path in lowercase", ref)
	}
	name, digest, hasDigest := strings.Cut(ref, "@")
	if hasDigest && strings.HasPrefix(digest, "sha256:") && len(digest) != len("sha256:")+64 {
		return fmt.Errorf("invalid image reference %q: a sha256 digest has 64 hex digits", ref)
	}
	// A tag is a colon after the last slash; one before it is a port.
	hasTag := false
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, hasTag = name[:i], true
	}
	if !hasTag && !hasDigest {
		return fmt.Errorf("image reference %q has neither a tag nor a digest, so it would mean :latest", ref)
	}
	if len(name) > 255 {
		return fmt.Errorf("invalid image reference %q: the name is longer than 255 characters", ref)
	}
	return nil
}

// ImageReference is a container image reference read from a configuration
// file. Decoding checks it as ValidateImageReference does, so a reference
// that bump would refuse is a problem at its line in the file, not a
// surprise in the cluster.
type ImageReference string

// UnmarshalText checks and sets the reference.
func (r *ImageReference) UnmarshalText(text []byte) error {
	if err := ValidateImageReference(string(text)); err != nil {
		return err
	}
	*r = ImageReference(text)
	return nil
}

// Image is an image reference to set: images.<Name> of an environment file.
type Image struct {
	Name, Reference string
}

// EditImages returns the edit that sets images.<name> in environment
// env's file in dir for each image, made in memory: every reference is
// checked and every value set, or none. Write it to change the file.
func EditImages(dir, env string, images []Image) (*Edit, error) {
	sets := make([]Set, len(images))
	for i, img := range images {
		if err := ValidateImageReference(img.Reference); err != nil {
			return nil, fmt.Errorf("images.%s: %w", img.Name, err)
		}
		sets[i] = Set{Path: Keys("images", img.Name), Value: img.Reference}
	}
	file, err := File(dir, env)
	if err != nil {
		return nil, err
	}
	return EditFile(file, sets)
}
