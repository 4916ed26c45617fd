/**
 * One office (事業所の詳細) and its システム管理担当者: name a member of staff or a new person
 * (who gets the activation mail), unname one (the last stays until a successor is named).
 * Below them, the office's corrections, staff, history and closing (`OfficeCorrections`).
 */
import { useState } from "preact/hooks";
import { addNotice } from "../../store";
import { adminApi, type SystemManager } from "../api";
import { ConfirmStep } from "../confirm";
import { deskApi } from "../deskApi";
import { adminHref } from "../helpers";
import { ta } from "../messages";
import { day, ErrorBox, Facts, Loading, Section, Select, useLoad } from "../ui";
import { PersonFields } from "./PersonFields";
import { OfficeCorrections } from "./OfficeCorrections";
import { EMPTY_PERSON, personIn } from "./shared";

export function OfficeDetail({ id }: { id: string }) {
  const office = useLoad(() => deskApi.office(id), [id]);
  const staff = useLoad(() => adminApi.ledger({ officeId: id }), [id]);
  const [userId, setUserId] = useState("");
  const [person, setPerson] = useState(EMPTY_PERSON);
  const [unnaming, setUnnaming] = useState<SystemManager | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const o = office.data;
  if (!o) return <Loading error={office.error} />;
  const candidates = (staff.data?.users ?? []).filter((u) => u.role === "member" && u.status !== "stopped");

  async function act(work: () => Promise<string>) {
    setError(null);
    setBusy(true);
    try {
      addNotice("success", await work());
      office.reload();
      staff.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setUnnaming(null);
    }
  }

  const nameStaff = (e: Event) => {
    e.preventDefault();
    const chosen = candidates.find((u) => u.id === userId);
    if (!chosen) return;
    void act(async () => {
      await deskApi.nameManager(o.id, { userId });
      setUserId("");
      return ta("sm.named", { name: chosen.name });
    });
  };
  const nameNew = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      await deskApi.nameManager(o.id, { person: personIn(person) });
      const name = person.name.trim();
      setPerson(EMPTY_PERSON);
      return ta("sm.named", { name });
    });
  };

  return (
    <div data-testid="admin-office" data-office={o.id}>
      <p>
        <a href={adminHref("offices")}>{ta("a.back")}</a>
      </p>
      <h1>
        {ta("office.detail")}：{o.name}
      </h1>
      <Facts
        rows={[
          [ta("office.kind"), o.kindLabel],
          [ta("office.address"), [o.postalCode && `〒${o.postalCode}`, o.address].filter(Boolean).join(" ")],
          [ta("office.phone"), o.phone],
          [ta("office.representative"), o.representative ?? ""],
          [ta("office.pledge"), o.pledgedAt ? `${day(o.pledgedAt)}（${o.pledgeVersion ?? ""}）` : ""],
          [ta("office.activeUsers"), String(o.activeUsers)],
        ]}
      />
      <Section title={ta("sm.heading")} testId="system-managers">
        <p class="hint">{ta("sm.hint")}</p>
        <ErrorBox error={error} testId="sm-error" />
        {(o.systemManagers ?? []).length === 0 ? (
          <p class="form-error">{ta("sm.none")}</p>
        ) : (
          <ul class="plain-list">
            {(o.systemManagers ?? []).map((m) => (
              <li key={m.id} data-testid="sm-row" data-login={m.loginId}>
                {m.name}（{m.jobTypeLabel}・{m.loginId}）{m.status === "pending" ? `［${ta("sm.pending")}］` : ""}{" "}
                <button type="button" class="secondary" data-testid="sm-unname" disabled={busy} onClick={() => setUnnaming(m)}>
                  {ta("sm.unname")}
                </button>
                {unnaming?.id === m.id && (
                  <ConfirmStep
                    question={ta("sm.unnameConfirm", { who: `${m.name}（${m.loginId}）` })}
                    busy={busy}
                    onYes={() => void act(async () => (await deskApi.unnameManager(o.id, m.id), ta("sm.unnamed", { name: m.name })))}
                    onNo={() => setUnnaming(null)}
                    testId="confirm-unname"
                  />
                )}
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={nameStaff} noValidate class="admin-form-grid" data-testid="sm-from-staff">
          <Select id="sm-staff" label={ta("sm.fromStaff")} value={userId} onValue={setUserId} placeholder={ta("sm.pickStaff")} options={candidates.map((u) => ({ value: u.id, label: `${u.name}（${u.jobTypeLabel}・${u.loginId}）` }))} />
          <div>
            <button type="submit" class="primary" data-testid="sm-name-staff" disabled={busy || !userId}>
              {ta("sm.name")}
            </button>
          </div>
        </form>
        <h3>{ta("sm.newPerson")}</h3>
        <form onSubmit={nameNew} noValidate class="admin-form-grid" data-testid="sm-new">
          <PersonFields id="sm-new" value={person} onValue={setPerson} />
          <div>
            <button type="submit" class="primary" data-testid="sm-name-new" disabled={busy}>
              {ta("sm.name")}
            </button>
          </div>
        </form>
      </Section>
      <OfficeCorrections
        id={o.id}
        onChanged={() => {
          office.reload();
          staff.reload();
        }}
      />
    </div>
  );
}
