#!/usr/bin/env bash
# Installs what the tests need from outside Python, only when it is missing:
#   Chromium (browser tests), poppler-utils (PDF checks), a Thai font (printed maps),
#   npm (to fetch Leaflet for offline web maps), LibreOffice Calc (prints the matrix workbook
#   in tests), then the offline web-map assets.
# Debian/Ubuntu; uses sudo when not root. Safe to run again.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "garuda\|loma\|waree" || need+=(fonts-thai-tlwg)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

python -c "from planmap_gis.assets import missing_assets; raise SystemExit(bool(missing_assets()))" \
  || planmap assets fetch
