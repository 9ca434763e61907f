package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// SSHDPath is OpenSSH's sshd as `make deps` extracts it from openssh-server into the
// lab dir (not installed: installing it would start sshd on port 22 of the machine).
func SSHDPath() string { return filepath.Join(LabDir(), "sshd", "usr", "sbin", "sshd") }

// sshdLibraryPath holds the libraries the extracted sshd needs that the machine may
// lack (libwrap0, extracted next to it).
func sshdLibraryPath() string {
	d := filepath.Join(LabDir(), "sshd")
	return filepath.Join(d, "usr", "lib", "x86_64-linux-gnu") + ":" + filepath.Join(d, "lib", "x86_64-linux-gnu")
}

// SSHDOptions shape a lab sshd.
type SSHDOptions struct {
	// PermitRootLogin is sshd's setting; default "prohibit-password", Debian's own:
	// any root key logs in, with or without a forced command, so what a key may do
	// is decided by its authorized_keys line alone (as on a stock receiver).
	PermitRootLogin string
}

// SSHDaemon is a running lab sshd on loopback that lets root in with the keys of
// AuthorizedKeys (read at each login: Authorize changes it while it runs).
type SSHDaemon struct {
	Host           string // 127.0.0.1
	Port           int
	Dir            string // 0700: its config, host key, log, authorized_keys and the keys Key makes
	KnownHosts     string // "[127.0.0.1]:PORT" and its host key: ssh's UserKnownHostsFile
	AuthorizedKeys string // root's authorized_keys for this sshd
	LogFile        string // sshd's own log (-E): every login, key and forced command
}

