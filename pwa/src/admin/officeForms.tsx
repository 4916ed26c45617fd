/**
 * The office's forms: every paper form of the manual, blank (様式5 for the patient to sign,
 * 4-2 for new staff, 2-2C, 3, 4-1, 6) with the office's own details, and where to find the
 * filled ones (a staff member's 4-2 in the staff list, an application's forms in its row).
 */
import { adminHref, FORM_CODES } from "./helpers";
import { type AdminKey, ta } from "./messages";

const PURPOSE: Record<(typeof FORM_CODES)[number], AdminKey> = {
  "2-2C": "forms.22c",
  "3": "forms.3",
  "4-1": "forms.41",
  "4-2": "forms.42",
  "5": "forms.5",
  "6": "forms.6",
};

export function OfficeForms() {
  return (
    <div data-testid="office-forms">
      <h1>{ta("forms.heading")}</h1>
      <p class="hint">{ta("forms.intro")}</p>
      <table class="admin-table">
        <thead>
          <tr>
            <th scope="col">{ta("forms.form")}</th>
            <th scope="col">{ta("forms.purpose")}</th>
            <th scope="col">{ta("a.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {FORM_CODES.map((code) => (
            <tr key={code} data-testid="office-form-row" data-form={code}>
              <th scope="row">{ta("forms.number", { form: code })}</th>
              <td>{ta(PURPOSE[code])}</td>
              <td>
                <a class="button secondary" href={adminHref("print", code, "blank")} data-testid={`blank-${code}`}>
                  {ta("forms.printBlank")}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">{ta("forms.filledHint")}</p>
      <p>
        <a href={adminHref("staff")}>{ta("a.nav.staff")}</a>
        {" ・ "}
        <a href={adminHref("")}>{ta("a.nav.myApps")}</a>
      </p>
    </div>
  );
}
