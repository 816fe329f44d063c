#!/usr/bin/env bash
# The real-board build: Espruino 2v29 for the Espruino WiFi (STM32F411, 512 KB flash, 128 KB RAM) with
# native P-256, cross-compiled from ../shared/engines/espruino-2v29.277-stm32f4-src.tar.xz (extracted into
# .engines/src and patched there, as build/engines.sh does) with Debian's gcc-arm-none-eabi and
# libnewlib-arm-none-eabi. Board file: build/engine-patches/espruino/SMETS_ESPRUINOWIFI.py. Output in
# .engines/stm32/: the binary a DFU or serial bootloader writes (`smets flash` in flash-scripts/README.md
# says how), and sizes.txt. Espruino's own build stops when the binary overflows the board's flash layout.
# Idempotent: an unchanged board file and patches keep the binary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${SMETS_SHARED:-$root/../shared}
archive=$shared/engines/espruino-2v29.277-stm32f4-src.tar.xz
[[ -f "$archive" ]] || { echo "board-stm32: $archive is missing" >&2; exit 2; }
for tool in arm-none-eabi-gcc make python3; do
  command -v "$tool" >/dev/null || { echo "board-stm32: '$tool' is missing (apt-get install -y gcc-arm-none-eabi libnewlib-arm-none-eabi make python3)" >&2; exit 2; }
done
patches=$root/build/engine-patches
native=$patches/native-p256
out=$root/.engines/stm32
work=$root/.engines/src
mkdir -p "$out" "$work"
board=SMETS_ESPRUINOWIFI
patchsum=$(cd "$patches" && find . -type f | sort | xargs sha256sum | sha256sum | cut -c1-12)
want="espruino-2v29.277-stm32f4 $board patches=$patchsum"
if [[ -f "$out/settings" && "$(cat "$out/settings")" == "$want" ]] && ls "$out"/*.bin >/dev/null 2>&1; then
  cat "$out/sizes.txt"; exit 0
fi
dir=$work/espruino-stm32
rm -rf "$dir" "$work/espruino-2v29.277"
tar -xJf "$archive" -C "$work"
mv "$work/espruino-2v29.277" "$dir"
cd "$dir"
# The build stamps the git hash into the binary; this tree is not a git checkout.
sed -i 's/return subprocess.check_output(.git log -1 --format="%h".*$/return "c5ff787b"/' scripts/common.py
mkdir -p bin libs/smets
cp "$native"/smets_p256.c "$native"/smets_p256.h "$native"/smets_p256_config.h \
   "$native"/jswrap_smets_p256.c "$native"/jswrap_smets_p256.h libs/smets/
cp "$patches/espruino/$board.py" boards/
python3 - libs/crypto/mbedtls/config.h <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
hook = '#include "mbedtls/check_config.h"'
assert s.count(hook) == 1, 'board-stm32: mbedTLS config.h changed shape'
s = s.replace(hook, '#ifdef USE_SMETS_P256\n#include "smets_p256_config.h"\n#endif\n' + hook)
open(p, 'w').write(s)
PY
jobs=$(nproc 2>/dev/null || echo 2)
if ! make BOARD=$board RELEASE=1 -j"$jobs" >"$out/build.log" 2>&1; then
  tail -30 "$out/build.log" >&2
  exit 1
fi
rm -f "$out"/*.bin
cp bin/espruino_*.bin "$out/"
elf=$(ls -t bin/*.elf | head -1)
{
  echo "board: $board (Espruino WiFi, STM32F411CEU6)"
  for f in "$out"/*.bin; do echo "binary: $(basename "$f") $(stat -c %s "$f") bytes"; done
  grep -E "^PASS|^FAIL" "$out/build.log" || true
  echo "sections (text = flash, data + bss = RAM of 131072):"
  arm-none-eabi-size "$elf"
  python3 - "boards/$board.py" <<'PY'
import sys, importlib.util
spec = importlib.util.spec_from_file_location('b', sys.argv[1]); b = importlib.util.module_from_spec(spec)
sys.path.insert(0, 'scripts'); spec.loader.exec_module(b)
sc = b.chip['saved_code']
print('variables: %d' % b.info['variables'])
print('storage: %d bytes at 0x%08x' % (sc['page_size'] * sc['pages'], sc['address']))
print('binary limit: %d bytes' % ((sc['flash_available']) * 1024))
PY
} >"$out/sizes.txt"
echo "$want" >"$out/settings"
cat "$out/sizes.txt"
