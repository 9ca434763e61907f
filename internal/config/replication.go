package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/names"
)

// Replication is one replication: target: where `kvmbackup replicate` sends the dated
// snapshots (docs/replication.md).
type Replication struct {
	Name string `mapstructure:"name"` // names the target: in bookmarks, --to, the report
	// To is where, as written: zfs://POOL/DATASET (a second pool on this host) or
	// ssh://USER@HOST[:PORT]/POOL/DATASET (a receiver running `kvmbackup receive`
	// as the key's forced command). Scheme, User, Host, Port and Dataset are its parts.
	To      string    `mapstructure:"to"`
	Scheme  string    `mapstructure:"-"` // ReplZFS or ReplSSH
	User    string    `mapstructure:"-"`
	Host    string    `mapstructure:"-"`
	Port    int       `mapstructure:"-"` // 0: ssh's default
	Dataset string    `mapstructure:"-"` // the receiver's root
	SSH     SSHTarget `mapstructure:"ssh"`
	// BandwidthLimit is at most this many bytes per second sent; 0: no limit.
	BandwidthLimit int64 `mapstructure:"bandwidth-limit"`
	// AfterRun: `kvmbackup run` replicates what it backed up to this target after
	// its prune (default false: only `kvmbackup replicate` does).
	AfterRun bool `mapstructure:"after-run"`
	// Retention is the receiver's own history for a zfs:// target: after each
	// receive, the dataset received into is pruned by it there (nil: everything is
	// kept). An ssh:// receiver's is set on that host, in its forced command.
	Retention *Retention `mapstructure:"retention"`
}

// SSHTarget is how an ssh:// target is reached: both absolute paths, both required.
type SSHTarget struct {
	Key        string `mapstructure:"key"`         // the private key (ssh -i)
	KnownHosts string `mapstructure:"known-hosts"` // the receiver's host key (UserKnownHostsFile)
}

// The schemes of replication[].to.
const (
	ReplZFS = "zfs"
	ReplSSH = "ssh"
)

type rawReplication struct {
	Name string `mapstructure:"name"`
	To   string `mapstructure:"to"`
	SSH  struct {
		Key        string `mapstructure:"key"`
		KnownHosts string `mapstructure:"known-hosts"`
	} `mapstructure:"ssh"`
	BandwidthLimit string        `mapstructure:"bandwidth-limit"`
	AfterRun       string        `mapstructure:"after-run"`
	Retention      *rawRetention `mapstructure:"retention"`
}

const wantTo = "(want zfs://POOL/DATASET or ssh://USER@HOST[:PORT]/POOL/DATASET)"

// parseReplTo splits a replication[].to into r's parts; the reason when it is not one.
func parseReplTo(to string, r *Replication) string {
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != ReplZFS && u.Scheme != ReplSSH) || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" {
		return "is not a replication target " + wantTo
	}
	r.Scheme = u.Scheme
	if u.Scheme == ReplZFS {
		if u.User != nil || u.Port() != "" {
			return "is a zfs:// target with a user or port " + wantTo
		}
		r.Dataset = u.Host + u.Path
	} else {
		if u.User == nil || u.User.Username() == "" {
			return "names no user " + wantTo
		}
		if _, has := u.User.Password(); has {
			return "holds a password: ssh:// targets use a key (replication[].ssh.key)"
		}
		r.User, r.Host = u.User.Username(), u.Hostname()
		if r.Host == "" || strings.HasPrefix(r.Host, "-") || names.Component(r.User) != "" {
			return "names no usable user and host " + wantTo
		}
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return "has a port out of range (1-65535)"
			}
			r.Port = n
		}
		r.Dataset = strings.TrimPrefix(u.Path, "/")
	}
	if reason := names.DatasetBelowPool(r.Dataset); reason != "" {
		return "names the dataset " + strconv.Quote(r.Dataset) + ", which " + reason
	}
	return ""
}

