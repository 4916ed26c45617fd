/** The top bar: the name, the navigation once signed in, and the language switch. */
import { hrefFor } from "../actions/navigation";
import { t } from "../i18n";
import { useAppState } from "../store";
import { LangSwitch } from "./LangSwitch";

export function Header() {
  const { me, screen } = useAppState();
  const signedIn = me !== null && (screen === "home" || screen === "settings");
  return (
    <header class="app-header">
      <a class="brand" href={signedIn ? hrefFor("home") : "/"}>
        <img src="/icons/icon-192.png" alt="" width="32" height="32" />
        <span class="brand-name">{t("app.name")}</span>
        <span class="brand-sub">{t("app.subtitle")}</span>
      </a>
      {signedIn && (
        <nav aria-label={t("nav.main")} class="app-nav">
          <a href={hrefFor("home")} aria-current={screen === "home" ? "page" : undefined}>
            {t("nav.home")}
          </a>
          <a href={hrefFor("settings")} data-testid="nav-settings" aria-current={screen === "settings" ? "page" : undefined}>
            {t("nav.settings")}
          </a>
        </nav>
      )}
      {/* Settings shows the switch in its own section; one switch per page. */}
      {screen !== "settings" && <LangSwitch id="lang-header" />}
    </header>
  );
}
