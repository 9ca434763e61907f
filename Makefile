# kvmbackup: the README's two commands are `make demo` and `make test`; both set up a
# fresh Debian 12 machine first (make deps, idempotent: seconds when all is there).
SHELL   := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO      ?= go
# The version is git's: the nearest tag (vX.Y.Z), commits after it, -dirty; the
# Debian package's version is derived from it (scripts/debversion.sh).
VERSION := $(shell git describe --tags --match 'v[0-9]*' --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# The man pages' date and the package's timestamps: the commit's (reproducible builds).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH
PREFIX  ?= /usr/local
# libvirt is loaded with dlopen on first use (third_party/libvirt.org/go/libvirt, see
# third_party/doc.go): commands that never talk to libvirt (copy, policy, prune)
# start without loading it and its ~55 libraries.
export GOFLAGS := -tags=libvirt_dlopen $(GOFLAGS)
SYSTEMDDIR ?= /etc/systemd/system
BINDIR  := $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
DEBDIR  ?= bin

.PHONY: all deps build docs deb test vet demo bench lab-clean install uninstall

all: build

## deps: install everything kvmbackup and its lab need (root, Debian 12)
deps:
	@bash scripts/deps.sh

## build: bin/kvmbackup
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/kvmbackup ./cmd/kvmbackup

## docs: bin/docs: the man pages and the bash and zsh completion, from the commands' own help
# (bin/kvmbackup-gendocs: kvmbackup with its hidden gendocs command, built with the
# gendocs tag so that bin/kvmbackup does not link cobra/doc; a -tags here replaces
# GOFLAGS' tags, hence libvirt_dlopen again)
docs: build
	$(GO) build -tags libvirt_dlopen,gendocs -ldflags "$(LDFLAGS)" -o bin/kvmbackup-gendocs ./cmd/kvmbackup
	rm -rf bin/docs
	bin/kvmbackup-gendocs gendocs --man bin/docs/man --completion bin/docs/completion

## deb: $(DEBDIR)/kvmbackup_VERSION_ARCH.deb (dpkg-deb): binary, units, config (a conffile), man pages, completion, docs
deb:
	$(GO) build -trimpath -buildmode=pie -ldflags "-s -w -extldflags=-Wl,-z,relro,-z,now $(LDFLAGS)" -o bin/deb/kvmbackup ./cmd/kvmbackup
	$(GO) build -tags libvirt_dlopen,gendocs -trimpath -ldflags "$(LDFLAGS)" -o bin/deb/kvmbackup-gendocs ./cmd/kvmbackup
	@bash scripts/deb.sh bin/deb/kvmbackup "$(VERSION)" "$(DEBDIR)" bin/deb/kvmbackup-gendocs

## vet: go vet and gofmt
vet:
	$(GO) vet ./...
	$(GO) vet -tags libvirt_dlopen,gendocs ./cmd/kvmbackup
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

## test: deps, then the whole suite, lab included (KVMBACKUP_LAB=1 makes a missing lab component fail)
test: deps vet
	@bash scripts/test.sh

## demo: deps, then the lab narrated: a real guest, an LVM snapshot, a mirrored compressed ZFS pool
demo:
	@echo "make demo: the set-up (make deps) takes ~15 minutes on a fresh machine and seconds after;"
	@echo "then the demo itself: about 7 minutes on a 2-core machine without KVM, up to ~10 where emulation is slower."
	@$(MAKE) --no-print-directory deps build
	$(GO) run ./testenv/demo --kvmbackup bin/kvmbackup

## bench: kvmbackup copy against rsync --inplace, same run, same files, in turns (root; ~20 min, 35 GiB of /var/tmp); then in the appliance the thin-LV case: changed-block tracking against rsync --copy-devices and manifest mode (~20 min, 40 GiB sparse; BENCH_FLAGS=-thin= skips it), and the tree-only night: kvmbackup run --path against rsync -aHx --inplace + zfs snapshot, 5000 files, 2% changed, 3 nights after the first (~10 min; BENCH_FLAGS=-tree= skips it, -tree FILES:PERCENT:ROUNDS sizes it; BENCH_FLAGS=-cases= runs the appliance cases alone)
bench: build
	$(GO) run ./cmd/kvmbackup-bench --kvmbackup bin/kvmbackup $(BENCH_FLAGS)

## install: the binary to $(PREFIX)/bin, man pages, completion, the systemd units, the example config (kept if present); enables nothing
install: docs
	install -D -m 0755 bin/kvmbackup $(DESTDIR)$(BINDIR)/kvmbackup
	install -d -m 0755 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/kvmbackup.1.gz $(DESTDIR)$(MANDIR)/man1/kvmbackup-*.1.gz
	for p in bin/docs/man/*.1; do \
		gzip -9n -c $$p > $(DESTDIR)$(MANDIR)/man1/$${p##*/}.gz && chmod 0644 $(DESTDIR)$(MANDIR)/man1/$${p##*/}.gz || exit 1; \
	done
	install -m 0644 bin/docs/completion/kvmbackup $(DESTDIR)$(BASHCOMPDIR)/kvmbackup
	install -m 0644 bin/docs/completion/_kvmbackup $(DESTDIR)$(ZSHCOMPDIR)/_kvmbackup
	mkdir -p $(DESTDIR)$(SYSTEMDDIR)
	for u in kvmbackup.service kvmbackup.timer kvmbackup-verify.service kvmbackup-verify.timer kvmbackup-notify@.service; do \
		sed 's|@BINDIR@|$(BINDIR)|g' dist/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$u.tmp && \
		mv -f $(DESTDIR)$(SYSTEMDDIR)/$$u.tmp $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; \
	done
	[ -d $(DESTDIR)/etc/kvmbackup ] || install -d -m 0755 $(DESTDIR)/etc/kvmbackup
	@if [ -e $(DESTDIR)/etc/kvmbackup/config.yaml ]; then \
		echo "kept $(DESTDIR)/etc/kvmbackup/config.yaml (not overwritten; examples/config.yaml has every key)"; \
	else \
		echo "install -m 0600 examples/config.yaml $(DESTDIR)/etc/kvmbackup/config.yaml"; \
		install -m 0600 examples/config.yaml $(DESTDIR)/etc/kvmbackup/config.yaml; \
	fi
	install -d -m 0700 $(DESTDIR)/var/lib/kvmbackup
	@echo
	@echo "next: edit /etc/kvmbackup/config.yaml, run kvmbackup check, then"
	@echo "  systemctl daemon-reload && systemctl enable --now kvmbackup.timer"
	@echo "and, for a weekly verify and boot of the newest backups:"
	@echo "  systemctl enable --now kvmbackup-verify.timer"

## uninstall: remove the binary, man pages, completion and units (never the config or /var/lib/kvmbackup)
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kvmbackup $(DESTDIR)$(SYSTEMDDIR)/kvmbackup.service $(DESTDIR)$(SYSTEMDDIR)/kvmbackup.timer $(DESTDIR)$(SYSTEMDDIR)/kvmbackup-notify@.service \
		$(DESTDIR)$(SYSTEMDDIR)/kvmbackup-verify.service $(DESTDIR)$(SYSTEMDDIR)/kvmbackup-verify.timer
	rm -f $(DESTDIR)$(MANDIR)/man1/kvmbackup.1.gz $(DESTDIR)$(MANDIR)/man1/kvmbackup-*.1.gz
	rm -f $(DESTDIR)$(BASHCOMPDIR)/kvmbackup $(DESTDIR)$(ZSHCOMPDIR)/_kvmbackup
	@echo "kept /etc/kvmbackup and /var/lib/kvmbackup; if the timer was enabled:"
	@echo "  systemctl disable --now kvmbackup.timer kvmbackup-verify.timer && systemctl daemon-reload"

## lab-clean: remove lab leftovers (guests, appliance VMs, work files)
lab-clean:
	@bash scripts/lab-clean.sh
