/**
 * The confirm step of a consequential admin action: the question names the person (and the
 * device or session), 実行する carries it out, やめる closes it. Used in place, beside the
 * button that opened it, so the clerk reads the name right where they clicked.
 */
import { ta } from "./messages";

export function ConfirmStep({
  question,
  busy,
  onYes,
  onNo,
  testId,
  yes = ta("desk.yes"),
}: {
  question: string;
  busy: boolean;
  onYes: () => void;
  onNo: () => void;
  testId: string;
  yes?: string;
}) {
  return (
    <div class="confirm" role="alertdialog" aria-label={question} data-testid={testId}>
      <p data-testid={`${testId}-question`}>{question}</p>
      <button type="button" class="danger" data-testid={`${testId}-yes`} disabled={busy} onClick={onYes}>
        {yes}
      </button>{" "}
      <button type="button" class="secondary" data-testid={`${testId}-no`} disabled={busy} onClick={onNo}>
        {ta("a.confirmNo")}
      </button>
    </div>
  );
}
