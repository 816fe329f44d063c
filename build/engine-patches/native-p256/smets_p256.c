/*
 * smets native P-256 over mbedTLS (the engines' vendored copy): ECDSA sign (RFC 6979 deterministic
 * nonces, as the portable code signs, so both paths give the same bytes) and verify, ECDH, public-key
 * validation. Written here because no library offers these as plain byte-in/byte-out calls for the
 * engines; the arithmetic is mbedTLS's. Apache-2.0 (the smets project).
 *
 * Refusals match boards/portable/p256.ts (SEC 1 v2 §3.2.2, §4.1.4): a public key must be exactly 65
 * bytes, 04 || X || Y, X and Y < p and on the curve (so never infinity: the 1-byte 00 encoding that
 * mbedTLS reads as infinity is refused by the length check first); r and s in [1, n-1]; private keys
 * exactly 32 bytes in [1, n-1].
 */
#include "smets_p256.h"
#include "mbedtls/ecp.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/md.h"
#include <string.h>

#ifdef SMETS_P256_ARENA_BYTES
/* Espruino (smets_p256_config.h): mbedTLS allocates from this arena during a P-256 call. */
#include "mbedtls/memory_buffer_alloc.h"
#include "jsvar.h"
static void *(*arena_calloc)(size_t, size_t);
static void (*arena_free)(void *);
static union {
  unsigned char bytes[SMETS_P256_ARENA_BYTES];
  unsigned long long align;
} arena;
static int in_call;

int mbedtls_platform_set_calloc_free(void *(*calloc_func)(size_t, size_t), void (*free_func)(void *)) {
  arena_calloc = calloc_func;
  arena_free = free_func;
  return 0;
}

void *smets_mbedtls_calloc(size_t n, size_t size) {
  if (in_call) {
    void *p = arena_calloc(n, size);
    if (p) return p;
  }
  return jsvMalloc(n * size);
}

void smets_mbedtls_free(void *p) {
  unsigned char *b = (unsigned char *)p;
  if (b >= arena.bytes && b < arena.bytes + sizeof(arena.bytes)) arena_free(p);
  else jsvFree(p);
}

static void enter(void) {
  if (!arena_calloc) mbedtls_memory_buffer_alloc_init(arena.bytes, sizeof(arena.bytes));
  in_call = 1;
}
static int leave(int ret) {
  in_call = 0;
  return ret;
}
#else
static void enter(void) {}
static int leave(int ret) { return ret; }
#endif

static int load_group(mbedtls_ecp_group *grp) {
  enter();
  mbedtls_ecp_group_init(grp);
  return mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP256R1) == 0;
}

/* 0: ok; SMETS_P256_BAD_PRIVATE_KEY / SMETS_P256_FAILED otherwise. */
static int read_private(const mbedtls_ecp_group *grp, mbedtls_mpi *d, const unsigned char *bytes, size_t len) {
  if (len != 32) return SMETS_P256_BAD_PRIVATE_KEY;
  if (mbedtls_mpi_read_binary(d, bytes, len) != 0) return SMETS_P256_FAILED;
  if (mbedtls_ecp_check_privkey(grp, d) != 0) return SMETS_P256_BAD_PRIVATE_KEY;
  return SMETS_P256_OK;
}

/* 0: a valid point of the group; SMETS_P256_INVALID when not; SMETS_P256_FAILED on memory. */
static int read_public(const mbedtls_ecp_group *grp, mbedtls_ecp_point *q, const unsigned char *bytes, size_t len) {
  int ret;
  if (len != 65 || bytes[0] != 0x04) return SMETS_P256_INVALID;
  ret = mbedtls_ecp_point_read_binary(grp, q, bytes, len);
  if (ret == MBEDTLS_ERR_MPI_ALLOC_FAILED) return SMETS_P256_FAILED;
  if (ret != 0) return SMETS_P256_INVALID;
  /* X, Y in [0, p-1], Z = 1, y^2 = x^3 - 3x + b */
  ret = mbedtls_ecp_check_pubkey(grp, q);
  if (ret == MBEDTLS_ERR_MPI_ALLOC_FAILED) return SMETS_P256_FAILED;
  return ret == 0 ? SMETS_P256_OK : SMETS_P256_INVALID;
}

static int failure(int ret) {
  return ret == 0 ? SMETS_P256_OK : SMETS_P256_FAILED;
}

int smets_p256_check_public(const unsigned char *pub, size_t publen) {
  mbedtls_ecp_group grp;
  mbedtls_ecp_point q;
  int ret;
  if (!load_group(&grp)) return leave(SMETS_P256_FAILED);
  mbedtls_ecp_point_init(&q);
  ret = read_public(&grp, &q, pub, publen);
  mbedtls_ecp_point_free(&q);
  mbedtls_ecp_group_free(&grp);
  return leave(ret);
}

