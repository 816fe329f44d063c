/*
 * smets: the JerryScript host's `P256` global, native P-256 through mbedTLS (smets_p256.c; the mbedTLS
 * sources are the ones Espruino vendors, compiled into `jerry` by build/engines.sh). Same calls and
 * answers as Espruino's `P256` module (jswrap_smets_p256.c): an ArrayBuffer, or a number naming a
 * refusal (1 invalid input, 2 bad private key, 3 out of memory). Apache-2.0 (the smets project).
 */
#include "jerryscript.h"
#include "smets_p256.h"
#include <string.h>

void smets_p256_register (void);

/* Copies a Uint8Array / ArrayBuffer argument into buf; its length, or -1 when not bytes or too long. */
static int
smets_bytes (const jerry_value_t args_p[], jerry_length_t count, jerry_length_t i, unsigned char *buf, size_t cap)
{
  jerry_value_t v;
  jerry_size_t offset = 0, length = 0;
  jerry_value_t ab;
  uint8_t *data;
  if (i >= count)
  {
    return 0;
  }
  v = args_p[i];
  if (jerry_value_is_typedarray (v))
  {
    ab = jerry_typedarray_buffer (v, &offset, &length);
  }
  else if (jerry_value_is_arraybuffer (v))
  {
    ab = jerry_value_copy (v);
    length = jerry_arraybuffer_size (v);
  }
  else
  {
    return jerry_value_is_undefined (v) ? 0 : -1;
  }
  if (length > cap)
  {
    jerry_value_free (ab);
    return -1;
  }
  data = jerry_arraybuffer_data (ab);
  if (data == NULL && length > 0)
  {
    jerry_value_free (ab);
    return -1;
  }
  if (length > 0)
  {
    memcpy (buf, data + offset, length);
  }
  jerry_value_free (ab);
  return (int) length;
}

static jerry_value_t
smets_result (int ret, const unsigned char *bytes, jerry_length_t length)
{
  jerry_value_t ab;
  uint8_t *data;
  if (ret != SMETS_P256_OK)
  {
    return jerry_number ((double) ret);
  }
  ab = jerry_arraybuffer (length);
  data = jerry_arraybuffer_data (ab);
  if (data == NULL)
  {
    jerry_value_free (ab);
    return jerry_number ((double) SMETS_P256_FAILED);
  }
  memcpy (data, bytes, length);
  return ab;
}

static jerry_value_t
smets_public_key (const jerry_call_info_t *info, const jerry_value_t args_p[], const jerry_length_t count)
{
  unsigned char d[33], out[65];
  int dl = smets_bytes (args_p, count, 0, d, sizeof (d));
  int ret = dl < 0 ? SMETS_P256_BAD_PRIVATE_KEY : smets_p256_public_key (d, (size_t) dl, out);
  (void) info;
  memset (d, 0, sizeof (d));
  return smets_result (ret, out, 65);
}

static jerry_value_t
smets_sign (const jerry_call_info_t *info, const jerry_value_t args_p[], const jerry_length_t count)
{
  unsigned char d[33], h[33], sig[64];
  int dl = smets_bytes (args_p, count, 0, d, sizeof (d));
  int hl = smets_bytes (args_p, count, 1, h, sizeof (h));
  int ret = dl < 0 ? SMETS_P256_BAD_PRIVATE_KEY : hl != 32 ? SMETS_P256_INVALID : smets_p256_sign (d, (size_t) dl, h, sig);
  (void) info;
  memset (d, 0, sizeof (d));
  return smets_result (ret, sig, 64);
}

static jerry_value_t
smets_verify (const jerry_call_info_t *info, const jerry_value_t args_p[], const jerry_length_t count)
{
  unsigned char q[66], h[33], sig[65];
  int ql = smets_bytes (args_p, count, 0, q, sizeof (q));
  int hl = smets_bytes (args_p, count, 1, h, sizeof (h));
  int sl = smets_bytes (args_p, count, 2, sig, sizeof (sig));
  (void) info;
  if (ql < 0 || sl < 0 || hl != 32)
  {
    return jerry_number ((double) SMETS_P256_INVALID);
  }
  return jerry_number ((double) smets_p256_verify (q, (size_t) ql, h, sig, (size_t) sl));
}

static jerry_value_t
smets_ecdh (const jerry_call_info_t *info, const jerry_value_t args_p[], const jerry_length_t count)
{
  unsigned char d[33], q[66], z[32];
  int dl = smets_bytes (args_p, count, 0, d, sizeof (d));
  int ql = smets_bytes (args_p, count, 1, q, sizeof (q));
  int ret = dl < 0 ? SMETS_P256_BAD_PRIVATE_KEY
                   : ql < 0 ? SMETS_P256_INVALID : smets_p256_ecdh (d, (size_t) dl, q, (size_t) ql, z);
  (void) info;
  memset (d, 0, sizeof (d));
  return smets_result (ret, z, 32);
}

static jerry_value_t
smets_check_public (const jerry_call_info_t *info, const jerry_value_t args_p[], const jerry_length_t count)
{
  unsigned char q[66];
  int ql = smets_bytes (args_p, count, 0, q, sizeof (q));
  (void) info;
  return jerry_number ((double) (ql < 0 ? SMETS_P256_INVALID : smets_p256_check_public (q, (size_t) ql)));
}

static void
smets_method (jerry_value_t object, const char *name, jerry_external_handler_t handler)
{
  jerry_value_t f = jerry_function_external (handler);
  jerry_value_free (jerry_object_set_sz (object, name, f));
  jerry_value_free (f);
}

/* Defines the global `P256` (called by jerry-main after jerry_init). */
void
smets_p256_register (void)
{
  jerry_value_t global = jerry_current_realm ();
  jerry_value_t p256 = jerry_object ();
  smets_method (p256, "publicKey", smets_public_key);
  smets_method (p256, "sign", smets_sign);
  smets_method (p256, "verify", smets_verify);
  smets_method (p256, "ecdh", smets_ecdh);
  smets_method (p256, "checkPublic", smets_check_public);
  jerry_value_free (jerry_object_set_sz (global, "P256", p256));
  jerry_value_free (p256);
  jerry_value_free (global);
}
