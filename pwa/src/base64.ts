/** base64url (RFC 4648 §5, no padding) and base64 helpers over bytes. */

export type BytesLike = ArrayBuffer | ArrayBufferView;

function toBytes(data: BytesLike): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function bytesToBase64(data: BytesLike): string {
  const bytes = toBytes(data);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64urlEncode(data: BytesLike): string {
  return bytesToBase64(data).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url or standard base64, with or without padding. */
export function base64urlDecode(text: string): ArrayBuffer {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (/[^A-Za-z0-9+/]/.test(normal) || normal.length % 4 === 1) {
    throw new TypeError("invalid base64url");
  }
  const binary = atob(normal + "=".repeat((4 - (normal.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function utf8ToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}
