/** Entry: styles, the store's outside inputs (language, network, URL), the service worker, then the app. */
import { render } from "preact";
import "./styles.css";
import { boot } from "./actions/auth";
import { navigate, onHashChange } from "./actions/navigation";
import { App } from "./App";
import { getLang, onLangChange, t } from "./i18n";
import { clearData } from "./local/data";
import { addNotice, setState } from "./store";
import { onServiceWorkerMessage, registerServiceWorker } from "./sw-register";
import { withUnsent } from "./local/session";
import { wipeDevice } from "./wipe";

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

onServiceWorkerMessage((message) => {
  if (message.type === "open-room" && message.room) navigate("room", message.room);
  if (message.type === "wiped") {
    // The service worker wiped the device on the server's order (push); finish here.
    void wipeDevice().then((left) => {
      clearData();
      setState({ me: null, screen: "signIn" });
      // The worker counted before it erased; what this page finds afterwards is only a fallback.
      const unsent = typeof message.unsent === "number" ? message.unsent : left;
      addNotice("error", withUnsent(t("notice.deviceWiped"), unsent));
    });
  }
});

const root = document.getElementById("app");
if (root) render(<App />, root);
void boot();
void registerServiceWorker();
