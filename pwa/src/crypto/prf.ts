/**
 * Biometric unlock: a WebAuthn credential on this device's platform
 * authenticator whose PRF extension (hmac-secret underneath) turns a random
 * per-device input into 32 secret bytes that wrap the data key.
 *
 * The credential is the device's own, never registered with the server: it
 * signs nobody in, it only unlocks this cache. The PRF secret stays inside the
 * authenticator (Windows Hello, Android's or Apple's keystore), so a copy of
 * the browser profile holds nothing to guess against.
 *
 * A synced passkey (backup-eligible, flag BE in the authenticator data) has
 * the same PRF output on every device of the user's platform account. It is
 * accepted — on Android and Apple devices every platform passkey syncs — but
 * recorded as not device-bound and shown so in Settings: against a copied
 * profile it adds the platform account (and its own end-to-end protection)
 * as the second secret, not this tablet.
 */
import { randomBytes } from "./keys";

export interface PrfEnrolment {
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
  secret: Uint8Array;
  deviceBound: boolean;
}

export class PrfUnavailableError extends Error {
  constructor(readonly reason: "unsupported" | "cancelled" | "noPrf") {
    super(`biometric unlock unavailable: ${reason}`);
    this.name = "PrfUnavailableError";
  }
}

interface PrfOutputs {
  enabled?: boolean;
  results?: { first?: BufferSource };
}

function prfOutputs(credential: PublicKeyCredential): PrfOutputs | undefined {
  return (credential.getClientExtensionResults() as { prf?: PrfOutputs }).prf;
}

function bytes(source: BufferSource): Uint8Array {
  return source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

/** Whether this browser can be asked at all (the authenticator may still lack PRF). */
export async function platformAuthenticatorAvailable(): Promise<boolean> {
  const pkc = (globalThis as { PublicKeyCredential?: typeof PublicKeyCredential }).PublicKeyCredential;
  if (!pkc || typeof navigator.credentials?.create !== "function") return false;
  try {
    return await pkc.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch {
    return false;
  }
}

/** Backup eligibility, bit 3 of the flags byte (offset 32) of the authenticator data. */
export function backupEligible(authenticatorData: ArrayBuffer): boolean {
  const flags = new Uint8Array(authenticatorData)[32] ?? 0;
  return (flags & 0x08) !== 0;
}

/** Evaluates the PRF of `credentialId` at `prfSalt`; asks for the fingerprint, face or device PIN. */
export async function evaluatePrf(credentialId: Uint8Array, prfSalt: Uint8Array): Promise<Uint8Array> {
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.get({
      publicKey: {
        challenge: randomBytes(32), // nothing is verified by a server: the PRF output is the proof
        rpId: location.hostname,
        allowCredentials: [{ type: "public-key", id: credentialId as Uint8Array<ArrayBuffer>, transports: ["internal"] }],
        userVerification: "required",
        timeout: 60_000,
        extensions: { prf: { eval: { first: prfSalt as Uint8Array<ArrayBuffer> } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null;
  } catch {
    throw new PrfUnavailableError("cancelled");
  }
  const first = credential ? prfOutputs(credential)?.results?.first : undefined;
  if (!first) throw new PrfUnavailableError("noPrf");
  return bytes(first);
}

/**
 * Makes the device's unlock credential and its PRF secret. Throws
 * PrfUnavailableError when the authenticator cannot (no PRF, cancelled).
 */
export async function enrolPrf(userName: string, displayName: string): Promise<PrfEnrolment> {
  if (!(await platformAuthenticatorAvailable())) throw new PrfUnavailableError("unsupported");
  const prfSalt = randomBytes(32);
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.create({
      publicKey: {
        challenge: randomBytes(32),
        rp: { id: location.hostname, name: "carebook" },
        user: { id: randomBytes(16), name: userName, displayName },
        pubKeyCredParams: [
          { type: "public-key", alg: -7 },
          { type: "public-key", alg: -257 },
        ],
        authenticatorSelection: { authenticatorAttachment: "platform", residentKey: "discouraged", userVerification: "required" },
        timeout: 60_000,
        attestation: "none",
        extensions: { prf: { eval: { first: prfSalt } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null;
  } catch {
    throw new PrfUnavailableError("cancelled");
  }
  if (!credential) throw new PrfUnavailableError("cancelled");
  const outputs = prfOutputs(credential);
  if (!outputs?.enabled && !outputs?.results?.first) throw new PrfUnavailableError("noPrf");
  const credentialId = new Uint8Array(credential.rawId);
  const response = credential.response as AuthenticatorAttestationResponse;
  const deviceBound = !backupEligible(response.getAuthenticatorData());
  // Some authenticators answer the PRF only on an assertion, not at creation.
  const first = outputs.results?.first;
  const secret = first ? bytes(first) : await evaluatePrf(credentialId, prfSalt);
  return { credentialId, prfSalt, secret, deviceBound };
}
