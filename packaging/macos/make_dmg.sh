#!/usr/bin/env bash
# RealMail for macOS: sign the .app (when DEVELOPER_ID_APPLICATION is set), wrap it in a .dmg, notarise and
# staple it (when NOTARY_PROFILE or APPLE_ID/APPLE_TEAM_ID/APPLE_APP_PASSWORD are set). Run by packaging/build.py:
#   bash packaging/macos/make_dmg.sh dist/pyinstaller/RealMail.app dist/RealMail-0.1.0.dmg 0.1.0
# Variables (see packaging/README.md):
#   DEVELOPER_ID_APPLICATION  "Developer ID Application: Name (TEAMID)" — a signing identity in the keychain
#   NOTARY_PROFILE            a profile saved with `xcrun notarytool store-credentials` (preferred), or
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD  an Apple ID, its team and an app-specific password
# Unsigned builds still work locally: the person opens them with right-click → Open the first time.
set -euo pipefail
[ "$(uname -s)" = Darwin ] || { echo "make_dmg.sh: needs macOS (hdiutil, codesign, notarytool)" >&2; exit 2; }
app=$1 dmg=$2 version=$3
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "${DEVELOPER_ID_APPLICATION:-}" ]; then
  # Hardened runtime (required for notarisation) with the entitlements QtWebEngine's JIT needs.
  codesign --force --deep --timestamp --options runtime \
    --entitlements "$here/entitlements.plist" --sign "$DEVELOPER_ID_APPLICATION" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  echo "make_dmg.sh: DEVELOPER_ID_APPLICATION is not set: the app is not signed (fine for local testing)" >&2
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"   # drag RealMail onto Applications to install
rm -f "$dmg"
hdiutil create -volname "RealMail $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${DEVELOPER_ID_APPLICATION:-}" ]; then
  codesign --force --timestamp --sign "$DEVELOPER_ID_APPLICATION" "$dmg"
fi
if [ -n "${NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
else
  echo "make_dmg.sh: no notarisation variables: Gatekeeper will warn on other Macs" >&2
fi
echo "built $dmg"
