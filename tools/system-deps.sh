#!/usr/bin/env bash
# Installs what the tests need from outside Python, only when it is missing:
#   Chromium (browser tests), poppler-utils (PDF checks), a Thai font (printed maps),
#   LibreOffice Calc (prints the matrix workbook and converts sheets in tests), Debian's
#   gdal-bin (ogrinfo opens the workspace as QGIS users' GDAL does) and python3-qgis
#   (the tests open every workspace layer with PyQGIS 3.22 headless).
# Debian/Ubuntu; uses sudo when not root. Safe to run again.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "garuda\|loma\|waree" || need+=(fonts-thai-tlwg)
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || need+=(python3-qgis)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
