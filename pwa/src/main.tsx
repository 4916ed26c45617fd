/** Entry: styles, the store's outside inputs (language, network, URL), then the app. */
import { render } from "preact";
import "./styles.css";
import { boot } from "./actions/auth";
import { onHashChange } from "./actions/navigation";
import { App } from "./App";
import { getLang, onLangChange, t } from "./i18n";
import { setState } from "./store";

function applyLang(): void {
  document.documentElement.lang = getLang();
  document.title = t("app.title");
}

onLangChange((lang) => {
  applyLang();
  setState({ lang });
});
applyLang();

window.addEventListener("online", () => setState({ online: true }));
window.addEventListener("offline", () => setState({ online: false }));
window.addEventListener("hashchange", onHashChange);

const root = document.getElementById("app");
if (root) render(<App />, root);
void boot();
