#!/usr/bin/env bash
# Installs the Debian packages that tests use as real peers. Idempotent and quick when present.
#   --build  only what pip needs to compile the message kernel (a C compiler, Python headers)
#   --bench  also the load generators of bench/message_latency.py
set -euo pipefail
need=()
if [ "${1:-}" = "--build" ]; then
  command -v cc >/dev/null 2>&1 || need+=(gcc)
  inc=$("${PY:-python3}" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  [ -f "$inc/Python.h" ] || need+=(python3-dev)
else
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v softflowd >/dev/null 2>&1 || need+=(softflowd)
  command -v nfcapd >/dev/null 2>&1 || need+=(nfdump)
  command -v tshark >/dev/null 2>&1 || need+=(tshark)  # flow decoder cross-check (tests/flows)
fi
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v hey >/dev/null 2>&1 || need+=(hey)
fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root: apt-get install -y ${need[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
