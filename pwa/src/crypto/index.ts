export { createDataKey, openWithPasscode, openWithSecret, WrongPasscodeError, WrongSecretError, type KeySlots, type StoredKey } from "./keys";
export { open, openBytes, seal, sealBytes, type Sealed } from "./records";
export { passcodeProblem, MIN_PASSCODE_LENGTH, type PasscodeProblem } from "./passcode";
