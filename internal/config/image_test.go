package config

import (
	"strings"
	"testing"
)

func TestValidateImageReference(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		ref string
		err string // a part of the error; "" for valid references
	}{
		{"registry.example.com/guestbook/frontend:1.4.2", ""},
		{"registry.example.com/guestbook/frontend:1f2e3d4", ""},
		{"registry.example.com:5000/web:v1", ""},
		{"localhost:5000/web:latest", ""},
		{"[::1]:5000/web:1", ""},
		{"web:1", ""},
		{"registry.example.com/web@" + digest, ""},
		{"registry.example.com/web:1.5.0@" + digest, ""},
		{"registry.example.com/my_team/web-app__x.y:TAG_1.0-rc.1", ""},
		{"Registry.Example.com/web:1", ""},

		{"", "invalid image reference"},
		{"registry.example.com/web", "neither a tag nor a digest"},
		{"registry.example.com:5000/web", "neither a tag nor a digest"},
		{"registry.example.com/Web:1", "invalid image reference"},
		{"registry.example.com/web:", "invalid image reference"},
		{"registry.example.com/web:-1", "invalid image reference"},
		{"registry.example.com/web:" + strings.Repeat("a", 129), "invalid image reference"},
		{"registry.example.com/web:1 ", "invalid image reference"},
		{"https://registry.example.com/web:1", "invalid image reference"},
		{"registry.example.com//web:1", "invalid image reference"},
		{"registry.example.com/web@sha256:abc", "invalid image reference"},
		{"registry.example.com/web@sha256:" + strings.Repeat("a", 63), "64 hex digits"},
		{"registry.example.com/" + strings.Repeat("a", 255) + ":1", "longer than 255"},
	}
	for _, tt := range tests {
		err := ValidateImageReference(tt.ref)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ValidateImageReference(%q): %v", tt.ref, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ValidateImageReference(%q) = %v, want an error containing %q", tt.ref, err, tt.err)
		}
	}
}
