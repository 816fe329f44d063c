/*
 * smets native P-256 over mbedTLS: the one C core behind Espruino's `P256` module (jswrap_smets_p256.c)
 * and the JerryScript host's `P256` binding (jerry_smets_p256.c). Byte conventions are the board
 * contract's (boards/board.ts): 32-byte big-endian scalars, 65-byte uncompressed points, 64-byte r || s,
 * and the caller hashes (SHA-256) the message. Apache-2.0 (the smets project).
 */
#ifndef SMETS_P256_H
#define SMETS_P256_H
#include <stddef.h>

#define SMETS_P256_OK 0
/* Expected refusals (hostile input): a public key that is not a point of P-256, a signature that
 * does not verify or is out of range. */
#define SMETS_P256_INVALID 1
/* The caller's mistake: a private key of the wrong length or not in [1, n-1]. */
#define SMETS_P256_BAD_PRIVATE_KEY 2
/* The library failed (out of memory). */
#define SMETS_P256_FAILED 3

int smets_p256_public_key(const unsigned char *d, size_t dlen, unsigned char out[65]);
int smets_p256_sign(const unsigned char *d, size_t dlen, const unsigned char hash[32], unsigned char sig[64]);
int smets_p256_verify(const unsigned char *pub, size_t publen, const unsigned char hash[32],
                      const unsigned char *sig, size_t siglen);
int smets_p256_ecdh(const unsigned char *d, size_t dlen, const unsigned char *pub, size_t publen, unsigned char z[32]);
int smets_p256_check_public(const unsigned char *pub, size_t publen);
#endif
