/**
 * Which passcodes a nurse may choose.
 *
 * Six digits or more, or six characters or more with letters (any script),
 * never an obvious one. Six digits are 10⁶ candidates: behind Argon2id that
 * is about ten minutes on one GPU for a copied profile (docs/security.md),
 * which is why letters are allowed and, once biometric unlock is on, the
 * passcode — now only the fallback, typed rarely — must be the long kind:
 * eight characters or more with a letter, ≥ 36⁸ ≈ 2.8 × 10¹² candidates.
 */

export const MIN_PASSCODE_LENGTH = 6;
export const LONG_PASSCODE_LENGTH = 8;
export const MAX_PASSCODE_LENGTH = 64;

const COMMON = new Set([
  "696969", "159753", "147258", "258369", "112233", "778899", "102030", "142536",
  "password", "passcode", "carebook", "qwerty", "qwertyui", "asdfgh", "abc123", "abcd1234", "1qaz2wsx", "iloveyou",
]);
const KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz"];

function isRun(digits: number[], step: number): boolean {
  return digits.every((d, i) => i === 0 || d === ((digits[i - 1] ?? 0) + step + 10) % 10);
}

function isRepeatedPattern(code: string): boolean {
  const chars = [...code];
  for (let period = 1; period <= Math.floor(chars.length / 2); period++) {
    if (chars.length % period === 0 && chars.slice(0, period).join("").repeat(chars.length / period) === code) return true;
  }
  return false;
}

function isKeyboardRun(code: string): boolean {
  const lower = code.toLowerCase();
  return KEYBOARD_ROWS.some((row) => row.includes(lower) || [...row].reverse().join("").includes(lower));
}

export type PasscodeProblem = "short" | "long" | "obvious" | "tooLong";

/** Is `code` the long kind, good enough as the fallback of biometric unlock? */
export function isLongPasscode(code: string): boolean {
  return [...code].length >= LONG_PASSCODE_LENGTH && /[^0-9]/.test(code);
}

/**
 * Why `code` cannot be a passcode, or null when it can. With `fallback`
 * (biometric unlock on) it must also be the long kind.
 */
export function passcodeProblem(code: string, options: { fallback?: boolean } = {}): PasscodeProblem | null {
  const length = [...code].length;
  if (length < MIN_PASSCODE_LENGTH) return "short";
  if (length > MAX_PASSCODE_LENGTH) return "tooLong";
  if (/^[0-9]+$/.test(code)) {
    const digits = [...code].map(Number);
    if (isRun(digits, 1) || isRun(digits, -1)) return "obvious";
  }
  if (isRepeatedPattern(code) || isKeyboardRun(code) || COMMON.has(code.toLowerCase())) return "obvious";
  if (options.fallback && !isLongPasscode(code)) return "long";
  return null;
}
