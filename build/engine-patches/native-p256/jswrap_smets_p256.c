/*
 * smets: Espruino's `P256` module (require("P256")), native P-256 through the firmware's vendored
 * mbedTLS (smets_p256.c). Byte-in/byte-out, so that boards/espruino/index.ts can put it behind the
 * same BoardCrypto as the portable code. Results: an ArrayBuffer, or a number naming a refusal
 * (1 invalid input, 2 bad private key, 3 out of memory) that the board turns into the portable
 * code's own answer. Apache-2.0 (the smets project). The JSON comments are Espruino's wrapper format.
 */
#include "jsvar.h"
#include "jsinteractive.h"
#include "jswrap_smets_p256.h"
#include "smets_p256.h"
#include <string.h>

/*JSON{
  "type" : "library",
  "class" : "P256",
  "ifdef" : "USE_SMETS_P256"
}
Native P-256 (ECDSA with SHA-256 hashes given, RFC 6979 signatures, ECDH, point validation) over mbedTLS,
built in by the smets project.
*/

/* Copies a byte argument (Uint8Array, ArrayBuffer, string) into buf; its length, or -1 when too long. */
static int smets_bytes(JsVar *v, unsigned char *buf, size_t cap) {
  if (!v || jsvIsUndefined(v) || jsvIsNull(v)) return 0;
  JSV_GET_AS_CHAR_ARRAY(ptr, len, v);
  if (!ptr) return -1;
  if (len > cap) return -1;
  memcpy(buf, ptr, len);
  return (int)len;
}

static JsVar *smets_buffer(const unsigned char *bytes, unsigned int len) {
  char *ptr = 0;
  JsVar *ab = jsvNewArrayBufferWithPtr(len, &ptr);
  if (!ptr) {
    jsvUnLock(ab);
    return jsvNewFromInteger(SMETS_P256_FAILED);
  }
  memcpy(ptr, bytes, len);
  return ab;
}

/*JSON{
  "type" : "staticmethod",
  "class" : "P256",
  "name" : "publicKey",
  "generate" : "jswrap_smets_p256_publicKey",
  "params" : [ ["privateKey","JsVar","32 bytes"] ],
  "return" : ["JsVar","65-byte uncompressed point (ArrayBuffer), or a refusal code"],
  "ifdef" : "USE_SMETS_P256"
}*/
JsVar *jswrap_smets_p256_publicKey(JsVar *privateKey) {
  unsigned char d[33], out[65];
  int dl = smets_bytes(privateKey, d, sizeof(d));
  int ret = dl < 0 ? SMETS_P256_BAD_PRIVATE_KEY : smets_p256_public_key(d, (size_t)dl, out);
  memset(d, 0, sizeof(d));
  return ret == SMETS_P256_OK ? smets_buffer(out, 65) : jsvNewFromInteger(ret);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "P256",
  "name" : "sign",
  "generate" : "jswrap_smets_p256_sign",
  "params" : [ ["privateKey","JsVar","32 bytes"], ["hash","JsVar","SHA-256 of the message, 32 bytes"] ],
  "return" : ["JsVar","64-byte r || s (ArrayBuffer), or a refusal code"],
  "ifdef" : "USE_SMETS_P256"
}*/
JsVar *jswrap_smets_p256_sign(JsVar *privateKey, JsVar *hash) {
  unsigned char d[33], h[33], sig[64];
  int dl = smets_bytes(privateKey, d, sizeof(d));
  int hl = smets_bytes(hash, h, sizeof(h));
  int ret = dl < 0 ? SMETS_P256_BAD_PRIVATE_KEY : hl != 32 ? SMETS_P256_INVALID : smets_p256_sign(d, (size_t)dl, h, sig);
  memset(d, 0, sizeof(d));
  return ret == SMETS_P256_OK ? smets_buffer(sig, 64) : jsvNewFromInteger(ret);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "P256",
  "name" : "verify",
  "generate" : "jswrap_smets_p256_verify",
  "params" : [ ["publicKey","JsVar","65 bytes"], ["hash","JsVar","32 bytes"], ["signature","JsVar","64 bytes r || s"] ],
  "return" : ["int","0 valid, or a refusal code"],
  "ifdef" : "USE_SMETS_P256"
}*/
int jswrap_smets_p256_verify(JsVar *publicKey, JsVar *hash, JsVar *signature) {
  unsigned char q[66], h[33], sig[65];
  int ql = smets_bytes(publicKey, q, sizeof(q));
  int hl = smets_bytes(hash, h, sizeof(h));
  int sl = smets_bytes(signature, sig, sizeof(sig));
  if (ql < 0 || sl < 0 || hl != 32) return SMETS_P256_INVALID;
  return smets_p256_verify(q, (size_t)ql, h, sig, (size_t)sl);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "P256",
  "name" : "ecdh",
  "generate" : "jswrap_smets_p256_ecdh",
  "params" : [ ["privateKey","JsVar","32 bytes"], ["publicKey","JsVar","65 bytes"] ],
  "return" : ["JsVar","Z, the 32-byte x coordinate (ArrayBuffer), or a refusal code"],
  "ifdef" : "USE_SMETS_P256"
}*/
JsVar *jswrap_smets_p256_ecdh(JsVar *privateKey, JsVar *publicKey) {
  unsigned char d[33], q[66], z[32];
  int dl = smets_bytes(privateKey, d, sizeof(d));
  int ql = smets_bytes(publicKey, q, sizeof(q));
  int ret = dl < 0 ? SMETS_P256_BAD_PRIVATE_KEY : ql < 0 ? SMETS_P256_INVALID : smets_p256_ecdh(d, (size_t)dl, q, (size_t)ql, z);
  memset(d, 0, sizeof(d));
  return ret == SMETS_P256_OK ? smets_buffer(z, 32) : jsvNewFromInteger(ret);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "P256",
  "name" : "checkPublic",
  "generate" : "jswrap_smets_p256_checkPublic",
  "params" : [ ["publicKey","JsVar","65 bytes"] ],
  "return" : ["int","0 a point of P-256, or a refusal code"],
  "ifdef" : "USE_SMETS_P256"
}*/
int jswrap_smets_p256_checkPublic(JsVar *publicKey) {
  unsigned char q[66];
  int ql = smets_bytes(publicKey, q, sizeof(q));
  if (ql < 0) return SMETS_P256_INVALID;
  return smets_p256_check_public(q, (size_t)ql);
}
