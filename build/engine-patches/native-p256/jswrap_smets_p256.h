/* smets: Espruino's `P256` module (jswrap_smets_p256.c). Apache-2.0 (the smets project). */
#include "jsvar.h"
JsVar *jswrap_smets_p256_publicKey(JsVar *privateKey);
JsVar *jswrap_smets_p256_sign(JsVar *privateKey, JsVar *hash);
int jswrap_smets_p256_verify(JsVar *publicKey, JsVar *hash, JsVar *signature);
JsVar *jswrap_smets_p256_ecdh(JsVar *privateKey, JsVar *publicKey);
int jswrap_smets_p256_checkPublic(JsVar *publicKey);
