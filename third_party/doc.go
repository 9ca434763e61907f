// Package thirdparty holds the code kvmbackup vendors and checks that it is what it
// claims to be. It has no code of its own: its test runs the re-vendoring script
// into a temporary directory and compares the result with the vendored tree.
//
// libvirt.org/go/libvirt (go.mod replaces it with ./third_party/libvirt.org/go/libvirt)
// is the upstream module at the version go.mod requires, as the Go module proxy
// serves it, without examples/, ci/ and the *_test.go files, plus one change:
// libvirt.org/go/libvirt.patch. Built with the libvirt_dlopen tag, upstream loads
// libvirt.so.0 and its ~55 libraries in an init(), in every command; with the patch
// it loads them on the first call into libvirt, so that commands which never
// connect (copy, policy, prune) start without them. The patch's header gives the
// reasons and figures; it is written to be sent upstream as it is.
//
// To move to another version: scripts/revendor-libvirt.sh VERSION (a pinned
// version: the proxy here refuses @latest). It fails, changing nothing, when the
// patch does not apply; then make the change by hand on the new version and write
// the patch again (git diff against the upstream tree, under the same header).
// Never edit the vendored tree alone: TestVendoredLibvirtIsUpstreamPlusPatch fails
// on any difference.
package thirdparty
