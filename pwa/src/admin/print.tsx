/**
 * One printable form (様式2-2C, 3, 4-1, 4-2, 5, 6) laid out like the city's paper:
 * form number, title, addressee, date in the Japanese era, the fixed wording, the
 * fields in bordered tables and empty boxes for signatures and seals. A4 print
 * styles live in admin.css (`@media print`).
 */
import { adminApi, type PrintForm } from "./api";
import { formDate, formLayout } from "./helpers";
import { ta } from "./messages";
import { Loading, useLoad } from "./ui";

function FormSheet({ form }: { form: PrintForm }) {
  const layout = formLayout(form);
  return (
    <article class="print-sheet" data-testid="print-sheet" data-form={form.form} data-blank={form.blank ? "true" : undefined}>
      <p class="print-form-no">{form.subtitle}</p>
      {form.form === "5" || form.form === "4-2" ? null : <p class="print-date">{formDate(form)}</p>}
      <h1 class="print-title" data-testid="print-title">
        {form.title}
      </h1>
      {form.addressee && <p class="print-addressee">{form.addressee}</p>}
      {(form.form === "5" || form.form === "4-2") && <p class="print-date">{formDate(form)}</p>}
      <div class="print-text">
        {form.text.split("\n").map((line, i) => (
          <p key={i}>{line}</p>
        ))}
      </div>
      {(form.form === "2-2C" || form.form === "3" || form.form === "6") && <p class="print-ki">記</p>}
      {layout.sections.map((section) => (
        <table class="print-table" key={section.heading}>
          <caption>{section.heading}</caption>
          <tbody>
            {section.rows.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td class={row.sign ? "print-sign" : undefined}>
                  {row.value}
                  {row.sign && <span class="print-seal">{ta("print.seal")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {layout.tables.map((table) => {
        const blanks = Math.max(0, table.minRows - table.rows.length);
        return (
          <table class="print-table print-grid" key={table.heading}>
            <caption>{table.heading}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, i) => (
                <tr key={i}>
                  {row.map((cell, j) => (
                    <td key={j}>{cell}</td>
                  ))}
                </tr>
              ))}
              {Array.from({ length: blanks }, (_, i) => (
                <tr key={`blank-${i}`} class="print-blank">
                  {table.columns.map((c) => (
                    <td key={c}>&nbsp;</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
      {layout.signatures.length > 0 && (
        <table class="print-table print-signatures">
          <caption>誓約者・申請者</caption>
          <tbody>
            {layout.signatures.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td class={row.sign ? "print-sign" : undefined}>
                  {row.value}
                  {row.sign && <span class="print-seal">{ta("print.seal")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {form.form === "5" && (
        <p class="print-note">◎原本は説明し、同意を得た事業所が保管するものとします。コピー１部を患者（利用者）様本人へお渡しし、システムのユーザー管理者には、コピーと「様式６ 患者（利用者）部屋作成依頼書」とともに提出してください。</p>
      )}
      {form.form === "6" && <p class="print-note">◎ 患者（利用者）部屋の作成後、「メール通知」の設定先に作業完了の通知が送信されます。</p>}
    </article>
  );
}

export function PrintPage({ form, id, scope = "city" }: { form: string; id: string; scope?: "city" | "office" }) {
  const { data, error } = useLoad(() => adminApi.form(form, id, scope), [form, id, scope]);
  return (
    <div class="print-page" data-testid="admin-print">
      <div class="print-toolbar no-print">
        <button type="button" class="secondary" onClick={() => history.back()}>
          {ta("a.back")}
        </button>
        <button type="button" class="primary" data-testid="print-button" onClick={() => window.print()} disabled={!data}>
          {ta("a.print")}
        </button>
        <span class="hint">{ta("print.hint")}</span>
      </div>
      {data ? <FormSheet form={data} /> : <Loading error={error} />}
    </div>
  );
}
