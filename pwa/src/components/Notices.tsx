/**
 * The notice area: the offline banner and the app's notices, announced
 * politely. Success and info notices go by themselves (store.ts NOTICE_MS)
 * and every notice goes with the next screen, so they never pile up above
 * a form.
 */
import { t } from "../i18n";
import { DATA_SCREENS, dismissNotice, useAppState } from "../store";

export function Notices() {
  const { notices, online, screen } = useAppState();
  return (
    <div class="notices" data-testid="notice" role="status" aria-live="polite">
      {/* Data screens have the status bar, which says it (and what is waiting). */}
      {!online && !DATA_SCREENS.has(screen) && (
        <p class="notice notice-offline" data-kind="offline">
          {t("offline.banner")}
        </p>
      )}
      {notices.map((n) => (
        <div class={`notice notice-${n.kind}`} key={n.id} data-kind={n.kind}>
          <p>{n.text}</p>
          {n.action && (
            <button
              type="button"
              class="notice-action"
              data-testid="notice-action"
              onClick={() => {
                dismissNotice(n.id);
                n.action?.run();
              }}
            >
              {n.action.label}
            </button>
          )}
          <button type="button" class="notice-dismiss" onClick={() => dismissNotice(n.id)} aria-label={t("common.dismiss")}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
