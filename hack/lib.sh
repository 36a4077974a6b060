# Shared helpers for the hack/ scripts. Source it; it defines functions and SKIFF_ROOT only.
# shellcheck shell=bash

SKIFF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# A step header, so logs read as a sequence of named steps.
step() {
  printf '\n==> %s\n' "$*"
}

die() {
  echo "error: $*" >&2
  exit 1
}

# Debian's swift toolchain lives in /opt/swift and is put on PATH by /etc/profile.d, which
# non-login shells (CI, cron, sudo) do not read.
ensure_swift() {
  if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    PATH="$PATH:/opt/swift/usr/bin"
  fi
  command -v swift >/dev/null 2>&1 || die "swift not found (expected /opt/swift/usr/bin/swift)"
}

# The release, fully static skiff-runtime (starts in ~1 ms, runs anywhere: the form that is
# tested and benchmarked). Its own scratch path, so it and the debug build never rebuild
# each other. Prints the binary's absolute path on stdout; build output goes to stderr.
STATIC_BUILD_FLAGS=(-c release --product skiff-runtime -Xswiftc -static-executable --scratch-path "$SKIFF_ROOT/.build-static")

build_static_runtime() {
  ensure_swift
  (cd "$SKIFF_ROOT" && swift build "${STATIC_BUILD_FLAGS[@]}") >&2
  static_runtime_path
}

# skiff-pause, static too: it runs in a rootfs holding nothing but itself. Same scratch path,
# so the two share their build. Prints the binary's absolute path.
build_static_pause() {
  ensure_swift
  (cd "$SKIFF_ROOT" && swift build -c release --product skiff-pause -Xswiftc -static-executable \
    --scratch-path "$SKIFF_ROOT/.build-static") >&2
  echo "$(dirname "$(static_runtime_path)")/skiff-pause"
}

static_runtime_path() {
  local bin
  bin=$(cd "$SKIFF_ROOT" && swift build "${STATIC_BUILD_FLAGS[@]}" --show-bin-path)
  echo "$bin/skiff-runtime"
}

# The daemons (skiff-cri, and skiffctl, skiff-monitor with them) as they are measured and shipped:
# release, with the Swift runtime linked in (--static-swift-stdlib: 4 MB less resident than the
# dynamic build, and no toolchain needed where they run). Their own scratch path. Prints the bin dir.
# A daemon's resident memory is mostly pages of its own binary, so it is linked to map fewer:
# lld with one section per function (--gc-sections then drops every function nothing calls),
# no dynamic symbol table for the whole program (the stdlib's link arguments export it),
# relative relocations packed (DT_RELR: 3 MB of .rela.dyn, read at every start, becomes 24 KB),
# and the functions skiff-cri runs laid out together (hack/link/order.py says how that list is
# made; a stale list costs memory, never correctness).
DAEMON_SWIFT_FLAGS=(-c release --static-swift-stdlib
  -Xswiftc -use-ld=lld -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections
  -Xlinker --no-export-dynamic -Xlinker -z -Xlinker pack-relative-relocs)
DAEMON_SCRATCH="$SKIFF_ROOT/.build-cri-static"
DAEMON_ORDER="$DAEMON_SCRATCH/skiff-cri.order"
DAEMON_BUILD_FLAGS=("${DAEMON_SWIFT_FLAGS[@]}" --scratch-path "$DAEMON_SCRATCH"
  -Xlinker "--symbol-ordering-file=$DAEMON_ORDER" -Xlinker --no-warn-symbol-ordering)

build_release_daemons() {
  ensure_swift
  mkdir -p "$DAEMON_SCRATCH"
  local order="$SKIFF_ROOT/hack/link/skiff-cri.order.xz" product
  # SwiftPM does not know the list is an input of the link: a new list relinks by removing
  # the binaries it ordered.
  if ! xz -dc "$order" 2>/dev/null | cmp -s - "$DAEMON_ORDER"; then
    xz -dc "$order" >"$DAEMON_ORDER" 2>/dev/null || : >"$DAEMON_ORDER"
    rm -f "$DAEMON_SCRATCH"/*/release/skiff-cri
  fi
  for product in "$@"; do
    (cd "$SKIFF_ROOT" && swift build "${DAEMON_BUILD_FLAGS[@]}" --product "$product") >&2
  done
  (cd "$SKIFF_ROOT" && swift build "${DAEMON_BUILD_FLAGS[@]}" --show-bin-path)
}
