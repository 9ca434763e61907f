//go:build libvirt_dlopen

package main

// libvirtDlopen: built with the libvirt_dlopen tag (make sets it): libvirt.so.0 is
// loaded on the first connect, not at start.
const libvirtDlopen = true
