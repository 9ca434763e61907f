package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// streamOf is the JOURNAL_STREAM value systemd would set for f: "DEVICE:INODE".
func streamOf(t *testing.T, f *os.File) string {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

func tempStderr(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The log format: --log-format when given; JSON with --json; the journal's when
// standard error is the stream JOURNAL_STREAM names (not when the variable is only
// inherited); console on a terminal; else JSON, as before.
func TestLogFormatChoice(t *testing.T) {
	f, other := tempStderr(t), tempStderr(t)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "JOURNAL_STREAM" {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name, flag string
		json       bool
		stream     string
		want       string
	}{
		{"no journal, no terminal", "", false, "", logJSON},
		{"the journal", "", false, streamOf(t, f), logJournal},
		{"JOURNAL_STREAM of another stream", "", false, streamOf(t, other), logJSON},
		{"JOURNAL_STREAM garbage", "", false, "journal", logJSON},
		{"--json", "", true, streamOf(t, f), logJSON},
		{"--log-format console", logConsole, true, streamOf(t, f), logConsole},
		{"--log-format json", logJSON, false, streamOf(t, f), logJSON},
		{"--log-format journal", logJournal, false, "", logJournal},
	} {
		got, err := chooseLogFormat(tc.flag, tc.json, f, env(tc.stream))
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := chooseLogFormat("syslog", false, f, env("")); err == nil || !strings.Contains(err.Error(), `--log-format: "syslog"`) {
		t.Errorf("--log-format syslog: %v", err)
	}
	_, err, code := runCLI(t, "--log-format", "xml", "version")
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("--log-format xml: exit %d, %v", code, err)
	}
}

// Under systemd the log is plain lines, each led by its priority as sd-daemon(3)
// describes (<3> an error, <4> a warning, <6> information, <7> debug): no JSON, no
// time stamp (journald adds its own), every line of a message of several lines led
// by it.
func TestJournalLog(t *testing.T) {
	f := tempStderr(t)
	g := &globalOptions{logLevel: "debug"}
	log, format, err := newLogger(g, f, func(k string) string {
		if k == "JOURNAL_STREAM" {
			return streamOf(t, f)
		}
		return ""
	})
	if err != nil || format != logJournal {
		t.Fatalf("format %q, %v", format, err)
	}
	log.Error().Str("vm", "web1").Err(errors.New("disk vdb: gone")).Msg("backup failed")
	log.Warn().Str("dataset", "backup/vms/x").Msg("not pruned")
	log.Info().Int64("written", 1<<20).Msg("pruned")
	log.Debug().Msg("two\nlines")
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`<3>backup failed error="disk vdb: gone" vm=web1`,
		`<4>not pruned dataset=backup/vms/x`,
		`<6>pruned written=1048576`,
		`<7>two`,
		`<7>lines`,
	}
	if got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journal log:\n%s\nwant:\n%s", data, strings.Join(want, "\n"))
	}
	if got, want := journalLines("kvmbackup: config:\nbad key\n"), "<3>kvmbackup: config:\n<3>bad key\n"; got != want {
		t.Errorf("journalLines: %q, want %q", got, want)
	}
}
