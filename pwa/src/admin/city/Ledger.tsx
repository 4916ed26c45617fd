/** The user ledger (管理簿): people by office and job type, counts, CSV. */
import { useState } from "preact/hooks";
import { adminApi, type Office } from "../api";
import { datedName, saveBlob } from "../../download";
import { adminHref } from "../helpers";
import { codeLabel, codeOptions } from "../../local/labels";
import { ta } from "../messages";
import { day, ErrorBox, Input, Loading, Section, Select, useLoad } from "../ui";
import { officeOptions } from "./shared";

export function LedgerView({ office = false }: { office?: boolean }) {
  const [q, setQ] = useState("");
  const [applied, setApplied] = useState<Record<string, string>>({});
  const [officeId, setOfficeId] = useState("");
  const [jobType, setJobType] = useState("");
  const [status, setStatus] = useState("");
  const [saving, setSaving] = useState(false);
  const [csvError, setCsvError] = useState<unknown>(null);
  const filter = { ...applied, officeId: officeId || undefined, jobType: jobType || undefined, status: status || undefined };
  const key = JSON.stringify(filter);
  const { data, error } = useLoad(() => (office ? adminApi.staff(filter) : adminApi.ledger(filter)), [key]);
  const offices = useLoad(() => (office ? Promise.resolve([] as Office[]) : adminApi.offices()));
  const jobTypes = data ? data.countsByJobType.filter((c) => c.key).map((c) => ({ value: c.key ?? "", label: c.label })) : [];

  return (
    <div data-testid={office ? "office-staff" : "admin-ledger"}>
      <h1>{office ? ta("staff.heading") : ta("ledger.heading")}</h1>
      <form
        class="admin-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(q.trim() ? { q: q.trim() } : {});
        }}
      >
        <Input id="ledger-q" label={ta("ledger.q")} value={q} onValue={setQ} />
        {!office && <Select id="ledger-office" label={ta("ledger.office")} value={officeId} onValue={setOfficeId} placeholder={ta("a.all")} options={officeOptions(offices.data)} />}
        <Select id="ledger-jobtype" label={ta("ledger.jobType")} value={jobType} onValue={setJobType} placeholder={ta("a.all")} options={jobTypes} />
        <Select id="ledger-status" label={ta("ledger.status")} value={status} onValue={setStatus} placeholder={ta("a.all")} options={codeOptions("userStatus")} />
        <div class="admin-filter-buttons">
          <button type="submit" class="secondary" data-testid="ledger-search">
            {ta("a.search")}
          </button>
          {!office && (
            <button
              type="button"
              class="secondary"
              data-testid="ledger-csv"
              disabled={saving}
              onClick={() => {
                setSaving(true);
                setCsvError(null);
                adminApi
                  .ledgerCsv(filter)
                  .then((blob) => saveBlob(blob, datedName("ledger", "csv")))
                  .catch(setCsvError)
                  .finally(() => setSaving(false));
              }}
            >
              {ta("ledger.csv")}
            </button>
          )}
        </div>
      </form>
      {csvError !== null && <ErrorBox error={csvError} testId="ledger-csv-error" />}
      {!data ? (
        <Loading error={error} />
      ) : (
        <>
          <p data-testid="ledger-total">{ta("ledger.total", { n: data.total })}</p>
          <div class="admin-counts">
            {!office && (
              <Section title={ta("ledger.byOffice")} testId="counts-office">
                <table class="admin-table compact">
                  <tbody>
                    {data.countsByOffice.map((c) => (
                      <tr key={c.key ?? "none"}>
                        <th scope="row">{c.label}</th>
                        <td class="a-num">{c.count}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            )}
            <Section title={ta("ledger.byJobType")} testId="counts-jobtype">
              <table class="admin-table compact">
                <tbody>
                  {data.countsByJobType.map((c) => (
                    <tr key={c.key ?? "none"}>
                      <th scope="row">{c.label}</th>
                      <td class="a-num">{c.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          </div>
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">{ta("ledger.name")}</th>
                <th scope="col">{ta("ledger.loginId")}</th>
                <th scope="col">{ta("ledger.jobType")}</th>
                <th scope="col">{ta("ledger.office")}</th>
                <th scope="col">{ta("ledger.role")}</th>
                <th scope="col">{ta("ledger.status")}</th>
                <th scope="col">{ta("ledger.created")}</th>
                <th scope="col">{ta("ledger.activated")}</th>
                <th scope="col">{ta("ledger.stopped")}</th>
                <th scope="col">{ta("ledger.pledged")}</th>
                <th scope="col">{ta("ledger.terms")}</th>
                <th scope="col">{ta("ledger.rooms")}</th>
                {office && <th scope="col">{ta("a.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => (
                <tr key={u.id} data-testid="ledger-row" data-login={u.loginId} data-status={u.status}>
                  <td>
                    {office ? u.name : <a href={adminHref("users", u.id)}>{u.name}</a>}
                    <div class="a-kana">{u.nameKana}</div>
                  </td>
                  <td>{u.loginId}</td>
                  <td>{u.jobTypeLabel}</td>
                  <td>{u.officeName ?? "—"}</td>
                  <td>{u.roleLabel}</td>
                  <td>
                    <span class={`a-badge a-badge-${u.status}`}>{u.statusLabel}</span>
                    {u.stopScheduledOn && (
                      <div>
                        <span class="a-badge a-badge-warn" data-testid="ledger-stop-scheduled">
                          {ta("ledger.stopScheduled", { date: day(u.stopScheduledOn) })}
                        </span>
                      </div>
                    )}
                  </td>
                  <td>{day(u.createdAt)}</td>
                  <td>{day(u.activatedAt)}</td>
                  <td>{day(u.stoppedAt)}</td>
                  <td>{day(u.pledgedAt)}</td>
                  <td data-testid="ledger-terms" data-version={u.termsVersion ?? ""}>
                    {u.termsVersion ? ta("ledger.termsAccepted", { version: u.termsVersion, date: day(u.termsAcceptedAt) }) : "—"}
                    {data.termsVersion && u.termsVersion !== data.termsVersion && u.status !== "stopped" && <span class="a-badge a-badge-submitted">{ta("ledger.termsPending")}</span>}
                  </td>
                  <td class="a-num">{u.roomCount}</td>
                  {office && (
                    <td>
                      <a href={adminHref("print", "4-2", u.id)} data-testid="staff-print-42">
                        {ta("a.printForm", { form: "4-2" })}
                      </a>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
