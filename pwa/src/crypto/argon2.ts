/** The one function of hash-wasm carebook uses, as a module of its own: its chunk holds only Argon2id (and the BLAKE2b it builds on). */
export { argon2id } from "hash-wasm";
