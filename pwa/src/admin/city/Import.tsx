/**
 * データの取り込み: the clerk brings the previous system's files in — checks them first (every
 * problem with file, row and column), imports them, watches the progress, then lets the new
 * people in by activation mail or a printed letter. The same engine as `carebook import`.
 */
import { useEffect, useState } from "preact/hooks";
import { getLang } from "../../i18n";
import { saveBlob } from "../../download";
import { addNotice } from "../../store";
import { type ActivationLetter, type ImportJob, importApi, TEMPLATE_KINDS } from "../importApi";
import { type AdminKey, hasAdminKey, ta } from "../messages";
import { ErrorBox, Section } from "../ui";

const TEMPLATE_TITLES: Record<string, string> = {
  offices: "事業所",
  users: "利用者",
  patients: "患者",
  rooms: "部屋",
  members: "部屋参加者",
  history: "連絡帳",
};

function duration(seconds: number | null): string {
  if (seconds === null) return "--:--";
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function kindLabel(kind: string): string {
  const key = `imp.kind.${kind}`;
  return hasAdminKey(key) ? ta(key as AdminKey) : kind;
}

function Letters({ letters }: { letters: ActivationLetter[] }) {
  return (
    <div class="activation-letters" data-testid="activation-letters">
      {letters.map((l) => (
        <section class="activation-letter" key={l.userId} data-testid="activation-letter">
          <p>{ta("imp.letterTo", { office: l.officeName, name: l.name })}</p>
          <h2>{ta("imp.lettersHeading")}</h2>
          <p>{ta("imp.letterBody", { city: l.cityName })}</p>
          <table class="admin-table">
            <tbody>
              <tr>
                <th scope="row">{ta("imp.letterId")}</th>
                <td class="letter-code">{l.loginId}</td>
              </tr>
              <tr>
                <th scope="row">{ta("imp.letterCode")}</th>
                <td class="letter-code" data-testid="letter-code">
                  {l.code}
                </td>
              </tr>
              <tr>
                <th scope="row">{ta("imp.letterPage")}</th>
                <td>{l.link}</td>
              </tr>
              <tr>
                <th scope="row">{ta("imp.letterExpires")}</th>
                <td>{l.expires}</td>
              </tr>
            </tbody>
          </table>
          <img class="letter-qr" src={l.qrImage} alt="" />
          <p>{ta("imp.letterContact", { name: l.contactName, phone: l.contactPhone })}</p>
        </section>
      ))}
    </div>
  );
}

export function ImportScreen() {
  const [files, setFiles] = useState<File[]>([]);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [letters, setLetters] = useState<ActivationLetter[] | null>(null);
  const running = job?.state === "running";

  useEffect(() => {
    if (!job || job.state !== "running") return;
    const timer = setTimeout(() => {
      importApi.status(job.id).then(setJob, setError);
    }, 500);
    return () => clearTimeout(timer);
  }, [job]);

  async function start(dryRun: boolean) {
    setError(null);
    setLetters(null);
    try {
      setJob(await importApi.start(files, dryRun));
    } catch (e) {
      setError(e);
    }
  }

  async function template(kind: string) {
    try {
      saveBlob(await importApi.template(kind), `${TEMPLATE_TITLES[kind] ?? kind}.csv`);
    } catch (e) {
      setError(e);
    }
  }

  const issued = job?.issued ?? [];
  const withMail = issued.filter((p) => p.hasEmail);
  const withoutMail = issued.filter((p) => !p.hasEmail);
  const report = job?.report;
  const english = getLang() === "en";

  if (letters) {
    return (
      <div data-testid="admin-import-letters">
        <p class="admin-actions no-print">
          <button type="button" onClick={() => window.print()}>
            {ta("a.print")}
          </button>
          <button type="button" class="secondary" onClick={() => setLetters(null)}>
            {ta("a.back")}
          </button>
        </p>
        <Letters letters={letters} />
      </div>
    );
  }

  return (
    <div data-testid="admin-import">
      <h1>{ta("imp.heading")}</h1>
      <p>{ta("imp.intro")}</p>
      <Section title={ta("imp.templates")}>
        <p class="hint">{ta("imp.templatesHint")}</p>
        <p class="admin-actions">
          {TEMPLATE_KINDS.map((kind) => (
            <button type="button" class="secondary" key={kind} onClick={() => void template(kind)} data-testid={`template-${kind}`}>
              {TEMPLATE_TITLES[kind]}.csv
            </button>
          ))}
        </p>
      </Section>
      <Section title={ta("imp.files")}>
        <input
          type="file"
          multiple
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          data-testid="import-files"
          aria-label={ta("imp.files")}
          onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? []))}
        />
        <p class="admin-actions">
          <button type="button" class="secondary" disabled={!files.length || running} onClick={() => void start(true)} data-testid="import-check">
            {ta("imp.check")}
          </button>
          <button type="button" disabled={!files.length || running || !(job?.report?.ok && job.dryRun)} onClick={() => void start(false)} data-testid="import-apply">
            {ta("imp.apply")}
          </button>
        </p>
        {running && job && (
          <div data-testid="import-progress">
            <progress max={job.progress.total || 1} value={job.progress.done} />
            <p>
              {ta("imp.running", {
                phase: hasAdminKey(`imp.phase.${job.progress.phase}`) ? ta(`imp.phase.${job.progress.phase}` as AdminKey) : job.progress.phase,
                done: job.progress.done,
                total: job.progress.total,
                rate: Math.round(job.progress.rowsPerSecond),
                left: duration(job.progress.secondsLeft),
              })}
            </p>
          </div>
        )}
        <ErrorBox error={error} />
      </Section>
      {report && (
        <Section title={report.ok ? ta("imp.ok") : ta("imp.problems", { n: report.problems.length })} testId="import-report">
          {report.ok && <p data-testid="import-outcome">{job?.applied ? ta("imp.applied") : ta("imp.checkedOnly")}</p>}
          {!report.ok && (
            <table class="admin-table import-problems" data-testid="import-problems">
              <thead>
                <tr>
                  <th scope="col">{ta("imp.file")}</th>
                  <th scope="col">{ta("imp.row")}</th>
                  <th scope="col">{ta("imp.column")}</th>
                  <th scope="col">{ta("imp.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {report.problems.map((p, i) => (
                  <tr key={i} data-testid="import-problem">
                    <td>{p.file}</td>
                    <td>{p.row ?? "-"}</td>
                    <td>{p.column ?? "-"}</td>
                    <td>{english ? p.messageEn : p.messageJa}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.kinds.length > 0 && (
            <table class="admin-table" data-testid="import-kinds">
              <thead>
                <tr>
                  <th scope="col">{ta("imp.kind")}</th>
                  <th scope="col">{ta("imp.created")}</th>
                  <th scope="col">{ta("imp.updated")}</th>
                  <th scope="col">{ta("imp.unchanged")}</th>
                </tr>
              </thead>
              <tbody>
                {report.kinds.map((k) => (
                  <tr key={k.kind} data-kind={k.kind}>
                    <td>{kindLabel(k.kind)}</td>
                    <td>{k.created}</td>
                    <td>{k.updated}</td>
                    <td>{k.unchanged}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
      {issued.length > 0 && (
        <Section title={ta("imp.issued", { n: issued.length })} testId="import-issued">
          <p>{ta("imp.issuedHint")}</p>
          <p class="admin-actions">
            <button
              type="button"
              disabled={!withMail.length}
              data-testid="import-send-mails"
              onClick={() =>
                importApi.activationMails(withMail.map((p) => p.userId)).then(
                  (r) => addNotice("success", ta("imp.mailsQueued", { n: r.queued })),
                  setError,
                )
              }
            >
              {ta("imp.sendMails", { n: withMail.length })}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={!withoutMail.length}
              data-testid="import-print-letters"
              onClick={() => importApi.activationLetters(withoutMail.map((p) => p.userId)).then(setLetters, setError)}
            >
              {ta("imp.printLetters", { n: withoutMail.length })}
            </button>
          </p>
          <table class="admin-table">
            <tbody>
              {issued.map((p) => (
                <tr key={p.userId}>
                  <td>{p.loginId}</td>
                  <td>{p.name}</td>
                  <td>{p.officeName}</td>
                  <td>{p.hasEmail ? ta("imp.email") : ta("imp.noEmail")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
    </div>
  );
}
