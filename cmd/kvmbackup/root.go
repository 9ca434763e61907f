package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// globalOptions are the flags every command has.
type globalOptions struct {
	configFile string
	logLevel   string
	logFormat  string
	json       bool
	logOut     io.Writer // where the logger writes (a run adds its log file)
}

// stderrFormat is the log format the command chose for standard error (newLogger):
// main prints the final error in it.
var stderrFormat = logConsole

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "kvmbackup",
		Short: "Crash-consistent, space-efficient backups of KVM/libvirt VMs into ZFS",
		Long: `kvmbackup backs up the VMs of a KVM/libvirt host into a mirrored, compressed ZFS
pool: it quiesces each group of guests for a moment, takes LVM snapshots, resumes
them at once, copies only the changed blocks into the VM's dataset and takes a
dated ZFS snapshot, then prunes old snapshots by a retention policy.

The configuration is read from --config, else /etc/kvmbackup/config.yaml when it
exists, else the built-in defaults; KVMBACKUP_* environment variables override
single keys (KVMBACKUP_TARGET_DATASET, KVMBACKUP_SNAPSHOT_SIZE, ...).

EXIT STATUS
  0  success
  1  the run went through but some VM failed
  2  bad configuration, bad usage, or an environment that cannot work`,
		Example: `  kvmbackup check                      # is this host ready?
  kvmbackup check --config ./config.yaml --json
  kvmbackup status                     # is every backup fresh? (monitoring: exit 0/1/2)
  kvmbackup recover                    # resume VMs a crashed run left paused
  kvmbackup copy disk.raw backup.raw    # changed blocks only, in place
  kvmbackup version`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, format, err := newLogger(g, os.Stderr, os.Getenv)
			if err != nil {
				return err
			}
			stderrFormat = format
			cmd.SetContext(log.WithContext(cmd.Context()))
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.configFile, "config", "", "configuration file (default /etc/kvmbackup/config.yaml when it exists)")
	pf.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	pf.BoolVar(&g.json, "json", false, "machine-readable output: JSON results on stdout, JSON logs on stderr")
	pf.StringVar(&g.logFormat, "log-format", "", "log format on stderr: console, json or journal (plain lines led by their priority, <3> for an error)\n"+
		"(default: journal when stderr is systemd's journal stream (JOURNAL_STREAM), console on a terminal, else json; json with --json)")

	root.AddCommand(newPinCommands(g)...)
	root.AddCommand(newPruneCommand(g), newRunCommand(g), newListCommand(g), newRestoreCommand(g), newStatusCommand(g))
	root.AddCommand(newMountCommands(g)...)
	root.AddCommand(newVersionCommand(g), newCheckCommand(g), newRecoverCommand(g), newCopyCommand(g), newPolicyCommand(g), newNotifyCommand(g))
	root.AddCommand(newReceiveCommand(), newReplicateCommand(g), newForgetBaseCommand(g), newVerifyCommand(g))
	addGendocs(root)
	registerCompletions(root, g)
	return root
}

// newLogger returns the zerolog logger for a command at --log-level, writing to w
// in the format chooseLogFormat decides (returned too).
func newLogger(g *globalOptions, w *os.File, getenv func(string) string) (zerolog.Logger, string, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(g.logLevel))
	if err != nil || g.logLevel == "" || lvl > zerolog.ErrorLevel || lvl < zerolog.DebugLevel {
		return zerolog.Nop(), "", fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", g.logLevel)
	}
	format, err := chooseLogFormat(g.logFormat, g.json, w, getenv)
	if err != nil {
		return zerolog.Nop(), "", err
	}
	g.logOut = logWriter(format, w)
	return zerolog.New(g.logOut).Level(lvl).With().Timestamp().Logger(), format, nil
}

// loadSelected is loadConfig for a command that takes --vm and --path names: the
// names are checked too.
func loadSelected(g *globalOptions, vms, paths []string) (*config.Config, error) {
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, err
	}
	if err := checkVMFlags(vms); err != nil {
		return nil, err
	}
	if err := checkNameFlags("--path", paths); err != nil {
		return nil, err
	}
	return cfg, nil
}

// loadConfig reads the configuration the global flags name, with env overrides,
// checked by the domains' rules too (orchestrator.ConfigChecks).
func loadConfig(g *globalOptions) (*config.Config, error) {
	return config.Load(g.configFile, os.Environ(), orchestrator.ConfigChecks()...)
}

// lockFlag defines --lock, hidden: the host's run lock (orchestrator.DefaultLockPath),
// moved by the tests only.
func lockFlag(f *pflag.FlagSet, p *string) {
	f.StringVar(p, "lock", orchestrator.DefaultLockPath, "the host's run lock")
	_ = f.MarkHidden("lock")
}
