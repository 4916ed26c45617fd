/** The forced password change at first sign-in. */
import { useState } from "preact/hooks";
import { changePassword } from "../actions/auth";
import { Field, FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";

const MIN_LENGTH = 13;

export function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<{ message: string; reasons: string[] } | null>(null);
  const [busy, setBusy] = useState(false);

  function localProblem(): string | null {
    if ([...next].length < MIN_LENGTH) return t("pw.tooShort");
    if (next !== confirm) return t("pw.mismatch");
    if (next === current) return t("pw.sameAsCurrent");
    return null;
  }

  async function submit(e: Event) {
    e.preventDefault();
    const problem = localProblem();
    if (problem) {
      setError({ message: problem, reasons: [] });
      return;
    }
    setBusy(true);
    setError(null);
    const result = await changePassword(current, next);
    setBusy(false);
    if (!result.ok) setError({ message: result.message, reasons: result.reasons });
  }

  return (
    <section class="card auth-card">
      <ScreenHeading text={t("pw.heading")} />
      <p>{t("pw.intro")}</p>
      <form onSubmit={submit} noValidate>
        <Field
          id="pw-current"
          testId="pw-current"
          label={t("pw.current")}
          type="password"
          value={current}
          onValue={setCurrent}
          autoComplete="current-password"
          required
        />
        <Field
          id="pw-new"
          testId="pw-new"
          label={t("pw.new")}
          hint={t("pw.hint")}
          type="password"
          value={next}
          onValue={setNext}
          autoComplete="new-password"
          minLength={MIN_LENGTH}
          maxLength={128}
          required
        />
        <Field
          id="pw-confirm"
          testId="pw-confirm"
          label={t("pw.confirm")}
          type="password"
          value={confirm}
          onValue={setConfirm}
          autoComplete="new-password"
          required
        />
        <FormError message={error?.message ?? null} reasons={error?.reasons} testId="pw-error" />
        <button type="submit" class="primary" data-testid="pw-submit" disabled={busy}>
          {t("pw.submit")}
        </button>
      </form>
    </section>
  );
}
