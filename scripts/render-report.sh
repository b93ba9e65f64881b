#!/bin/sh
# Renders the office documents of the demo data as they would print, for a person to look at:
#   npm run -s render:report [-- OUT_DIR]     (default test/artifacts, git-ignored)
# replays the demo sessions into a scratch data directory, writes the 2019 annual report and answer compilation
# with `npm run report`, converts them to PDF with LibreOffice and the report's first pages to PNG with pdftoppm.
# Needs (Debian): apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai
set -eu
out=${1:-test/artifacts}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export DATA_DIR="$work/data" AUTH_SECRET="render-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" SQLITE_SYNCHRONOUS=normal
npm run -s replay -- all > /dev/null
TRAIL_SIGNING_KEY="$(npm run -s anchor -- --new-key 2> /dev/null)"
export TRAIL_SIGNING_KEY
npm run -s report -- --session 6-3 --as-of 2019-12-31 --format docx --out "$out/report-6-3.docx" 2> /dev/null
npm run -s report -- --session 6-3 --answers --out "$out/answers-6-3.docx" 2> /dev/null

# The documents name the fonts offices have (仿宋, 黑体, 楷体, 方正小标宋简体, 宋体); here the free fonts of the same
# kind stand in for them, so that the page shows which text is set in which face.
cat > "$work/fonts.conf" << 'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>仿宋</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>方正小标宋简体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体</family><prefer><family>AR PL UKai CN</family><family>Noto Serif CJK SC</family></prefer></alias>
</fontconfig>
EOF
for doc in report-6-3 answers-6-3; do
  FONTCONFIG_FILE="$work/fonts.conf" libreoffice --headless "-env:UserInstallation=file://$work/profile" \
    --convert-to pdf --outdir "$out" "$out/$doc.docx" > /dev/null 2>&1
done
pdftoppm -png -r 100 -f 1 -l 3 "$out/report-6-3.pdf" "$out/report-6-3-page"
pdftoppm -png -r 100 -f 1 -l 2 "$out/answers-6-3.pdf" "$out/answers-6-3-page"
ls "$out"
