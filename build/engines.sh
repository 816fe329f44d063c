#!/usr/bin/env bash
# `npm run engines`: builds the host binaries the firmware bundles must run on, from the sources in
# ../shared/engines (read-only: they are extracted into .engines/src and patched there), into .engines/:
#   espruino        Espruino 2v29 (+277), MCU-class library set (crypto: SHA-256/512, AES) plus native P-256
#                   (the `P256` module over the vendored mbedTLS), ESPRUINO_VARIABLES variables (default 12,000)
#   espruino-5100   the same with 5,100 variables (an Espruino Pico's pool)
#   espruino-free   the same with a resizable pool (to measure what a bundle needs)
#   jerry           JerryScript 3.0.0 `jerry`, es.next, JERRY_HEAP_KB heap (default 256 KiB), memory statistics,
#                   plus the global `P256` (the same C core over the same mbedTLS sources)
# The patches live in build/engine-patches/ (native-p256/: the C core, Espruino's wrapper, the JerryScript
# binding, the mbedTLS configuration; espruino/: the board file). Idempotent: a binary whose settings and
# patches are unchanged is kept. Needs gcc, make, cmake, python3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${SMETS_SHARED:-$root/../shared}
engines=$shared/engines
if [[ ! -f "$engines/espruino-2v29.277-src.tar.xz" || ! -f "$engines/jerryscript-3.0.0-src.tar.xz" ]]; then
  cat >&2 <<MSG
engines: $engines is missing its sources.
The project expects the shared/ folder beside it (../shared), holding engines/ with
  espruino-2v29.277-src.tar.xz   (Espruino 2v29 +277, github.com/espruino/Espruino, commit c5ff787b)
  jerryscript-3.0.0-src.tar.xz   (JerryScript 3.0.0, github.com/jerryscript-project/jerryscript tag v3.0.0)
Set SMETS_SHARED=/path/to/shared to use another place.
MSG
  exit 2
fi
for tool in gcc make cmake python3; do
  command -v "$tool" >/dev/null || { echo "engines: '$tool' is missing (apt-get install -y build-essential cmake python3)" >&2; exit 2; }
done
out=$root/.engines
patches=$root/build/engine-patches
native=$patches/native-p256
mkdir -p "$out/src"
work=$out/src
vars=${ESPRUINO_VARIABLES:-12000}
heap=${JERRY_HEAP_KB:-256}
jobs=$(nproc 2>/dev/null || echo 2)
# The host engines' patches (the real-board board file is build/board-stm32.sh's).
patchsum=$(cd "$patches" && find native-p256 espruino/SMETS_NATIVE.py -type f | sort | xargs sha256sum | sha256sum | cut -c1-12)

# The mbedTLS files native P-256 compiles (Espruino's vendored copy, 2.1.1).
MBEDTLS_P256="bignum ecp ecp_curves ecdsa hmac_drbg md md_wrap sha256 asn1parse asn1write"

# Espruino's tree, patched, in $1 (a fresh extraction).
espruino_tree() {
  local dir=$1
  rm -rf "$dir" "$work/espruino-2v29.277"
  tar -xJf "$engines/espruino-2v29.277-src.tar.xz" -C "$work"
  mv "$work/espruino-2v29.277" "$dir"
  # The build stamps the git hash into the binary; this tree is not a git checkout.
  sed -i 's/return subprocess.check_output(.git log -1 --format="%h".*$/return "c5ff787b"/' "$dir/scripts/common.py"
  mkdir -p "$dir/bin" "$dir/libs/smets"
  cp "$native"/smets_p256.c "$native"/smets_p256.h "$native"/smets_p256_config.h \
     "$native"/jswrap_smets_p256.c "$native"/jswrap_smets_p256.h "$dir/libs/smets/"
  cp "$patches/espruino/SMETS_NATIVE.py" "$dir/boards/"
  # mbedTLS's configuration gains what P-256 needs when USE_SMETS_P256 is defined.
  python3 - "$dir/libs/crypto/mbedtls/config.h" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
hook = '#include "mbedtls/check_config.h"'
assert s.count(hook) == 1, 'engines: mbedTLS config.h changed shape'
s = s.replace(hook, '#ifdef USE_SMETS_P256\n#include "smets_p256_config.h"\n#endif\n' + hook)
open(p, 'w').write(s)
PY
}

