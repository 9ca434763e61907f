package config_test

import (
	"strings"
	"testing"

	. "github.com/kvmbackup/kvmbackup/internal/config"
)

// TestReplication: both kinds of target parse into their parts.
func TestReplication(t *testing.T) {
	c, err := parse([]byte(`
replication:
  - name: usb
    to: zfs://usbpool/kvmbackup
    after-run: true
    retention: {keep-daily: 30}
  - name: offsite
    to: ssh://root@backup2.example.org:2222/tank/replica/host1
    ssh: {key: /etc/kvmbackup/id, known-hosts: /etc/kvmbackup/known_hosts}
    bandwidth-limit: 10M/s
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Replication{
		{Name: "usb", To: "zfs://usbpool/kvmbackup", Scheme: ReplZFS, Dataset: "usbpool/kvmbackup", AfterRun: true},
		{Name: "offsite", To: "ssh://root@backup2.example.org:2222/tank/replica/host1", Scheme: ReplSSH,
			User: "root", Host: "backup2.example.org", Port: 2222, Dataset: "tank/replica/host1",
			SSH: SSHTarget{Key: "/etc/kvmbackup/id", KnownHosts: "/etc/kvmbackup/known_hosts"}, BandwidthLimit: 10 << 20},
	}
	if r := c.Replication[0].Retention; r == nil || *r != (Retention{KeepDaily: 30}) {
		t.Errorf("usb's retention %+v", r)
	}
	c.Replication[0].Retention = nil
	if len(c.Replication) != 2 || c.Replication[0] != want[0] || c.Replication[1] != want[1] {
		t.Errorf("got %+v\nwant %+v", c.Replication, want)
	}
	if r, ok := c.ReplicationTarget("offsite"); !ok || r.Host != "backup2.example.org" {
		t.Errorf("ReplicationTarget(offsite) = %+v, %v", r, ok)
	}
}

// TestReplicationInvalid: every bad entry fails naming replication[NAME].KEY.
func TestReplicationInvalid(t *testing.T) {
	ssh := "\n    ssh: {key: /k, known-hosts: /h}"
	for _, tc := range []struct{ entry, key, reason string }{
		{"name: usb\n    to: zfs://usbpool", "replication[usb].to", "POOL/DATASET"},
		{"name: usb\n    to: file:///x/y", "replication[usb].to", "not a replication target"},
		{"name: usb", "replication[usb].to", "is required"},
		{"name: usb\n    to: zfs://backup/vms/sub", "replication[usb].to", "overlaps target.dataset"},
		{"name: usb\n    to: zfs://backup", "replication[usb].to", "DATASET"},
		{"name: usb\n    to: zfs://usb/k" + ssh, "replication[usb].ssh", "only for ssh://"},
		{"name: off\n    to: ssh://backup2/tank/r", "replication[off].to", "names no user"},
		{"name: off\n    to: ssh://root:pw@backup2/tank/r" + ssh, "replication[off].to", "password"},
		{"name: off\n    to: ssh://root@backup2:99999/tank/r" + ssh, "replication[off].to", "port"},
		{"name: off\n    to: ssh://root@backup2/tank/r", "replication[off].ssh.key", "required"},
		{"name: off\n    to: ssh://root@backup2/tank/r\n    ssh: {key: id, known-hosts: /h}", "replication[off].ssh.key", "absolute"},
		{"name: off\n    to: ssh://root@backup2/tank/r\n    ssh: {key: /k}", "replication[off].ssh.known-hosts", "required"},
		{"name: off\n    to: zfs://usb/k\n    bandwidth-limit: fast", "replication[off].bandwidth-limit", "not a size"},
		{"name: off\n    to: zfs://usb/k\n    after-run: sometimes", "replication[off].after-run", "not a boolean"},
		{"name: off\n    to: zfs://usb/k\n    sss: 1", "replication[0].sss", "unknown config key"},
		{"name: off\n    to: ssh://root@b2/tank/r" + ssh + "\n    retention: {keep-daily: 3}", "replication[off].retention", "only for zfs://"},
		{"name: usb\n    to: zfs://usb/k\n    retention: {keep-daily: -1}", "replication[usb].retention.keep-daily", ""},
		{"name: usb\n    to: zfs://usb/k\n    retention: {keep-dayly: 1}", "replication[usb].retention.keep-dayly", "unknown"},
		{"name: a/b\n    to: zfs://usb/k", "replication[0].name", ""},
	} {
		_, err := parse([]byte("replication:\n  - "+tc.entry+"\n"), nil)
		e := findKey(err, tc.key)
		if e == nil || !strings.Contains(e.Error(), tc.reason) {
			t.Errorf("%q: want an error on %s with %q, got %v", tc.entry, tc.key, tc.reason, err)
		}
	}
	_, err := parse([]byte("replication:\n  - {name: usb, to: zfs://a/b}\n  - {name: usb, to: zfs://a/c}\n"), nil)
	if e := findKey(err, "replication[1].name"); e == nil || !strings.Contains(e.Error(), "replication[0]") {
		t.Errorf("a duplicate name: got %v", err)
	}
}
