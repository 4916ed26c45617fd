/** The language selector; the choice is stored and applied at once. */
import { LANGS, setLang, t, type Lang } from "../i18n";
import { useAppState } from "../store";

export function LangSwitch({ id }: { id: string }) {
  const { lang } = useAppState();
  return (
    <div class="lang-switch">
      <label for={id}>{t("lang.label")}</label>
      <select
        id={id}
        data-testid="lang-switch"
        value={lang}
        onChange={(e) => setLang(e.currentTarget.value as Lang)}
      >
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
