// Package themes embeds Playbook's default theme, so that the binary
// stands alone. A site shadows any of its files with its own layouts/ and
// static/ files of the same name.
//
// It holds files only and imports nothing of this module.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var files embed.FS

// Default returns the default theme: layouts/ and static/.
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil {
		panic(err) // the embedded directory is always there
	}
	return sub
}
