package e2e

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusnode/statusd/internal/messenger"
)

// readmeShellBlocks returns the ```sh blocks of README.md between the
// heading and the next heading of the same or a higher level.
func readmeShellBlocks(t *testing.T, heading string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var blocks []string
	for {
		_, rest, ok := strings.Cut(section, "```sh\n")
		if !ok {
			return blocks
		}
		block, after, _ := strings.Cut(rest, "```")
		blocks = append(blocks, block)
		section = after
	}
}

// TestREADMEGroupInvitation runs README.md's "A group invitation with
// curl" as written, with sh and curl, against two live daemons in data
// and data2 (only the ports change): the invited node sees the
// invitation, joins, and the inviting node lists it as joined.
func TestREADMEGroupInvitation(t *testing.T) {
	for _, tool := range []string{"curl", "sh", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	blocks := readmeShellBlocks(t, "### A group invitation with curl")
	if len(blocks) != 4 {
		t.Fatalf("%d shell blocks in the README's group invitation, want 4", len(blocks))
	}
	dir := t.TempDir()
	a := startChatProc(t, "a", filepath.Join(dir, "data"), "a password")
	b := startChatProc(t, "b", filepath.Join(dir, "data2"), "b password")
	a.addPeer(b)
	eventually(t, e2eWait, "the nodes connected", func() bool { return a.whisperPeers() == 1 && b.whisperPeers() == 1 })
	hostOf := func(p *chatProc) string {
		u, err := url.Parse(p.d.HTTP)
		if err != nil {
			t.Fatal(err)
		}
		return u.Host
	}
	run := func(block string, env ...string) string {
		t.Helper()
		block = strings.NewReplacer("localhost:8545", hostOf(a), "localhost:8555", hostOf(b)).Replace(block)
		cmd := exec.Command("sh", "-ec", block)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v running\n%s\n%s", err, block, out)
		}
		return strings.TrimSpace(string(out))
	}

	group := run(blocks[0])
	if !strings.HasSuffix(group, a.key) {
		t.Fatalf("the first block printed %q, want a group ID ending in %s", group, a.key)
	}
	env := "GROUP=" + group
	eventually(t, e2eWait, "the invitation at the second node", func() bool {
		var c messenger.Chat
		return b.callErr(&c, "statusd_chat", group) == nil
	})
	if out := run(blocks[1], env); !strings.Contains(out, `"membership":"invited"`) {
		t.Fatalf("the invited node's chat: %s", out)
	}
	if out := run(blocks[2], env); !strings.Contains(out, `"membership":"joined"`) {
		t.Fatalf("joining: %s", out)
	}
	eventually(t, e2eWait, "the first node lists the second as joined", func() bool {
		return strings.Contains(run(blocks[3], env), `"joined":["`+a.key+`","`+b.key+`"]`)
	})
}