int smets_p256_public_key(const unsigned char *d, size_t dlen, unsigned char out[65]) {
  mbedtls_ecp_group grp;
  mbedtls_ecp_point q;
  mbedtls_mpi k;
  size_t olen = 0;
  int ret;
  if (!load_group(&grp)) return leave(SMETS_P256_FAILED);
  mbedtls_ecp_point_init(&q);
  mbedtls_mpi_init(&k);
  ret = read_private(&grp, &k, d, dlen);
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_ecp_mul(&grp, &q, &k, &grp.G, NULL, NULL));
  if (ret == SMETS_P256_OK)
    ret = failure(mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out, 65));
  if (ret == SMETS_P256_OK && olen != 65) ret = SMETS_P256_FAILED;
  mbedtls_mpi_free(&k);
  mbedtls_ecp_point_free(&q);
  mbedtls_ecp_group_free(&grp);
  return leave(ret);
}

int smets_p256_sign(const unsigned char *d, size_t dlen, const unsigned char hash[32], unsigned char sig[64]) {
  mbedtls_ecp_group grp;
  mbedtls_mpi k, r, s;
  int ret;
  if (!load_group(&grp)) return leave(SMETS_P256_FAILED);
  mbedtls_mpi_init(&k);
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  ret = read_private(&grp, &k, d, dlen);
  /* RFC 6979 §3.2 over HMAC-SHA-256 (mbedTLS's HMAC_DRBG seeded with int2octets(d) || bits2octets(h)) */
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_ecdsa_sign_det(&grp, &r, &s, &k, hash, 32, MBEDTLS_MD_SHA256));
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_mpi_write_binary(&r, sig, 32));
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_mpi_write_binary(&s, sig + 32, 32));
  mbedtls_mpi_free(&k);
  mbedtls_mpi_free(&r);
  mbedtls_mpi_free(&s);
  mbedtls_ecp_group_free(&grp);
  return leave(ret);
}

int smets_p256_verify(const unsigned char *pub, size_t publen, const unsigned char hash[32],
                      const unsigned char *sig, size_t siglen) {
  mbedtls_ecp_group grp;
  mbedtls_ecp_point q;
  mbedtls_mpi r, s;
  int ret;
  if (siglen != 64) return SMETS_P256_INVALID;
  if (!load_group(&grp)) return leave(SMETS_P256_FAILED);
  mbedtls_ecp_point_init(&q);
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  ret = read_public(&grp, &q, pub, publen);
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_mpi_read_binary(&r, sig, 32));
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_mpi_read_binary(&s, sig + 32, 32));
  if (ret == SMETS_P256_OK) {
    /* r, s in [1, n-1] is checked by mbedtls_ecdsa_verify (SEC 1 §4.1.4 step 1) */
    int v = mbedtls_ecdsa_verify(&grp, hash, 32, &q, &r, &s);
    ret = v == 0 ? SMETS_P256_OK : v == MBEDTLS_ERR_MPI_ALLOC_FAILED ? SMETS_P256_FAILED : SMETS_P256_INVALID;
  }
  mbedtls_mpi_free(&r);
  mbedtls_mpi_free(&s);
  mbedtls_ecp_point_free(&q);
  mbedtls_ecp_group_free(&grp);
  return leave(ret);
}

int smets_p256_ecdh(const unsigned char *d, size_t dlen, const unsigned char *pub, size_t publen, unsigned char z[32]) {
  mbedtls_ecp_group grp;
  mbedtls_ecp_point q, p;
  mbedtls_mpi k;
  int ret;
  if (!load_group(&grp)) return leave(SMETS_P256_FAILED);
  mbedtls_ecp_point_init(&q);
  mbedtls_ecp_point_init(&p);
  mbedtls_mpi_init(&k);
  ret = read_private(&grp, &k, d, dlen);
  if (ret == SMETS_P256_OK) ret = read_public(&grp, &q, pub, publen);
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_ecp_mul(&grp, &p, &k, &q, NULL, NULL));
  /* d in [1, n-1] and Q of prime order n: dQ is never infinity; checked all the same. */
  if (ret == SMETS_P256_OK && mbedtls_ecp_is_zero(&p)) ret = SMETS_P256_INVALID;
  if (ret == SMETS_P256_OK) ret = failure(mbedtls_mpi_write_binary(&p.X, z, 32));
  mbedtls_mpi_free(&k);
  mbedtls_ecp_point_free(&q);
  mbedtls_ecp_point_free(&p);
  mbedtls_ecp_group_free(&grp);
  return leave(ret);
}
