package main

import (
	"strings"
	"testing"
	"time"
)

// kvmbackup receive as a forced command: every refused request exits 2 with one line
// naming it, before any zfs command runs (none could here: no ZFS on this machine);
// a missing or bad --root is exit 2 too.
func TestReceiveRefusesRequests(t *testing.T) {
	for _, req := range []string{"", "sh", "bash -i", "zfs destroy -r tank", "receive ../x", "receive /etc", "receive web1; id",
		"destroy web1", "receive _clones/x", "list; cat /etc/shadow", "receive $(reboot)", "abort a/b/c"} {
		t.Setenv(requestEnv, req)
		stdout, _, err, code := runCLIStdin(t, "STREAM", time.UTC, "receive", "--root", "tank/replica/host1")
		if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "refused request") || strings.Contains(err.Error(), "\n") || stdout != "" {
			t.Errorf("%q: exit %d, %v, stdout %q", req, code, err, stdout)
		}
	}
	t.Setenv(requestEnv, "list")
	for _, args := range [][]string{{"receive"}, {"receive", "--root", "bad name"}, {"receive", "--root", "/tank"}} {
		if _, _, err, code := runCLIStdin(t, "", time.UTC, args...); code != exitEnvironment || err == nil {
			t.Errorf("%v: exit %d, %v", args, code, err)
		}
	}
	out, err, code := runCLI(t, "receive", "--help")
	if code != exitOK || err != nil || !strings.Contains(out, `command="kvmbackup receive --root`) || !strings.Contains(out, "EXIT STATUS") {
		t.Errorf("receive --help: exit %d %v\n%s", code, err, out)
	}
}
