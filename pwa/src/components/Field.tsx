/** A labelled text input with an optional hint, wired for screen readers. */
interface FieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  testId: string;
  hint?: string;
  type?: "text" | "password";
  class?: string;
  autoComplete?: string;
  autoCapitalize?: "none" | "off";
  spellcheck?: boolean;
  inputMode?: "numeric" | "text";
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  required?: boolean;
}

export function Field({ id, label, value, onValue, hint, testId, type = "text", ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      <input
        id={id}
        name={id}
        // Preact types `type` per input kind; the union of our two kinds is fine at run time.
        type={type as "text"}
        data-testid={testId}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-describedby={hintId}
        {...input}
      />
    </div>
  );
}

/** The six-digit one-time code field used at sign-in and at enrolment. */
export function CodeField(props: { id: string; label: string; value: string; onValue: (v: string) => void; testId: string; hint?: string }) {
  return (
    <Field
      {...props}
      class="code-input"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      onValue={(v) => props.onValue(v.replace(/\D/g, "").slice(0, 6))}
    />
  );
}

/** An error box under a form; `testId` lets browser tests find it. */
export function FormError({ message, reasons, testId }: { message: string | null; reasons?: string[]; testId: string }) {
  if (!message) return null;
  return (
    <div class="form-error" role="alert" data-testid={testId}>
      <p>{message}</p>
      {reasons && reasons.length > 0 && (
        <ul>
          {reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
