/**
 * Record encryption for the offline cache: AES-GCM under the data key, a
 * fresh random 96-bit IV per write, and the store name plus record id as
 * additional data, so a ciphertext moved to another record or store fails to
 * decrypt instead of showing the wrong patient's data.
 */
import { randomBytes } from "./keys";

export interface Sealed {
  iv: Uint8Array;
  ct: ArrayBuffer;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function aad(store: string, id: string | number): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${store}\u0000${String(id)}`);
}

export async function sealBytes(key: CryptoKey, store: string, id: string | number, bytes: BufferSource): Promise<Sealed> {
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(store, id) }, key, bytes);
  return { iv, ct };
}

export function openBytes(key: CryptoKey, store: string, id: string | number, sealed: Sealed): Promise<ArrayBuffer> {
  return crypto.subtle.decrypt(
    { name: "AES-GCM", iv: sealed.iv as Uint8Array<ArrayBuffer>, additionalData: aad(store, id) },
    key,
    sealed.ct,
  );
}

export function seal(key: CryptoKey, store: string, id: string | number, value: unknown): Promise<Sealed> {
  return sealBytes(key, store, id, encoder.encode(JSON.stringify(value)));
}

export async function open<T>(key: CryptoKey, store: string, id: string | number, sealed: Sealed): Promise<T> {
  return JSON.parse(decoder.decode(await openBytes(key, store, id, sealed))) as T;
}
