#!/bin/sh
# The Debian packages partybuild needs beyond python3 and make: venv support, the shared
# libraries Qt's wheels load -- including those its xcb platform plugin needs on a real X display
# (the libraries libqxcb.so and libQt6XcbQpa.so list as NEEDED) -- and the PostgreSQL server the
# storage tests run against. Installs only what is missing, and only as root (otherwise it says
# what to install). With everything present it runs ldconfig once and exits quietly.
set -e

# shared library        Debian package
LIBRARIES="
libEGL.so.1             libegl1
libGL.so.1              libgl1
libxkbcommon.so.0       libxkbcommon0
libfontconfig.so.1      libfontconfig1
libglib-2.0.so.0        libglib2.0-0
libdbus-1.so.3          libdbus-1-3
libX11.so.6             libx11-6
libX11-xcb.so.1         libx11-xcb1
libxcb.so.1             libxcb1
libxkbcommon-x11.so.0   libxkbcommon-x11-0
libxcb-cursor.so.0      libxcb-cursor0
libxcb-icccm.so.4       libxcb-icccm4
libxcb-util.so.1        libxcb-util1
libxcb-image.so.0       libxcb-image0
libxcb-keysyms.so.1     libxcb-keysyms1
libxcb-randr.so.0       libxcb-randr0
libxcb-render.so.0      libxcb-render0
libxcb-render-util.so.0 libxcb-render-util0
libxcb-shape.so.0       libxcb-shape0
libxcb-shm.so.0         libxcb-shm0
libxcb-sync.so.1        libxcb-sync1
libxcb-xfixes.so.0      libxcb-xfixes0
libxcb-xkb.so.1         libxcb-xkb1
"

missing=""
python3 -c 'import ensurepip' 2>/dev/null || missing="$missing python3-venv"
known=$(ldconfig -p 2>/dev/null || true)
tab=$(printf '\t')
set -f
# shellcheck disable=SC2086
set -- $LIBRARIES
set +f
while [ $# -ge 2 ]; do
  case $known in
    *"$tab$1 "*) ;;  # a whole name: libGL.so.1 is not found in libEGL.so.1
    *) missing="$missing $2" ;;
  esac
  shift 2
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