// StartSSHD starts a real sshd (the one `make deps` extracts) listening on
// 127.0.0.1 on a free port, with a fresh ed25519 host key and an empty
// authorized_keys, and stops it at cleanup, logging the end of its log. It runs only
// inside the appliance (testenv.InAppliance), whose root is a throwaway overlay: it
// brings loopback up and, when missing, adds the privilege separation user sshd and
// /run/sshd there.
func StartSSHD(t TB, o SSHDOptions) *SSHDaemon {
	t.Helper()
	Require(t, SSHD)
	if !Inside() {
		t.Fatalf("testenv.StartSSHD runs only inside the appliance (testenv.InAppliance): it changes /etc there")
	}
	if o.PermitRootLogin == "" {
		o.PermitRootLogin = "prohibit-password"
	}
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("lab sshd: %s: %v", what, err)
		}
	}
	_, err := Local(ctx, "ip", "link", "set", "lo", "up")
	must("bring loopback up", err)
	// Privilege separation: the user sshd and its empty chroot directory.
	if _, err := Local(ctx, "getent", "passwd", "sshd"); err != nil {
		if runner.ExitCode(err) != 2 {
			must("getent passwd sshd", err)
		}
		_, err := Local(ctx, "useradd", "--system", "--no-create-home", "--home-dir", "/run/sshd", "--shell", "/usr/sbin/nologin", "sshd")
		must("add the privilege separation user sshd (in the appliance's /etc)", err)
	}
	must("make /run/sshd", os.MkdirAll("/run/sshd", 0o755))

	// Not /tmp: with StrictModes, sshd refuses an authorized_keys file below a
	// directory others can write to. /run is root's, 0755.
	dir, err := os.MkdirTemp("/run", LabPrefix+"sshd-")
	must("its directory", err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &SSHDaemon{Host: "127.0.0.1", Dir: dir, KnownHosts: filepath.Join(dir, "known_hosts"),
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"), LogFile: filepath.Join(dir, "sshd.log")}
	s.Port, err = freeLoopbackPort()
	must("a free port on 127.0.0.1", err)

	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	_, err = Local(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kvmbackup-lab-sshd", "-f", hostKey)
	must("make its host key", err)
	pub, err := os.ReadFile(hostKey + ".pub")
	must("read its host key", err)
	f := strings.Fields(string(pub))
	if len(f) < 2 {
		t.Fatalf("lab sshd: %s.pub: not a public key: %q", hostKey, pub)
	}
	must("write known_hosts", os.WriteFile(s.KnownHosts, fmt.Appendf(nil, "[%s]:%d %s %s\n", s.Host, s.Port, f[0], f[1]), 0o600))
	must("write authorized_keys", os.WriteFile(s.AuthorizedKeys, nil, 0o600))
	conf := filepath.Join(dir, "sshd_config")
	must("write sshd_config", os.WriteFile(conf, fmt.Appendf(nil, `# kvmbackup lab sshd (testenv.StartSSHD): loopback only, keys only
ListenAddress %s
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PermitRootLogin %s
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
UsePAM no
StrictModes yes
PrintMotd no
LogLevel VERBOSE
# Not the default sntrup761x25519-sha512: under TCG (the appliance) its key exchange
# costs about 2 s of the 6 s a connection takes; what is tested is not the exchange.
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
`, s.Host, s.Port, hostKey, filepath.Join(dir, "sshd.pid"), s.AuthorizedKeys, o.PermitRootLogin), 0o600))

	tool := runner.Tool{Path: SSHDPath(), Env: append(os.Environ(), "LD_LIBRARY_PATH="+sshdLibraryPath())}
	if _, err := tool.Run(ctx, "-t", "-f", conf); err != nil {
		t.Fatalf("lab sshd: its configuration %s does not pass sshd -t: %v", conf, err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	exited := make(chan error, 1)
	go func() {
		// -D: in the foreground, a child of this test (killed with it); -E: its log.
		_, err := tool.RunWith(sctx, runner.Options{KillWithParent: true}, "-D", "-E", s.LogFile, "-f", conf)
		exited <- err
	}()
	stop := func() {
		cancel()
		<-exited
		exited <- errors.New("stopped")
	}
	err = waitFor(ctx, 50*time.Millisecond, func() (bool, error) {
		select {
		case err := <-exited:
			exited <- err
			return false, fmt.Errorf("sshd exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), time.Second)
		if err != nil {
			return false, nil
		}
		c.Close()
		return true, nil
	})
	if err != nil {
		stop()
		t.Fatalf("lab sshd on %s:%d did not start: %v\nits log:\n%s", s.Host, s.Port, err, s.Log())
	}
	t.Cleanup(func() {
		stop()
		t.Logf("lab sshd on %s:%d stopped; the end of its log:\n%s", s.Host, s.Port, Tail(s.Log(), 6000))
	})
	return s
}

// Log is sshd's log so far.
func (s *SSHDaemon) Log() string {
	b, _ := os.ReadFile(s.LogFile)
	return string(b)
}

// Key makes a fresh ed25519 key pair (no passphrase) named name in s.Dir and returns
// the private key's path and the public key ("ssh-ed25519 AAAA… name").
func (s *SSHDaemon) Key(t TB, name string) (string, string) {
	t.Helper()
	key := filepath.Join(s.Dir, name)
	if _, err := Local(t.Context(), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key); err != nil {
		t.Fatalf("lab sshd: make the key %s: %v", key, err)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err == nil {
		err = os.Chmod(key+".pub", 0o600)
	}
	if err != nil {
		t.Fatalf("lab sshd: the key %s: %v", key, err)
	}
	return key, strings.TrimSpace(string(pub))
}

// Authorize makes lines (each "OPTIONS KEY" or "KEY") the whole of root's
// authorized_keys: the next login sees them.
func (s *SSHDaemon) Authorize(t TB, lines ...string) {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	tmp := s.AuthorizedKeys + ".new"
	err := os.WriteFile(tmp, []byte(b.String()), 0o600)
	if err == nil {
		err = os.Rename(tmp, s.AuthorizedKeys)
	}
	if err != nil {
		t.Fatalf("lab sshd: write %s: %v", s.AuthorizedKeys, err)
	}
}

// freeLoopbackPort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeLoopbackPort returns a TCP port on 127.0.0.1 that nothing listens on: a
// connection there is refused.
func FreeLoopbackPort(t TB) int {
	t.Helper()
	p, err := freeLoopbackPort()
	if err != nil {
		t.Fatalf("a free port on 127.0.0.1: %v", err)
	}
	return p
}
