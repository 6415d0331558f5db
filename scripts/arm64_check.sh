#!/bin/sh
# The Linux aarch64 part of the offline bundle on an ARM64 CPython 3.11 (飞腾 / 鲲鹏 PCs),
# under qemu user-mode emulation: no ARM machine, binfmt or chroot needed.
#
#   sh scripts/arm64_check.sh WHEELS [WORK]
#
# WHEELS is the bundle's wheels/ folder (offline_bundle.py --platform linux-aarch64).
# Debian's arm64 python3.11 packages are fetched with `apt-get download` and unpacked with
# `dpkg-deb -x` into WORK/root; `qemu-aarch64-static -L WORK/root WORK/root/usr/bin/python3.11`
# runs it. The bundle's aarch64 wheels (evalcheck[all]: PyYAML with libyaml, rapidfuzz,
# python-calamine, lxml, python-docx) are installed into a target folder with no index; then
# `--version`, `list --section 审批监管科`, `answer 47 --value 312`, `export report.xlsx`,
# `export report.docx` and `export --split` run there, their output printed. Where qemu or
# the packages cannot be had (no apt, no root, no network), it says so and exits 0: a
# skip, not a failure.
set -eu
WHEELS=$(cd "$1" && pwd)
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
start=$(date +%s)
skip() {
  echo "arm64 check SKIPPED: $*"
  exit 0
}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || skip "no qemu-aarch64-static and no apt-get to install it"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      qemu-user-static; } >/dev/null 2>&1 || skip "qemu-user-static could not be installed"
fi
command -v apt-get >/dev/null 2>&1 || skip "no apt-get to download Debian's arm64 packages"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64 >/dev/null 2>&1 || skip "cannot add the arm64 architecture (no root)"
  $SUDO apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed"
fi
# python3.11 and what its binary and the modules evalcheck uses link to (libstdc++ and
# libgcc for rapidfuzz and python-calamine); media-types is Architecture: all
PACKAGES="libc6 libgcc-s1 libstdc++6 zlib1g libexpat1 libffi8 libssl3 libbz2-1.0 liblzma5
  libsqlite3-0 libncursesw6 libtinfo6 libreadline8 libuuid1 libdb5.3 libcrypt1
  libpython3.11-minimal libpython3.11-stdlib python3.11-minimal"
mkdir -p "$WORK/debs" "$WORK/root"
cd "$WORK/debs"
if ! apt-get download $(for p in $PACKAGES; do printf '%s:arm64 ' "$p"; done) media-types \
    >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  apt-get download $(for p in $PACKAGES; do printf '%s:arm64 ' "$p"; done) media-types \
    >/dev/null 2>&1 || skip "Debian's arm64 python3.11 packages could not be downloaded"
fi
for deb in *.deb; do
  dpkg-deb -x "$deb" "$WORK/root"
done
ROOT="$WORK/root"
PY="$ROOT/usr/bin/python3.11"
arm() { qemu-aarch64-static -L "$ROOT" "$PY" "$@"; }
echo "== $(arm -c 'import platform, sys; print(sys.version.split()[0], platform.machine())')"
# the bundle's aarch64 wheels, with no index, for the ARM Python (pip runs on the host:
# pip under emulation would take minutes and is not what is being checked)
env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL PIP_CONFIG_FILE=/dev/null \
  "${HOST_PYTHON:-python3}" -m pip install --quiet --no-index --find-links "$WHEELS" --only-binary=:all: \
  --platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64 \
  --platform manylinux_2_28_aarch64 --python-version 3.11 --implementation cp \
  --target "$WORK/site" "evalcheck[all]"
ls "$WORK/site" | grep -q "aarch64" || find "$WORK/site" -name "*aarch64*.so" | grep -q . \
  || { echo "arm64 check: no aarch64 extension modules were installed" >&2; exit 1; }
mkdir -p "$WORK/empty"
cd "$WORK/empty"
export PYTHONPATH="$WORK/site" EVALCHECK_USER=CI PYTHONDONTWRITEBYTECODE=1
ev() {
  echo "\$ evalcheck $*"
  arm -m evalcheck "$@"
}
ev --version | tee version.txt
if grep -q "没有" version.txt; then
  echo "arm64 check: an optional part is missing on ARM64" >&2
  exit 1
fi
ev list --section 审批监管科 | tee list.txt
grep -q "审批监管科" list.txt
ev answer 47 --value 312
ev export report.xlsx
ev export report.docx
# the section forms, built by forked child processes (infra/forked.py) and in one process:
# the same bytes
ev export --split forms
EVALCHECK_JOBS=1 arm -m evalcheck export --split forms1 >/dev/null
for f in forms/*.xlsx; do cmp "$f" "forms1/${f#forms/}"; done
echo "split forms: the same bytes from child processes and from one process"
test -s report.xlsx && test -s report.docx && test -s answers.yaml
arm -c 'import zipfile, sys
for name in sys.argv[1:]:
    assert zipfile.ZipFile(name).testzip() is None, name
print("report.xlsx and report.docx: valid zip containers")' report.xlsx report.docx
echo "arm64 check: passed in $(($(date +%s) - start)) s (qemu-aarch64-static, Debian arm64 python3.11)"
