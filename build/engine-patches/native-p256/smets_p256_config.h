/*
 * smets: the mbedTLS modules native P-256 needs (ECDSA sign/verify with RFC 6979 nonces, ECDH, point
 * validation), added to whatever the engine's build already enables. Included by Espruino's
 * libs/crypto/mbedtls/config.h (one line inserted by build/engines.sh) and by the JerryScript build's
 * own mbedTLS configuration (smets_mbedtls_jerry.h). Apache-2.0 (the smets project).
 */
#ifndef SMETS_P256_CONFIG_H
#define SMETS_P256_CONFIG_H
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
/* Fast reduction modulo the NIST prime (ecp_curves.c). */
#define MBEDTLS_ECP_NIST_OPTIM
/* Window of 4 instead of 6: 8 instead of 32 precomputed points per multiplication, which live in the
 * engine's memory (Espruino's variable pool) for the length of a call. */
#ifndef MBEDTLS_ECP_WINDOW_SIZE
#define MBEDTLS_ECP_WINDOW_SIZE 4

/* Espruino: its mbedTLS allocates from the variable pool (jsvMalloc: a contiguous run of variables found
 * by a scan), which made one verify take ~360 ms on the host build against ~6 ms with libc's allocator.
 * P-256 calls allocate instead from a static arena of SMETS_P256_ARENA_BYTES managed by mbedTLS's own
 * buffer allocator (memory_buffer_alloc.c); outside those calls, and if the arena runs out, the pool
 * is used as before (smets_p256.c). */
#ifdef SMETS_P256_ARENA_BYTES
#include <stddef.h>
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#undef MBEDTLS_PLATFORM_CALLOC_MACRO
#undef MBEDTLS_PLATFORM_FREE_MACRO
#define MBEDTLS_PLATFORM_CALLOC_MACRO(X,Y) smets_mbedtls_calloc((X),(Y))
#define MBEDTLS_PLATFORM_FREE_MACRO(X) smets_mbedtls_free(X)
void *smets_mbedtls_calloc(size_t n, size_t size);
void smets_mbedtls_free(void *p);
/* memory_buffer_alloc.c hands its allocator over through this call (platform.c declares it only when
 * the allocator is not a macro): smets_p256.c takes it. */
int mbedtls_platform_set_calloc_free(void *(*calloc_func)(size_t, size_t), void (*free_func)(void *));
#endif
#endif

/* Espruino: its mbedTLS allocates from the variable pool (jsvMalloc: a contiguous run of variables found
 * by a scan), which made one verify take ~360 ms on the host build against ~6 ms with libc's allocator.
 * P-256 calls allocate instead from a static arena of SMETS_P256_ARENA_BYTES managed by mbedTLS's own
 * buffer allocator (memory_buffer_alloc.c); outside those calls, and if the arena runs out, the pool
 * is used as before (smets_p256.c). */
#ifdef SMETS_P256_ARENA_BYTES
#include <stddef.h>
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#undef MBEDTLS_PLATFORM_CALLOC_MACRO
#undef MBEDTLS_PLATFORM_FREE_MACRO
#define MBEDTLS_PLATFORM_CALLOC_MACRO(X,Y) smets_mbedtls_calloc((X),(Y))
#define MBEDTLS_PLATFORM_FREE_MACRO(X) smets_mbedtls_free(X)
void *smets_mbedtls_calloc(size_t n, size_t size);
void smets_mbedtls_free(void *p);
/* memory_buffer_alloc.c hands its allocator over through this call (platform.c declares it only when
 * the allocator is not a macro): smets_p256.c takes it. */
int mbedtls_platform_set_calloc_free(void *(*calloc_func)(size_t, size_t), void (*free_func)(void *));
#endif
#endif
