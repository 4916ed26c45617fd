/** Notification settings: enable push on this device, quiet hours, muted rooms, the room label. */
import { useEffect, useState } from "preact/hooks";
import type { PushPreferences } from "../api";
import { hrefFor } from "../actions/navigation";
import { currentSubscription, disablePush, enablePush, loadPreferences, pushSupport, savePreferences } from "../actions/push";
import { FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { useData } from "../local/data";
import { addNotice } from "../store";

const DEFAULT_PREFS: PushPreferences = { enabled: false, quietHours: null, mutedRoomIds: [], showRoomLabel: false };

export function Notifications() {
  const data = useData();
  const support = pushSupport();
  const [subscribed, setSubscribed] = useState<boolean | null>(null);
  const [prefs, setPrefs] = useState<PushPreferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void currentSubscription().then((s) => setSubscribed(!!s));
    void loadPreferences().then((r) => {
      if (r.ok) setPrefs({ ...DEFAULT_PREFS, ...r.value });
      else {
        setPrefs(DEFAULT_PREFS);
        setError(r.message);
      }
    });
  }, []);

  async function toggle() {
    setBusy(true);
    setError(null);
    const result = subscribed ? await disablePush() : await enablePush();
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    const now = !subscribed;
    setSubscribed(now);
    if (prefs) await save({ ...prefs, enabled: now });
    addNotice("success", now ? t("push.enabled") : t("push.disabled"));
  }

  async function save(next: PushPreferences) {
    setPrefs(next);
    const result = await savePreferences(next);
    if (!result.ok) setError(result.message);
  }

  return (
    <div class="settings notifications">
      <div class="settings-head">
        <ScreenHeading text={t("push.heading")} />
        <a href={hrefFor("settings")}>{t("push.back")}</a>
      </div>
      <section class="card" aria-labelledby="push-device">
        <h2 id="push-device">{t("push.thisDevice")}</h2>
        {support === "iosNeedsHomeScreen" && (
          <div class="notice" data-testid="ios-instructions">
            <p>{t("push.iosFirst")}</p>
            <ol>
              <li>{t("push.iosStep1")}</li>
              <li>{t("push.iosStep2")}</li>
              <li>{t("push.iosStep3")}</li>
            </ol>
          </div>
        )}
        {support === "unsupported" && <p>{t("push.unsupported")}</p>}
        {support === "denied" && <p>{t("push.denied")}</p>}
        {support === "supported" && (
          <>
            <p data-testid="push-state">{subscribed === null ? t("common.loading") : subscribed ? t("push.on") : t("push.off")}</p>
            <p class="hint">{t("push.needsInternet")}</p>
            <button type="button" class={subscribed ? "secondary" : "primary"} data-testid="push-toggle" disabled={busy || subscribed === null} onClick={() => void toggle()}>
              {busy ? t("push.working") : subscribed ? t("push.disable") : t("push.enable")}
            </button>
          </>
        )}
        <FormError message={error} testId="push-error" />
      </section>
      {prefs && (
        <>
          <section class="card" aria-labelledby="push-quiet">
            <h2 id="push-quiet">{t("push.quietHours")}</h2>
            <label class="check">
              <input
                type="checkbox"
                checked={prefs.quietHours !== null}
                data-testid="quiet-toggle"
                onChange={(e) => void save({ ...prefs, quietHours: e.currentTarget.checked ? { start: "22:00", end: "07:00" } : null })}
              />
              {t("push.quietOn")}
            </label>
            {prefs.quietHours && (
              <div class="quiet-times">
                <div class="field">
                  <label for="quiet-start">{t("push.quietStart")}</label>
                  <input id="quiet-start" type="time" value={prefs.quietHours.start} onChange={(e) => void save({ ...prefs, quietHours: { start: e.currentTarget.value, end: prefs.quietHours?.end ?? "07:00" } })} />
                </div>
                <div class="field">
                  <label for="quiet-end">{t("push.quietEnd")}</label>
                  <input id="quiet-end" type="time" value={prefs.quietHours.end} onChange={(e) => void save({ ...prefs, quietHours: { start: prefs.quietHours?.start ?? "22:00", end: e.currentTarget.value } })} />
                </div>
              </div>
            )}
            <p class="hint">{t("push.quietHint")}</p>
          </section>
          <section class="card" aria-labelledby="push-rooms">
            <h2 id="push-rooms">{t("push.rooms")}</h2>
            <ul class="plain-checks">
              {data.rooms.map((room) => {
                const muted = prefs.mutedRoomIds.includes(room.id);
                return (
                  <li key={room.id}>
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={!muted}
                        data-testid="room-notify"
                        onChange={(e) =>
                          void save({
                            ...prefs,
                            mutedRoomIds: e.currentTarget.checked ? prefs.mutedRoomIds.filter((id) => id !== room.id) : [...prefs.mutedRoomIds, room.id],
                          })
                        }
                      />
                      {data.patients.get(room.id)?.name ?? room.label ?? room.id}
                    </label>
                  </li>
                );
              })}
            </ul>
          </section>
          <section class="card" aria-labelledby="push-label">
            <h2 id="push-label">{t("push.labelHeading")}</h2>
            <label class="check">
              <input type="checkbox" checked={prefs.showRoomLabel} data-testid="label-toggle" onChange={(e) => void save({ ...prefs, showRoomLabel: e.currentTarget.checked })} />
              {t("push.showLabel")}
            </label>
            <p class="hint">{t("push.labelHint")}</p>
          </section>
          <section class="card" aria-labelledby="daily-mail">
            <h2 id="daily-mail">{t("notifications.dailyMail")}</h2>
            <label class="check">
              <input type="checkbox" checked={prefs.dailyMail === true} data-testid="daily-mail-toggle" onChange={(e) => void save({ ...prefs, dailyMail: e.currentTarget.checked })} />
              {t("notifications.dailyMail")}
            </label>
            <p class="hint">{t("notifications.dailyMailHint")}</p>
          </section>
        </>
      )}
    </div>
  );
}
