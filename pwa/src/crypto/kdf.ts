/**
 * The passcode's key-derivation function: Argon2id (RFC 9106), memory-hard.
 *
 * A passcode is short, so what an attacker with a copy of the browser
 * profile pays per guess is the whole defence of the passcode slot. PBKDF2
 * (v1) cost ~1 µs of GPU time per guess; Argon2id with 64 MiB makes every
 * guess fill and re-read 64 MiB, which GPUs do little faster than a CPU.
 *
 * Parameters: m = 64 MiB, t = 3, p = 1 (RFC 9106's second recommended option,
 * with p = 1 because WebAssembly here runs one thread). Measured
 * (bench/kdf_bench.py, docs/benchmarks.md): 175 ms median in headless
 * Chromium on the development machine; a mid-range tablet is estimated at
 * 3–5× that, under one second. The parameters are stored with each wrapped
 * key, so they can be raised later without breaking old devices.
 */

/**
 * hash-wasm (its Argon2id WebAssembly, inlined) is a chunk of its own, fetched at the first
 * unlock or passcode: it stays out of the initial JavaScript, and the service worker
 * precaches it with the rest of the build, so an offline start has it too.
 */
let library: Promise<typeof import("./argon2")> | null = null;
function hashWasm(): Promise<typeof import("./argon2")> {
  library ??= import("./argon2");
  return library;
}

/** Starts fetching and compiling the KDF early (the lock screen calls it while the nurse types). */
export function preloadKdf(): void {
  void hashWasm().catch(() => {
    library = null;
  });
}

export interface Argon2Params {
  alg: "argon2id";
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  salt: Uint8Array;
}

export const ARGON2_MEMORY_KIB = 64 * 1024;
export const ARGON2_ITERATIONS = 3;
/** Below this nothing is accepted, not even from storage (OWASP's Argon2id floor: 19 MiB, t = 2). */
export const ARGON2_MIN_MEMORY_KIB = 19 * 1024;

export function newArgon2Params(memoryKiB = ARGON2_MEMORY_KIB, iterations = ARGON2_ITERATIONS): Argon2Params {
  if (memoryKiB < ARGON2_MIN_MEMORY_KIB || iterations < 1) throw new RangeError("Argon2id parameters below the floor");
  return { alg: "argon2id", memoryKiB, iterations, parallelism: 1, salt: globalThis.crypto.getRandomValues(new Uint8Array(16)) };
}

/** 32 bytes derived from the passcode (NFC-normalised, so the same letters typed on another keyboard match). */
export async function argon2Bytes(passcode: string, params: Argon2Params): Promise<Uint8Array<ArrayBuffer>> {
  if (params.alg !== "argon2id" || params.memoryKiB < ARGON2_MIN_MEMORY_KIB) throw new RangeError("unsupported KDF");
  const { argon2id } = await hashWasm();
  const out = await argon2id({
    password: passcode.normalize("NFC"),
    salt: params.salt,
    parallelism: params.parallelism,
    iterations: params.iterations,
    memorySize: params.memoryKiB,
    hashLength: 32,
    outputType: "binary",
  });
  return new Uint8Array(out);
}
