// Package buildinfo says which build of the bridge is running, for
// `thereforebridge --version` and the build_info metric.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Stamped by release builds (`make dist`):
//
//	-ldflags "-X github.com/thereforebridge/thereforebridge/bridge/buildinfo.version=v1.2.0
//	          -X github.com/thereforebridge/thereforebridge/bridge/buildinfo.commit=<sha>"
//
// Left empty, Get falls back on what the Go toolchain recorded (module
// version, vcs.revision), which a plain `go build` in a checkout has too.
var (
	version string
	commit  string
)

// Info identifies one build.
type Info struct {
	Version   string // release version, "(devel)" for a checkout build
	Commit    string // VCS revision, "-dirty" appended for uncommitted changes; "unknown" when not recorded
	GoVersion string // the Go release that compiled it
}

// Get returns the running binary's build information.
func Get() Info {
	info := Info{Version: version, Commit: commit, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if info.Version == "" {
			info.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if info.Commit == "" {
			var rev string
			var dirty bool
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if rev != "" && dirty {
				rev += "-dirty"
			}
			info.Commit = rev
		}
	}
	if info.Version == "" {
		info.Version = "(devel)"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	return info
}

// String is the one-line form --version prints.
func (i Info) String() string {
	return "thereforebridge " + i.Version + " commit " + i.Commit + " " + i.GoVersion
}
