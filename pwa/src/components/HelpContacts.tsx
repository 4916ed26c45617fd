/** The city's contact points as cards: whom to call, where, when. */
import { t } from "../i18n";
import type { HelpContact } from "../types";

export function HelpContacts({ contacts }: { contacts: HelpContact[] }) {
  return (
    <div class="help-contacts">
      {contacts.map((c, i) => (
        <div key={i} class="card help-contact" data-testid="help-contact">
          <h3>{c.title}</h3>
          <p>
            <strong>{c.name}</strong>
          </p>
          {(c.postalCode || c.address) && <p>{[c.postalCode && `〒${c.postalCode}`, c.address].filter(Boolean).join(" ")}</p>}
          {c.phone && (
            <p>
              {t("help.phone")}：<a href={`tel:${c.phone.replace(/[^0-9+]/g, "")}`}>{c.phone}</a>
            </p>
          )}
          {c.email && (
            <p>
              {t("help.email")}：<a href={`mailto:${c.email}`}>{c.email}</a>
            </p>
          )}
          {c.hours && (
            <p>
              {t("help.hours")}：{c.hours}
            </p>
          )}
          {c.note && <p class="hint">{c.note}</p>}
        </div>
      ))}
    </div>
  );
}
