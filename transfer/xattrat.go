package transfer

import (
	"bytes"
	"sort"
	"strings"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux 6.13's listxattrat and getxattrat read the xattrs of a name in a directory
// without opening it (AT_SYMLINK_NOFOLLOW: a symlink's own). The quick check of an
// unchanged file uses them to see that its copy's xattrs are the source's without
// opening either (two calls a file where most have none); where they are missing
// (ENOSYS: older kernels, Debian 12's 6.1) the same is read through the directory's
// descriptor: llistxattr and lgetxattr of /proc/self/fd/DIRFD/NAME, one call each as
// well; that path is the open directory itself (a magic link, never resolved again by
// name) and NAME one component of it, its final symlink not followed, so a swap
// anywhere above gains nothing. When that says anything else too (no /proc), the file
// is opened and its xattrs copied as before.

var (
	noXattrAt      atomic.Bool // neither the calls nor /proc: open the files
	noXattrAtCalls atomic.Bool // the kernel lacks listxattrat and getxattrat
)

// procAt is NAME in the directory dirfd through /proc.
func procAt(dirfd int, name string) string { return procFd(dirfd) + "/" + name }

// xattrArgs is the kernel's struct xattr_args.
type xattrArgs struct {
	value uint64
	size  uint32
	flags uint32
}

func listxattrat(dirfd int, name string, buf []byte) (int, error) {
	return atOrProc(func() (int, error) { return listxattrat2(dirfd, name, buf) },
		func() (int, error) { return unix.Llistxattr(procAt(dirfd, name), buf) })
}

// atOrProc is call (a *xattrat system call) until the kernel says it lacks it, and
// from then on proc (the same through /proc/self/fd).
func atOrProc(call, proc func() (int, error)) (int, error) {
	if noXattrAtCalls.Load() {
		return proc()
	}
	n, err := call()
	if err == unix.ENOSYS {
		noXattrAtCalls.Store(true)
		return proc()
	}
	return n, err
}

func listxattrat2(dirfd int, name string, buf []byte) (int, error) {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return 0, err
	}
	var bp unsafe.Pointer
	if len(buf) > 0 {
		bp = unsafe.Pointer(&buf[0])
	}
	r, _, e := unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), unix.AT_SYMLINK_NOFOLLOW,
		uintptr(bp), uintptr(len(buf)), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func getxattrat(dirfd int, name, attr string, buf []byte) (int, error) {
	return atOrProc(func() (int, error) { return getxattrat2(dirfd, name, attr, buf) },
		func() (int, error) { return unix.Lgetxattr(procAt(dirfd, name), attr, buf) })
}

func getxattrat2(dirfd int, name, attr string, buf []byte) (int, error) {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return 0, err
	}
	a, err := unix.BytePtrFromString(attr)
	if err != nil {
		return 0, err
	}
	args := xattrArgs{size: uint32(len(buf))}
	if len(buf) > 0 {
		args.value = uint64(uintptr(unsafe.Pointer(&buf[0])))
	}
	r, _, e := unix.Syscall6(unix.SYS_GETXATTRAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), unix.AT_SYMLINK_NOFOLLOW,
		uintptr(unsafe.Pointer(a)), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// xattrNamesAt lists the xattr names of name in dirfd, but system.* (the ACLs'),
// sorted; ok is false when it cannot say (no /proc, a long list, an error).
func xattrNamesAt(dirfd int, name string, buf []byte) ([]string, bool) {
	n, err := listxattrat(dirfd, name, buf)
	if noXattrAtCalls.Load() && (err == unix.ENOENT || err == unix.ENOTDIR) && !procMounted() {
		noXattrAt.Store(true)
	}
	if err != nil {
		return nil, false
	}
	var names []string
	for _, k := range strings.Split(string(buf[:n]), "\x00") {
		if k != "" && !strings.HasPrefix(k, "system.") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names, true
}

// sameXattrsAt: name in sfd and name in dfd have the same xattrs (but system.*),
// read without opening either. false: they differ, or it cannot tell.
func sameXattrsAt(sfd, dfd int, name string) bool {
	if noXattrAt.Load() {
		return false
	}
	var sb, db [1024]byte
	sn, ok := xattrNamesAt(sfd, name, sb[:])
	if !ok {
		return false
	}
	dn, ok := xattrNamesAt(dfd, name, db[:])
	if !ok || len(sn) != len(dn) {
		return false
	}
	for i := range sn {
		if sn[i] != dn[i] {
			return false
		}
	}
	for _, k := range sn {
		n, err := getxattrat(sfd, name, k, sb[:])
		if err != nil {
			return false
		}
		m, err := getxattrat(dfd, name, k, db[:])
		if err != nil || !bytes.Equal(sb[:n], db[:m]) {
			return false
		}
	}
	return true
}

// procMounted: /proc/self/fd is there (the fallback's paths need it).
func procMounted() bool {
	var st unix.Stat_t
	return unix.Stat("/proc/self/fd", &st) == nil
}
