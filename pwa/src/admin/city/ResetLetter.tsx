/**
 * The password-reset letter (パスワード再設定のお知らせ) for staff without e-mail: A4, laid out
 * like the city's other printed forms, with the login ID, the single-use code, the reset
 * page as text and as a QR code, the expiry, the steps and whom to call. The code is shown
 * only in the answer that issued it, so the clerk prints before closing.
 */
import { ta } from "../messages";
import { dateTime } from "../ui";

export function ResetLetterSheet({ letter, onClose }: { letter: { loginId: string; name: string; officeName: string | null; link: string; code: string; qrImage: string; issuedAt: string; expiresAt: string; issuedBy: string; cityName: string; contactName: string; contactPhone: string }; onClose: () => void }) {
  return (
    <div class="print-page" data-testid="reset-letter-page">
      <div class="print-toolbar letter-toolbar no-print">
        <button type="button" class="secondary" data-testid="letter-close" onClick={onClose}>
          {ta("letter.close")}
        </button>
        <button type="button" class="primary" data-testid="letter-print" onClick={() => window.print()}>
          {ta("a.print")}
        </button>
        <span class="hint">{ta("letter.onceShown")}</span>
      </div>
      <article class="print-sheet reset-letter" data-testid="reset-letter">
        <p class="print-date">{dateTime(letter.issuedAt)}</p>
        <p class="print-addressee">{ta("letter.to", { office: letter.officeName ?? "", name: letter.name })}</p>
        <h1 class="print-title">{ta("letter.title")}</h1>
        <p class="print-addressee">{letter.cityName}</p>
        <div class="print-text">
          <p>{ta("letter.body")}</p>
        </div>
        <table class="print-table">
          <tbody>
            <tr>
              <th scope="row">{ta("letter.loginId")}</th>
              <td data-testid="letter-login">{letter.loginId}</td>
            </tr>
            <tr>
              <th scope="row">{ta("letter.code")}</th>
              <td class="letter-code" data-testid="letter-code">
                {letter.code}
              </td>
            </tr>
            <tr>
              <th scope="row">{ta("letter.link")}</th>
              <td class="letter-link" data-testid="letter-link">
                {letter.link}
              </td>
            </tr>
            <tr>
              <th scope="row">{ta("letter.expires")}</th>
              <td data-testid="letter-expires">
                {dateTime(letter.expiresAt)}　{ta("letter.once")}
              </td>
            </tr>
          </tbody>
        </table>
        <img class="letter-qr" data-testid="letter-qr" src={letter.qrImage} alt={ta("letter.link")} width="160" height="160" />
        <div class="print-text">
          {ta("letter.steps")
            .split("\n")
            .map((line) => (
              <p key={line}>{line}</p>
            ))}
          <p>{ta("letter.keep")}</p>
        </div>
        <table class="print-table">
          <tbody>
            <tr>
              <th scope="row">{ta("letter.contact")}</th>
              <td>
                {letter.contactName} {letter.contactPhone}
              </td>
            </tr>
          </tbody>
        </table>
        <p class="print-note">{ta("letter.issued", { time: dateTime(letter.issuedAt), by: letter.issuedBy })}</p>
      </article>
    </div>
  );
}
