#!/bin/sh
# The Debian packages partybuild needs beyond python3 and make: venv support, the shared
# libraries Qt's wheels load, and the PostgreSQL server the storage tests run against.
# Installs only what is missing, and only as root (otherwise it says what to install).
set -e

missing=""
python3 -c 'import ensurepip' 2>/dev/null || missing="$missing python3-venv"
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libglib-2.0.so.0 libdbus-1.so.3; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    case $lib in
      libEGL.so.1) missing="$missing libegl1" ;;
      libGL.so.1) missing="$missing libgl1" ;;
      libxkbcommon.so.0) missing="$missing libxkbcommon0" ;;
      libfontconfig.so.1) missing="$missing libfontconfig1" ;;
      libglib-2.0.so.0) missing="$missing libglib2.0-0" ;;
      libdbus-1.so.3) missing="$missing libdbus-1-3" ;;
    esac
  fi
done
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing="$missing postgresql"
fi
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"

[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "partybuild needs these Debian packages:$missing"
  echo "  sudo apt-get install$missing"
  case "$missing" in *python3-venv*|*lib*) exit 1 ;; esac
fi
