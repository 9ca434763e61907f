package zfs

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// libzfs_core(3) and libnvpair, OpenZFS's stable library interface, loaded with
// dlopen on first use (no headers, no link: a host without them runs the commands).
typedef struct nvlist nvlist_t;
static int (*kb_lzc_init)(void);
static int (*kb_lzc_program)(const char *, const char *, uint64_t, uint64_t, nvlist_t *, nvlist_t **);
static int (*kb_lzc_program_nosync)(const char *, const char *, uint64_t, uint64_t, nvlist_t *, nvlist_t **);
static int (*kb_lzc_snapshot)(nvlist_t *, nvlist_t *, nvlist_t **);
static int (*kb_lzc_destroy_snaps)(nvlist_t *, int, nvlist_t **);
static int (*kb_lzc_exists)(const char *);
static nvlist_t *(*kb_nv_alloc)(void);
static void (*kb_nv_free)(nvlist_t *);
static void (*kb_nv_add_boolean)(nvlist_t *, const char *);
static void (*kb_nv_add_string)(nvlist_t *, const char *, const char *);
static void (*kb_nv_add_string_array)(nvlist_t *, const char *, const char *const *, unsigned int);
static int (*kb_nv_print_json)(FILE *, nvlist_t *);

static const char *kb_core_open(void) {
	void *nv = dlopen("libnvpair.so.3", RTLD_NOW | RTLD_LOCAL);
	if (nv == NULL) return dlerror();
	void *core = dlopen("libzfs_core.so.3", RTLD_NOW | RTLD_LOCAL);
	if (core == NULL) return dlerror();
	kb_lzc_init = dlsym(core, "libzfs_core_init");
	kb_lzc_program = dlsym(core, "lzc_channel_program");
	kb_lzc_program_nosync = dlsym(core, "lzc_channel_program_nosync");
	kb_lzc_snapshot = dlsym(core, "lzc_snapshot");
	kb_lzc_destroy_snaps = dlsym(core, "lzc_destroy_snaps");
	kb_lzc_exists = dlsym(core, "lzc_exists");
	kb_nv_alloc = dlsym(nv, "fnvlist_alloc");
	kb_nv_free = dlsym(nv, "fnvlist_free");
	kb_nv_add_boolean = dlsym(nv, "fnvlist_add_boolean");
	kb_nv_add_string = dlsym(nv, "fnvlist_add_string");
	kb_nv_add_string_array = dlsym(nv, "fnvlist_add_string_array");
	kb_nv_print_json = dlsym(nv, "nvlist_print_json");
	if (!kb_lzc_init || !kb_lzc_program || !kb_lzc_program_nosync || !kb_lzc_snapshot || !kb_lzc_destroy_snaps || !kb_lzc_exists || !kb_nv_alloc || !kb_nv_free ||
	    !kb_nv_add_boolean || !kb_nv_add_string || !kb_nv_add_string_array || !kb_nv_print_json)
		return "a symbol of libzfs_core.so.3 or libnvpair.so.3 is missing";
	if (kb_lzc_init() != 0) return "libzfs_core_init failed (no /dev/zfs?)";
	return NULL;
}

// kb_json is nvl as nvlist_print_json prints it (zfs program -j's printer), in a
// buffer malloc made (the caller frees it); nvl is freed.
static char *kb_json(nvlist_t *nvl, size_t *len) {
	char *out = NULL;
	*len = 0;
	if (nvl == NULL) return NULL;
	FILE *f = open_memstream(&out, len);
	if (f != NULL) {
		kb_nv_print_json(f, nvl);
		fclose(f);
	}
	kb_nv_free(nvl);
	return out;
}

static int kb_program(const char *pool, const char *prog, int sync, uint64_t instr, uint64_t mem,
    const char *const *argv, unsigned int argc, char **out, size_t *len) {
	nvlist_t *args = kb_nv_alloc();
	kb_nv_add_string_array(args, "argv", argv, argc);
	nvlist_t *res = NULL;
	int err = (sync ? kb_lzc_program : kb_lzc_program_nosync)(pool, prog, instr, mem, args, &res);
	kb_nv_free(args);
	*out = kb_json(res, len);
	return err;
}

static int kb_snapshot(const char *name, const char *const *props, unsigned int nprops, char **out, size_t *len) {
	nvlist_t *snaps = kb_nv_alloc(), *p = kb_nv_alloc(), *errs = NULL;
	kb_nv_add_boolean(snaps, name);
	for (unsigned int i = 0; i + 1 < nprops; i += 2) kb_nv_add_string(p, props[i], props[i + 1]);
	int err = kb_lzc_snapshot(snaps, p, &errs);
	kb_nv_free(snaps);
	kb_nv_free(p);
	*out = kb_json(errs, len);
	return err;
}

// kb_exists: lzc_exists's boolean_t (an enum: B_TRUE is 1) as an int.
static int kb_exists(const char *name) { return kb_lzc_exists(name) != 0; }

// kb_destroy destroys the snapshot name, not deferred (a held one is refused).
static int kb_destroy(const char *name, char **out, size_t *len) {
	nvlist_t *snaps = kb_nv_alloc(), *errs = NULL;
	kb_nv_add_boolean(snaps, name);
	int err = kb_lzc_destroy_snaps(snaps, 0, &errs);
	kb_nv_free(snaps);
	*out = kb_json(errs, len);
	return err;
}
*/
import "C"

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// Core is OpenZFS's libzfs_core(3), the library interface the zfs command itself
// calls, loaded with dlopen on first use: a channel program or a snapshot made by
// one ioctl from this process, where the command costs a process that loads libzfs
// and some twenty libraries first (under emulation, most of the command's time).
// A host without the library (or without /dev/zfs) is told by Available's error,
// and the Manager runs the commands instead. Its calls are not cancellable (an
// ioctl): each returns on its context's end, the call left to finish behind it.
type Core struct {
	once sync.Once
	err  error
}

