package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// Log formats (--log-format).
const (
	logConsole = "console" // human lines: time, level, message, key=value
	logJSON    = "json"    // one JSON object a line (zerolog's)
	logJournal = "journal" // plain lines, each led by its syslog priority <N> (sd-daemon(3))
)

// chooseLogFormat decides the format of the log on w (standard error): the
// --log-format flag when given; else JSON with --json; else journal when w is the
// stream systemd connected to the journal (JOURNAL_STREAM names its device and
// inode, systemd.exec(5)); else console on a terminal; else JSON.
func chooseLogFormat(flag string, jsonOut bool, w *os.File, getenv func(string) string) (string, error) {
	switch {
	case flag == logConsole || flag == logJSON || flag == logJournal:
		return flag, nil
	case flag != "":
		return "", fmt.Errorf("--log-format: %q is not one of console, json, journal", flag)
	case jsonOut:
		return logJSON, nil
	case journalStream(w, getenv("JOURNAL_STREAM")):
		return logJournal, nil
	case isatty.IsTerminal(w.Fd()):
		return logConsole, nil
	}
	return logJSON, nil
}

// journalStream reports whether w is the stream JOURNAL_STREAM ("DEVICE:INODE", as
// systemd sets it for a service's output connected to the journal) names: a
// variable inherited by a process whose standard error goes elsewhere does not count.
func journalStream(w *os.File, v string) bool {
	var dev, ino uint64
	if v == "" {
		return false
	}
	if n, err := fmt.Sscanf(v, "%d:%d", &dev, &ino); n != 2 || err != nil {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(w.Fd()), &st); err != nil {
		return false
	}
	return uint64(st.Dev) == dev && st.Ino == ino
}

// journalPriority is the syslog priority journald gives a line led by "<N>"
// (sd-daemon(3): SD_ERR "<3>", SD_WARNING "<4>", SD_INFO "<6>", SD_DEBUG "<7>").
func journalPriority(l zerolog.Level) int {
	switch l {
	case zerolog.PanicLevel:
		return 0 // emerg
	case zerolog.FatalLevel:
		return 2 // crit
	case zerolog.ErrorLevel:
		return 3 // err
	case zerolog.WarnLevel:
		return 4 // warning
	case zerolog.DebugLevel, zerolog.TraceLevel:
		return 7 // debug
	}
	return 6 // info
}

// journalWriter writes zerolog's events as plain lines for the journal: the message
// and its key=value fields, no time (journald stamps each line) and no level word,
// every line led by the event's priority: "<3>backup failed vm=web1 error=...". An
// event of several lines (a message with newlines) has its priority on each.
type journalWriter struct {
	w io.Writer
}

func (j journalWriter) Write(p []byte) (int, error) { return j.WriteLevel(zerolog.NoLevel, p) }

// WriteLevel formats one event (JSON, as zerolog gives it) at level l.
func (j journalWriter) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	var line bytes.Buffer
	cw := zerolog.ConsoleWriter{Out: &line, NoColor: true,
		PartsExclude: []string{zerolog.TimestampFieldName, zerolog.LevelFieldName}}
	if _, err := cw.Write(p); err != nil {
		return 0, err
	}
	prefix := fmt.Sprintf("<%d>", journalPriority(l))
	var out bytes.Buffer
	for _, s := range strings.Split(strings.TrimRight(line.String(), "\n"), "\n") {
		out.WriteString(prefix + s + "\n")
	}
	if _, err := j.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// logWriter returns where a logger in format writes to w.
func logWriter(format string, w io.Writer) io.Writer {
	switch format {
	case logConsole:
		return zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	case logJournal:
		return journalWriter{w}
	}
	return w
}

// journalLines leads each line of s with the priority of an error, for standard
// error in the journal format: "<3>kvmbackup: ...".
func journalLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = fmt.Sprintf("<%d>%s", journalPriority(zerolog.ErrorLevel), l)
	}
	return strings.Join(lines, "\n") + "\n"
}
