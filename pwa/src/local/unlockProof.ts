/**
 * The unlock proof (docs/api/requests.md, server/auth/unlock.py): a locked app locks the
 * server too. The server hands out an unlock secret when both sign-in factors pass; every
 * request of the signed-in app carries it (`X-Carebook-Unlock`, added by api.ts), and the
 * cookie alone reads nothing.
 *
 * Where the secret lives:
 * - in memory while the app is unlocked (`current`), and briefly after a sign-in until the
 *   data key is there to seal it (`issued`: the passcode screen comes right after);
 * - at rest only sealed under the data key (AES-GCM, crypto/records.ts), in the keystore, so
 *   an unlock — offline too — opens it, and the first online request after the unlock needs
 *   no new sign-in; without the passcode it is noise.
 *
 * Locking forgets it. With the key still at hand, it also seals a fresh secret and, online,
 * asks the server to replace the old one with it (`POST /api/auth/lock`), so the old proof
 * stops working on the server too. The previous secret stays sealed beside the new one: if
 * the lock's request never reached the server (offline, or the answer was lost), the next
 * unlock falls back to it once (`usePreviousProof`).
 */
import { randomBytes } from "../crypto/keys";
import { open, seal } from "../crypto/records";
import { readUnlockProof, writeUnlockProof } from "../db/keystore";
import { adoptDeviceId, getDeviceId } from "../device";
import { onWipe } from "../wipe";

const STORE = "unlockProof";

let current: string | null = null;
let issued: string | null = null;
let previous: string | null = null;
/** The last lock's sealing and server request: an unlock waits for it. */
let retiring: Promise<void> = Promise.resolve();

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The proof for this request's `X-Carebook-Unlock` header; null while locked. */
export function unlockProof(): string | null {
  return current;
}

async function store(key: CryptoKey, next: string, before: string | null): Promise<void> {
  await writeUnlockProof({
    current: await seal(key, STORE, "current", next),
    previous: before ? await seal(key, STORE, "previous", before) : null,
  });
}

/**
 * The server handed out a new secret (the answer that completed sign-in, or a password
 * change). Used at once; sealed now if the data key is unlocked, else at the next unlock or
 * when the passcode is set.
 */
export function adoptIssuedProof(secret: string, key: CryptoKey | null): void {
  current = secret;
  issued = secret;
  previous = null;
  if (key) void sealIssued(key);
}

async function sealIssued(key: CryptoKey): Promise<void> {
  const secret = issued;
  if (!secret) return;
  try {
    await store(key, secret, null);
    if (issued === secret) issued = null;
  } catch (error) {
    console.warn("carebook: could not keep the unlock proof", error);
  }
}

/** At unlock (or when a passcode is set), with the data key: the proof back in memory. */
export async function restoreUnlockProof(key: CryptoKey): Promise<void> {
  await retiring;
  if (issued) {
    current = issued;
    await sealIssued(key);
    return;
  }
  const sealed = await readUnlockProof().catch(() => null);
  if (!sealed) return; // none kept (an older app's session): the server asks for a sign-in
  try {
    current = await open<string>(key, STORE, "current", sealed.current);
    previous = sealed.previous ? await open<string>(key, STORE, "previous", sealed.previous) : null;
  } catch (error) {
    console.warn("carebook: the kept unlock proof cannot be opened", error);
    current = null;
    previous = null;
  }
}

/**
 * The server refused the proof as stale: the last lock's replacement may never have reached
 * it. Answers true (and switches) when there is an older proof to try, once.
 */
export function usePreviousProof(): boolean {
  if (!previous) return false;
  current = previous;
  previous = null;
  return true;
}

/**
 * At lock, with the data key still at hand (the caller has already dropped it everywhere
 * else): forget the proof, seal a fresh one, and ask the server to switch to it.
 */
export function retireUnlockProof(
  key: CryptoKey,
  tellServer: (next: string, proof: string) => Promise<unknown>,
): Promise<void> {
  const proof = current ?? issued;
  current = null;
  previous = null;
  issued = null;
  if (!proof) return retiring;
  const next = base64url(randomBytes(32));
  retiring = (async () => {
    try {
      // Sealed first: if the request goes through, the next unlock must be able to open it.
      await store(key, next, proof);
    } catch {
      return; // not kept: the old proof stays the valid one, on both sides
    }
    await tellServer(next, proof).catch(() => undefined); // offline: the old one stays valid
  })();
  return retiring;
}

/** Sign-out and wipes: nothing of the proof stays in memory. */
export function forgetUnlockProof(): void {
  current = null;
  issued = null;
  previous = null;
}

/**
 * Wiping another user's data right after this user signed in: the new session is bound to
 * this device id and its proof is the one just issued, so both survive the wipe. Answers
 * the wipe's count of unsent records (wipeDevice).
 */
export async function wipeKeepingSession(wipe: () => Promise<number | null>): Promise<number | null> {
  const deviceId = getDeviceId();
  const proof = current ?? issued;
  const unsent = await wipe();
  adoptDeviceId(deviceId);
  if (proof) adoptIssuedProof(proof, null);
  return unsent;
}

onWipe(forgetUnlockProof);
