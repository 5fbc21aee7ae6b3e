package node

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tightenPermissions makes dir and everything under it accessible to its
// owner only (directories 0700, files at most 0600), as statusd creates
// them, and returns how many entries it had to change. An existing data
// directory (say one made by an installer with 0755) would otherwise leave
// the database and keys readable by other local users. Symbolic links are
// not followed.
func tightenPermissions(dir string) (int, error) {
	changed := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 || !(d.IsDir() || d.Type().IsRegular()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := info.Mode().Perm()
		want := mode &^ 0o077
		if d.IsDir() {
			want = 0o700
		}
		if mode == want {
			return nil
		}
		changed++
		return os.Chmod(p, want)
	})
	if err != nil {
		return changed, fmt.Errorf("restrict permissions of %s: %w", dir, err)
	}
	return changed, nil
}
