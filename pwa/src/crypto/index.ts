export { createDataKey, rewrapDataKey, unwrapDataKey, WrongPasscodeError, PBKDF2_ITERATIONS, type WrappedKey } from "./keys";
export { open, openBytes, seal, sealBytes, type Sealed } from "./records";
export { passcodeProblem, MIN_PASSCODE_LENGTH, type PasscodeProblem } from "./passcode";
