#!/usr/bin/env bash
# Make sure what the dossier and report tests need is present: Chromium (the HTML loads in a real
# headless browser), poppler-utils (pdftoppm turns the PDF into images), and the fonts the PDF
# embeds (DejaVu Sans for Latin and Cyrillic, Nanum Gothic for Hangul).
# Installs them with apt-get when we are root or have passwordless sudo; otherwise says what to install.
set -u
packages="chromium poppler-utils fonts-dejavu-core fonts-nanum"

missing() {
  command -v chromium >/dev/null 2>&1 || return 0
  command -v pdftoppm >/dev/null 2>&1 || return 0
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || return 0
  [ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || return 0
  return 1
}

missing || exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "fieldkit: dossier tests need $packages; install them with:" >&2
  echo "  sudo apt-get install $packages" >&2
  exit 0
fi
echo "fieldkit: installing $packages" >&2
$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null \
  || echo "fieldkit: could not install $packages" >&2
exit 0
