#!/usr/bin/env bash
# Installs the Debian packages Dossier needs, once: OCR engines and models, CJK fonts
# (for reading, for the printed forms and for the test generators), Chromium for the
# browser tests, poppler for looking at PDFs, PostgreSQL (the test suite's second pass starts
# a temporary cluster of its own from its initdb/pg_ctl; the service itself is not used). Skips apt entirely when all are present.
set -euo pipefail
packages=(
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-osd
  fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming
  chromium poppler-utils python3-venv postgresql
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} — run 'make setup' as root (or install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
