/**
 * The board contract: the firmware's only door to hardware. `device/` and `hub/` receive a Board and
 * never reach past it, so the same firmware source runs on Node (simulation), Espruino and JerryScript.
 *
 * Conventions (all profiles):
 * - Bytes are Uint8Array. P-256 private keys are 32-byte big-endian scalars; public keys are 65-byte
 *   uncompressed SEC1 points (04 || X || Y); signatures are 64-byte r || s (GBCS carries them so).
 * - Expected failures are values: `p256Verify` answers false, `ecdh` answers undefined for a public key
 *   that is not a valid point (invalid-curve attacks are the caller's input, not a bug); a full medium is
 *   `put` answering false and `commit` answering { ok: false, reason: 'storage-full' }. Exceptions are
 *   reserved for programming errors (wrong lengths, bad keys) and for hardware faults of the medium.
 * @module
 */

/** Cryptographic primitives. Each profile backs them natively where it can, portably otherwise. */
export interface BoardCrypto {
  /** SHA-256 digest (32 bytes). */
  sha256(data: Uint8Array): Uint8Array;
  /** AES-128 encryption of one 16-byte block (the building block of GCM, GBCS §4.3). */
  aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** AES-128 decryption of one 16-byte block (key unwrap of the Root OCA's contingency key, RFC 3394/5649). */
  aes128DecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** ECDSA P-256 with SHA-256 over `message`; deterministic nonce (RFC 6979) where the profile is portable. */
  p256Sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** ECDSA P-256/SHA-256 verification of an r||s signature; false for any malformed input. */
  p256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The uncompressed public key of a private scalar. */
  p256PublicKey(privateKey: Uint8Array): Uint8Array;
  /** Static-static ECDH: Z, the 32-byte x coordinate; undefined when `publicKey` is not on the curve. */
  ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
  /**
   * Cryptographically secure random bytes (key generation); undefined when a board whose generator keeps
   * its state in storage (boards/portable/drbg.ts) has no room to store the next state: no bytes then.
   */
  randomBytes(length: number): Uint8Array | undefined;
  /**
   * True when P-256 runs in the engine's C library (OpenSSL on Node; mbedTLS on the engines built by
   * `npm run engines`), false when in portable JavaScript (boards/portable/p256.ts). Decided once, when
   * the profile's module loads; `BoardOptions.portableCrypto` asks for the portable path regardless.
   */
  readonly native?: boolean;
}

/** A set of changes to persistent state: a value writes the key, null deletes it. */
export type StorageChanges = Record<string, Uint8Array | null>;

/** What a commit did: everything, or (the medium has no room for it) nothing at all. */
export type CommitResult = { ok: true } | { ok: false; reason: 'storage-full' };

/**
 * Persistent key-value state with an all-or-nothing commit: after a power cut at any point of `commit`,
 * a restarted board reads either every change or none of them. A commit the medium has no room for
 * answers 'storage-full' and leaves every key as it was; a later commit, once space is freed, works.
 */
export interface Storage {
  read(key: string): Uint8Array | undefined;
  /** Every key present, sorted. */
  keys(): string[];
  commit(changes: StorageChanges): CommitResult;
}

/** Wall-clock time. GBCS date-times are UTC; the firmware only needs seconds. */
export interface Clock {
  nowSec(): number;
}

/** A byte link to the layer above (the hub, or the harness's transport): whole frames in, whole frames out. */
export interface Link {
  send(frame: Uint8Array): void;
  onFrame(handler: (frame: Uint8Array) => void): void;
}

/** A memory figure as the engine counts it (Espruino: variables of its pool; others: bytes). */
export interface MemoryReport {
  used: number;
  total: number;
  unit: 'variables' | 'bytes';
}

/**
 * A flat store of named blobs, as a microcontroller's flash file system offers. Each call is one write;
 * boards/journaledStorage.ts builds the all-or-nothing Storage on top of one.
 */
export interface Medium {
  get(name: string): Uint8Array | undefined;
  /**
   * Writes one blob: true when written; false when the medium has no room for it (Espruino's
   * Storage.write failing, ENOSPC on a file system, a memory medium's capacity). After false the blob is
   * absent or holds its former bytes, never a part of the new ones (the caller restores what it needs).
   */
  put(name: string, bytes: Uint8Array): boolean;
  remove(name: string): void;
  list(): string[];
}

export type BoardName = 'node' | 'espruino' | 'jerryscript';

/** What every profile's factory accepts: a medium for its storage (tests cut power on one) and a link. */
export interface BoardOptions {
  medium?: Medium;
  link?: Link;
  /** P-256 in portable JavaScript even where the engine has it natively (tests and benches of both paths). */
  portableCrypto?: boolean;
}

export interface Board {
  readonly name: BoardName;
  readonly crypto: BoardCrypto;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly link: Link;
  log(line: string): void;
  /** Undefined where the engine cannot tell (JerryScript reports its peak only at exit, with --mem-stats). */
  memory(): MemoryReport | undefined;
}
