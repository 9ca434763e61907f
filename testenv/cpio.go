package testenv

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// cpioArchive builds an uncompressed "newc" cpio archive, the format the kernel
// unpacks as an initramfs. Uncompressed on purpose: under TCG the kernel's
// decompressor costs seconds, an extra few MiB of copying costs nothing.
type cpioArchive struct {
	entries map[string]cpioEntry
}

type cpioEntry struct {
	mode uint32 // type bits | permissions
	data []byte // file content, or symlink target
}

const (
	cpioDir     = 0o040000
	cpioFile    = 0o100000
	cpioSymlink = 0o120000
)

func newCPIO() *cpioArchive { return &cpioArchive{entries: map[string]cpioEntry{}} }

// add puts a file, creating its parent directories.
func (a *cpioArchive) add(name string, mode uint32, data []byte) {
	name = strings.TrimPrefix(name, "/")
	for dir := parentDir(name); dir != ""; dir = parentDir(dir) {
		if _, ok := a.entries[dir]; !ok {
			a.entries[dir] = cpioEntry{mode: cpioDir | 0o755}
		}
	}
	a.entries[name] = cpioEntry{mode: mode, data: data}
}

func (a *cpioArchive) addDir(name string) { a.add(name, cpioDir|0o755, nil) }

func parentDir(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i <= 0 {
		return ""
	}
	return name[:i]
}

// writeTo writes the archive, parents before children, and the trailer.
func (a *cpioArchive) writeTo(w io.Writer) error {
	names := make([]string, 0, len(a.entries))
	for n := range a.entries {
		names = append(names, n)
	}
	sort.Strings(names) // a parent sorts before its children
	ino := uint32(1)
	for _, n := range names {
		e := a.entries[n]
		if err := writeCPIOEntry(w, ino, n, e.mode, e.data); err != nil {
			return err
		}
		ino++
	}
	return writeCPIOEntry(w, 0, "TRAILER!!!", 0, nil)
}

func writeCPIOEntry(w io.Writer, ino uint32, name string, mode uint32, data []byte) error {
	nlink := 1
	if mode&0o170000 == cpioDir {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	buf := append([]byte(hdr), name...)
	buf = append(buf, 0)
	buf = pad4(buf)
	buf = append(buf, data...)
	buf = pad4(buf)
	_, err := w.Write(buf)
	return err
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