// libzfsCore is the process's one Core (the library is loaded once).
var libzfsCore = &Core{}

// Available loads the library (once) and says why it cannot be used.
func (c *Core) Available() error {
	c.once.Do(func() {
		if e := C.kb_core_open(); e != nil {
			c.err = fmt.Errorf("libzfs_core: %s", C.GoString(e))
			return
		}
		c.err = closeOnExec("/dev/zfs")
	})
	return c.err
}

// closeOnExec marks this process's descriptors of dev close-on-exec: the one
// libzfs_core_init opened (without O_CLOEXEC in some releases) is not handed to
// every command kvmbackup starts after it (zpool, lvm, a boot check's QEMU).
func closeOnExec(dev string) error {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("libzfs_core: %w", err)
	}
	for _, e := range fds {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == dev {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}

// call runs f on its own goroutine and returns its error, or ctx's when ctx ends
// first; what is logged at debug is what the runner logs of a command.
func (c *Core) call(ctx context.Context, what string, f func() error) error {
	if err := c.Available(); err != nil {
		return err
	}
	log := zerolog.Ctx(ctx).With().Str("component", "libzfs_core").Str("call", what).Logger()
	log.Debug().Msg("start")
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		log.Debug().Err(err).Dur("duration", time.Since(start)).Msg("exit")
		return err
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
}

// cstrings are ss as C strings, and the function that frees them.
func cstrings(ss []string) ([]*C.char, func()) {
	out := make([]*C.char, len(ss))
	for i, s := range ss {
		out[i] = C.CString(s)
	}
	return out, func() {
		for _, p := range out {
			C.free(unsafe.Pointer(p))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// from is the C array of ss's strings from the i-th on (nil when there are none).
func from(ss []*C.char, i int) **C.char {
	if i >= len(ss) {
		return nil
	}
	return &ss[i]
}

// goJSON takes what kb_json made (and frees it).
func goJSON(p *C.char, n C.size_t) []byte {
	if p == nil {
		return nil
	}
	defer C.free(unsafe.Pointer(p))
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

// Program runs a channel program, in syncing context (lzc_channel_program, what
// `zfs program` runs) or with sync false in open context, reading only
// (lzc_channel_program_nosync, `zfs program -n`), with argv as its "argv"
// argument, and returns its answer as `zfs program -j` prints it. A failure is
// the errno and the answer (Lua's error).
func (c *Core) Program(ctx context.Context, pool string, program []byte, sync bool, instrLimit, memLimit uint64, argv ...string) ([]byte, error) {
	var out []byte
	err := c.call(ctx, "channel program on "+pool, func() error {
		args, free := cstrings(append([]string{pool, string(program)}, argv...))
		defer free()
		var res *C.char
		var n C.size_t
		rc := C.kb_program(args[0], args[1], C.int(btoi(sync)), C.uint64_t(instrLimit), C.uint64_t(memLimit), from(args, 2), C.uint(len(argv)), &res, &n)
		out = goJSON(res, n)
		if rc != 0 {
			return fmt.Errorf("channel program on %s: %w: %s", pool, syscall.Errno(rc), out)
		}
		return nil
	})
	return out, err
}

// Snapshot makes the snapshot full (dataset@name) with the user properties props
// (lzc_snapshot, what `zfs snapshot -o` runs). An existing one is syscall.EEXIST.
func (c *Core) Snapshot(ctx context.Context, full string, props map[string]string) error {
	return c.call(ctx, "snapshot "+full, func() error {
		kv := []string{full}
		for k, v := range props {
			kv = append(kv, k, v)
		}
		args, free := cstrings(kv)
		defer free()
		var res *C.char
		var n C.size_t
		if rc := C.kb_snapshot(args[0], from(args, 1), C.uint(len(kv)-1), &res, &n); rc != 0 {
			return fmt.Errorf("snapshot %s: %w: %s", full, syscall.Errno(rc), goJSON(res, n))
		}
		goJSON(res, n)
		return nil
	})
}

// DestroySnapshot destroys the snapshot full (dataset@name), not deferred
// (lzc_destroy_snaps, what `zfs destroy` runs): one with a hold is
// syscall.EBUSY, one with clones syscall.EEXIST; one that does not exist is no
// error (the library's rule: nothing is left to destroy).
func (c *Core) DestroySnapshot(ctx context.Context, full string) error {
	return c.call(ctx, "destroy "+full, func() error {
		name := C.CString(full)
		defer C.free(unsafe.Pointer(name))
		var res *C.char
		var n C.size_t
		if rc := C.kb_destroy(name, &res, &n); rc != 0 {
			return fmt.Errorf("destroy %s: %w: %s", full, syscall.Errno(rc), goJSON(res, n))
		}
		goJSON(res, n)
		return nil
	})
}

// Exists reports whether the dataset, volume or snapshot name exists
// (lzc_exists: one ioctl, what `zfs list NAME` asks first).
func (c *Core) Exists(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := c.call(ctx, "exists "+name, func() error {
		cs := C.CString(name)
		defer C.free(unsafe.Pointer(cs))
		ok = C.kb_exists(cs) != 0
		return nil
	})
	return ok, err
}
