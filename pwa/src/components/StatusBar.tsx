/**
 * Always-visible sync status: offline, 「n件の送信待ち」, refused changes and
 * sync errors, each with what to do. Announced politely to screen readers.
 */
import { requestSync } from "../sync/client";
import { t } from "../i18n";
import { useAppState } from "../store";

export function StatusBar() {
  const { online, sync } = useAppState();
  const items: { kind: string; text: string; action?: { label: string; run: () => void } }[] = [];
  if (!online || sync.state === "offline") items.push({ kind: "offline", text: t("status.offline") });
  if (sync.pending > 0) items.push({ kind: "pending", text: t("status.pending", { n: sync.pending }) });
  if (sync.rejected > 0) items.push({ kind: "rejected", text: t("status.rejected", { n: sync.rejected }) });
  if (sync.state === "error") items.push({ kind: "error", text: t("status.error", { error: sync.error ?? "" }), action: { label: t("status.retry"), run: () => void requestSync() } });
  if (sync.state === "signedOut") items.push({ kind: "error", text: t("status.signedOut") });
  if (sync.state === "syncing") items.push({ kind: "syncing", text: t("status.syncing") });
  return (
    <div class="status-bar" role="status" aria-live="polite" data-testid="sync-status" data-state={sync.state} data-pending={sync.pending}>
      {items.length === 0 && <span class="status-item status-ok">{t("status.synced")}</span>}
      {items.map((item) => (
        <span class={`status-item status-${item.kind}`} key={item.kind} data-kind={item.kind}>
          {item.text}
          {item.action && (
            <button type="button" class="link-button" onClick={item.action.run}>
              {item.action.label}
            </button>
          )}
        </span>
      ))}
    </div>
  );
}
