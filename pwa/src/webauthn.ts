/**
 * Bridges the server's WebAuthn JSON (py_webauthn `options_to_json`: byte
 * fields as base64url strings) and the browser's ArrayBuffer API, both ways.
 * Uses the browser's own `parse…FromJSON` / `toJSON()` where it has them and
 * converts by hand elsewhere (older Safari and Firefox).
 */
import { base64urlDecode, base64urlEncode } from "./base64";

export { base64urlDecode, base64urlEncode } from "./base64";

type Json = Record<string, unknown>;

interface CredentialDescriptorJSON {
  id: string;
  type: string;
  transports?: string[];
}

interface PublicKeyCredentialStatic {
  parseCreationOptionsFromJSON?: (options: unknown) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (options: unknown) => PublicKeyCredentialRequestOptions;
}

export interface AuthenticatorResponseJSON {
  clientDataJSON: string;
  attestationObject?: string;
  authenticatorData?: string;
  signature?: string;
  userHandle?: string;
  transports?: string[];
  publicKey?: string;
  publicKeyAlgorithm?: number;
}

export interface PublicKeyCredentialJSONForm {
  id: string;
  rawId: string;
  type: string;
  response: AuthenticatorResponseJSON;
  clientExtensionResults: Json;
  authenticatorAttachment?: string | null;
}

function staticApi(): PublicKeyCredentialStatic | undefined {
  const pkc = (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential;
  return pkc ? (pkc as PublicKeyCredentialStatic) : undefined;
}

export function isWebAuthnAvailable(): boolean {
  return (
    staticApi() !== undefined &&
    typeof navigator !== "undefined" &&
    typeof navigator.credentials?.create === "function"
  );
}

/** Accepts `{...}`, `{publicKey: {...}}` or the JSON text of either. */
export function unwrapOptions(answer: unknown): Json {
  const value = typeof answer === "string" ? (JSON.parse(answer) as unknown) : answer;
  if (!value || typeof value !== "object") throw new TypeError("WebAuthn options missing");
  const obj = value as Json;
  const inner = obj["publicKey"];
  return inner && typeof inner === "object" ? (inner as Json) : obj;
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as CredentialDescriptorJSON[]).map((d) => ({
    ...d,
    type: d.type as PublicKeyCredentialType,
    id: base64urlDecode(d.id),
    transports: d.transports as AuthenticatorTransport[] | undefined,
  }));
}

function dropUndefined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) {
    if (obj[key] === undefined) delete obj[key];
  }
  return obj;
}

export function creationOptionsFromJSON(answer: unknown): PublicKeyCredentialCreationOptions {
  const json = unwrapOptions(answer);
  const native = staticApi()?.parseCreationOptionsFromJSON;
  if (typeof native === "function") return native.call(staticApi(), json);
  const user = json["user"] as Json;
  return dropUndefined({
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: base64urlDecode(json["challenge"] as string),
    user: { ...(user as unknown as PublicKeyCredentialUserEntity), id: base64urlDecode(user["id"] as string) },
    excludeCredentials: descriptors(json["excludeCredentials"]),
  });
}

export function requestOptionsFromJSON(answer: unknown): PublicKeyCredentialRequestOptions {
  const json = unwrapOptions(answer);
  const native = staticApi()?.parseRequestOptionsFromJSON;
  if (typeof native === "function") return native.call(staticApi(), json);
  return dropUndefined({
    ...(json as unknown as PublicKeyCredentialRequestOptions),
    challenge: base64urlDecode(json["challenge"] as string),
    allowCredentials: descriptors(json["allowCredentials"]),
  });
}

function optionalBytes(value: ArrayBuffer | null | undefined): string | undefined {
  return value ? base64urlEncode(value) : undefined;
}

/** The JSON form of a credential, as `PublicKeyCredential.toJSON()` gives it. */
export function credentialToJSON(credential: PublicKeyCredential): PublicKeyCredentialJSONForm {
  const withToJSON = credential as PublicKeyCredential & { toJSON?: () => unknown };
  if (typeof withToJSON.toJSON === "function") {
    return withToJSON.toJSON() as PublicKeyCredentialJSONForm;
  }
  const r = credential.response as AuthenticatorResponse & {
    attestationObject?: ArrayBuffer;
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
    getPublicKey?: () => ArrayBuffer | null;
    getPublicKeyAlgorithm?: () => number;
    getAuthenticatorData?: () => ArrayBuffer;
  };
  const response: AuthenticatorResponseJSON = { clientDataJSON: base64urlEncode(r.clientDataJSON) };
  if (r.attestationObject) {
    // Registration (AuthenticatorAttestationResponse).
    response.attestationObject = base64urlEncode(r.attestationObject);
    response.authenticatorData = optionalBytes(r.getAuthenticatorData?.());
    response.transports = r.getTransports?.() ?? [];
    response.publicKey = optionalBytes(r.getPublicKey?.());
    response.publicKeyAlgorithm = r.getPublicKeyAlgorithm?.();
  } else {
    // Authentication (AuthenticatorAssertionResponse).
    response.authenticatorData = optionalBytes(r.authenticatorData);
    response.signature = optionalBytes(r.signature);
    response.userHandle = optionalBytes(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: base64urlEncode(credential.rawId),
    type: credential.type,
    response: dropUndefined(response),
    clientExtensionResults: (credential.getClientExtensionResults?.() ?? {}) as Json,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
  };
}

export class PasskeyError extends Error {
  constructor(readonly reason: "unsupported" | "cancelled") {
    super(reason);
    this.name = "PasskeyError";
  }
}

function asPasskeyError(error: unknown): unknown {
  // NotAllowedError covers cancel, timeout and "no matching credential".
  if (error instanceof DOMException && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    return new PasskeyError("cancelled");
  }
  return error;
}

/** Runs `navigator.credentials.create` for the server's creation options. */
export async function createPasskey(answer: unknown): Promise<PublicKeyCredentialJSONForm> {
  if (!isWebAuthnAvailable()) throw new PasskeyError("unsupported");
  try {
    const credential = await navigator.credentials.create({ publicKey: creationOptionsFromJSON(answer) });
    if (!credential) throw new PasskeyError("cancelled");
    return credentialToJSON(credential as PublicKeyCredential);
  } catch (error) {
    throw asPasskeyError(error);
  }
}

/** Runs `navigator.credentials.get` for the server's request options. */
export async function getPasskey(answer: unknown): Promise<PublicKeyCredentialJSONForm> {
  if (!isWebAuthnAvailable()) throw new PasskeyError("unsupported");
  try {
    const credential = await navigator.credentials.get({ publicKey: requestOptionsFromJSON(answer) });
    if (!credential) throw new PasskeyError("cancelled");
    return credentialToJSON(credential as PublicKeyCredential);
  } catch (error) {
    throw asPasskeyError(error);
  }
}
