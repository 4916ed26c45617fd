/** 「更新があります」: a new app version is installed and waits; it takes over only when the user says so. */
import { applyUpdate } from "../sw-register";
import { t } from "../i18n";
import { useAppState } from "../store";

export function UpdatePrompt() {
  const { updateReady } = useAppState();
  if (!updateReady) return null;
  return (
    <div class="update-prompt" role="alert" data-testid="update-prompt">
      <p>{t("update.available")}</p>
      <button type="button" class="primary" onClick={applyUpdate}>
        {t("update.reload")}
      </button>
    </div>
  );
}
