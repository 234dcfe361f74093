#!/usr/bin/env bash
# Make sure the tesseract binary and its eng, kor and rus language data (and the Hangul script model) are present, and what the
# dossier and its tests need: Chromium (the HTML loads in a real headless browser), poppler-utils
# (pdftoppm) and the fonts the PDF embeds (DejaVu Sans for Latin and Cyrillic, Nanum Gothic for Hangul),
# and what building tesserocr against the system's libtesseract needs (tesseract in-process, the
# Makefile's `inprocess` extra): its and leptonica's headers, g++, pkg-config and Python's headers.
# Installs them with apt-get when we are root or have passwordless sudo; otherwise says
# exactly what to install and carries on (fieldkit runs without OCR, and says so).
set -u
packages="tesseract-ocr tesseract-ocr-eng tesseract-ocr-kor tesseract-ocr-rus fonts-noto-cjk fonts-nanum fonts-dejavu-core chromium poppler-utils \
  libtesseract-dev libleptonica-dev g++ pkg-config python3-dev"
hangul="tesseract-ocr-script-hang=1:4.1.0-2"

missing() {
  command -v tesseract >/dev/null 2>&1 || return 0
  langs=$(tesseract --list-langs 2>/dev/null)
  for l in eng kor rus Hangul; do echo "$langs" | grep -qx "$l" || return 0; done
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

missing || exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "fieldkit: OCR needs tesseract with eng, kor and rus data; install them with:" >&2
  echo "  sudo apt-get install $packages $hangul" >&2
  exit 0
fi
echo "fieldkit: installing $packages" >&2
$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null \
  || echo "fieldkit: could not install $packages; OCR will be unavailable until they are" >&2
# tesseract's Hangul script model (pinned: Debian bookworm's), on its own line: without it Hangul lines
# are read by eng+kor+rus and kor alone (fieldkit says so), everything else as before
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$hangul" >/dev/null \
  || echo "fieldkit: could not install $hangul; Hangul lines will be read without tesseract's Hangul script model" >&2
exit 0
