#!/usr/bin/env bash
# Make sure an ffmpeg + ffprobe with libx264, AAC and libass is available; install Debian's if not.
set -euo pipefail

has_good_ffmpeg() {
  local ff="${FRAMECAST_FFMPEG:-ffmpeg}" fp="${FRAMECAST_FFPROBE:-ffprobe}"
  command -v "$ff" >/dev/null 2>&1 && command -v "$fp" >/dev/null 2>&1 || return 1
  local enc filt
  enc=$("$ff" -hide_banner -encoders 2>/dev/null) || return 1
  filt=$("$ff" -hide_banner -filters 2>/dev/null) || return 1
  grep -q libx264 <<<"$enc" && grep -qE '^ A..... aac ' <<<"$enc" && grep -q ' subtitles ' <<<"$filt"
}

if has_good_ffmpeg; then
  exit 0
fi

echo "ffmpeg/ffprobe with libx264, aac and libass not found; installing Debian's ffmpeg package…" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg >/dev/null
fi

if ! has_good_ffmpeg; then
  cat >&2 <<'MSG'
error: framecast needs ffmpeg and ffprobe built with libx264, AAC and libass, and could not install them.
  Debian/Ubuntu: sudo apt-get install ffmpeg
  macOS:         brew install ffmpeg
  Or set FRAMECAST_FFMPEG and FRAMECAST_FFPROBE to the full paths of suitable binaries.
MSG
  exit 1
fi
echo "ffmpeg installed: $(ffmpeg -version | head -1)" >&2
