package interop

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The reference this module exists for.
const ownRef = kindStatusRef

// TestReferences runs every check between the two references (go-ethereum
// v1.9.20 and status-im/whisper v1.6.2): it proves the harness and the
// checks before they judge statusd.
func TestReferences(t *testing.T) {
	runPair(t, kindStatusRef, kindGethRef)
}

// TestStatusd runs every check between statusd and status-im/whisper v1.6.2, with statusd
// sending first, then receiving.
func TestStatusd(t *testing.T) {
	runPair(t, kindStatusd, ownRef)
}

// TestSharedFilesInSync checks that the harness files shared with the
// other Whisper interop module have not drifted apart.
func TestSharedFilesInSync(t *testing.T) {
	other := "../whisper-status"
	if ownRef == kindStatusRef {
		other = "../whisper-geth"
	}
	for _, name := range []string{"harness_test.go", "suite_test.go", "chat_test.go", "procattr_linux_test.go", "procattr_other_test.go"} {
		mine, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := os.ReadFile(filepath.Join(other, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mine, theirs) {
			t.Errorf("%s differs from %s", name, filepath.Join(other, name))
		}
	}
}
