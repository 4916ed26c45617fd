/** The top bar: the name, the navigation once unlocked, and the language switch. */
import { hrefFor } from "../actions/navigation";
import { t } from "../i18n";
import { lock } from "../local/session";
import { DATA_SCREENS, useAppState } from "../store";
import { LangSwitch } from "./LangSwitch";

const ADMIN_ROLES = new Set(["municipal_admin", "operator", "office_admin"]);

export function Header() {
  const { me, screen } = useAppState();
  const signedIn = me !== null && DATA_SCREENS.has(screen);
  const home = screen === "home" || screen === "room" || screen === "compose" || screen === "patient" || screen === "vitals";
  return (
    <header class="app-header">
      <a class="brand" href={signedIn ? hrefFor("home") : "/"}>
        <img src="/icons/icon-192.png" alt="" width="32" height="32" />
        <span class="brand-name">{t("app.name")}</span>
        <span class="brand-sub">{t("app.subtitle")}</span>
      </a>
      {signedIn && (
        <nav aria-label={t("nav.main")} class="app-nav">
          <a href={hrefFor("home")} data-testid="nav-home" aria-current={home ? "page" : undefined}>
            {t("nav.home")}
          </a>
          <a href={hrefFor("settings")} data-testid="nav-settings" aria-current={screen === "settings" || screen === "notifications" ? "page" : undefined}>
            {t("nav.settings")}
          </a>
          <a href={hrefFor("help")} data-testid="nav-help" aria-current={screen === "help" ? "page" : undefined}>
            {t("nav.help")}
          </a>
          {me && ADMIN_ROLES.has(me.user.role) && (
            <a href={hrefFor("admin")} data-testid="nav-admin" aria-current={screen === "admin" ? "page" : undefined}>
              {t("nav.admin")}
            </a>
          )}
          <button type="button" class="nav-button" data-testid="nav-lock" onClick={() => lock("idle")}>
            {t("nav.lock")}
          </button>
        </nav>
      )}
      {/* Settings shows the switch in its own section; one switch per page. */}
      {screen !== "settings" && <LangSwitch id="lang-header" />}
    </header>
  );
}
