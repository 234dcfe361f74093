#!/usr/bin/env bash
# Make sure the tesseract binary and its eng, kor and rus language data are present, and what the
# dossier and its tests need: Chromium (the HTML loads in a real headless browser), poppler-utils
# (pdftoppm) and the fonts the PDF embeds (DejaVu Sans for Latin and Cyrillic, Nanum Gothic for Hangul),
# and what building tesserocr against the system's libtesseract needs (tesseract in-process, the
# Makefile's `inprocess` extra): its and leptonica's headers, g++, pkg-config and Python's headers.
# Installs them with apt-get when we are root or have passwordless sudo; otherwise says
# exactly what to install and carries on (fieldkit runs without OCR, and says so).
#
# tesseract's Hangul script model is optional (without it Hangul lines are read by eng+kor+rus and
# kor alone, and fieldkit says so): it is installed pinned (Debian bookworm's), else as this
# machine's release has it, as .ci/run does; where apt has neither it is tried once, not at every
# `make run` (delete $tried to try again).
set -u
packages="tesseract-ocr tesseract-ocr-eng tesseract-ocr-kor tesseract-ocr-rus fonts-noto-cjk fonts-nanum fonts-dejavu-core chromium poppler-utils \
  libtesseract-dev libleptonica-dev g++ pkg-config python3-dev"
hangul="tesseract-ocr-script-hang"
hangul_pinned="$hangul=1:4.1.0-2"
tried="${XDG_CACHE_HOME:-$HOME/.cache}/fieldkit/hangul-script-tried"

# tesseract with its eng, kor and rus data (the rest of what `missing` looks for is not OCR's)
has_tesseract_data() {
  command -v tesseract >/dev/null 2>&1 || return 1
  langs=$(tesseract --list-langs 2>/dev/null)
  for l in eng kor rus; do echo "$langs" | grep -qx "$l" || return 1; done
  return 0
}

missing() {
  has_tesseract_data || return 0
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || return 0
  fc-list 2>/dev/null | grep -qi "NanumGothic" || return 0
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || return 0
  command -v chromium >/dev/null 2>&1 || return 0
  command -v pdftoppm >/dev/null 2>&1 || return 0
  command -v g++ >/dev/null 2>&1 || return 0
  pkg-config --exists tesseract lept 2>/dev/null || return 0
  [ -f "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)/Python.h" ] || return 0
  return 1
}

# whether to try the Hangul script model: not installed, and not tried on this machine before
want_hangul() {
  [ ! -e "$tried" ] || return 1
  command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx Hangul && return 1
  return 0
}

need_packages=0; missing && need_packages=1
need_hangul=0; want_hangul && need_hangul=1
[ $need_packages = 1 ] || [ $need_hangul = 1 ] || exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  if [ $need_packages = 1 ]; then
    echo "fieldkit: OCR needs tesseract with eng, kor and rus data; install them with:" >&2
    echo "  sudo apt-get install $packages" >&2
  fi
  if [ $need_hangul = 1 ]; then
    echo "fieldkit: for Hangul lines, also install tesseract's Hangul script model (said once):" >&2
    echo "  sudo apt-get install $hangul_pinned   (or, where apt lacks that version: $hangul)" >&2
    if has_tesseract_data; then  # (without tesseract and its data, said again once they are installed)
      mkdir -p "$(dirname "$tried")" && echo "not installed: no root or sudo ($(date -u +%F))" > "$tried"
    fi
  fi
  exit 0
fi
$sudo apt-get update -qq
if [ $need_packages = 1 ]; then
  echo "fieldkit: installing $packages" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null \
    || echo "fieldkit: could not install $packages; OCR will be unavailable until they are" >&2
fi
if [ $need_hangul = 1 ]; then
  # on its own line: pinned first, else the release's own; where apt has neither, said once and not retried
  if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$hangul_pinned" >/dev/null 2>&1 \
      || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$hangul" >/dev/null 2>&1; then
    :
  elif command -v tesseract >/dev/null 2>&1; then  # (without tesseract itself, the next run tries again)
    echo "fieldkit: could not install $hangul; Hangul lines will be read without tesseract's Hangul script model" \
         "(not tried again; delete $tried to retry)" >&2
    mkdir -p "$(dirname "$tried")" && echo "apt had neither $hangul_pinned nor $hangul ($(date -u +%F))" > "$tried"
  fi
fi
exit 0
