import { afterEach, describe, expect, it, vi } from "vitest";
import {
  base64urlDecode,
  base64urlEncode,
  credentialToJSON,
  creationOptionsFromJSON,
  requestOptionsFromJSON,
} from "./webauthn";

const bytes = (...values: number[]) => new Uint8Array(values);
const asArray = (buffer: BufferSource | ArrayBuffer) =>
  Array.from(buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));

afterEach(() => vi.unstubAllGlobals());

describe("base64url", () => {
  it("encodes without padding and with the URL-safe alphabet", () => {
    expect(base64urlEncode(bytes(0xfb, 0xff))).toBe("-_8");
    expect(base64urlEncode(bytes(0x66))).toBe("Zg");
    expect(base64urlEncode(new TextEncoder().encode("foobar"))).toBe("Zm9vYmFy");
    expect(base64urlEncode(new ArrayBuffer(0))).toBe("");
  });

  it("round-trips every byte value and every length", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let length = 0; length <= all.length; length += 7) {
      const slice = all.slice(0, length);
      expect(asArray(base64urlDecode(base64urlEncode(slice)))).toEqual(Array.from(slice));
    }
  });

  it("encodes a view on part of a buffer, not the whole buffer", () => {
    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    expect(base64urlEncode(view)).toBe(base64urlEncode(bytes(1, 2, 3)));
  });

  it("accepts padded and standard base64 and rejects garbage", () => {
    expect(asArray(base64urlDecode("-_8="))).toEqual([0xfb, 0xff]);
    expect(asArray(base64urlDecode("+/8"))).toEqual([0xfb, 0xff]);
    expect(() => base64urlDecode("a*b")).toThrow(TypeError);
    expect(() => base64urlDecode("abcde")).toThrow(TypeError);
  });
});

// What py_webauthn's options_to_json gives for registration.
const creationJSON = {
  rp: { name: "carebook", id: "localhost" },
  user: { id: "dXNlci0x", name: "nurse01", displayName: "看護 花子" },
  challenge: "AAECAwQFBgcICQoLDA0ODw",
  pubKeyCredParams: [
    { type: "public-key", alg: -8 },
    { type: "public-key", alg: -7 },
  ],
  timeout: 60000,
  excludeCredentials: [{ id: "q83v", type: "public-key", transports: ["internal"] }],
  authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
  attestation: "none",
};

const requestJSON = {
  challenge: "3q2-7w",
  timeout: 60000,
  rpId: "localhost",
  allowCredentials: [{ id: "AQID", type: "public-key" }],
  userVerification: "required",
};

describe("options conversion by hand", () => {
  it("decodes challenge, user id and excluded credentials, keeping the rest", () => {
    const options = creationOptionsFromJSON(creationJSON);
    expect(asArray(options.challenge)).toEqual([...Array(16).keys()]);
    expect(new TextDecoder().decode(options.user.id as ArrayBuffer)).toBe("user-1");
    expect(options.user.displayName).toBe("看護 花子");
    expect(asArray(options.excludeCredentials![0]!.id)).toEqual([0xab, 0xcd, 0xef]);
    expect(options.excludeCredentials![0]!.transports).toEqual(["internal"]);
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7]);
    expect(options.authenticatorSelection?.userVerification).toBe("required");
    expect(options.rp).toEqual({ name: "carebook", id: "localhost" });
  });

  it("decodes the request challenge and allowed credentials", () => {
    const options = requestOptionsFromJSON(requestJSON);
    expect(asArray(options.challenge)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(asArray(options.allowCredentials![0]!.id)).toEqual([1, 2, 3]);
    expect(options.rpId).toBe("localhost");
    expect(options.userVerification).toBe("required");
  });

  it("accepts the options as JSON text or wrapped in publicKey", () => {
    expect(asArray(requestOptionsFromJSON(JSON.stringify(requestJSON)).challenge)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(asArray(requestOptionsFromJSON({ publicKey: requestJSON }).challenge)).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it("leaves out lists the server did not send", () => {
    const { allowCredentials: _, ...noList } = requestJSON;
    expect("allowCredentials" in requestOptionsFromJSON(noList)).toBe(false);
  });
});

describe("options conversion by the browser", () => {
  it("uses PublicKeyCredential.parse…FromJSON when present", () => {
    const parseCreationOptionsFromJSON = vi.fn(() => ({ marker: "native-create" }));
    const parseRequestOptionsFromJSON = vi.fn(() => ({ marker: "native-get" }));
    vi.stubGlobal("PublicKeyCredential", { parseCreationOptionsFromJSON, parseRequestOptionsFromJSON });
    expect(creationOptionsFromJSON({ publicKey: creationJSON })).toEqual({ marker: "native-create" });
    expect(parseCreationOptionsFromJSON).toHaveBeenCalledWith(creationJSON);
    expect(requestOptionsFromJSON(requestJSON)).toEqual({ marker: "native-get" });
    expect(parseRequestOptionsFromJSON).toHaveBeenCalledWith(requestJSON);
  });
});

describe("credentialToJSON", () => {
  const buf = (...values: number[]) => bytes(...values).buffer;

  it("encodes a registration by hand", () => {
    const credential = {
      id: "AQID",
      rawId: buf(1, 2, 3),
      type: "public-key",
      authenticatorAttachment: "platform",
      getClientExtensionResults: () => ({ credProps: { rk: true } }),
      response: {
        clientDataJSON: new TextEncoder().encode('{"type":"webauthn.create"}').buffer,
        attestationObject: buf(0xa3, 0x63),
        getTransports: () => ["internal", "hybrid"],
        getPublicKey: () => null,
        getPublicKeyAlgorithm: () => -7,
        getAuthenticatorData: () => buf(0xff),
      },
    } as unknown as PublicKeyCredential;
    const json = credentialToJSON(credential);
    expect(json).toEqual({
      id: "AQID",
      rawId: "AQID",
      type: "public-key",
      response: {
        clientDataJSON: base64urlEncode(new TextEncoder().encode('{"type":"webauthn.create"}')),
        attestationObject: "o2M",
        authenticatorData: "_w",
        transports: ["internal", "hybrid"],
        publicKeyAlgorithm: -7,
      },
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: "platform",
    });
    expect(JSON.stringify(json)).not.toContain("=");
  });

  it("encodes an assertion by hand", () => {
    const credential = {
      id: "BAUG",
      rawId: buf(4, 5, 6),
      type: "public-key",
      authenticatorAttachment: null,
      getClientExtensionResults: () => ({}),
      response: {
        clientDataJSON: buf(1),
        authenticatorData: buf(2, 2),
        signature: buf(3, 3, 3),
        userHandle: new TextEncoder().encode("user-1").buffer,
      },
    } as unknown as PublicKeyCredential;
    expect(credentialToJSON(credential)).toEqual({
      id: "BAUG",
      rawId: "BAUG",
      type: "public-key",
      response: { clientDataJSON: "AQ", authenticatorData: "AgI", signature: "AwMD", userHandle: "dXNlci0x" },
      clientExtensionResults: {},
      authenticatorAttachment: null,
    });
  });

  it("prefers the credential's own toJSON", () => {
    const native = { id: "x", rawId: "x", type: "public-key", response: { clientDataJSON: "AQ" } };
    const credential = { toJSON: () => native } as unknown as PublicKeyCredential;
    expect(credentialToJSON(credential)).toBe(native);
  });
});
