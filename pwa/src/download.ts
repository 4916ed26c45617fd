/**
 * Saving a file the API answers (CSVs, documents, consent scans, the room's record). A plain
 * `<a href download>` would be a navigation without the app's headers, which the API refuses
 * (docs/api/requests.md); so the file is fetched like every request and handed to the
 * browser as a blob: URL, which is revoked once the browser has taken it. The one place
 * that does this, for the app and the city's screens alike.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `ledger-2026-12-06.csv`: the server's name for the file, by the clerk's own calendar. */
export function datedName(stem: string, extension: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${stem}-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.${extension}`;
}
