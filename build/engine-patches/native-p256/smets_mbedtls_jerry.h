/* smets: mbedTLS configuration for the JerryScript host's native P-256 (only what it needs). */
#ifndef SMETS_MBEDTLS_JERRY_H
#define SMETS_MBEDTLS_JERRY_H
#include "smets_p256_config.h"
#include "mbedtls/check_config.h"
#endif
