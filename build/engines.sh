#!/usr/bin/env bash
# `npm run engines`: builds the host binaries of the two microcontroller engines the firmware bundles
# must run on (Espruino 2v29 with a 12,000-variable pool plus a resizable twin, JerryScript 3.0 with a
# 256 KiB heap) into .engines/, from the sources in ../shared/engines. Idempotent: existing binaries
# with the same settings are kept.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${SMETS_SHARED:-$root/../shared}
if [[ ! -x "$shared/engines/build.sh" ]]; then
  cat >&2 <<MSG
engines: $shared/engines/build.sh is missing.
The project expects the shared/ folder beside it (../shared), holding engines/ with
  espruino-2v29.277-src.tar.xz   (Espruino 2v29 +277, github.com/espruino/Espruino, commit c5ff787b)
  jerryscript-3.0.0-src.tar.xz   (JerryScript 3.0.0, github.com/jerryscript-project/jerryscript tag v3.0.0)
  build.sh
Set SMETS_SHARED=/path/to/shared to use another place.
MSG
  exit 2
fi
exec "$shared/engines/build.sh" "$root/.engines"
