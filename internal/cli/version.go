package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Module is the framework's module path.
const Module = "gitlab.com/tsumiki/tsumiki"

// BuildInfo is what a binary knows of its own build.
type BuildInfo struct {
	// Path and Version are the main module's: "gitlab.com/tsumiki/tsumiki"
	// and "v0.3.0" when built by `go install …@v0.3.0`, or a pseudo-version
	// or "(devel)" when built in a checkout.
	Path, Version string
	// Revision, Time and Modified describe the VCS checkout the binary was
	// built in, when it was; "go install …@version" builds record none.
	Revision, Time string
	Modified       bool
	// Framework is the version of gitlab.com/tsumiki/tsumiki that a
	// repository's own binary links, "" for the framework's own binaries;
	// FrameworkReplace is where a replace directive points it, if any.
	Framework, FrameworkReplace string
}

// ReadBuildInfo reads the running binary's BuildInfo.
func ReadBuildInfo() BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return BuildInfo{Version: "(unknown)"}
	}
	return buildInfo(bi)
}

func buildInfo(bi *debug.BuildInfo) BuildInfo {
	info := BuildInfo{Path: bi.Main.Path, Version: bi.Main.Version}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	if info.Path != Module {
		for _, dep := range bi.Deps {
			if dep.Path == Module {
				info.Framework = dep.Version
				if dep.Replace != nil {
					info.FrameworkReplace = dep.Replace.Path
					if dep.Replace.Version != "" {
						info.FrameworkReplace += "@" + dep.Replace.Version
					}
				}
			}
		}
	}
	return info
}

// String formats the build info on one line:
//
//	gitlab.com/tsumiki/tsumiki v0.3.0
//	example.com/platform (devel), revision 1f2e3d4c5b6a, 2026-12-01T09:00:00Z, modified; tsumiki v0.3.0
func (b BuildInfo) String() string {
	var s strings.Builder
	s.WriteString(b.Path)
	if s.Len() > 0 {
		s.WriteByte(' ')
	}
	s.WriteString(b.Version)
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(&s, ", revision %s", rev)
		if b.Time != "" {
			fmt.Fprintf(&s, ", %s", b.Time)
		}
		if b.Modified {
			s.WriteString(", modified")
		}
	}
	if b.Framework != "" {
		fmt.Fprintf(&s, "; tsumiki %s", b.Framework)
		if b.FrameworkReplace != "" {
			fmt.Fprintf(&s, " => %s", b.FrameworkReplace)
		}
	}
	return s.String()
}

// VersionLine is what --version prints for the command named name.
func VersionLine(name string) string {
	return name + " " + ReadBuildInfo().String()
}
