#!/bin/false
# smets: Espruino for a Linux host, shaped like an MCU-class Espruino board (the library set such boards
# ship for this work: crypto with SHA-256/512 and AES), plus native P-256 through the vendored mbedTLS
# (the `P256` module, libs/smets/: build/engine-patches/native-p256). A fixed number of variables
# (SMETS_VARIABLES when building; 0 = resizable). Made from ../shared's SMETS_LINUX board file.
import os
import pinutils;
info = {
 'name' : "Linux host, MCU-class library set, native P-256",
 'default_console' : "EV_USBSERIAL",
 'variables' : int(os.environ.get('SMETS_VARIABLES', '0')),
 'binary_name' : 'espruino',
 'build' : {
   'libraries' : [
     'CRYPTO','SHA256','SHA512','AES',
   ],
   'makefile' : [
     'DEFINES+=-DESPR_UNICODE_SUPPORT=1',
     'DEFINES+=-DSPIFLASH_BASE=0 -DSPIFLASH_LENGTH=FLASH_SAVED_CODE_LENGTH',
     'LINUX=1',
     # native P-256 (needs CRYPTO, SHA256 and AES above: they bring md.c, md_wrap.c, asn1parse.c, sha256.c)
     'DEFINES+=-DUSE_SMETS_P256 -DSMETS_P256_ARENA_BYTES=16384',
     'INCLUDE+=-I$(ROOT)/libs/smets',
     'WRAPPERSOURCES+=libs/smets/jswrap_smets_p256.c',
     'SOURCES+=libs/smets/smets_p256.c libs/crypto/mbedtls/library/bignum.c libs/crypto/mbedtls/library/ecp.c libs/crypto/mbedtls/library/ecp_curves.c libs/crypto/mbedtls/library/ecdsa.c libs/crypto/mbedtls/library/hmac_drbg.c libs/crypto/mbedtls/library/asn1write.c libs/crypto/mbedtls/library/memory_buffer_alloc.c',
   ]
 }
};
chip = {
  'part' : "LINUX",
  'family' : "LINUX",
  'package' : "",
  'ram' : 0,
  'flash' : 256,
  'speed' : -1,
  'usart' : 6,
  'spi' : 3,
  'i2c' : 3,
  'adc' : 0,
  'dac' : 0,
};
devices = {
  'USB' : {}
};
def get_pins():
  pins = pinutils.generate_pins(0,32)
  return pins
