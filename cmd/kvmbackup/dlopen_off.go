//go:build !libvirt_dlopen

package main

// libvirtDlopen: built without the libvirt_dlopen tag: linked against libvirt.
const libvirtDlopen = false
