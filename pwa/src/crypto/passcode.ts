/** Which passcodes a nurse may choose: six digits or more, and not an obvious one. */

export const MIN_PASSCODE_LENGTH = 6;

const COMMON = new Set(["696969", "159753", "147258", "258369", "112233", "778899", "102030", "142536"]);

function isRun(digits: number[], step: number): boolean {
  return digits.every((d, i) => i === 0 || d === ((digits[i - 1] ?? 0) + step + 10) % 10);
}

function isRepeatedPattern(code: string): boolean {
  for (let period = 1; period <= Math.floor(code.length / 2); period++) {
    if (code.length % period === 0 && code.slice(0, period).repeat(code.length / period) === code) return true;
  }
  return false;
}

export type PasscodeProblem = "digits" | "short" | "obvious";

/** Why `code` cannot be a passcode, or null when it can. */
export function passcodeProblem(code: string): PasscodeProblem | null {
  if (!/^[0-9]+$/.test(code)) return "digits";
  if (code.length < MIN_PASSCODE_LENGTH) return "short";
  const digits = [...code].map(Number);
  if (isRun(digits, 1) || isRun(digits, -1) || isRepeatedPattern(code) || COMMON.has(code)) return "obvious";
  return null;
}
