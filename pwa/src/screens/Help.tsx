/**
 * The help page every signed-in user reaches (header, settings, the admin menu): whom to call,
 * links, supported devices and browsers, the rules, the 誓約事項, the pledges and the terms of
 * use as the city keeps them. Offline it shows the copy last read.
 */
import { useEffect, useState } from "preact/hooks";
import { loadHelp, type Fetched } from "../actions/help";
import { FormError } from "../components/Field";
import { HelpContacts } from "../components/HelpContacts";
import { ScreenHeading } from "../components/ScreenHeading";
import { formatDateTime, t } from "../i18n";
import { useAppState } from "../store";
import type { HelpPage } from "../types";

function Text({ value, testId }: { value: string; testId?: string }) {
  return (
    <pre class="pledge-text" data-testid={testId}>
      {value}
    </pre>
  );
}

export function HelpContent({ page }: { page: HelpPage }) {
  const { me } = useAppState();
  const accepted = me?.terms?.acceptedAt && me.terms.acceptedVersion === page.terms.version ? me.terms : null;
  return (
    <>
      <section class="card" aria-labelledby="help-contacts">
        <h2 id="help-contacts">{t("help.contacts")}</h2>
        {page.signInNote && <p>{page.signInNote}</p>}
        <HelpContacts contacts={page.contacts} />
      </section>
      {page.links.length > 0 && (
        <section class="card" aria-labelledby="help-links">
          <h2 id="help-links">{t("help.links")}</h2>
          <ul class="plain-list" data-testid="help-links">
            {page.links.map((link) => (
              <li key={link.url}>
                <a href={link.url} target="_blank" rel="noopener noreferrer">
                  {link.title}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {page.devices && (
        <section class="card" aria-labelledby="help-devices">
          <h2 id="help-devices">{t("help.devices")}</h2>
          <Text value={page.devices} testId="help-devices" />
        </section>
      )}
      <section class="card" aria-labelledby="help-terms">
        <h2 id="help-terms">{t("help.terms")}</h2>
        {page.terms.version ? (
          <>
            <p class="hint">{t("help.version", { version: page.terms.version })}</p>
            <Text value={page.terms.text} testId="help-terms" />
            {accepted && <p data-testid="help-terms-accepted">{t("help.termsAccepted", { date: formatDateTime(accepted.acceptedAt), version: accepted.version })}</p>}
          </>
        ) : (
          <p class="hint">{t("help.termsNone")}</p>
        )}
      </section>
      {page.rules && (
        <section class="card" aria-labelledby="help-rules">
          <h2 id="help-rules">{t("help.rules")}</h2>
          <Text value={page.rules} testId="help-rules" />
        </section>
      )}
      {page.pledgeItems && (
        <section class="card" aria-labelledby="help-pledge-items">
          <h2 id="help-pledge-items">{t("help.pledgeItems")}</h2>
          <Text value={page.pledgeItems} testId="help-pledge-items" />
        </section>
      )}
      <section class="card" aria-labelledby="help-pledges">
        <h2 id="help-pledges">{t("help.pledge41")}</h2>
        <Text value={page.pledge.form41} />
        <h2>{t("help.pledge42")}</h2>
        <Text value={page.pledge.form42} />
        <p class="hint">{t("help.version", { version: page.pledge.version })}</p>
      </section>
    </>
  );
}

export function Help() {
  const [help, setHelp] = useState<Fetched<HelpPage> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadHelp().then(setHelp, () => setError(t("help.unavailable")));
  }, []);
  const page = help?.value ?? null;
  return (
    <div class="help-page" data-testid="help-page">
      <ScreenHeading text={page ? `${t("help.heading")}（${page.cityName}）` : t("help.heading")} />
      {help?.offline && <p class="notice notice-offline" role="status" data-testid="help-offline">{page ? t("help.offline") : t("help.unavailable")}</p>}
      <FormError message={error} testId="help-error" />
      {!help && !error && <p class="hint">{t("common.loading")}</p>}
      {page && <HelpContent page={page} />}
    </div>
  );
}
