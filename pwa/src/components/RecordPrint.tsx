/**
 * The printed record of a room (A4): the patient header with era dates, the care team,
 * the vitals as a chart and a table, then every post in order with its comments and
 * photo thumbnails. Used by the members' record screen and the clerk's break-glass print.
 */
import { lazy, Suspense } from "preact/compat";
import { useMemo } from "preact/hooks";
import { t } from "../i18n";
import { codeLabel } from "../local/labels";
import { jstText, recordRanges, type RoomRecordData } from "../local/record";
import { VITALS_FIELDS } from "../local/vitals";
import { vitalsSeries } from "../local/vitals-chart";
import type { Vitals } from "../sync/wire";
import { VitalCell } from "./VitalFlag";

const VitalsChart = lazy(() => import("./VitalsChart"));

function day(iso: string | null): string {
  return iso ? jstText(iso).slice(0, 10) : "";
}

export function RecordPrint({ record }: { record: RoomRecordData }) {
  const p = record.patient;
  const withVitals = record.posts.filter((post) => post.vitals && Object.keys(post.vitals).length);
  const series = useMemo(
    () => vitalsSeries(record.posts.map((post) => ({ createdAt: post.createdAt, vitals: post.vitals as Vitals | null, vitalsFlags: post.vitalsFlags }))),
    [record],
  );
  const ranges = useMemo(() => recordRanges(record), [record]);
  const period =
    record.since || record.until ? `${record.since ?? ""} 〜 ${record.until ?? ""}` : t("record.all");
  return (
    <article class="record-print" data-testid="record-print">
      <header class="record-head">
        <h1>{t("record.title")}</h1>
        <p class="record-generated">{t("record.printedBy", { name: record.generatedBy, at: jstText(record.generatedAt) })}</p>
        {record.breakGlassReason && <p class="record-reason">{t("record.breakGlass", { reason: record.breakGlassReason })}</p>}
        <table class="record-patient">
          <tbody>
            <tr>
              <th scope="row">{t("record.patient")}</th>
              <td>
                <span class="record-name">{p.name}</span>（{p.nameKana}） {codeLabel("sex", p.sex)}
              </td>
              <th scope="row">{t("record.birth")}</th>
              <td data-testid="record-birth">
                {p.birthDateEra.text}（{p.birthDate.replaceAll("-", "/")}） {t("record.age", { n: p.age })}
              </td>
            </tr>
            <tr>
              <th scope="row">{t("record.careLevel")}</th>
              <td>{p.careLevelLabel}</td>
              <th scope="row">{t("record.insured")}</th>
              <td>{p.insuredNumber}</td>
            </tr>
            <tr>
              <th scope="row">{t("record.address")}</th>
              <td colSpan={3}>{p.address}</td>
            </tr>
            <tr>
              <th scope="row">{t("record.consent")}</th>
              <td>{record.consentDateEra?.text ?? ""}</td>
              <th scope="row">{t("record.period")}</th>
              <td>{period}</td>
            </tr>
            <tr>
              <th scope="row">{t("record.room")}</th>
              <td colSpan={3}>
                {record.roomLabel ?? ""} （{day(record.openedAt)}〜{day(record.closedAt)}）
              </td>
            </tr>
          </tbody>
        </table>
      </header>
      <section class="record-section">
        <h2>{t("record.members")}</h2>
        <table class="record-table">
          <thead>
            <tr>
              <th scope="col">{t("record.member")}</th>
              <th scope="col">{t("record.job")}</th>
              <th scope="col">{t("record.office")}</th>
              <th scope="col">{t("record.permission")}</th>
              <th scope="col">{t("record.stay")}</th>
            </tr>
          </thead>
          <tbody>
            {record.members.map((m) => (
              <tr key={`${m.person.id}-${m.joinedAt}`}>
                <td>{m.person.name}</td>
                <td>{m.person.jobTypeLabel}</td>
                <td>{m.person.officeName}</td>
                <td>{t(m.permission === "read" ? "record.read" : "record.write")}</td>
                <td>
                  {day(m.joinedAt)}〜{day(m.leftAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {withVitals.length > 0 && (
        <section class="record-section record-vitals">
          <h2>{t("record.vitals")}</h2>
          <Suspense fallback={<p class="hint">{t("common.loading")}</p>}>
            <VitalsChart series={series} ranges={ranges} />
          </Suspense>
          <table class="record-table vitals-table" data-testid="record-vitals">
            <thead>
              <tr>
                <th scope="col">{t("vitals.time")}</th>
                {VITALS_FIELDS.map((f) => (
                  <th scope="col" key={f.key}>
                    {codeLabel("vitalSign", f.key)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {withVitals.map((post) => (
                <tr key={post.id}>
                  <th scope="row">{jstText(post.createdAt)}</th>
                  {VITALS_FIELDS.map((f) => (
                    <VitalCell key={f.key} value={post.vitals?.[f.key]} flag={post.vitalsFlags?.[f.key]} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section class="record-section">
        <h2>{t("record.posts")}</h2>
        {record.posts.length === 0 && <p>{t("record.noPosts")}</p>}
        {record.posts.map((post) => (
          <div class="record-post" key={post.id} data-testid="record-post">
            <p class="record-post-head">
              <span>{jstText(post.createdAt)}</span> <strong>{post.title}</strong> {post.author.name}（{post.author.jobTypeLabel}・{post.author.officeName}）
              {post.imported && <span class="record-badge"> {t("record.imported")}</span>}
            </p>
            <p class="record-body">{post.body}</p>
            {post.vitals && (
              <p class="record-post-vitals">
                {VITALS_FIELDS.filter((f) => post.vitals?.[f.key] !== undefined)
                  .map((f) => `${codeLabel("vitalSign", f.key)} ${post.vitals?.[f.key]}${f.unit}`)
                  .join("　")}
              </p>
            )}
            {post.photos.length > 0 && (
              <div class="record-photos">
                {post.photos.map((src, i) => (
                  <img key={i} src={src} alt="" class="record-photo" />
                ))}
              </div>
            )}
            {post.documents.length > 0 && (
              <ul class="record-documents" aria-label={t("record.documents")} data-testid="record-documents">
                {post.documents.map((d) => (
                  <li key={d.id}>
                    {t("record.documents")}：{d.name}（{t("record.documentPages", { pages: d.pages })}）
                  </li>
                ))}
              </ul>
            )}
            {post.comments.length > 0 && (
              <ul class="record-comments" aria-label={t("record.comments")}>
                {post.comments.map((c) => (
                  <li key={c.id}>
                    <span>{jstText(c.createdAt)}</span> {c.author.name}：{c.body}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </section>
    </article>
  );
}
