//go:build !libvirt_dlopen

package libvirt

/*
#cgo !libvirt_dlopen pkg-config: libvirt
#include "libvirt_generated.h"
#include "error_helper.h"

void ignoreErrorFunc(void *userData, virErrorPtr error);
*/
import "C"

// kvmbackup patch: linked against libvirt, the error function is set at init as
// upstream does; built with libvirt_dlopen it is set when libvirt.so.0 is loaded
// (libvirtLoad), so that a program that never connects never loads libvirt.
func init() {
	C.virSetErrorFuncWrapper(nil, (C.virErrorFunc)(C.ignoreErrorFunc))
}
