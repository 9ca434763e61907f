# kvmbackup: the README's two commands are `make demo` and `make test`; both set up a
# fresh Debian 12 machine first (make deps, idempotent: seconds when all is there).
SHELL   := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO      ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
PREFIX  ?= /usr/local

.PHONY: all deps build test vet demo bench lab-clean

all: build

## deps: install everything kvmbackup and its lab need (root, Debian 12)
deps:
	@bash scripts/deps.sh

## build: bin/kvmbackup
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/kvmbackup ./cmd/kvmbackup

## vet: go vet and gofmt
vet:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

## test: deps, then the whole suite, lab included (KVMBACKUP_LAB=1 makes a missing lab component fail)
test: deps vet
	@bash scripts/test.sh

## demo: deps, then the lab narrated: a real guest, an LVM snapshot, a mirrored compressed ZFS pool
demo: deps build
	$(GO) run ./testenv/demo --kvmbackup bin/kvmbackup

## bench: kvmbackup copy against rsync --inplace, same run, same files (root; ~10 min, 35 GiB of /var/tmp)
bench: build
	$(GO) run ./cmd/kvmbackup-bench --kvmbackup bin/kvmbackup $(BENCH_FLAGS)

## lab-clean: remove lab leftovers (guests, appliance VMs, work files)
lab-clean:
	@bash scripts/lab-clean.sh
