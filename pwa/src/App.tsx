/** The shell: header, notices, and the screen the store names. */
import { Header } from "./components/Header";
import { Notices } from "./components/Notices";
import { t } from "./i18n";
import { ChangePassword } from "./screens/ChangePassword";
import { Enroll } from "./screens/Enroll";
import { Home } from "./screens/Home";
import { SecondFactor } from "./screens/SecondFactor";
import { Settings } from "./screens/Settings";
import { SignIn } from "./screens/SignIn";
import { useAppState, type Screen } from "./store";

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
    case "home":
      return <Home />;
    case "settings":
      return <Settings />;
  }
}

export function App() {
  const { screen } = useAppState();
  const wide = screen === "home" || screen === "settings";
  return (
    <>
      <Header />
      <main id="main" class={wide ? "main main-wide" : "main main-narrow"}>
        <Notices />
        {/* key: a fresh component (and fresh form state) per screen */}
        <CurrentScreen key={screen} screen={screen} />
      </main>
    </>
  );
}
