#!/usr/bin/env bash
# Make Debian's Chromium and a CJK font available for the browser tests (Playwright's own
# browser download is not reachable here). With CI=true what is missing is installed and a
# failed install fails the run; elsewhere we only report it and the browser tests skip.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
# Without a CJK font the explorer's Chinese renders as boxes in the screenshots.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then need+=(fonts-noto-cjk); fi

if [ ${#need[@]} -eq 0 ]; then
  echo "[chromium] $(chromium --version 2>/dev/null)"
  exit 0
fi
if [ "${CI:-}" != "true" ]; then
  echo "[chromium] missing ${need[*]}: browser tests will skip (CI=true installs them)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
echo "[chromium] installed ${need[*]}: $(chromium --version)"
