/** The patient summary and the care team, from the encrypted cache. */
import { t, getLang } from "../i18n";
import { useData } from "../local/data";
import { ageOn, formatEraDate, parseDate, todayInJapan } from "../local/era";
import { careLevelLabel } from "../local/labels";
import { useAppState } from "../store";
import { PatientCorrection } from "./PatientCorrection";
import { authorLine, RoomHeader } from "./Room";
import { MedicationsSection } from "./Medications";
import { ThresholdsSection } from "./Thresholds";

function telHref(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, "")}`;
}

export function Patient() {
  const { roomId } = useAppState();
  const data = useData();
  if (!roomId) return null;
  const patient = data.patients.get(roomId);
  const members = data.members.get(roomId) ?? [];
  const birth = patient?.birthDate ?? null;
  const p = parseDate(birth);
  const age = birth ? ageOn(birth, todayInJapan()) : null;
  const room = data.rooms.find((r) => r.id === roomId);
  const mine = members.find((m) => m.userId === data.me?.user.id);
  // The room's care manager (a writing member of the open room) may correct the details.
  const mayCorrect =
    data.me?.user.jobType === "care_manager" && room?.status === "open" && mine?.permission === "write";
  const sex = patient?.sex === "male" ? t("patient.male") : patient?.sex === "female" ? t("patient.female") : "";
  return (
    <div class="patient">
      <RoomHeader roomId={roomId} current="patient" />
      <section class="card" aria-labelledby="patient-summary">
        <h2 id="patient-summary">{t("patient.summary")}</h2>
        {!patient ? (
          <p class="hint">{t("common.loading")}</p>
        ) : (
          <dl class="facts" data-testid="patient-facts">
            <div>
              <dt>{t("patient.name")}</dt>
              <dd>
                {patient.name}
                {patient.nameKana && <span class="kana">（{patient.nameKana}）</span>}
              </dd>
            </div>
            {birth && p && (
              <div>
                <dt>{t("patient.birthDate")}</dt>
                <dd data-testid="patient-birth">
                  {formatEraDate(birth, getLang())}
                  {getLang() === "ja" ? `（${p.y}年${p.m}月${p.d}日）` : ` (${birth.slice(0, 10)})`}
                  {age !== null && ` ・ ${t("rooms.age", { n: age })}`}
                </dd>
              </div>
            )}
            {sex && (
              <div>
                <dt>{t("patient.sex")}</dt>
                <dd>{sex}</dd>
              </div>
            )}
            <div>
              <dt>{t("patient.careLevel")}</dt>
              <dd data-testid="patient-care-level">{careLevelLabel(patient.careLevel)}</dd>
            </div>
            {patient.address && (
              <div>
                <dt>{t("patient.address")}</dt>
                <dd>
                  {patient.postalCode && `〒${patient.postalCode} `}
                  {patient.address}
                </dd>
              </div>
            )}
            {patient.phone && (
              <div>
                <dt>{t("patient.phone")}</dt>
                <dd>
                  <a href={telHref(patient.phone)}>{patient.phone}</a>
                </dd>
              </div>
            )}
            {patient.insuredNumber && (
              <div>
                <dt>{t("patient.insuredNumber")}</dt>
                <dd data-testid="patient-insured">{patient.insuredNumber}</dd>
              </div>
            )}
            {patient.attendingPhysician && (
              <div>
                <dt>{t("patient.attendingPhysician")}</dt>
                <dd data-testid="patient-physician">{patient.attendingPhysician}</dd>
              </div>
            )}
            {(patient.emergencyContactName || patient.emergencyContactPhone) && (
              <div>
                <dt>{t("patient.emergencyContact")}</dt>
                <dd data-testid="patient-emergency">
                  {patient.emergencyContactName}
                  {patient.emergencyContactRelationship && `（${patient.emergencyContactRelationship}）`}{" "}
                  {patient.emergencyContactPhone && <a href={telHref(patient.emergencyContactPhone)}>{patient.emergencyContactPhone}</a>}
                </dd>
              </div>
            )}
          </dl>
        )}
        {patient && mayCorrect && <PatientCorrection roomId={roomId} patient={patient} />}
      </section>
      <MedicationsSection roomId={roomId} />
      <ThresholdsSection roomId={roomId} />
      <section class="card" aria-labelledby="care-team">
        <h2 id="care-team">{t("patient.careTeam")}</h2>
        <ul class="item-list" data-testid="care-team">
          {members.map((m) => {
            const a = authorLine(m);
            const phone = m.officePhone;
            return (
              <li key={m.id}>
                <div class="item-text">
                  <strong>{a.name}</strong>
                  <span>
                    {a.job}
                    {m.permission === "read" && ` ・ ${t("patient.readOnly")}`}
                  </span>
                  {a.office && <span>{a.office}</span>}
                </div>
                {phone && (
                  <a class="button secondary" href={telHref(phone)} aria-label={t("patient.callOffice", { office: a.office || a.name })}>
                    {phone}
                  </a>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
