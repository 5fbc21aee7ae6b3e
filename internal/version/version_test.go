package version

import (
	"runtime"
	"strings"
	"testing"
)

func TestInfo(t *testing.T) {
	i := Get()
	if i.Commit == "" || i.Go != runtime.Version() {
		t.Fatalf("info = %+v", i)
	}
	if cv := i.ClientVersion(); !strings.HasPrefix(cv, "statusd/v"+Version+"/") || !strings.HasSuffix(cv, runtime.Version()) {
		t.Fatalf("client version %q", cv)
	}
	if s := i.String(); !strings.Contains(s, "commit "+i.Commit) || !strings.Contains(s, runtime.Version()) {
		t.Fatalf("String() = %q", s)
	}
}