// replication builds replication: from its raw entries.
func (b *builder) replication(raw []rawReplication) []Replication {
	var out []Replication
	for _, rr := range raw {
		out = append(out, Replication{Name: rr.Name, To: rr.To, SSH: SSHTarget{Key: rr.SSH.Key, KnownHosts: rr.SSH.KnownHosts}})
	}
	key := func(i int) string {
		return entryKey("replication", i, out[i].Name, func(j int) string { return out[j].Name }, len(out))
	}
	for i, rr := range raw {
		if rr.To != "" {
			b.values[key(i)+".to"] = rr.To
			if reason := parseReplTo(rr.To, &out[i]); reason != "" {
				b.fail(key(i)+".to", rr.To, reason)
			}
		}
		if rr.Retention != nil {
			own := b.retention(key(i)+".retention", *rr.Retention, true)
			out[i].Retention = &own
		}
		if rr.AfterRun != "" {
			b.values[key(i)+".after-run"] = rr.AfterRun
			out[i].AfterRun = b.bool(key(i)+".after-run", rr.AfterRun)
		}
		if rr.BandwidthLimit != "" {
			v := strings.TrimSuffix(rr.BandwidthLimit, "/s")
			out[i].BandwidthLimit = parseKey(b, key(i)+".bandwidth-limit", v, func(s string) (int64, string) {
				return parseBytes(s, "per second (want e.g. 10M or 10M/s)")
			})
		}
	}
	return out
}

// replKey names replication: entry i in a key: replication[NAME] (by index when its
// name is not a valid, unique one).
func (c *Config) replKey(i int) string {
	return entryKey("replication", i, c.Replication[i].Name, func(j int) string { return c.Replication[j].Name }, len(c.Replication))
}

// checkReplication adds the problems of replication: to bad.
func (c *Config) checkReplication(bad func(key, value, reason string)) {
	at := map[string]int{}
	for i, r := range c.Replication {
		key := c.replKey(i)
		if reason := names.Component(r.Name); reason != "" {
			bad(fmt.Sprintf("replication[%d].name", i), r.Name, reason)
		} else if j, dup := at[r.Name]; dup {
			bad(fmt.Sprintf("replication[%d].name", i), r.Name, fmt.Sprintf("is already the name of replication[%d]", j))
		} else {
			at[r.Name] = i
		}
		switch {
		case r.To == "":
			bad(key+".to", "", "is required "+wantTo)
		case r.Scheme == ReplZFS:
			if r.SSH != (SSHTarget{}) {
				bad(key+".ssh", "", "is only for ssh:// targets")
			}
			t := c.Target.Dataset
			if r.Dataset == t || strings.HasPrefix(r.Dataset, t+"/") || strings.HasPrefix(t, r.Dataset+"/") {
				bad(key+".to", r.To, "overlaps target.dataset "+t+": replicate to another dataset, best on another pool")
			}
		case r.Scheme == ReplSSH:
			if r.Retention != nil {
				bad(key+".retention", "", "is only for zfs:// targets: an ssh:// receiver keeps its own history, set there in its forced command (kvmbackup receive --root POOL/DATASET --keep-daily 30 --keep-monthly 12)")
			}
			for _, f := range []struct{ key, v string }{{"ssh.key", r.SSH.Key}, {"ssh.known-hosts", r.SSH.KnownHosts}} {
				switch {
				case f.v == "":
					bad(key+"."+f.key, "", "is required for an ssh:// target")
				case !filepath.IsAbs(f.v) || filepath.Clean(f.v) != f.v:
					bad(key+"."+f.key, f.v, "is not a clean absolute path")
				}
			}
		}
		if r.BandwidthLimit < 0 {
			bad(key+".bandwidth-limit", FormatBytes(r.BandwidthLimit), "must be above 0")
		}
	}
}

// ReplicationTarget returns the replication: entry name, or false.
func (c *Config) ReplicationTarget(name string) (Replication, bool) {
	for _, r := range c.Replication {
		if r.Name == name {
			return r, true
		}
	}
	return Replication{}, false
}