build_espruino() {  # $1 = variables (0 = resizable), $2 = output name
  local stamp="$out/$2.settings" want="espruino-2v29.277 SMETS_NATIVE variables=$1 patches=$patchsum"
  if [[ -x "$out/$2" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  local dir="$work/espruino-$2"
  espruino_tree "$dir"
  (
    cd "$dir"
    SMETS_VARIABLES="$1" make BOARD=SMETS_NATIVE RELEASE=1 -j"$jobs" >"$out/$2.build.log" 2>&1 \
      || { tail -30 "$out/$2.build.log" >&2; exit 1; }
    cp bin/espruino "$out/$2"
  )
  echo "$want" >"$stamp"
  echo "built $out/$2 ($want)"
}

build_jerry() {
  local stamp="$out/jerry.settings" want="jerryscript-3.0.0 es.next heap=${heap}KiB P256 patches=$patchsum"
  if [[ -x "$out/jerry" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  local src="$work/jerryscript-3.0.0"
  rm -rf "$src" "$work/jerry-build"
  tar -xJf "$engines/jerryscript-3.0.0-src.tar.xz" -C "$work"
  # The binding and its mbedTLS sources (taken from Espruino's archive) go into jerry-main/smets/.
  local smets="$src/jerry-main/smets"
  mkdir -p "$smets/library"
  tar -xJf "$engines/espruino-2v29.277-src.tar.xz" -C "$smets" espruino-2v29.277/libs/crypto/mbedtls/include
  mv "$smets/espruino-2v29.277/libs/crypto/mbedtls/include" "$smets/include"
  local files=""
  for f in $MBEDTLS_P256; do
    tar -xJf "$engines/espruino-2v29.277-src.tar.xz" -O "espruino-2v29.277/libs/crypto/mbedtls/library/$f.c" >"$smets/library/$f.c"
    files="$files smets/library/$f.c"
  done
  rm -rf "$smets/espruino-2v29.277"
  cp "$native"/smets_p256.c "$native"/smets_p256.h "$native"/smets_p256_config.h "$native"/smets_mbedtls_jerry.h \
     "$native"/jerry_smets_p256.c "$smets/"
  python3 - "$src/jerry-main" "$files" <<'PY'
import sys
main, files = sys.argv[1], sys.argv[2].split()
cm = main + '/CMakeLists.txt'
s = open(cm).read()
old = 'jerry_create_executable("jerry" "main-desktop.c" "arguments/options.c" "arguments/cli.c")'
assert s.count(old) == 1, 'engines: jerry-main/CMakeLists.txt changed shape'
ours = ['smets/jerry_smets_p256.c', 'smets/smets_p256.c'] + files
new = old[:-1] + ' ' + ' '.join('"%s"' % f for f in ours) + ')\n' + \
  '  target_include_directories("jerry" PRIVATE smets smets/include)\n' + \
  '  set_source_files_properties(%s PROPERTIES COMPILE_OPTIONS "-w;-Wno-error;-std=gnu99" COMPILE_DEFINITIONS "MBEDTLS_CONFIG_FILE=\\"smets_mbedtls_jerry.h\\"")' % ' '.join(ours)
s = s.replace(old, new)
open(cm, 'w').write(s)
md = main + '/main-desktop.c'
s = open(md).read()
hook = '  jerryx_register_global ("createRealm", jerryx_handler_create_realm);\n'
assert s.count(hook) == 1, 'engines: jerry-main/main-desktop.c changed shape'
s = s.replace(hook, hook + '  smets_p256_register ();\n')
s = s.replace('#include "jerryscript-ext/print.h"\n', '#include "jerryscript-ext/print.h"\n\nvoid smets_p256_register (void);\n', 1)
open(md, 'w').write(s)
PY
  python3 "$src/tools/build.py" --builddir="$work/jerry-build" --profile=es.next \
    --mem-heap="$heap" --jerry-cmdline=ON --error-messages=ON --line-info=ON \
    --mem-stats=ON >"$out/jerry.build.log" 2>&1 \
    || { tail -30 "$out/jerry.build.log" >&2; exit 1; }
  cp "$work/jerry-build/bin/jerry" "$out/jerry"
  echo "$want" >"$stamp"
  echo "built $out/jerry ($want)"
}

only=${1:-all}
[[ $only == all || $only == jerry ]] && build_jerry
[[ $only == all || $only == espruino ]] && build_espruino "$vars" espruino
[[ $only == all || $only == espruino-5100 ]] && build_espruino 5100 espruino-5100
[[ $only == all || $only == espruino-free ]] && build_espruino 0 espruino-free
echo "engines ready in $out: espruino (${vars} variables), espruino-5100, espruino-free, jerry (${heap} KiB heap), native P-256 in each"
