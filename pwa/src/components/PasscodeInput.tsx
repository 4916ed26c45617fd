/** A passcode field (number pad, or the full keyboard for a passcode with letters) and its switch. */
import { t } from "../i18n";
import { MAX_PASSCODE_LENGTH } from "../crypto/passcode";

interface PasscodeInputProps {
  id: string;
  label: string;
  value: string;
  onValue: (v: string) => void;
  testId: string;
  autoFocus?: boolean;
  hint?: string;
  /** Letters allowed on the keyboard (an alphanumeric passcode); digits only otherwise. */
  letters: boolean;
}

export function PasscodeInput(props: PasscodeInputProps) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <input
        id={props.id}
        type="password"
        class="code-input"
        inputMode={props.letters ? "text" : "numeric"}
        autoComplete="off"
        autoCapitalize="none"
        spellcheck={false}
        maxLength={MAX_PASSCODE_LENGTH}
        data-testid={props.testId}
        value={props.value}
        aria-describedby={hintId}
        autoFocus={props.autoFocus}
        onInput={(e) => props.onValue(props.letters ? e.currentTarget.value : e.currentTarget.value.replace(/\D/g, ""))}
      />
    </div>
  );
}

/** 「英字も使う」: switches the passcode fields between the number pad and the full keyboard. */
export function LettersToggle(props: { letters: boolean; onLetters: (v: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" data-testid="passcode-letters" checked={props.letters} onChange={(e) => props.onLetters(e.currentTarget.checked)} />
      {t("passcode.showLetters")}
    </label>
  );
}

