/**
 * The terms of use, asked after sign-in (or at an online start) when the user has not
 * accepted the city's current version. Sync keeps running behind it; offline, the user
 * goes on and is asked at the next start online.
 */
import { useEffect, useState } from "preact/hooks";
import { acceptTerms, deferTerms, loadHelp } from "../actions/help";
import { FormError } from "../components/Field";
import { ScreenHeading } from "../components/ScreenHeading";
import { t } from "../i18n";
import { useAppState } from "../store";
import type { HelpPage } from "../types";

export function Terms() {
  const { me, sync } = useAppState();
  const [page, setPage] = useState<HelpPage | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function load() {
    loadHelp().then(
      (help) => {
        // Only the version fetched now may be accepted: a copy kept from before could be stale.
        if (help.offline) setOffline(true);
        else if (!help.value.terms.version) deferTerms(); // the city withdrew its terms meanwhile
        else setPage(help.value);
      },
      () => setOffline(true),
    );
  }
  useEffect(load, []);

  async function accept() {
    if (!page) return;
    setBusy(true);
    setError(null);
    const result = await acceptTerms(page.terms.version);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      if (result.code === "terms_outdated") load();
    }
  }

  const changed = Boolean(me?.terms?.acceptedVersion);
  return (
    <section class="card terms-card" data-testid="terms-screen" data-version={page?.terms.version ?? ""}>
      <ScreenHeading text={t("terms.heading")} />
      {offline ? (
        <>
          <p>{t("terms.offline")}</p>
          <button type="button" class="primary" data-testid="terms-later" onClick={deferTerms}>
            {t("terms.later")}
          </button>
        </>
      ) : !page ? (
        <p class="hint">{t("common.loading")}</p>
      ) : (
        <>
          <p>{changed ? t("terms.changed") : t("terms.intro", { city: page.cityName })}</p>
          <p class="hint">{t("help.version", { version: page.terms.version })}</p>
          <pre class="pledge-text" data-testid="terms-text">
            {page.terms.text}
          </pre>
          {sync.pending > 0 && <p class="hint">{t("terms.sending")}</p>}
          <FormError message={error} testId="terms-error" />
          <button type="button" class="primary" data-testid="terms-accept" disabled={busy} onClick={() => void accept()}>
            {t("terms.accept")}
          </button>
          <p class="hint">{t("terms.refuse")}</p>
        </>
      )}
    </section>
  );
}
