/** The shell: header, notices, the sync status, and the screen the store names. */
import { lazy, Suspense } from "preact/compat";
import { Header } from "./components/Header";
import { Notices } from "./components/Notices";
import { StatusBar } from "./components/StatusBar";
import { UpdatePrompt } from "./components/UpdatePrompt";
import { t } from "./i18n";
import { Attention, AttentionView } from "./screens/Attention";
import { ChangePassword } from "./screens/ChangePassword";
import { Compose } from "./screens/Compose";
import { Enroll } from "./screens/Enroll";
import { Notifications } from "./screens/Notifications";
import { OfflineLocked, SetPasscode, Unlock } from "./screens/Passcode";
import { Patient } from "./screens/Patient";
import { Room } from "./screens/Room";
import { RoomList, Rooms } from "./screens/Rooms";
import { SecondFactor } from "./screens/SecondFactor";
import { Settings } from "./screens/Settings";
import { SignIn } from "./screens/SignIn";
import { Terms } from "./screens/Terms";
import { Vitals } from "./screens/Vitals";
import { DATA_SCREENS, useAppState, type Screen } from "./store";

/** A room's record to print or save (a chunk of its own: only a member taking it out loads it). */
const RoomRecord = lazy(() => import("./screens/RoomRecord"));
/** The admin screens, loaded only for admins (a separate chunk). */
const AdminApp = lazy(() => import("./admin/AdminApp"));
/** The help page: read now and then, so a chunk of its own. */
const Help = lazy(() => import("./screens/Help").then((m) => ({ default: m.Help })));
/** Pages reached from e-mail links by people without an account (another chunk). */
const PublicApp = lazy(() => import("./admin/PublicApp"));
const PUBLIC_PATH = /^\/(invite|activate)\/[^/]+\/?$/;
export const ADMIN_ROLES: ReadonlySet<string> = new Set(["municipal_admin", "operator", "office_admin"]);

/** Screens shown beside the room list on a desktop. */
const ROOM_SCREENS: ReadonlySet<Screen> = new Set<Screen>(["home", "attention", "room", "compose", "patient", "vitals"]);

function Admin() {
  const { me } = useAppState();
  if (!me || !ADMIN_ROLES.has(me.user.role)) {
    return (
      <section class="card">
        <p>{t("admin.forbidden")}</p>
      </section>
    );
  }
  return (
    <Suspense fallback={<p class="loading">{t("common.loading")}</p>}>
      <AdminApp />
    </Suspense>
  );
}

function CurrentScreen({ screen }: { screen: Screen }) {
  switch (screen) {
    case "loading":
      return <p class="loading">{t("common.loading")}</p>;
    case "signIn":
      return <SignIn />;
    case "secondFactor":
      return <SecondFactor />;
    case "changePassword":
      return <ChangePassword />;
    case "enroll":
      return <Enroll />;
    case "setPasscode":
      return <SetPasscode />;
    case "unlock":
      return <Unlock />;
    case "offlineLocked":
      return <OfflineLocked />;
    case "home":
      return <Rooms />;
    case "attention":
      return <Attention />;
    case "room":
      return <Room />;
    case "compose":
      return <Compose />;
    case "patient":
      return <Patient />;
    case "vitals":
      return <Vitals />;
    case "record":
      return (
        <Suspense fallback={<p class="loading">{t("common.loading")}</p>}>
          <RoomRecord />
        </Suspense>
      );
    case "settings":
      return <Settings />;
    case "notifications":
      return <Notifications />;
    case "help":
      return (
        <Suspense fallback={<p class="loading">{t("common.loading")}</p>}>
          <Help />
        </Suspense>
      );
    case "terms":
      return <Terms />;
    case "admin":
      return <Admin />;
  }
}

export function App() {
  const { screen, roomId } = useAppState();
  if (typeof location !== "undefined" && PUBLIC_PATH.test(location.pathname)) {
    return (
      <main id="main" class="main main-wide" data-screen="public">
        <Suspense fallback={<p class="loading">{t("common.loading")}</p>}>
          <PublicApp />
        </Suspense>
      </main>
    );
  }
  const data = DATA_SCREENS.has(screen);
  const split = ROOM_SCREENS.has(screen);
  // key: a fresh component (and fresh form state) per screen and room
  const current = <CurrentScreen key={`${screen}:${roomId ?? ""}`} screen={screen} />;
  return (
    <>
      <a class="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <Header />
      <UpdatePrompt />
      {data && <StatusBar />}
      <main id="main" class={data ? "main main-wide" : "main main-narrow"} data-screen={screen}>
        <Notices />
        {split ? (
          <div class={screen === "home" ? "split split-home" : "split"}>
            <aside class="split-rooms" aria-label={t("home.rooms")}>
              <RoomList compact />
            </aside>
            <div class="split-main">
              {current}
              {/* On a desktop the start screen is what needs me; a phone shows the room list. */}
              {screen === "home" && (
                <div class="split-placeholder split-attention">
                  <AttentionView embedded />
                </div>
              )}
            </div>
          </div>
        ) : (
          current
        )}
      </main>
    </>
  );
}
