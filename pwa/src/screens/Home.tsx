/** Signed in: who you are, and (for now) a placeholder for the room list. */
import { hrefFor } from "../actions/navigation";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { useAppState } from "../store";

export function Home() {
  const { me } = useAppState();
  if (!me) return null;
  const { user } = me;
  return (
    <div class="home">
      <aside class="card profile" aria-labelledby="profile-heading">
        <h2 id="profile-heading" class="eyebrow">
          {t("home.profile")}
        </h2>
        <p class="greeting" data-testid="home-greeting">
          {t("home.greeting", { name: user.name })}
        </p>
        <dl class="facts">
          <div>
            <dt>{t("home.office")}</dt>
            <dd>{user.officeName}</dd>
          </div>
          <div>
            <dt>{t("home.jobType")}</dt>
            <dd>{user.jobTypeLabel}</dd>
          </div>
        </dl>
        <a class="button secondary" href={hrefFor("settings")}>
          {t("nav.settings")}
        </a>
      </aside>
      <section class="card rooms" aria-labelledby="rooms-heading">
        <ScreenHeading text={t("home.rooms")} />
        <p class="placeholder" id="rooms-heading">
          {t("home.roomsPlaceholder")}
        </p>
      </section>
    </div>
  );
}
